// The process's open-file limit against what the hub needs. Each connection is a descriptor, and
// so is each SQLite database, WAL and journal file; a hub that runs out answers lookups 503
// store_unavailable while /readyz still says ready. systemd and most shells give 1024 (soft) by
// default, the default limits.max_connections, so the soft limit is raised to the hard one at start.
#pragma once

#include <cstdint>

namespace yici {

struct FdLimit {
  std::uint64_t before = 0;  // the soft limit found
  std::uint64_t now = 0;     // the soft limit after raising it (as far as the hard limit allows)
  std::uint64_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE towards the hard limit (never lowers it), and says what it was,
// is, and may be. A limit of "unlimited" reads as UINT64_MAX.
FdLimit raise_fd_limit();

}  // namespace yici
