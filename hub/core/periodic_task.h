// One named thread that runs a task at once and then every `interval`, until the object is
// destroyed. The destructor wakes the thread and joins it; a run in progress finishes first, so
// the task should work in short steps (the audit subject purge commits in batches).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace yici {

class PeriodicTask {
 public:
  PeriodicTask(std::string thread_name, std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void run(const std::string& name);

  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after everything it reads is set
};

}  // namespace yici
