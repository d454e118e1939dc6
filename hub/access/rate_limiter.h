// Token-bucket rate limiting per key (principal and dataset). Thread-safe; buckets live across
// policy reloads, so a reload does not hand out a fresh burst.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hub/access/policy.h"

namespace yici::access {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // true: allowed (one token taken). false: over the rate; retry_after is set to the whole seconds
  // (at least 1) until a token is available. A zero rate always allows.
  bool try_acquire(const std::string& key, const RateLimit& rate, Clock::time_point now, int* retry_after_seconds);

  // One token from each bucket, or none: a bundle draws on the bucket of every dataset it reads,
  // the one lookups of that dataset draw on, and a bucket that is empty takes nothing from the
  // others. retry_after is the longest wait among the empty ones.
  bool try_acquire_all(const std::vector<std::pair<std::string, RateLimit>>& buckets, Clock::time_point now,
                       int* retry_after_seconds);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated{};
  };
  // Adds the tokens earned since the bucket's last use (a new bucket starts full).
  static Bucket& refilled(std::unordered_map<std::string, Bucket>& buckets, const std::string& key,
                          const RateLimit& rate, Clock::time_point now);
  static int seconds_until_token(const Bucket& b, const RateLimit& rate);
  static constexpr int kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  Shard shards_[kShards];
};

}  // namespace yici::access
