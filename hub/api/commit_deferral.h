// Lets a request's audit appends return before their commit, so the handler need not block a
// thread while the group commit (an fsync) runs: the server then waits, asynchronously, for every
// commit the request made before it writes the answer, and answers 503 if one failed. "Durable
// before answer" holds either way. Only for handlers whose appends gate nothing but the answer
// (lookups): an admin change must see its audit entry committed before it acts, so admin routes
// never run with a deferral.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "hub/core/result.h"

namespace yici::api {

class CommitDeferral : public std::enable_shared_from_this<CommitDeferral> {
 public:
  // The deferral active on this thread, or null (appends then wait for their commit).
  static CommitDeferral* current();

  // Makes `deferral` current on this thread for the scope's lifetime.
  class Scope {
   public:
    explicit Scope(CommitDeferral* deferral);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    CommitDeferral* previous_;
  };

  void expect();                 // one more commit outstanding (the audit sink, when it enqueues)
  void done(const Status& st);   // that commit finished (the committer thread)
  [[nodiscard]] bool pending();  // commits outstanding
  [[nodiscard]] bool failed();   // a commit failed
  // Calls `fn` once when nothing is outstanding any more (at once if nothing is).
  void when_done(std::function<void()> fn);

 private:
  std::mutex mu_;
  int outstanding_ = 0;
  bool failed_ = false;
  std::function<void()> notify_;
};

}  // namespace yici::api
