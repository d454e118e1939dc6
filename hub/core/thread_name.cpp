#include "hub/core/thread_name.h"

#include <array>
#include <pthread.h>

namespace yici {
namespace {
constexpr std::size_t kMaxNameBytes = 15;  // TASK_COMM_LEN 16, with the terminating NUL
}  // namespace

void set_thread_name(std::string_view name) {
  const std::string cut(name.substr(0, kMaxNameBytes));
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

std::string current_thread_name() {
  std::array<char, kMaxNameBytes + 1> buffer{};
  if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) != 0) return {};
  return buffer.data();
}

}  // namespace yici
