#include "adapters/common/file_confinement.h"

#include <algorithm>
#include <array>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace yici::adapters {
namespace {

namespace fs = std::filesystem;

// The absolute path with symbolic links and ".." resolved as far as it exists, without a trailing '/'.
std::string resolved(const std::string& path) {
  std::error_code ec;
  std::string out = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  if (ec) out = fs::absolute(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// The directory itself counts (a CSV source names its export directory).
bool inside(const std::string& path, const std::string& dir) {
  if (dir == "/" || path == dir) return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

FileConfinement FileConfinement::within(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  out.reserve(dirs.size());
  for (const auto& d : dirs) out.push_back(resolved(d));
  return FileConfinement(true, std::move(out));
}

bool FileConfinement::inside_any(const std::string& real) const {
  return std::any_of(dirs_.begin(), dirs_.end(), [&](const std::string& d) { return inside(real, d); });
}

bool FileConfinement::contains(const std::string& path) const { return !confined_ || inside_any(resolved(path)); }

Status FileConfinement::check_resolved(const std::string& path, const std::string& real) const {
  if (inside_any(real)) return {};
  std::string listed;
  for (const auto& d : dirs_) listed += (listed.empty() ? "" : ", ") + d;
  return Error::invalid(
      path + (real == path ? std::string() : " (which is " + real + ")") +
      " is outside the directories sources registered through the API may read (" +
      (listed.empty() ? std::string("none are listed") : listed) +
      "; hub.yaml ingest.api_source_paths): not opened. A symbolic link in an allowed directory that points out "
      "of it is refused too");
}

Status FileConfinement::check(const std::string& path) const {
  if (!confined_) return {};
  std::error_code ec;
  const fs::path real = fs::canonical(fs::path(path), ec);
  if (ec) return Error::unavailable(path + ": " + ec.message());
  return check_resolved(path, real.string());
}

Result<int> FileConfinement::open_read(const std::string& path) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return Error::unavailable(path + ": cannot open: " + std::error_code(errno, std::generic_category()).message());
  if (!confined_) return fd;
  // What was opened, as the kernel resolved it: a link swapped after any earlier check is seen here.
  std::array<char, 4096> target{};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (n <= 0 || static_cast<std::size_t>(n) >= target.size() - 1) {
    ::close(fd);
    return Error::unavailable(path + ": cannot tell where the opened file is (/proc not mounted?): not read");
  }
  auto allowed = check_resolved(path, std::string(target.data(), static_cast<std::size_t>(n)));
  if (!allowed.ok()) {
    ::close(fd);
    return allowed.error();
  }
  return fd;
}

Result<std::string> FileConfinement::read_first_line(const std::string& path, std::size_t max_bytes) const {
  YICI_TRY(const std::string text, read_all(path, max_bytes));
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

Result<std::string> FileConfinement::read_all(const std::string& path, std::size_t max_bytes) const {
  YICI_TRY(const int fd, open_read(path));
  std::string out;
  std::array<char, 8192> buffer{};
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Error::unavailable(path + ": cannot read");
    }
    if (n == 0) break;
    out.append(buffer.data(), static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return Error::invalid(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace yici::adapters
