#include "hub/ingest/scheduler.h"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <doctest/doctest.h>

namespace yici::ingest {
namespace {

using namespace std::chrono_literals;

// Waits (bounded) until `pred` holds.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

TEST_CASE("scheduler: first pull at once, then on the interval, health turns ok") {
  std::atomic<int> pulls{0};
  Scheduler s(2, {}, [&](const std::string&) {
    ++pulls;
    return Status();
  });
  s.upsert("a", {50ms, 0ms});
  CHECK(eventually([&] { return pulls >= 3; }));
  auto h = s.health("a");
  REQUIRE(h.has_value());
  CHECK(h->state == SourceHealth::State::kOk);
  CHECK(h->consecutive_failures == 0);
  CHECK_FALSE(s.health("b").has_value());
}

TEST_CASE("scheduler: never two pulls of one source at once, even when triggered repeatedly") {
  std::atomic<int> in_flight{0};
  std::atomic<int> worst{0};
  std::atomic<int> pulls{0};
  Scheduler s(4, {}, [&](const std::string&) {
    const int now = ++in_flight;
    worst = std::max(worst.load(), now);
    std::this_thread::sleep_for(20ms);
    --in_flight;
    ++pulls;
    return Status();
  });
  s.upsert("a", {10ms, 0ms});
  for (int i = 0; i < 20; ++i) {
    CHECK(s.trigger("a").ok());
    std::this_thread::sleep_for(3ms);
  }
  CHECK(eventually([&] { return pulls >= 5; }));
  s.stop();
  CHECK(worst == 1);
}

TEST_CASE("scheduler: the global concurrency limit holds across sources") {
  std::atomic<int> in_flight{0};
  std::atomic<int> worst{0};
  std::map<std::string, int> seen;
  std::mutex m;
  Scheduler s(2, {}, [&](const std::string& id) {
    const int now = ++in_flight;
    worst = std::max(worst.load(), now);
    std::this_thread::sleep_for(30ms);
    --in_flight;
    std::lock_guard lock(m);
    ++seen[id];
    return Status();
  });
  for (const char* id : {"a", "b", "c", "d", "e"}) s.upsert(id, {1h, 0ms});
  CHECK(eventually([&] {
    std::lock_guard lock(m);
    return seen.size() == 5;
  }));
  s.stop();
  CHECK(worst == 2);
}

TEST_CASE("scheduler: departments that hang and fail cannot take every slot from the others") {
  std::atomic<int> in_flight_failing{0};
  std::atomic<int> worst_failing{0};
  std::map<std::string, int> pulls;
  std::mutex m;
  Scheduler s(2, {}, [&](const std::string& id) {
    {
      std::lock_guard lock(m);
      ++pulls[id];
    }
    if (id[0] == 'h') {  // hangs until its timeout, then fails
      const int now = ++in_flight_failing;
      worst_failing = std::max(worst_failing.load(), now);
      std::this_thread::sleep_for(150ms);
      --in_flight_failing;
      return Status(Error::unavailable("timed out"));
    }
    return Status();
  });
  for (const char* id : {"h0", "h1", "p0", "p1", "p2"}) s.upsert(id, {20ms, 0ms});
  // Once both hanging sources have failed, they retry quickly, but share one slot between them:
  // the healthy sources keep the other.
  REQUIRE(eventually([&] {
    std::lock_guard lock(m);
    return pulls["h0"] >= 1 && pulls["h1"] >= 1;
  }));
  std::this_thread::sleep_for(200ms);  // the first, not-yet-failing pulls finish
  std::map<std::string, int> before;
  {
    std::lock_guard lock(m);
    before = pulls;
  }
  worst_failing = in_flight_failing.load();
  std::this_thread::sleep_for(1000ms);
  s.stop();
  for (const char* id : {"p0", "p1", "p2"}) {
    INFO(id);
    CHECK(pulls[id] - before[id] >= 5);
  }
  CHECK(worst_failing <= 1);
}

TEST_CASE("scheduler: failures back off exponentially, then recover when the source is fixed") {
  std::atomic<bool> broken{true};
  std::vector<std::chrono::steady_clock::time_point> attempts;
  std::mutex m;
  Scheduler s(1, {.max_retries = 5, .base = 20ms, .max = 1s}, [&](const std::string&) {
    {
      std::lock_guard lock(m);
      attempts.push_back(std::chrono::steady_clock::now());
    }
    return broken ? Status(Error::unavailable("connection refused")) : Status();
  });
  s.upsert("a", {10s, 0ms});
  CHECK(eventually([&] {
    std::lock_guard lock(m);
    return attempts.size() >= 4;
  }));
  auto h = s.health("a");
  REQUIRE(h.has_value());
  CHECK(h->state == SourceHealth::State::kFailing);
  CHECK(h->last_error == "connection refused");
  CHECK(h->consecutive_failures >= 3);
  {
    std::lock_guard lock(m);
    // Gaps grow: retry n waits at least base * 2^(n-1) / 2.
    const auto gap1 = attempts[2] - attempts[1];
    CHECK(gap1 >= 20ms);  // second retry: at least 40ms / 2
    CHECK(attempts[3] - attempts[2] >= 40ms);
  }
  broken = false;
  CHECK(s.trigger("a").ok());
  CHECK(eventually([&] { return s.health("a")->state == SourceHealth::State::kOk; }));
  CHECK(s.health("a")->consecutive_failures == 0);
}

TEST_CASE("scheduler: retries are bounded, after them the normal interval applies") {
  std::atomic<int> attempts{0};
  Scheduler s(1, {.max_retries = 2, .base = 5ms, .max = 10ms}, [&](const std::string&) {
    ++attempts;
    return Status(Error::io("unreadable"));
  });
  s.upsert("a", {1h, 0ms});
  CHECK(eventually([&] { return attempts >= 3; }));
  std::this_thread::sleep_for(100ms);
  CHECK(attempts == 3);  // the first pull and two retries, then it waits an hour
  CHECK(s.health("a")->next_run_in > 30min);
}

TEST_CASE("scheduler: triggers for unknown sources fail, removed sources stop") {
  std::atomic<int> pulls{0};
  Scheduler s(1, {}, [&](const std::string&) {
    ++pulls;
    return Status();
  });
  CHECK_FALSE(s.trigger("nope").ok());
  s.upsert("a", {20ms, 0ms});
  CHECK(eventually([&] { return pulls >= 1; }));
  s.remove("a");
  std::this_thread::sleep_for(30ms);
  const int after = pulls;
  std::this_thread::sleep_for(80ms);
  CHECK(pulls == after);
  CHECK_FALSE(s.health("a").has_value());
}

TEST_CASE("scheduler: a throwing pull counts as a failure and does not kill the worker") {
  std::atomic<int> calls{0};
  Scheduler s(1, {.max_retries = 1, .base = 5ms, .max = 5ms}, [&](const std::string&) -> Status {
    ++calls;
    throw std::runtime_error("boom");
  });
  s.upsert("a", {1h, 0ms});
  CHECK(eventually([&] { return calls >= 2; }));
  CHECK(eventually([&] { return s.health("a")->last_error.find("boom") != std::string::npos; }));
}

}  // namespace
}  // namespace yici::ingest
