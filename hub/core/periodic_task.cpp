#include "hub/core/periodic_task.h"

#include <utility>

#include "hub/core/thread_name.h"

namespace yici {

PeriodicTask::PeriodicTask(std::string thread_name, std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)), thread_([this, name = std::move(thread_name)] { run(name); }) {}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::run(const std::string& name) {
  set_thread_name(name);
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    task_();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace yici
