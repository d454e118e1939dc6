// One named thread that runs submitted tasks one after another, for as long as it lives: a
// pull's batch commits run on one `pull-store` thread instead of a new thread per batch, so
// `top -H` and `ps -L` show that thread's share of the pull (a thread that lives for one batch,
// about 50 ms, is seldom there when they look).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>

namespace yici {

class SerialWorker {
 public:
  explicit SerialWorker(std::string thread_name);
  // Runs what was submitted and not yet run, then joins the thread: tasks that refer to the
  // owner's locals are done before the locals declared ahead of the worker go away.
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // The task's result (or exception) arrives through the future.
  template <typename F>
  auto submit(F task) -> std::future<std::invoke_result_t<F>> {
    auto packaged = std::make_shared<std::packaged_task<std::invoke_result_t<F>()>>(std::move(task));
    auto result = packaged->get_future();
    enqueue([packaged] { (*packaged)(); });
    return result;
  }

 private:
  void enqueue(std::function<void()> task);
  void run(const std::string& name);

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace yici
