#include "tests/support/silent_endpoint.h"

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace yici::test {

SilentEndpoint::SilentEndpoint() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("SilentEndpoint: cannot listen on loopback");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    std::vector<int> held;  // open until the end, so callers see a connection that never speaks
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c >= 0) {
        held.push_back(c);
        ++accepted_;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    for (int c : held) ::close(c);
  });
}

SilentEndpoint::~SilentEndpoint() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

}  // namespace yici::test
