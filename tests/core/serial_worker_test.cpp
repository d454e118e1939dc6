#include "hub/core/serial_worker.h"

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "hub/core/thread_name.h"

namespace yici {
namespace {

TEST_CASE("a serial worker runs its tasks in order, all on one thread of the given name") {
  std::vector<int> order;
  std::set<std::thread::id> threads;
  std::set<std::string> names;
  std::vector<std::future<int>> results;
  {
    SerialWorker worker("test-worker");
    for (int i = 0; i < 200; ++i) {
      results.push_back(worker.submit([&, i] {
        order.push_back(i);  // only the worker thread touches these, one task at a time
        threads.insert(std::this_thread::get_id());
        names.insert(current_thread_name());
        return i * 2;
      }));
    }
    for (int i = 0; i < 200; ++i) CHECK(results[static_cast<std::size_t>(i)].get() == i * 2);
  }
  REQUIRE(order.size() == 200);
  for (int i = 0; i < 200; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
  CHECK(threads.size() == 1);
  CHECK(threads.count(std::this_thread::get_id()) == 0);
  CHECK(names == std::set<std::string>{"test-worker"});
}

TEST_CASE("destroying a serial worker first runs what was submitted") {
  bool second_ran = false;
  {
    SerialWorker worker("test-worker");
    (void)worker.submit([] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); });
    (void)worker.submit([&] { second_ran = true; });
  }  // the futures were dropped: only the destructor can have waited
  CHECK(second_ran);
}

TEST_CASE("an exception in a task reaches its future and the worker goes on") {
  SerialWorker worker("test-worker");
  auto failed = worker.submit([]() -> int { throw std::runtime_error("disk full"); });
  auto next = worker.submit([] { return 7; });
  CHECK_THROWS_WITH_AS(failed.get(), "disk full", std::runtime_error);
  CHECK(next.get() == 7);
}

}  // namespace
}  // namespace yici
