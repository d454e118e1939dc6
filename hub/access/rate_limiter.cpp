#include "hub/access/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace yici::access {

bool RateLimiter::try_acquire(const std::string& key, const RateLimit& rate, Clock::time_point now,
                              int* retry_after_seconds) {
  if (rate.per_second <= 0) return true;
  const double burst = std::max(1.0, rate.burst > 0 ? rate.burst : rate.per_second);
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto [it, inserted] = shard.buckets.try_emplace(key);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = burst;
    b.updated = now;
  } else if (now > b.updated) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst, b.tokens + elapsed * rate.per_second);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after_seconds != nullptr) {
    *retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate.per_second)));
  }
  return false;
}

}  // namespace yici::access
