// Strict reading of YAML configuration: every problem is reported as "file:line: message".
//
// Config files are written by people; a typo must be an error that points at the line, never a
// silently ignored key. These helpers wrap yaml-cpp so that callers never see its exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "hub/core/result.h"

namespace yici {

// Limits applied to every YAML document the hub reads (files and request bodies).
struct YamlLimits {
  std::size_t max_bytes = 1 << 20;  // 1 MiB
  int max_depth = 32;
  std::size_t max_nodes = 100000;  // after alias expansion
};

class YamlDoc {
 public:
  // Parses text; `origin` names it in messages (a path, or "request body").
  static Result<YamlDoc> parse(std::string_view text, std::string origin, const YamlLimits& limits = {});
  static Result<YamlDoc> load_file(const std::string& path, const YamlLimits& limits = {});

  [[nodiscard]] const YAML::Node& root() const { return root_; }
  [[nodiscard]] const std::string& origin() const { return origin_; }

  // "origin:line: message" for a node (line is 1-based; 0 when the node has no mark), with the
  // node's key path (Error::path) when it is part of this document.
  [[nodiscard]] Error error_at(const YAML::Node& node, std::string_view message) const;
  // The same for a key missing from (or refused in) `map`: the path is the map's path plus `key`.
  [[nodiscard]] Error error_at_key(const YAML::Node& map, std::string_view key, std::string_view message) const;
  // The key path of a node of this document ("" for the root or an unknown node).
  [[nodiscard]] std::string path_of(const YAML::Node& node) const;

  // Errors if `map` is not a map or has a key outside `allowed`.
  [[nodiscard]] Status expect_map(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                                  std::string_view what) const;

  // Scalar accessors. `required` errors when the key is missing; optional ones return nullopt.
  [[nodiscard]] Result<std::string> required_string(const YAML::Node& map, std::string_view key) const;
  [[nodiscard]] Result<std::optional<std::string>> optional_string(const YAML::Node& map, std::string_view key) const;
  [[nodiscard]] Result<std::optional<std::int64_t>> optional_int(const YAML::Node& map, std::string_view key,
                                                                 std::int64_t min, std::int64_t max) const;
  [[nodiscard]] Result<std::optional<bool>> optional_bool(const YAML::Node& map, std::string_view key) const;
  // Durations such as "500ms", "10s", "5m", "1h", "2d".
  [[nodiscard]] Result<std::optional<std::chrono::milliseconds>> optional_duration(const YAML::Node& map,
                                                                                   std::string_view key) const;
  // A sequence of strings; missing → empty.
  [[nodiscard]] Result<std::vector<std::string>> string_list(const YAML::Node& map, std::string_view key) const;

 private:
  using PathIndex = std::map<std::pair<int, int>, std::string>;  // (line, column) → key path
  YamlDoc(const YAML::Node& root, std::string origin, std::shared_ptr<const PathIndex> paths)
      : root_(root), origin_(std::move(origin)), paths_(std::move(paths)) {}
  YAML::Node root_;
  std::string origin_;
  std::shared_ptr<const PathIndex> paths_;
};

// Runs a reader over `doc`, turning any yaml-cpp exception a reader failed to anticipate into an
// error naming the document, so no file can crash the process.
template <typename Fn>
auto read_guarded(const YamlDoc& doc, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const YAML::Exception& e) {
    return Error::invalid(doc.origin() + ": " + e.what());
  }
}

// A YAML node as compact JSON: maps → objects, sequences → arrays, scalars → strings, null → null.
std::string yaml_to_json(const YAML::Node& node);

// "500ms", "10s", "5m", "1h", "2d" → milliseconds.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace yici
