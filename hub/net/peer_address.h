// How a connection's peer address is named in logs and counted against the per-address limit.
// IPv4 clients of a dual-stack listener arrive as IPv4-mapped IPv6 addresses (::ffff:10.0.0.7):
// both are treated as the IPv4 address they are.
#pragma once

#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace yici::net {

// The address with an IPv4-mapped IPv6 address turned back into IPv4.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

// What limits.max_connections_per_address counts by: an IPv4 address as it is; an IPv6 address by
// its /64, the prefix one site or host is given (RFC 6177), since a client can take any address in
// it; a limit per single IPv6 address would not hold one client back.
boost::asio::ip::address limit_key(const boost::asio::ip::address& address);

// "10.0.0.7:51234" or "[2001:db8::7]:51234".
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

// "10.0.0.7" or "2001:db8:0:1::/64": the limit_key as an operator reads it.
std::string limit_key_text(const boost::asio::ip::address& key);

}  // namespace yici::net
