#include "hub/core/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace yici {
namespace {

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;  // a missing key has no position (and Mark() would throw)
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// Walks the tree counting nodes (aliases count every time they are reached), so an alias bomb
// is refused after max_nodes visits instead of being expanded by a later consumer.
using PathIndex = std::map<std::pair<int, int>, std::string>;

void index_path(const YAML::Node& node, const std::string& path, PathIndex& paths) {
  const YAML::Mark mark = node.Mark();
  if (!mark.is_null()) paths.emplace(std::make_pair(mark.line, mark.column), path);
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

Status check_shape(const YAML::Node& node, const std::string& path, int depth, std::size_t& count,
                   const YamlLimits& limits, const std::string& origin, PathIndex& paths) {
  if (++count > limits.max_nodes) {
    return Error::invalid(origin + ": document too large (more than " + std::to_string(limits.max_nodes) +
                          " nodes, counting aliases)");
  }
  if (depth > limits.max_depth) {
    return Error::invalid(origin + ":" + std::to_string(line_of(node)) + ": nesting deeper than " +
                          std::to_string(limits.max_depth) + " levels");
  }
  index_path(node, path, paths);
  if (node.IsSequence()) {
    std::size_t i = 0;
    for (const auto& child : node) {
      YICI_TRY_STATUS(
          check_shape(child, path + "[" + std::to_string(i++) + "]", depth + 1, count, limits, origin, paths));
    }
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      // A key node is indexed with the path it introduces, so "unknown key" errors name it.
      const std::string key_path = child_path(path, kv.first.IsScalar() ? kv.first.Scalar() : "?");
      YICI_TRY_STATUS(check_shape(kv.first, key_path, depth + 1, count, limits, origin, paths));
      YICI_TRY_STATUS(check_shape(kv.second, key_path, depth + 1, count, limits, origin, paths));
    }
  }
  return {};
}

boost::json::value to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    boost::json::object o;
    for (const auto& kv : node) o[kv.first.IsScalar() ? kv.first.Scalar() : "?"] = to_json(kv.second);
    return o;
  }
  if (node.IsSequence()) {
    boost::json::array a;
    for (const auto& item : node) a.push_back(to_json(item));
    return a;
  }
  if (node.IsScalar()) return boost::json::string(node.Scalar());
  return nullptr;
}

}  // namespace

std::string yaml_to_json(const YAML::Node& node) { return boost::json::serialize(to_json(node)); }

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || value < 0) {
    return Error::invalid("bad duration \"" + std::string(text) + "\" (use e.g. 500ms, 10s, 5m, 1h, 2d)");
  }
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  std::int64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else if (unit == "d")
    factor = 86'400'000;
  else
    return Error::invalid("bad duration \"" + std::string(text) + "\" (use e.g. 500ms, 10s, 5m, 1h, 2d)");
  if (value > INT64_MAX / factor) return Error::invalid("duration \"" + std::string(text) + "\" too large");
  return std::chrono::milliseconds(value * factor);
}

Result<YamlDoc> YamlDoc::parse(std::string_view text, std::string origin, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error::invalid(origin + ": larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  YAML::Node root;
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    // A second document (after ---) was silently not read: a grant or a field written there
    // was not in force, with nothing said.
    for (std::size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;
      const int line = documents[i].Mark().is_null() ? 0 : documents[i].Mark().line + 1;
      return Error::invalid(origin + ":" + std::to_string(line) +
                            ": a second YAML document (after ---) would not be read: keep one document per file");
    }
    if (!documents.empty()) root = documents.front();
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    return Error::invalid(origin + ":" + std::to_string(line) + ": YAML syntax error: " + e.msg);
  }
  std::size_t count = 0;
  auto paths = std::make_shared<PathIndex>();
  YICI_TRY_STATUS(check_shape(root, "", 0, count, limits, origin, *paths));
  return YamlDoc(root, std::move(origin), std::move(paths));
}

Result<YamlDoc> YamlDoc::load_file(const std::string& path, const YamlLimits& limits) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return Error::io(path + ": is a directory, not a YAML file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io(path + ": cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Error::io(path + ": read error");
  return parse(buf.str(), path, limits);
}

