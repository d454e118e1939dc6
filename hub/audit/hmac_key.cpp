#include "hub/audit/hmac_key.h"

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "hub/core/log.h"
#include "hub/core/private_file.h"

namespace yici::audit {

std::string hmac_key_path(const std::string& configured, const std::string& data_dir) {
  return configured.empty() ? (std::filesystem::path(data_dir) / "audit-hmac.key").string() : configured;
}

Result<std::string> load_or_create_hmac_key(const std::string& configured, const std::string& data_dir,
                                            std::uint64_t entries_in_log) {
  const std::string path = hmac_key_path(configured, data_dir);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (!configured.empty()) return Error::io(path + ": audit.hmac_key_file does not exist");
    if (entries_in_log > 0) {
      return Error::invalid(
          path + " is missing, but the audit log already holds " + std::to_string(entries_in_log) +
          " entries whose subjects were keyed with it: restore it from the backup of this data directory. A new "
          "key cannot take its place in this log (audit.db keeps the key's check value, and subjects keyed with "
          "the old one could not be searched). Only if it is lost for good: move audit.db, audit.db-wal and "
          "audit.db-shm aside (the old log stays verifiable offline: yici-ctl audit verify --data-dir on a copy "
          "holding them), remove nothing else, and start once with --new-audit-log");
    }
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) return Error::internal("cannot draw random bytes for the audit HMAC key");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (const unsigned char b : raw) {
      hex.push_back(kHex[b >> 4]);
      hex.push_back(kHex[b & 0xF]);
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return Error::io(path + ": cannot create the audit HMAC key");
    const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return Error::io(path + ": cannot write the audit HMAC key");
    log::info("audit_hmac_key_created", {{"path", path},
                                         {"action",
                                          "back this file up with the data directory: without it, subjects in the "
                                          "audit log cannot be searched after their readable copy is purged"}});
    return hex;
  }
  YICI_TRY_STATUS(check_owner_only(path, "the audit HMAC key"));
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.size() < 32) return Error::invalid(path + ": the audit HMAC key is too short (at least 32 characters)");
  return key;
}

}  // namespace yici::audit
