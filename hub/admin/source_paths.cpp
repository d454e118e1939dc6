#include "hub/admin/source_paths.h"

#include <algorithm>
#include <filesystem>

namespace yici::admin {
namespace {

namespace fs = std::filesystem;

// The path with symbolic links and "." / ".." resolved as far as it exists, and no trailing "/".
fs::path resolved(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

bool inside(const fs::path& path, const fs::path& dir) {
  const auto [dir_end, _] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return dir_end == dir.end();
}

}  // namespace

std::vector<SourceProblem> check_api_source_paths(const ingest::SourceDefinition& source,
                                                  const std::vector<std::string>& allowed_dirs) {
  std::vector<SourceProblem> out;
  if (!source.adapter) return out;
  std::vector<fs::path> dirs;
  std::string listed;
  for (const auto& d : allowed_dirs) {
    dirs.push_back(resolved(d));
    listed += (listed.empty() ? "" : ", ") + d;
  }
  for (const std::string& file : source.adapter->local_files()) {
    const fs::path p = resolved(file);
    if (std::any_of(dirs.begin(), dirs.end(), [&](const fs::path& d) { return inside(p, d); })) continue;
    out.push_back(
        {"adapter", dirs.empty()
                        ? file + ": sources registered through the API may not read files on the hub's machine until "
                                 "hub.yaml lists the directories they may use (ingest.api_source_paths)"
                        : file + " is outside the directories sources registered through the API may read (" + listed +
                              "; hub.yaml ingest.api_source_paths)"});
  }
  return out;
}

}  // namespace yici::admin
