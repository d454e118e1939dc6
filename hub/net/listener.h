// The hub's listening socket, bound on its own before the hub opens its data directory: a start
// refused for a port in use (or an address not on this host) leaves nothing behind, where it had
// already made a new data directory with an audit log and its key.
#pragma once

#include <cstdint>

#include "hub/core/hub_config.h"
#include "hub/core/result.h"

namespace yici::net {

class Listener {
 public:
  // Binds and listens ("localhost" is 127.0.0.1; port 0 picks a free port).
  static Result<Listener> bind(const ListenAddress& listen);

  Listener(Listener&& other) noexcept;
  Listener& operator=(Listener&& other) noexcept;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();  // closes the socket unless it was released

  [[nodiscard]] bool v6() const { return v6_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // The socket, for an acceptor to take over; -1 once released.
  int release();

 private:
  Listener(int fd, bool v6, std::uint16_t port) : fd_(fd), v6_(v6), port_(port) {}
  int fd_ = -1;
  bool v6_ = false;
  std::uint16_t port_ = 0;
};

}  // namespace yici::net
