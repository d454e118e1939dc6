#include "hub/schema/schema_set.h"

#include <algorithm>
#include <filesystem>

#include "hub/schema/schema_loader.h"

namespace yici::schema {

SchemaSet SchemaSet::load_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  SchemaSet out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(it->path());
  }
  if (ec) {
    out.problems.push_back(dir + ": cannot list the schemas directory: " + ec.message());
    return out;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    SchemaLoad loaded = load_schema_file(file.string());
    if (!loaded.schema) {
      out.problems.insert(out.problems.end(), loaded.problems.begin(), loaded.problems.end());
      continue;
    }
    const std::string dataset = loaded.schema->dataset;
    if (auto it = out.by_dataset.find(dataset); it != out.by_dataset.end()) {
      out.problems.push_back(file.string() + ": dataset " + dataset + " is already defined by " + it->second->origin);
      continue;
    }
    out.by_dataset.emplace(dataset, std::move(loaded.schema));
  }
  return out;
}

std::shared_ptr<const Schema> SchemaSet::find(std::string_view dataset) const {
  auto it = by_dataset.find(dataset);
  return it == by_dataset.end() ? nullptr : it->second;
}

}  // namespace yici::schema
