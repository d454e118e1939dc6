#include "hub/core/periodic_task.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <doctest/doctest.h>

namespace yici {
namespace {

TEST_CASE("periodic task: runs at once, again after its interval, and stops without waiting one out") {
  std::atomic<int> runs{0};
  {
    PeriodicTask task("test-periodic", std::chrono::milliseconds(30), [&] { ++runs; });
    for (int i = 0; i < 200 && runs.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(runs.load() >= 3);
  }
  const int after_stop = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(runs.load() == after_stop);

  const auto start = std::chrono::steady_clock::now();
  {
    PeriodicTask slow("test-periodic", std::chrono::hours(1), [&] { ++runs; });
    for (int i = 0; i < 200 && runs.load() == after_stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(runs.load() == after_stop + 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

}  // namespace
}  // namespace yici
