// The pull scheduler: runs each source's pull on its interval (plus jitter), never two pulls of one
// source at once, at most `max_concurrent` pulls overall, with bounded exponential backoff (with
// jitter) after failures, health per source, and a manual trigger for the admin API.
//
// It knows nothing about what a pull does: it calls PullFn(source_id) on a worker thread and
// looks only at the returned Status. Thread-safe; stop() (or the destructor) waits for running
// pulls to finish.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hub/core/result.h"
#include "hub/core/time.h"

namespace yici::ingest {

struct ScheduleSpec {
  std::chrono::milliseconds every{5 * 60 * 1000};
  std::chrono::milliseconds jitter{0};
};

struct RetryPolicy {
  int max_retries = 5;  // quick retries after a failure before falling back to the normal interval
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds max{5 * 60 * 1000};
};

struct SourceHealth {
  enum class State { kPending, kOk, kFailing };
  State state = State::kPending;
  SysTime since{};         // when the current state began
  SysTime last_success{};  // zero if never
  std::string last_error;  // of the latest failure
  int consecutive_failures = 0;
  bool running = false;
  std::chrono::milliseconds running_for{0};  // while running: since the pull started
  std::chrono::milliseconds next_run_in{0};
};

std::string_view state_name(SourceHealth::State state);

class Scheduler {
 public:
  using PullFn = std::function<Status(const std::string& source_id)>;

  Scheduler(int max_concurrent, RetryPolicy retry, PullFn pull);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a source (first pull at once) or changes its schedule (keeps its health). `restored`:
  // the health a new entry starts with (restored_health.h), rather than pending.
  void upsert(const std::string& id, ScheduleSpec spec, std::optional<SourceHealth> restored = std::nullopt);
  // Removes a source; a running pull finishes but is not rescheduled.
  void remove(const std::string& id);
  // Runs the source's pull as soon as a slot is free. Not found → error; already running → it
  // runs once more right after the current pull ends.
  Status trigger(const std::string& id);

  [[nodiscard]] std::optional<SourceHealth> health(const std::string& id) const;
  // true while a pull of the source is queued or running, even after remove().
  [[nodiscard]] bool busy(const std::string& id) const;

  // Waits for running pulls, then returns. Idempotent.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    ScheduleSpec spec;
    Clock::time_point due;
    bool running = false;
    Clock::time_point started{};  // of the running pull (queued ones have not started)
    bool rerun = false;
    bool removed = false;
    SourceHealth health;
  };

  void dispatch_loop();
  void worker_loop();
  void finish(const std::string& id, const Status& status);
  std::chrono::milliseconds jittered(std::chrono::milliseconds base, std::chrono::milliseconds jitter);

  const int max_concurrent_;
  const RetryPolicy retry_;
  const PullFn pull_;

  mutable std::mutex mu_;
  std::condition_variable dispatch_cv_;
  std::condition_variable work_cv_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> queue_;  // ids handed to workers
  int running_ = 0;
  bool stopping_ = false;
  std::mt19937_64 rng_;
  std::thread dispatcher_;
  std::vector<std::thread> workers_;
};

}  // namespace yici::ingest
