#include "hub/api/commit_deferral.h"

namespace yici::api {
namespace {
thread_local CommitDeferral* t_current = nullptr;
}  // namespace

CommitDeferral* CommitDeferral::current() { return t_current; }

CommitDeferral::Scope::Scope(CommitDeferral* deferral) : previous_(t_current) { t_current = deferral; }
CommitDeferral::Scope::~Scope() { t_current = previous_; }

void CommitDeferral::expect() {
  std::lock_guard lock(mu_);
  ++outstanding_;
}

void CommitDeferral::done(const Status& st) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    if (!st.ok()) failed_ = true;
    if (--outstanding_ == 0) notify = std::move(notify_);
  }
  if (notify) notify();
}

bool CommitDeferral::pending() {
  std::lock_guard lock(mu_);
  return outstanding_ > 0;
}

bool CommitDeferral::failed() {
  std::lock_guard lock(mu_);
  return failed_;
}

void CommitDeferral::when_done(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (outstanding_ > 0) {
      notify_ = std::move(fn);
      return;
    }
  }
  fn();
}

}  // namespace yici::api
