// Where a source's adapter may open files, checked each time it opens one. Sources registered
// through the admin API are confined to hub.yaml's ingest.api_source_paths; their paths are also
// checked at registration and at start (hub/admin/source_paths.h), but a path is only a name: a
// symbolic link placed or swapped in an allowed directory afterwards (a "CSV export" linked to the
// hub's audit HMAC key, a token file linked to a secret the pull then sends as a bearer token)
// passed those checks and was read at pull time. So the adapters open through this:
//
//  - open_read() opens the file, then checks the file actually opened (its /proc/self/fd link,
//    every symbolic link resolved by the kernel) against the directories: no window between the
//    check and the open.
//  - check() resolves a path now, for files a library opens by name (SQLite's database, libpq's
//    TLS files). A window remains between it and the library's open; the README says so.
//
// Sources in sources_dir are written by the host's operator and are not confined (none()).
//
// Thread safety: immutable after construction.
#pragma once

#include <string>
#include <vector>

#include "hub/core/result.h"

namespace yici::adapters {

class FileConfinement {
 public:
  // Any file: sources the operator put in sources_dir.
  static FileConfinement none() { return FileConfinement(false, {}); }
  // Only files inside `dirs` (absolute, as hub.yaml lists them); none at all when it is empty.
  static FileConfinement within(const std::vector<std::string>& dirs);

  [[nodiscard]] bool confined() const { return confined_; }

  // `path` opened read-only (O_CLOEXEC); when confined, refused (and closed) unless the file
  // opened is inside one of the directories. The caller owns the descriptor.
  [[nodiscard]] Result<int> open_read(const std::string& path) const;
  // The whole file through open_read(), refused when larger than `max_bytes`.
  [[nodiscard]] Result<std::string> read_all(const std::string& path, std::size_t max_bytes) const;
  // Its first line, without a trailing CR or spaces: a password or token file.
  [[nodiscard]] Result<std::string> read_first_line(const std::string& path, std::size_t max_bytes) const;
  // `path` as it resolves now must be inside one of the directories (always OK when not confined).
  [[nodiscard]] Status check(const std::string& path) const;
  // Whether `path`, resolved as far as it exists (it need not yet), is inside one of the
  // directories; always when not confined. For checking a definition before anything is opened.
  [[nodiscard]] bool contains(const std::string& path) const;

 private:
  FileConfinement(bool confined, std::vector<std::string> dirs) : confined_(confined), dirs_(std::move(dirs)) {}
  [[nodiscard]] bool inside_any(const std::string& real) const;
  [[nodiscard]] Status check_resolved(const std::string& path, const std::string& real) const;

  bool confined_;
  std::vector<std::string> dirs_;  // resolved, without a trailing '/'
};

}  // namespace yici::adapters
