// A loopback TCP endpoint that accepts connections and never reads or writes: a department (or a
// hub) that is up but silent. Whatever connects to it waits for its own timeout.
#pragma once

#include <atomic>
#include <thread>

namespace yici::test {

class SilentEndpoint {
 public:
  SilentEndpoint();  // listening on a free port, accepting until destroyed
  ~SilentEndpoint();
  SilentEndpoint(const SilentEndpoint&) = delete;
  SilentEndpoint& operator=(const SilentEndpoint&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // Connections accepted so far: how many callers are waiting on it now or have given up.
  [[nodiscard]] int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace yici::test
