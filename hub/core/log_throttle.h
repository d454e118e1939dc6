// A cap on how often one kind of log line is written, for lines anyone who can open a connection
// can cause: a loop that connects and hangs up wrote 716,000 lines (108 MB) in 90 s. Up to `burst`
// lines per `window` are written; the rest are counted, and the next line written says how many
// were held back, so the log still shows that they happened and how often.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace yici::log {

class Throttle {
 public:
  Throttle(int burst, std::chrono::steady_clock::duration window) : burst_(burst), window_(window) {}

  // true: write the line, and with it `held_back` (lines not written since the last one that was,
  // 0 if none). false: do not write it; it is counted.
  bool allow(std::uint64_t& held_back);

 private:
  const int burst_;
  const std::chrono::steady_clock::duration window_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_{};
  int written_ = 0;
  std::uint64_t held_back_ = 0;
};

}  // namespace yici::log
