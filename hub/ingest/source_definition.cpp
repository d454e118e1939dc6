#include "hub/ingest/source_definition.h"

#include <algorithm>
#include <charconv>

#include "adapters/common/sql_identifier.h"
#include "hub/ingest/cursor.h"

namespace yici::ingest {
namespace {

void add_unique(std::vector<std::string>& out, const std::string& column) {
  if (std::find(out.begin(), out.end(), column) == out.end()) out.push_back(column);
}

Status check_column(const YamlDoc& doc, const YAML::Node& node, const std::string& path, const std::string& column,
                    const adapters::Adapter& adapter) {
  if (auto named = adapter.check_column_name(column); !named.ok()) {
    return doc.error_at(node, path + ": column \"" + column + "\" " + named.error().message);
  }
  return {};
}

// One error naming every problem ("; " between them), kept whole for a log line or a stored
// source's problem; `all`, when given, gets them one by one, each with its path, for the admin
// API's list.
Error refused(std::vector<Error> problems, std::vector<Error>* all) {
  Error joined = problems.front();
  for (std::size_t i = 1; i < problems.size(); ++i) joined.message += "; " + problems[i].message;
  if (all != nullptr) *all = std::move(problems);
  return joined;
}

// "10%" → 0.1; whole or decimal percentages from 1% to 100%.
std::optional<double> parse_percent(std::string_view text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  text.remove_suffix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(value >= 1 && value <= 100)) return std::nullopt;
  return value / 100;
}

}  // namespace

bool is_valid_source_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool same_definition(const SourceDefinition& a, const SourceDefinition& b) {
  return a.id == b.id && a.department == b.department && a.dataset == b.dataset && a.adapter_type == b.adapter_type &&
         a.primary_key == b.primary_key && a.cursor == b.cursor && a.mapping == b.mapping && a.status == b.status &&
         a.every == b.every && a.jitter == b.jitter && a.reconcile_every == b.reconcile_every &&
         a.reconcile_max_withdraw == b.reconcile_max_withdraw && a.enabled == b.enabled && a.origin == b.origin &&
         a.adapter_config_json == b.adapter_config_json;
}

std::vector<std::string> SourceDefinition::columns_to_read() const {
  std::vector<std::string> out;
  for (const auto& [field, column] : mapping) add_unique(out, column);
  for (const auto& k : primary_key) add_unique(out, k);
  if (cursor) add_unique(out, cursor->column);
  if (status) add_unique(out, status->column);
  return out;
}

