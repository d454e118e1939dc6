#include "hub/core/serial_worker.h"

#include "hub/core/thread_name.h"

namespace yici {

SerialWorker::SerialWorker(std::string thread_name) : thread_([this, name = std::move(thread_name)] { run(name); }) {}

SerialWorker::~SerialWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void SerialWorker::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void SerialWorker::run(const std::string& name) {
  set_thread_name(name);
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything submitted has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();  // a packaged_task: an exception goes to its future, not out of this thread
  }
}

}  // namespace yici
