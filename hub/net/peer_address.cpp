#include "hub/net/peer_address.h"

namespace yici::net {

namespace ip = boost::asio::ip;

ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

ip::address limit_key(const ip::address& address) {
  ip::address plain = unmapped(address);
  if (plain.is_v4()) return plain;
  auto bytes = plain.to_v6().to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return ip::address_v6(bytes);
}

std::string endpoint_text(const ip::tcp::endpoint& endpoint) {
  const ip::address plain = unmapped(endpoint.address());
  const std::string port = std::to_string(endpoint.port());
  return plain.is_v6() ? "[" + plain.to_string() + "]:" + port : plain.to_string() + ":" + port;
}

std::string limit_key_text(const ip::address& key) { return key.is_v6() ? key.to_string() + "/64" : key.to_string(); }

}  // namespace yici::net