Result<SourceDefinition> parse_source_definition(const YamlDoc& doc, const adapters::AdapterRegistry& registry,
                                                 std::vector<Error>* all_problems) {
  const YAML::Node& root = doc.root();
  SourceDefinition s;
  s.origin = doc.origin();
  std::vector<Error> problems;
  // The parts below do not depend on each other (the column checks need the adapter, and are
  // skipped without one), so each is read even when one before it failed: an administrator fixing
  // a definition sees every problem at once, not one per attempt.
  const auto part = [&](auto&& read) {
    if (Status st = read_guarded(doc, read); !st.ok()) problems.push_back(st.error());
  };
  const auto column = [&](const YAML::Node& node, const std::string& path, const std::string& name) -> Status {
    return s.adapter ? check_column(doc, node, path, name, *s.adapter) : Status();
  };
  part([&]() -> Status {
    return doc.expect_map(root,
                          {"id", "department", "dataset", "adapter", "primary_key", "cursor", "mapping", "status",
                           "schedule", "reconcile", "enabled"},
                          "source definition");
  });
  if (!root.IsMap()) return refused(std::move(problems), all_problems);  // nothing more to read
  part([&]() -> Status {
    YICI_TRY(s.id, doc.required_string(root, "id"));
    if (!is_valid_source_id(s.id))
      return doc.error_at(root["id"], "id \"" + s.id + "\" must match [a-z0-9-]+ (at most 64)");
    return {};
  });
  part([&]() -> Status {
    YICI_TRY(s.department, doc.required_string(root, "department"));
    return {};
  });
  part([&]() -> Status {
    YICI_TRY(s.dataset, doc.required_string(root, "dataset"));
    return {};
  });
  part([&]() -> Status {
    if (!root["adapter"].IsDefined()) return doc.error_at_key(root, "adapter", "missing required key \"adapter\"");
    YICI_TRY(auto adapter, registry.create(doc, root["adapter"]));
    YICI_TRY(s.adapter_type, doc.required_string(root["adapter"], "type"));
    s.adapter = std::move(adapter);
    s.adapter_config_json = yaml_to_json(root["adapter"]);
    return {};
  });
  part([&]() -> Status {
    YICI_TRY(s.primary_key, doc.string_list(root, "primary_key"));
    if (s.primary_key.empty()) {
      return doc.error_at_key(root, "primary_key", "primary_key: give the source column(s) that identify a row");
    }
    for (const auto& k : s.primary_key) YICI_TRY_STATUS(column(root["primary_key"], "primary_key", k));
    return {};
  });
  part([&]() -> Status {
    const YAML::Node cursor = root["cursor"];
    if (!cursor.IsDefined() || cursor.IsNull()) return {};
    YICI_TRY_STATUS(doc.expect_map(cursor, {"column", "overlap", "zone"}, "cursor"));
    CursorSpec c;
    YICI_TRY(c.column, doc.required_string(cursor, "column"));
    YICI_TRY_STATUS(column(cursor["column"], "cursor.column", c.column));
    YICI_TRY(auto overlap, doc.optional_duration(cursor, "overlap"));
    c.overlap = overlap.value_or(std::chrono::milliseconds(0));
    YICI_TRY(auto zone, doc.optional_string(cursor, "zone"));
    if (zone) {
      auto offset = parse_cursor_zone(*zone);
      if (!offset) return doc.error_at(cursor["zone"], "cursor.zone: " + offset.error().message);
      c.zone = *offset;
    }
    s.cursor = c;
    return {};
  });
  const YAML::Node mapping = root["mapping"];
  if (!mapping.IsDefined() || !mapping.IsMap() || mapping.size() == 0) {
    problems.push_back(doc.error_at_key(root, "mapping", "mapping: give schema field: source column pairs"));
  } else {
    for (const auto& kv : mapping) {
      part([&]() -> Status {
        if (!kv.second.IsScalar())
          return doc.error_at(kv.second, "mapping." + kv.first.Scalar() + " must be a column name");
        const std::string field = kv.first.Scalar();
        const std::string name = kv.second.Scalar();
        YICI_TRY_STATUS(column(kv.second, "mapping." + field, name));
        s.mapping.emplace_back(field, name);
        return {};
      });
    }
  }
  part([&]() -> Status {
    const YAML::Node status = root["status"];
    if (!status.IsDefined() || status.IsNull()) return {};
    YICI_TRY_STATUS(doc.expect_map(status, {"column", "withdrawn"}, "status"));
    StatusSpec st;
    YICI_TRY(st.column, doc.required_string(status, "column"));
    YICI_TRY_STATUS(column(status["column"], "status.column", st.column));
    YICI_TRY(st.withdrawn_values, doc.string_list(status, "withdrawn"));
    if (st.withdrawn_values.empty())
      return doc.error_at_key(status, "withdrawn", "status.withdrawn: list the source values that mean deleted");
    s.status = std::move(st);
    return {};
  });
  part([&]() -> Status {
    const YAML::Node schedule = root["schedule"];
    if (!schedule.IsDefined() || schedule.IsNull()) return {};
    YICI_TRY_STATUS(doc.expect_map(schedule, {"every", "jitter"}, "schedule"));
    YICI_TRY(auto every, doc.optional_duration(schedule, "every"));
    if (every) {
      if (*every < std::chrono::seconds(1))
        return doc.error_at(schedule["every"], "schedule.every must be at least 1s");
      s.every = *every;
    }
    YICI_TRY(auto jitter, doc.optional_duration(schedule, "jitter"));
    if (jitter) {
      // A delay as long as the interval would let a pull slip past the next one's time.
      if (*jitter >= s.every)
        return doc.error_at(schedule["jitter"], "schedule.jitter must be shorter than schedule.every");
      s.jitter = *jitter;
    }
    return {};
  });
  part([&]() -> Status {
    const YAML::Node reconcile = root["reconcile"];
    if (!reconcile.IsDefined() || reconcile.IsNull()) return {};
    YICI_TRY_STATUS(doc.expect_map(reconcile, {"every", "max_withdraw"}, "reconcile"));
    YICI_TRY(auto every, doc.optional_duration(reconcile, "every"));
    if (!every || *every < std::chrono::minutes(1)) {
      return doc.error_at_key(reconcile, "every", "reconcile.every must be at least 1m");
    }
    s.reconcile_every = *every;
    YICI_TRY(auto max_withdraw, doc.optional_string(reconcile, "max_withdraw"));
    if (max_withdraw) {
      auto fraction = parse_percent(*max_withdraw);
      if (!fraction) {
        return doc.error_at(reconcile["max_withdraw"],
                            "reconcile.max_withdraw must be a percentage from 1% to 100%, like 10%");
      }
      s.reconcile_max_withdraw = *fraction;
    }
    return {};
  });
  part([&]() -> Status {
    YICI_TRY(auto enabled, doc.optional_bool(root, "enabled"));
    s.enabled = enabled.value_or(true);
    return {};
  });
  if (problems.empty()) return s;
  return refused(std::move(problems), all_problems);
}

}  // namespace yici::ingest
