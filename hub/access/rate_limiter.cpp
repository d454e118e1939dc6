#include "hub/access/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace yici::access {

namespace {

double burst_of(const RateLimit& rate) { return std::max(1.0, rate.burst > 0 ? rate.burst : rate.per_second); }

}  // namespace

RateLimiter::Bucket& RateLimiter::refilled(std::unordered_map<std::string, Bucket>& buckets, const std::string& key,
                                           const RateLimit& rate, Clock::time_point now) {
  const double burst = burst_of(rate);
  auto [it, inserted] = buckets.try_emplace(key);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = burst;
    b.updated = now;
  } else if (now > b.updated) {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst, b.tokens + elapsed * rate.per_second);
    b.updated = now;
  }
  return b;
}

int RateLimiter::seconds_until_token(const Bucket& b, const RateLimit& rate) {
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate.per_second)));
}

bool RateLimiter::try_acquire(const std::string& key, const RateLimit& rate, Clock::time_point now,
                              int* retry_after_seconds) {
  if (rate.per_second <= 0) return true;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  Bucket& b = refilled(shard.buckets, key, rate, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after_seconds != nullptr) *retry_after_seconds = seconds_until_token(b, rate);
  return false;
}

bool RateLimiter::try_acquire_all(const std::vector<std::pair<std::string, RateLimit>>& buckets, Clock::time_point now,
                                  int* retry_after_seconds) {
  // The shards involved, locked in index order (so two callers never wait on each other).
  std::vector<std::size_t> shard_of;
  std::vector<std::size_t> order;
  for (const auto& [key, rate] : buckets) {
    shard_of.push_back(std::hash<std::string>{}(key) % kShards);
    order.push_back(shard_of.back());
  }
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(order.size());
  for (const std::size_t i : order) locks.emplace_back(shards_[i].mu);

  std::vector<Bucket*> taken;
  int wait = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const auto& [key, rate] = buckets[i];
    if (rate.per_second <= 0) continue;
    Bucket& b = refilled(shards_[shard_of[i]].buckets, key, rate, now);
    if (b.tokens >= 1.0) {
      taken.push_back(&b);
    } else {
      wait = std::max(wait, seconds_until_token(b, rate));
    }
  }
  if (wait > 0) {
    if (retry_after_seconds != nullptr) *retry_after_seconds = wait;
    return false;
  }
  for (Bucket* b : taken) b->tokens -= 1.0;
  return true;
}

}  // namespace yici::access
