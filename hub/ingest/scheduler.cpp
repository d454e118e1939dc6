#include "hub/ingest/scheduler.h"

#include <algorithm>
#include <vector>

#include "hub/core/log.h"
#include "hub/core/thread_name.h"

namespace yici::ingest {

std::string_view state_name(SourceHealth::State state) {
  switch (state) {
    case SourceHealth::State::kPending:
      return "pending";
    case SourceHealth::State::kOk:
      return "ok";
    case SourceHealth::State::kFailing:
      return "failing";
  }
  return "pending";
}

Scheduler::Scheduler(int max_concurrent, RetryPolicy retry, PullFn pull)
    : max_concurrent_(std::max(1, max_concurrent)),
      retry_(retry),
      pull_(std::move(pull)),
      rng_(std::random_device{}()) {
  dispatcher_ = std::thread([this] {
    set_thread_name("scheduler");
    dispatch_loop();
  });
  for (int i = 0; i < max_concurrent_; ++i) {
    workers_.emplace_back([this, i] {
      set_thread_name("pull-" + std::to_string(i + 1));
      worker_loop();
    });
  }
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !dispatcher_.joinable()) return;
    stopping_ = true;
  }
  dispatch_cv_.notify_all();
  work_cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

std::chrono::milliseconds Scheduler::jittered(std::chrono::milliseconds base, std::chrono::milliseconds jitter) {
  if (jitter.count() <= 0) return base;
  std::uniform_int_distribution<long long> dist(0, jitter.count());
  return base + std::chrono::milliseconds(dist(rng_));
}

void Scheduler::upsert(const std::string& id, ScheduleSpec spec, std::optional<SourceHealth> restored) {
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = entries_.try_emplace(id);
    it->second.spec = spec;
    it->second.removed = false;
    if (inserted) {
      it->second.due = Clock::now();
      it->second.health.since = now_utc();
      if (restored) it->second.health = *restored;
    }
  }
  dispatch_cv_.notify_all();
}

void Scheduler::remove(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.running) {
    it->second.removed = true;  // erased when the pull finishes
  } else {
    entries_.erase(it);
  }
}

Status Scheduler::trigger(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.removed) return Error::not_found("no scheduled source \"" + id + "\"");
    if (it->second.running) {
      it->second.rerun = true;
    } else {
      it->second.due = Clock::now();
    }
  }
  dispatch_cv_.notify_all();
  return {};
}

bool Scheduler::busy(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  return it != entries_.end() && it->second.running;
}

std::optional<SourceHealth> Scheduler::health(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.removed) return std::nullopt;
  SourceHealth h = it->second.health;
  h.running = it->second.running;
  if (h.running && it->second.started != Clock::time_point{}) {
    h.running_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - it->second.started);
  }
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(it->second.due - Clock::now());
  h.next_run_in = std::max(std::chrono::milliseconds(0), wait);
  return h;
}

void Scheduler::dispatch_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto next_wake = Clock::now() + std::chrono::hours(1);
    const auto now = Clock::now();
    // Due sources go in the order they fell due, so a source retried soon after failing does not
    // jump ahead of those that have been waiting. Failing sources (a department that hangs holds
    // its slot until its timeout) may take all slots but one: the others keep being pulled.
    std::vector<std::pair<Clock::time_point, const std::string*>> due;
    int failing_running = 0;
    for (auto& [id, e] : entries_) {
      if (e.running) {
        if (e.health.state == SourceHealth::State::kFailing) ++failing_running;
        continue;
      }
      if (e.removed) continue;
      if (e.due <= now) {
        due.emplace_back(e.due, &id);
      } else {
        next_wake = std::min(next_wake, e.due);
      }
    }
    std::sort(due.begin(), due.end());
    const int failing_slots = max_concurrent_ > 1 ? max_concurrent_ - 1 : max_concurrent_;
    for (const auto& [when, id] : due) {
      if (running_ + static_cast<int>(queue_.size()) >= max_concurrent_) break;  // wait for a free slot
      Entry& e = entries_.at(*id);
      const bool failing = e.health.state == SourceHealth::State::kFailing;
      if (failing && failing_running >= failing_slots) continue;  // a finishing pull wakes this loop
      if (failing) ++failing_running;
      e.running = true;
      queue_.push_back(*id);
      work_cv_.notify_one();
    }
    dispatch_cv_.wait_until(lock, next_wake);
  }
}

void Scheduler::worker_loop() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::string id = queue_.front();
    queue_.erase(queue_.begin());
    if (auto it = entries_.find(id); it != entries_.end()) it->second.started = Clock::now();
    ++running_;
    lock.unlock();
    Status status;
    try {
      status = pull_(id);
    } catch (const std::exception& e) {
      status = Error::internal(std::string("pull threw: ") + e.what());
    }
    lock.lock();
    --running_;
    lock.unlock();
    finish(id, status);
    lock.lock();
  }
}

void Scheduler::finish(const std::string& id, const Status& status) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    e.running = false;
    e.started = {};
    if (e.removed) {
      entries_.erase(it);
    } else {
      const SysTime now = now_utc();
      std::chrono::milliseconds delay{0};
      if (status.ok()) {
        if (e.health.state != SourceHealth::State::kOk) e.health.since = now;
        e.health.state = SourceHealth::State::kOk;
        e.health.last_success = now;
        e.health.consecutive_failures = 0;
        delay = jittered(e.spec.every, e.spec.jitter);
      } else {
        if (e.health.state != SourceHealth::State::kFailing) e.health.since = now;
        e.health.state = SourceHealth::State::kFailing;
        e.health.last_error = status.error().message;
        ++e.health.consecutive_failures;
        const int n = e.health.consecutive_failures;
        if (n <= retry_.max_retries) {
          // Exponential backoff, capped, with "equal jitter": half fixed, half random.
          const long long exp = retry_.base.count() << std::min(n - 1, 30);
          const long long capped = std::min<long long>(exp, retry_.max.count());
          std::uniform_int_distribution<long long> dist(0, capped / 2);
          delay = std::chrono::milliseconds(capped - capped / 2 + dist(rng_));
          delay = std::min(delay, e.spec.every);  // never wait longer than the normal interval
        } else {
          delay = jittered(e.spec.every, e.spec.jitter);
        }
      }
      e.due = Clock::now() + (e.rerun ? std::chrono::milliseconds(0) : delay);
      e.rerun = false;
    }
  }
  dispatch_cv_.notify_all();
}

}  // namespace yici::ingest
