#include "hub/core/private_file.h"

#include <sys/stat.h>

namespace yici {

Status check_owner_only(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Error::invalid(path + ": " + what + " must be readable by its owner only (chmod 600 " + path + ")");
  }
  return {};
}

}  // namespace yici