std::string YamlDoc::path_of(const YAML::Node& node) const {
  if (!paths_ || !node.IsDefined()) return "";
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  auto it = paths_->find(std::make_pair(mark.line, mark.column));
  return it == paths_->end() ? "" : it->second;
}

Error YamlDoc::error_at(const YAML::Node& node, std::string_view message) const {
  // No position (an empty document, a missing key): no ":0", which names no line of the file.
  const int line = line_of(node);
  const bool empty = node.IsNull() && line == 0;
  Error e = Error::invalid(origin_ + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                           std::string(message) + (empty && &node == &root_ ? " (the file is empty)" : ""));
  e.path = path_of(node);
  return e;
}

Error YamlDoc::error_at_key(const YAML::Node& map, std::string_view key, std::string_view message) const {
  Error e = error_at(map, message);
  e.path = child_path(path_of(map), std::string(key));
  return e;
}

Status YamlDoc::expect_map(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                           std::string_view what) const {
  if (!map.IsDefined() || !map.IsMap()) return error_at(map, std::string(what) + " must be a mapping");
  std::vector<std::string_view> seen;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) return error_at(kv.first, "keys must be plain strings");
    const std::string& key = kv.first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return error_at(kv.first, "duplicate key \"" + key + "\" in " + std::string(what));
    }
    seen.push_back(key);
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) {
      std::string list;
      for (auto a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      std::string message = "unknown key \"" + key + "\" in ";
      message += what;
      message += " (known keys: " + list + ")";
      return error_at(kv.first, message);
    }
  }
  return {};
}

Result<std::string> YamlDoc::required_string(const YAML::Node& map, std::string_view key) const {
  YICI_TRY(auto value, optional_string(map, key));
  if (!value) return error_at_key(map, key, "missing required key \"" + std::string(key) + "\"");
  return std::move(*value);
}

Result<std::optional<std::string>> YamlDoc::optional_string(const YAML::Node& map, std::string_view key) const {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return std::optional<std::string>();
  if (!node.IsScalar()) return error_at(node, "\"" + std::string(key) + "\" must be a string");
  return std::optional<std::string>(node.Scalar());
}

Result<std::optional<std::int64_t>> YamlDoc::optional_int(const YAML::Node& map, std::string_view key, std::int64_t min,
                                                          std::int64_t max) const {
  YICI_TRY(auto text, optional_string(map, key));
  if (!text) return std::optional<std::int64_t>();
  const std::string& digits = *text;
  std::int64_t value = 0;
  const char* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return error_at(map[std::string(key)], "\"" + std::string(key) + "\" must be an integer, got \"" + digits + "\"");
  }
  if (value < min || value > max) {
    return error_at(map[std::string(key)], "\"" + std::string(key) + "\" must be between " + std::to_string(min) +
                                               " and " + std::to_string(max) + ", got " + *text);
  }
  return std::optional<std::int64_t>(value);
}

Result<std::optional<bool>> YamlDoc::optional_bool(const YAML::Node& map, std::string_view key) const {
  YICI_TRY(auto text, optional_string(map, key));
  if (!text) return std::optional<bool>();
  if (*text == "true") return std::optional<bool>(true);
  if (*text == "false") return std::optional<bool>(false);
  return error_at(map[std::string(key)], "\"" + std::string(key) + "\" must be true or false, got \"" + *text + "\"");
}

Result<std::optional<std::chrono::milliseconds>> YamlDoc::optional_duration(const YAML::Node& map,
                                                                            std::string_view key) const {
  YICI_TRY(auto text, optional_string(map, key));
  if (!text) return std::optional<std::chrono::milliseconds>();
  auto parsed = parse_duration(*text);
  if (!parsed) return error_at(map[std::string(key)], "\"" + std::string(key) + "\": " + parsed.error().message);
  return std::optional<std::chrono::milliseconds>(*parsed);
}

Result<std::vector<std::string>> YamlDoc::string_list(const YAML::Node& map, std::string_view key) const {
  std::vector<std::string> out;
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return error_at(node, "\"" + std::string(key) + "\" must be a list");
  for (const auto& item : node) {
    if (!item.IsScalar()) return error_at(item, "\"" + std::string(key) + "\" items must be strings");
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace yici
