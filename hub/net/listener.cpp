#include "hub/net/listener.h"

#include <unistd.h>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace yici::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<Listener> Listener::bind(const ListenAddress& listen) {
  boost::system::error_code ec;
  const std::string host = listen.host == "localhost" ? "127.0.0.1" : listen.host;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return Error::invalid("listen: bad address " + host);
  const tcp::endpoint endpoint(address, listen.port);
  // Only to make the socket: it is released before this context goes.
  asio::io_context io;
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  std::uint16_t port = 0;
  if (!ec) port = acceptor.local_endpoint(ec).port();
  if (ec) return Error::io("cannot listen on " + listen.to_string() + ": " + ec.message());
  const int fd = acceptor.release(ec);
  if (ec) return Error::io("cannot listen on " + listen.to_string() + ": " + ec.message());
  return Listener(fd, address.is_v6(), port);
}

Listener::Listener(Listener&& other) noexcept : fd_(std::exchange(other.fd_, -1)), v6_(other.v6_), port_(other.port_) {}

Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    v6_ = other.v6_;
    port_ = other.port_;
  }
  return *this;
}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

int Listener::release() { return std::exchange(fd_, -1); }

}  // namespace yici::net
