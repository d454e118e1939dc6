#include "hub/core/log_throttle.h"

#include <thread>

#include <doctest/doctest.h>

namespace yici::log {
namespace {

TEST_CASE("log throttle: a burst per window is written, the rest counted and reported with the next line") {
  Throttle t(3, std::chrono::milliseconds(200));
  std::uint64_t held = 99;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(t.allow(held));
    CHECK(held == 0);
  }
  for (int i = 0; i < 5; ++i) CHECK_FALSE(t.allow(held));
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  // A new window: the first line written says how many were held back, and only it.
  REQUIRE(t.allow(held));
  CHECK(held == 5);
  REQUIRE(t.allow(held));
  CHECK(held == 0);
}

}  // namespace
}  // namespace yici::log
