#include "hub/core/dir_fingerprint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "hub/core/sha256.h"

namespace yici {

std::string yaml_dir_fingerprint(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  std::string all = ec ? "unlistable: " + ec.message() : std::string();
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const bool readable = static_cast<bool>(in);
    std::ostringstream content;
    if (readable) content << in.rdbuf();
    all += f.filename().string() + '\0' + (readable ? content.str() : std::string("unreadable")) + '\0';
  }
  return sha256_hex(all);
}

}  // namespace yici
