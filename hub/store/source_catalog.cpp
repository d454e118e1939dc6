#include "hub/store/source_catalog.h"

#include "hub/core/time.h"

namespace yici::store {

const char* const kSourceCatalogMigration = R"sql(
CREATE TABLE sources (
  id          TEXT PRIMARY KEY,
  version     INTEGER NOT NULL,
  enabled     INTEGER NOT NULL,
  definition  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  updated_by  TEXT NOT NULL
);
CREATE TABLE source_changes (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL,
  version     INTEGER NOT NULL,
  action      TEXT NOT NULL,
  definition  TEXT,
  changed_at  TEXT NOT NULL,
  changed_by  TEXT NOT NULL,
  request_id  TEXT NOT NULL
);
CREATE INDEX source_changes_by_id ON source_changes (id, seq);
)sql";

const char* const kSourceRetirementMigration = R"sql(
CREATE TABLE source_retirements (
  id            TEXT PRIMARY KEY,
  keep_records  INTEGER NOT NULL,
  requested_at  TEXT NOT NULL,
  requested_by  TEXT NOT NULL,
  request_id    TEXT NOT NULL
);
)sql";

namespace {

using sqlite::Connection;

Result<std::optional<StoredSource>> select_source(Connection& c, const std::string& id) {
  YICI_TRY(auto st,
           c.prepare("SELECT id, version, enabled, definition, updated_at, updated_by FROM sources WHERE id = ?1"));
  st.bind(1, id);
  YICI_TRY(bool found, st.step());
  if (!found) return std::optional<StoredSource>();
  StoredSource s;
  s.id = std::string(st.column_text(0));
  s.version = st.column_int(1);
  s.enabled = st.column_int(2) != 0;
  s.definition = std::string(st.column_text(3));
  s.updated_at = std::string(st.column_text(4));
  s.updated_by = std::string(st.column_text(5));
  YICI_TRY(auto r, c.prepare("SELECT keep_records, requested_at, requested_by, request_id FROM source_retirements "
                             "WHERE id = ?1"));
  r.bind(1, id);
  YICI_TRY(const bool retiring, r.step());
  if (retiring) {
    s.retiring = Retirement{.keep_records = r.column_int(0) != 0,
                            .requested_at = std::string(r.column_text(1)),
                            .requested_by = std::string(r.column_text(2)),
                            .request_id = std::string(r.column_text(3))};
  }
  return std::optional<StoredSource>(std::move(s));
}

Status forget_retirement(Connection& c, const std::string& id) {
  YICI_TRY(auto st, c.prepare("DELETE FROM source_retirements WHERE id = ?1"));
  st.bind(1, id);
  return st.run();
}

Status log_change(Connection& c, const StoredSource& s, const std::string& action, bool with_definition,
                  const ChangeBy& by) {
  YICI_TRY(auto st, c.prepare("INSERT INTO source_changes (id, version, action, definition, changed_at, changed_by, "
                              "request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st.bind(1, s.id).bind(2, s.version).bind(3, action);
  if (with_definition) {
    st.bind(4, s.definition);
  } else {
    st.bind_null(4);
  }
  st.bind(5, s.updated_at).bind(6, by.principal).bind(7, by.request_id);
  return st.run();
}

Status write_source(Connection& c, const StoredSource& s) {
  YICI_TRY(auto st, c.prepare("INSERT OR REPLACE INTO sources (id, version, enabled, definition, updated_at, "
                              "updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  st.bind(1, s.id).bind(2, s.version).bind(3, std::int64_t{s.enabled ? 1 : 0});
  st.bind(4, s.definition).bind(5, s.updated_at).bind(6, s.updated_by);
  return st.run();
}

// Runs `fn(connection, current)` in one write transaction; `current` is the stored source or nullopt.
template <typename Fn>
Result<StoredSource> change(sqlite::Database& db, const std::string& id, Fn&& fn) {
  return db.with_writer([&](Connection& c) -> Result<StoredSource> {
    YICI_TRY(auto tx, sqlite::Transaction::begin(c));
    YICI_TRY(auto current, select_source(c, id));
    YICI_TRY(StoredSource next, fn(c, current));
    YICI_TRY_STATUS(tx.commit());
    return next;
  });
}

}  // namespace

Result<std::vector<StoredSource>> SourceCatalog::load_all() {
  return db_.with_writer([](Connection& c) -> Result<std::vector<StoredSource>> {
    YICI_TRY(auto st, c.prepare("SELECT id FROM sources ORDER BY id"));
    std::vector<std::string> ids;
    for (;;) {
      YICI_TRY(bool row, st.step());
      if (!row) break;
      ids.emplace_back(st.column_text(0));
    }
    std::vector<StoredSource> out;
    for (const auto& id : ids) {
      YICI_TRY(auto s, select_source(c, id));
      if (s) out.push_back(std::move(*s));
    }
    return out;
  });
}

Result<StoredSource> SourceCatalog::create(const std::string& id, const std::string& definition, bool enabled,
                                           const ChangeBy& by) {
  return change(db_, id, [&](Connection& c, const std::optional<StoredSource>& current) -> Result<StoredSource> {
    if (current) return Error{ErrorCode::kAlreadyExists, "source \"" + id + "\" already exists"};
    YICI_TRY(auto st, c.prepare("SELECT coalesce(max(version), 0) FROM source_changes WHERE id = ?1"));
    st.bind(1, id);
    YICI_TRY(bool row, st.step());
    StoredSource s;
    s.id = id;
    s.version = (row ? st.column_int(0) : 0) + 1;
    s.enabled = enabled;
    s.definition = definition;
    s.updated_at = format_rfc3339_micros(now_utc());
    s.updated_by = by.principal;
    YICI_TRY_STATUS(write_source(c, s));
    YICI_TRY_STATUS(log_change(c, s, "created", true, by));
    return s;
  });
}

Result<StoredSource> SourceCatalog::update(const std::string& id, const std::string& definition, const ChangeBy& by) {
  return change(db_, id, [&](Connection& c, const std::optional<StoredSource>& current) -> Result<StoredSource> {
    if (!current) return Error::not_found("no source \"" + id + "\" registered through the API");
    StoredSource s = *current;
    s.version += 1;
    s.definition = definition;
    s.updated_at = format_rfc3339_micros(now_utc());
    s.updated_by = by.principal;
    YICI_TRY_STATUS(write_source(c, s));
    YICI_TRY_STATUS(log_change(c, s, "updated", true, by));
    return s;
  });
}

Result<StoredSource> SourceCatalog::set_enabled(const std::string& id, bool enabled, const ChangeBy& by) {
  return change(db_, id, [&](Connection& c, const std::optional<StoredSource>& current) -> Result<StoredSource> {
    if (!current) return Error::not_found("no source \"" + id + "\" registered through the API");
    StoredSource s = *current;
    s.enabled = enabled;
    s.updated_at = format_rfc3339_micros(now_utc());
    s.updated_by = by.principal;
    YICI_TRY_STATUS(write_source(c, s));
    YICI_TRY_STATUS(log_change(c, s, enabled ? "enabled" : "disabled", false, by));
    return s;
  });
}

Status SourceCatalog::begin_retirement(const std::string& id, bool keep_records, const ChangeBy& by) {
  auto r = change(db_, id, [&](Connection& c, const std::optional<StoredSource>& current) -> Result<StoredSource> {
    if (!current) return Error::not_found("no source \"" + id + "\" registered through the API");
    YICI_TRY(auto st, c.prepare("INSERT OR REPLACE INTO source_retirements (id, keep_records, requested_at, "
                                "requested_by, request_id) VALUES (?1, ?2, ?3, ?4, ?5)"));
    st.bind(1, id).bind(2, std::int64_t{keep_records ? 1 : 0}).bind(3, format_rfc3339_micros(now_utc()));
    st.bind(4, by.principal).bind(5, by.request_id);
    YICI_TRY_STATUS(st.run());
    return *current;
  });
  if (!r) return r.take_error();
  return {};
}

Status SourceCatalog::cancel_retirement(const std::string& id) {
  return db_.with_writer([&](Connection& c) -> Status { return forget_retirement(c, id); });
}

Status SourceCatalog::remove(const std::string& id, const ChangeBy& by) {
  auto r = change(db_, id, [&](Connection& c, const std::optional<StoredSource>& current) -> Result<StoredSource> {
    if (!current) return Error::not_found("no source \"" + id + "\" registered through the API");
    YICI_TRY(auto st, c.prepare("DELETE FROM sources WHERE id = ?1"));
    st.bind(1, id);
    YICI_TRY_STATUS(st.run());
    YICI_TRY_STATUS(forget_retirement(c, id));
    StoredSource s = *current;
    s.updated_at = format_rfc3339_micros(now_utc());
    YICI_TRY_STATUS(log_change(c, s, "deleted", false, by));
    return s;
  });
  if (!r) return r.take_error();
  return {};
}

Result<std::vector<SourceChange>> SourceCatalog::history(const std::string& id) {
  return db_.with_writer([&](Connection& c) -> Result<std::vector<SourceChange>> {
    YICI_TRY(auto st, c.prepare("SELECT seq, id, version, action, definition, changed_at, changed_by, request_id "
                                "FROM source_changes WHERE id = ?1 ORDER BY seq"));
    st.bind(1, id);
    std::vector<SourceChange> out;
    for (;;) {
      YICI_TRY(bool row, st.step());
      if (!row) break;
      SourceChange ch;
      ch.seq = st.column_int(0);
      ch.id = std::string(st.column_text(1));
      ch.version = st.column_int(2);
      ch.action = std::string(st.column_text(3));
      if (!st.column_is_null(4)) ch.definition = std::string(st.column_text(4));
      ch.changed_at = std::string(st.column_text(5));
      ch.changed_by = std::string(st.column_text(6));
      ch.request_id = std::string(st.column_text(7));
      out.push_back(std::move(ch));
    }
    return out;
  });
}

}  // namespace yici::store
