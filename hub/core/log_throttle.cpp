#include "hub/core/log_throttle.h"

namespace yici::log {

bool Throttle::allow(std::uint64_t& held_back) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (now - window_start_ >= window_) {
    window_start_ = now;
    written_ = 0;
  }
  if (written_ >= burst_) {
    ++held_back_;
    return false;
  }
  ++written_;
  held_back = held_back_;
  held_back_ = 0;
  return true;
}

}  // namespace yici::log
