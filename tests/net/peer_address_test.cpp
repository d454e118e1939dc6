#include "hub/net/peer_address.h"

#include <doctest/doctest.h>

namespace yici::net {
namespace {

namespace ip = boost::asio::ip;

TEST_CASE("peer address: IPv4 counts as itself, IPv6 by its /64, IPv4-mapped as the IPv4 address") {
  CHECK(limit_key(ip::make_address("10.0.0.7")) == ip::make_address("10.0.0.7"));
  CHECK(limit_key(ip::make_address("10.0.0.7")) != limit_key(ip::make_address("10.0.0.8")));
  // One host's addresses in a /64 are one client; the next /64 is another.
  const auto a = limit_key(ip::make_address("2001:db8:0:1:aaaa:bbbb:cccc:dddd"));
  CHECK(a == limit_key(ip::make_address("2001:db8:0:1::1")));
  CHECK(a == ip::make_address("2001:db8:0:1::"));
  CHECK(a != limit_key(ip::make_address("2001:db8:0:2::1")));
  CHECK(limit_key_text(a) == "2001:db8:0:1::/64");
  // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d: a /64 of those would be every IPv4
  // client at once.
  const auto mapped = limit_key(ip::make_address("::ffff:10.0.0.7"));
  CHECK(mapped.is_v4());
  CHECK(mapped == ip::make_address("10.0.0.7"));
  CHECK(mapped != limit_key(ip::make_address("::ffff:10.0.0.8")));
  CHECK(limit_key_text(mapped) == "10.0.0.7");
  CHECK(limit_key(ip::make_address("::1")) == ip::make_address("::"));
}

TEST_CASE("peer address: endpoints are written so that the port cannot be read as part of an IPv6 address") {
  CHECK(endpoint_text({ip::make_address("10.0.0.7"), 51234}) == "10.0.0.7:51234");
  CHECK(endpoint_text({ip::make_address("::1"), 443}) == "[::1]:443");
  CHECK(endpoint_text({ip::make_address("2001:db8::7"), 8443}) == "[2001:db8::7]:8443");
  CHECK(endpoint_text({ip::make_address("::ffff:127.0.0.1"), 9}) == "127.0.0.1:9");
}

}  // namespace
}  // namespace yici::net
