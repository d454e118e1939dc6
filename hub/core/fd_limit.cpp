#include "hub/core/fd_limit.h"

#include <limits>
#include <sys/resource.h>

namespace yici {
namespace {

std::uint64_t as_count(rlim_t value) {
  return value == RLIM_INFINITY ? std::numeric_limits<std::uint64_t>::max() : static_cast<std::uint64_t>(value);
}

}  // namespace

FdLimit raise_fd_limit() {
  FdLimit out;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return out;
  out.before = out.now = as_count(limit.rlim_cur);
  out.hard = as_count(limit.rlim_max);
  if (limit.rlim_cur == limit.rlim_max) return out;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  // Linux caps an unlimited hard limit at fs.nr_open: setting it may fail; keep what there is then.
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) out.now = as_count(raised.rlim_cur);
  return out;
}

}  // namespace yici
