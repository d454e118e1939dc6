// Helpers for schema tests: load a schema from text or from schemas/, run one row through it.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "hub/schema/normaliser.h"
#include "hub/schema/schema_loader.h"

namespace yici::schema::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::shared_ptr<const Schema> schema_from_text(const std::string& yaml) {
  auto doc = YamlDoc::parse(yaml, "test.yaml");
  if (!doc) return nullptr;
  SchemaLoad loaded = load_schema(*doc);
  return std::shared_ptr<const Schema>(std::move(loaded.schema));
}

inline std::shared_ptr<const Schema> repo_schema(const std::string& dataset) {
  SchemaLoad loaded = load_schema_file(std::string(YICI_SOURCE_DIR) + "/schemas/" + dataset + ".yaml");
  return std::shared_ptr<const Schema>(std::move(loaded.schema));
}

struct RowResult {
  bool ok = false;
  boost::json::object record;
  std::vector<std::pair<std::string, std::string>> errors;    // (field, code)
  std::vector<std::pair<std::string, std::string>> warnings;  // (field, code)
  std::string subject;
  std::string status;
  std::string raw_errors;

  [[nodiscard]] bool has_error(const std::string& field, const std::string& code) const {
    for (const auto& e : errors) {
      if (e.first == field && e.second == code) return true;
    }
    return false;
  }
  [[nodiscard]] bool has_warning(const std::string& field, const std::string& code) const {
    for (const auto& e : warnings) {
      if (e.first == field && e.second == code) return true;
    }
    return false;
  }
  [[nodiscard]] std::string str(const std::string& field) const {
    const auto* v = record.if_contains(field);
    if (v == nullptr) return "<missing>";
    if (v->is_null()) return "<null>";
    if (v->is_string()) return std::string(v->as_string());
    return boost::json::serialize(*v);
  }
};

inline std::vector<std::pair<std::string, std::string>> pairs(const std::string& json) {
  std::vector<std::pair<std::string, std::string>> out;
  if (json.empty()) return out;
  const boost::json::value parsed = boost::json::parse(json);
  for (const auto& e : parsed.as_array()) {
    const auto& o = e.as_object();
    out.emplace_back(o.at("field").is_null() ? "" : std::string(o.at("field").as_string()),
                     std::string(o.at("code").as_string()));
  }
  return out;
}

inline RowResult run_row(Normaliser& n, const std::vector<std::pair<std::string, std::optional<std::string>>>& row) {
  std::vector<std::string> fields;
  std::vector<std::optional<std::string>> values;
  for (const auto& [f, v] : row) {
    fields.push_back(f);
    values.push_back(v);
  }
  const ingest::NormalisedRow r = n.normalise(fields, values);
  RowResult out;
  out.ok = r.ok;
  if (r.ok) out.record = boost::json::parse(r.fields_json).as_object();
  out.errors = pairs(r.errors_json);
  out.warnings = pairs(r.warnings_json);
  out.subject = r.subject;
  out.status = r.status;
  out.raw_errors = r.errors_json;
  return out;
}

inline constexpr CivilDate kToday{2026, 6, 1};

}  // namespace yici::schema::test
