#include "hub/store/data_dir_lock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace yici::store {

Result<DataDirLock> DataDirLock::acquire(const std::string& data_dir) {
  const std::string path = data_dir + "/hub.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::io(path + ": cannot open the data directory's lock file: " + std::strerror(errno));
  DataDirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) return Error::io(path + ": cannot lock: " + std::strerror(err));
    std::string holder(32, '\0');
    const ssize_t n = ::pread(fd, holder.data(), holder.size(), 0);
    holder.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    return Error::unavailable("data_dir " + data_dir + " is in use by another yici-hub" +
                              (holder.empty() ? std::string() : " (pid " + holder + ")") +
                              ": two hubs on one data directory would both write its audit log and records. Stop "
                              "the other hub, or give this one a data_dir of its own");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // The pid is only for that message: failing to write it is no reason not to run.
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays, holding the last pid
}

}  // namespace yici::store
