#include "hub/ingest/source_loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace yici::ingest {

LoadedSources load_sources_dir(const std::string& dir, const adapters::AdapterRegistry& registry) {
  namespace fs = std::filesystem;
  LoadedSources out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;  // no directory: no file-managed sources
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  if (ec) {
    out.errors.push_back(Error::io(dir + ": cannot list: " + ec.message()));
    out.listed = false;
    return out;
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> ids;
  for (const auto& file : files) {
    auto doc = YamlDoc::load_file(file.string());
    if (!doc) {
      out.errors.push_back(doc.error());
      out.skipped_files.push_back(file.string());
      continue;
    }
    auto def = parse_source_definition(*doc, registry);
    if (!def) {
      out.errors.push_back(def.error());  // one per skipped file, naming each of its problems
      out.skipped_files.push_back(file.string());
      continue;
    }
    if (!ids.insert(def->id).second) {
      out.errors.push_back(
          Error::invalid(file.string() + ": source id \"" + def->id + "\" is already defined by another file"));
      out.skipped_files.push_back(file.string());
      continue;
    }
    out.sources.push_back(std::move(*def));
  }
  return out;
}

}  // namespace yici::ingest
