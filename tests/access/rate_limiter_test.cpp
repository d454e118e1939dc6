#include "hub/access/rate_limiter.h"

#include <thread>

#include <doctest/doctest.h>

namespace yici::access {
namespace {

using namespace std::chrono_literals;

TEST_CASE("rate limiter: a burst, then the steady rate, with Retry-After") {
  RateLimiter limiter;
  const RateLimit rate{2, 4};
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  int retry = 0;
  for (int i = 0; i < 4; ++i) CHECK(limiter.try_acquire("mr|population", rate, t, &retry));
  CHECK_FALSE(limiter.try_acquire("mr|population", rate, t, &retry));
  CHECK(retry == 1);
  CHECK(limiter.try_acquire("other|population", rate, t, &retry));  // keys are independent
  t += 500ms;                                                       // one token back at 2/s
  CHECK(limiter.try_acquire("mr|population", rate, t, &retry));
  CHECK_FALSE(limiter.try_acquire("mr|population", rate, t, &retry));
  t += 100s;  // refills only up to the burst
  int allowed = 0;
  while (limiter.try_acquire("mr|population", rate, t, &retry)) ++allowed;
  CHECK(allowed == 4);
}

TEST_CASE("rate limiter: slow rates give longer Retry-After, zero rate is unlimited") {
  RateLimiter limiter;
  const RateLimit slow{0.1, 1};
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  int retry = 0;
  CHECK(limiter.try_acquire("k", slow, t, &retry));
  CHECK_FALSE(limiter.try_acquire("k", slow, t, &retry));
  CHECK(retry == 10);
  for (int i = 0; i < 1000; ++i) CHECK(limiter.try_acquire("free", RateLimit{}, t, &retry));
}

TEST_CASE("rate limiter: concurrent callers never exceed the burst") {
  RateLimiter limiter;
  const RateLimit rate{1, 100};
  const auto t = RateLimiter::Clock::time_point{} + 1000s;  // frozen clock: no refill
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) {
        if (limiter.try_acquire("k", rate, t, nullptr)) ++allowed;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(allowed == 100);
}

TEST_CASE("rate limiter: several buckets at once, one token from each or none") {
  RateLimiter limiter;
  const auto t = RateLimiter::Clock::now();
  const RateLimit fast{10, 2};
  const RateLimit slow{1, 1};
  const RateLimit unlimited{};
  int retry = 0;
  const std::vector<std::pair<std::string, RateLimit>> both = {
      {"mr|legal_entity", fast}, {"mr|credit", slow}, {"mr|e_license", unlimited}};
  CHECK(limiter.try_acquire_all(both, t, &retry));
  // credit is empty now: nothing is taken from legal_entity, which keeps its second token.
  CHECK_FALSE(limiter.try_acquire_all(both, t, &retry));
  CHECK(retry == 1);
  CHECK(limiter.try_acquire("mr|legal_entity", fast, t, &retry));
  CHECK_FALSE(limiter.try_acquire("mr|legal_entity", fast, t, &retry));
  // A second later credit has a token again, legal_entity has refilled: both are taken.
  CHECK(limiter.try_acquire_all(both, t + 1s, &retry));
  CHECK_FALSE(limiter.try_acquire("mr|credit", slow, t + 1s, &retry));
  // The longest wait among the empty buckets.
  const std::vector<std::pair<std::string, RateLimit>> waits = {{"a", RateLimit{1, 1}}, {"b", RateLimit{0.25, 1}}};
  CHECK(limiter.try_acquire_all(waits, t, &retry));
  CHECK_FALSE(limiter.try_acquire_all(waits, t, &retry));
  CHECK(retry == 4);
  CHECK(limiter.try_acquire_all({}, t, &retry));
}

}  // namespace
}  // namespace yici::access
