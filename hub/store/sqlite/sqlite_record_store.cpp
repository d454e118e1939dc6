#include "hub/store/sqlite/sqlite_record_store.h"

#include <algorithm>
#include <tuple>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sqlite3.h>

#include "hub/core/sha256.h"
#include "hub/core/time.h"
#include "hub/store/changed_fields.h"
#include "hub/store/source_key.h"

namespace yici::store::sqlite {
namespace {

const Migrations kRecordMigrations = {
    R"sql(
CREATE TABLE records (
  id           INTEGER PRIMARY KEY,
  dataset      TEXT NOT NULL,
  subject      TEXT NOT NULL,
  source       TEXT NOT NULL,
  source_key   TEXT NOT NULL,
  version      INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  pulled_at    TEXT NOT NULL,
  status       TEXT NOT NULL,
  fields       TEXT NOT NULL,
  UNIQUE (dataset, source, source_key)
);
CREATE INDEX records_by_subject ON records (dataset, subject);
CREATE TABLE record_history (
  record_id    INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
  version      INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  pulled_at    TEXT NOT NULL,
  status       TEXT NOT NULL,
  fields       TEXT NOT NULL,
  replaced_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (record_id, version)
);
)sql",
    // 2: ingest state lives beside the records so a batch, its rejects and its cursor commit in one
    // transaction (SQLite in WAL mode is not atomic across attached files).
    R"sql(
CREATE TABLE source_cursors (
  source       TEXT PRIMARY KEY,
  cursor_value TEXT NOT NULL,
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE quarantine (
  id          INTEGER PRIMARY KEY,
  dataset     TEXT NOT NULL,
  source      TEXT NOT NULL,
  source_key  TEXT NOT NULL,
  row_json    TEXT NOT NULL,
  errors_json TEXT NOT NULL,
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  UNIQUE (source, source_key)
);
CREATE TABLE pull_runs (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  mode        TEXT NOT NULL,
  rows_read   INTEGER NOT NULL,
  inserted    INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  unchanged   INTEGER NOT NULL,
  rejected    INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  error       TEXT NOT NULL
);
CREATE INDEX pull_runs_by_source ON pull_runs (source, id);
)sql",
    // 3: where an unfinished full pull stands, committed with each of its batches.
    R"sql(
CREATE TABLE pull_progress (
  source       TEXT PRIMARY KEY,
  resume_after TEXT NOT NULL,
  cursor_value TEXT,
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)sql",
    // 4: each source's department as of its last batch, for provenance once the source is gone.
    R"sql(
CREATE TABLE source_departments (
  source     TEXT PRIMARY KEY,
  department TEXT NOT NULL
);
)sql",
    // 5: keys compared in their canonical form (source_key.h), so one key spelt two ways is one
    // record. Records stored under other spellings take the canonical key; where one key was
    // stored several times, the newest current record keeps it and the others are withdrawn (the
    // version before kept in history) under a key no source row can have (canonical key, U+001E,
    // record id). Quarantine entries take the canonical key too, the CSV adapter's line names
    // ("bad_row FILE:LINE") excepted.
    R"sql(
CREATE TEMP TABLE rekey AS
WITH c AS (SELECT id, dataset, source, status, pulled_at, source_key, yici_canonical_key(source_key) AS k
           FROM records),
     spelt AS (SELECT DISTINCT dataset, source, k FROM c WHERE source_key <> k)
SELECT c.id AS id, c.k AS k,
       row_number() OVER (PARTITION BY c.dataset, c.source, c.k
                          ORDER BY c.status = 'withdrawn', c.pulled_at DESC, c.id DESC) AS rank
FROM c JOIN spelt ON c.dataset = spelt.dataset AND c.source = spelt.source AND c.k = spelt.k;
INSERT INTO record_history (record_id, version, content_hash, pulled_at, status, fields)
  SELECT id, version, content_hash, pulled_at, status, fields FROM records
  WHERE id IN (SELECT id FROM rekey WHERE rank > 1) AND status <> 'withdrawn';
UPDATE records SET status = 'withdrawn', version = version + 1
  WHERE id IN (SELECT id FROM rekey WHERE rank > 1) AND status <> 'withdrawn';
UPDATE records SET source_key = (SELECT k || char(30) || records.id FROM rekey WHERE rekey.id = records.id)
  WHERE id IN (SELECT id FROM rekey WHERE rank > 1);
UPDATE records SET source_key = (SELECT k FROM rekey WHERE rekey.id = records.id)
  WHERE id IN (SELECT id FROM rekey WHERE rank = 1);
DROP TABLE rekey;
UPDATE OR REPLACE quarantine SET source_key = yici_canonical_key(source_key)
  WHERE source_key NOT LIKE 'bad\_row %' ESCAPE '\' AND source_key <> yici_canonical_key(source_key);
)sql",
    // 6: where a quarantined row is in its source (CSV: file and line), for the department.
    R"sql(
ALTER TABLE quarantine ADD COLUMN place TEXT NOT NULL DEFAULT '';
)sql",
    // 7: a pull's repeated keys and its warnings (PullRun::warnings, one per line), in the history.
    R"sql(
ALTER TABLE pull_runs ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pull_runs ADD COLUMN warnings TEXT NOT NULL DEFAULT '';
)sql",
    // 8: the quarantine's rows per source, field and code, kept by triggers as rows enter, change
    // and leave, so the quarantine by reason is a read of a few rows, not a scan of every entry's
    // errors (0.46 s at 200,000 entries, on the request's thread). A row with two problems counts
    // under each; one with the same problem twice, once. errors_json is the normaliser's array of
    // {"field", "code", "message"} (field null for a row-level problem); anything else in it is
    // not counted.
    R"sql(
CREATE TABLE quarantine_reasons (
  source TEXT NOT NULL,
  field  TEXT NOT NULL,
  code   TEXT NOT NULL,
  rows   INTEGER NOT NULL,
  PRIMARY KEY (source, field, code)
) WITHOUT ROWID;
CREATE TRIGGER quarantine_reasons_in AFTER INSERT ON quarantine WHEN json_valid(NEW.errors_json) BEGIN
  INSERT INTO quarantine_reasons (source, field, code, rows)
    SELECT DISTINCT NEW.source, coalesce(json_extract(e.value, '$.field'), ''),
           coalesce(json_extract(e.value, '$.code'), ''), 1
    FROM json_each(NEW.errors_json) e WHERE e.type = 'object'
    ON CONFLICT (source, field, code) DO UPDATE SET rows = rows + 1;
END;
CREATE TRIGGER quarantine_reasons_out AFTER DELETE ON quarantine WHEN json_valid(OLD.errors_json) BEGIN
  UPDATE quarantine_reasons SET rows = rows - 1 WHERE source = OLD.source AND (field, code) IN (
    SELECT coalesce(json_extract(e.value, '$.field'), ''), coalesce(json_extract(e.value, '$.code'), '')
    FROM json_each(OLD.errors_json) e WHERE e.type = 'object');
  DELETE FROM quarantine_reasons WHERE source = OLD.source AND rows <= 0;
END;
CREATE TRIGGER quarantine_reasons_changed AFTER UPDATE OF source, errors_json ON quarantine
  WHEN OLD.source IS NOT NEW.source OR OLD.errors_json IS NOT NEW.errors_json BEGIN
  UPDATE quarantine_reasons SET rows = rows - 1 WHERE json_valid(OLD.errors_json) AND source = OLD.source AND
    (field, code) IN (
      SELECT coalesce(json_extract(e.value, '$.field'), ''), coalesce(json_extract(e.value, '$.code'), '')
      FROM json_each(CASE WHEN json_valid(OLD.errors_json) THEN OLD.errors_json ELSE '[]' END) e
      WHERE e.type = 'object');
  DELETE FROM quarantine_reasons WHERE source = OLD.source AND rows <= 0;
  INSERT INTO quarantine_reasons (source, field, code, rows)
    SELECT DISTINCT NEW.source, coalesce(json_extract(e.value, '$.field'), ''),
           coalesce(json_extract(e.value, '$.code'), ''), 1
    FROM json_each(CASE WHEN json_valid(NEW.errors_json) THEN NEW.errors_json ELSE '[]' END) e
    WHERE e.type = 'object'
    ON CONFLICT (source, field, code) DO UPDATE SET rows = rows + 1;
END;
INSERT INTO quarantine_reasons (source, field, code, rows)
  SELECT q.source, coalesce(json_extract(e.value, '$.field'), ''), coalesce(json_extract(e.value, '$.code'), ''),
         count(DISTINCT q.id)
  FROM quarantine q, json_each(CASE WHEN json_valid(q.errors_json) THEN q.errors_json ELSE '[]' END) e
  WHERE e.type = 'object' GROUP BY 1, 2, 3;
)sql",
    // 9: with each archived version, the names of the fields the version after it changed
    // (changed_fields.h), so the version a department is shown is counted from those names, not
    // from every earlier version's fields parsed again at each lookup. NULL: not known (every
    // writer sets it; a lookup then compares the fields themselves). The history's versions are
    // contiguous; the successor is looked for as the next one kept all the same.
    R"sql(
ALTER TABLE record_history ADD COLUMN changed TEXT;
UPDATE record_history SET changed = yici_changed_fields(fields, coalesce(
  (SELECT n.fields FROM record_history n WHERE n.record_id = record_history.record_id
     AND n.version > record_history.version ORDER BY n.version LIMIT 1),
  (SELECT r.fields FROM records r WHERE r.id = record_history.record_id)));
)sql",
};

// yici_canonical_key(text): canonical_source_key, for migration 5.
void canonical_key_function(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (text == nullptr) {
    sqlite3_result_null(ctx);
    return;
  }
  const std::string key =
      canonical_source_key(std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
}

// yici_changed_fields(before, after): changed_fields, for kArchive and migration 9. NULL when
// either is NULL.
void changed_fields_function(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  const auto text = [&](int i) -> std::optional<std::string_view> {
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
    if (p == nullptr) return std::nullopt;
    return std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(argv[i])));
  };
  const auto before = text(0);
  const auto after = text(1);
  if (!before || !after) {
    sqlite3_result_null(ctx);
    return;
  }
  const std::string names = changed_fields(*before, *after);
  sqlite3_result_text(ctx, names.data(), static_cast<int>(names.size()), SQLITE_TRANSIENT);
}

Status register_functions(Connection& w) {
  struct Function {
    const char* name;
    int args;
    void (*call)(sqlite3_context*, int, sqlite3_value**);
  };
  for (const Function& f : {Function{"yici_canonical_key", 1, canonical_key_function},
                            Function{"yici_changed_fields", 2, changed_fields_function}}) {
    const int rc =
        sqlite3_create_function_v2(w.handle(), f.name, f.args, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   nullptr, f.call, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Error::internal(std::string("cannot register ") + f.name + ": " + sqlite3_errstr(rc));
  }
  return {};
}

constexpr const char* kSelectExisting =
    "SELECT id, version, content_hash, status, pulled_at FROM records WHERE dataset = ?1 AND source = ?2 AND "
    "source_key = ?3";
// Tried first for every row: a new record costs one descent of the key index, not two (a SELECT,
// then the INSERT's own uniqueness check). Only a key already held goes on to kSelectExisting.
constexpr const char* kInsert =
    "INSERT INTO records (dataset, subject, source, source_key, version, content_hash, pulled_at, status, fields) "
    "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8) ON CONFLICT (dataset, source, source_key) DO NOTHING";
// replaced_at: the start of the pull whose row replaced the version (the time of every record that
// pull stores), so the pull can tell the versions it archived itself (kReplacedInPull). ?3: the
// fields of the version that replaces it, or NULL when they stay as they are (a withdrawal).
constexpr const char* kArchive =
    "INSERT INTO record_history (record_id, version, content_hash, pulled_at, status, fields, replaced_at, changed) "
    "SELECT id, version, content_hash, pulled_at, status, fields, ?2, "
    "CASE WHEN ?3 IS NULL THEN '[]' ELSE yici_changed_fields(fields, ?3) END FROM records WHERE id = ?1";
constexpr const char* kUpdate =
    "UPDATE records SET subject = ?2, version = version + 1, content_hash = ?3, pulled_at = ?4, status = ?5, "
    "fields = ?6 WHERE id = ?1";
constexpr const char* kTouch = "UPDATE records SET pulled_at = ?2 WHERE id = ?1";
// A key the source holds twice (upsert_in): the version before the current one, if this pull
// (started at ?3) archived it, that is, if the current version is this pull's own.
constexpr const char* kReplacedInPull =
    "SELECT content_hash, status FROM record_history WHERE record_id = ?1 AND version = ?2 AND replaced_at = ?3";
constexpr const char* kRestorePrevious =
    "UPDATE records SET (version, content_hash, status, fields, subject, pulled_at) = (SELECT version, content_hash, "
    "status, fields, ?3, ?4 FROM record_history WHERE record_id = ?1 AND version = ?2) WHERE id = ?1";
constexpr const char* kDropHistory = "DELETE FROM record_history WHERE record_id = ?1 AND version = ?2";
constexpr const char* kOverwrite =
    "UPDATE records SET subject = ?2, content_hash = ?3, status = ?4, fields = ?5 WHERE id = ?1";
// After kOverwrite: the version before names what the overwritten one changes now.
constexpr const char* kRediffPrevious =
    "UPDATE record_history SET changed = yici_changed_fields(fields, ?3) WHERE record_id = ?1 AND version = ?2";
// Unordered: a subject has one or a few records, sorted after the read (an ORDER BY here set up
// SQLite's sorter for every lookup).
// One descent of the key index, then the record's run of the history's primary key.
constexpr const char* kEarlierVersions =
    "SELECT h.version, h.status, h.changed, h.fields FROM records r JOIN record_history h ON h.record_id = r.id "
    "WHERE r.dataset = ?1 AND r.source = ?2 AND r.source_key = ?3 AND h.version < ?4 ORDER BY h.version";
constexpr const char* kEarlierChanges =
    "SELECT h.version, h.status, h.changed FROM records r JOIN record_history h ON h.record_id = r.id "
    "WHERE r.dataset = ?1 AND r.source = ?2 AND r.source_key = ?3 AND h.version < ?4 ORDER BY h.version";
constexpr const char* kFind =
    "SELECT dataset, subject, source, source_key, version, content_hash, pulled_at, status, fields, id FROM records "
    "WHERE dataset = ?1 AND subject = ?2";
constexpr const char* kCount = "SELECT count(*) FROM records WHERE dataset = ?1";
constexpr const char* kUnquarantine = "DELETE FROM quarantine WHERE source = ?1 AND source_key = ?2";
constexpr const char* kDropUnseenQuarantine = "DELETE FROM quarantine WHERE source = ?1 AND last_seen < ?2";
constexpr const char* kHasQuarantine = "SELECT EXISTS (SELECT 1 FROM quarantine WHERE source = ?1)";
constexpr const char* kQuarantine =
    "INSERT INTO quarantine (dataset, source, source_key, row_json, errors_json, first_seen, last_seen, place) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) ON CONFLICT (source, source_key) DO UPDATE SET "
    "dataset = excluded.dataset, row_json = excluded.row_json, errors_json = excluded.errors_json, "
    "last_seen = excluded.last_seen, place = excluded.place";
constexpr const char* kSaveCursor =
    "INSERT INTO source_cursors (source, cursor_value) VALUES (?1, ?2) ON CONFLICT (source) DO UPDATE SET "
    "cursor_value = excluded.cursor_value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
constexpr const char* kLoadCursor = "SELECT cursor_value FROM source_cursors WHERE source = ?1";
constexpr const char* kSaveProgress =
    "INSERT INTO pull_progress (source, resume_after, cursor_value) VALUES (?1, ?2, ?3) ON CONFLICT (source) DO "
    "UPDATE SET resume_after = excluded.resume_after, cursor_value = excluded.cursor_value, "
    "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
constexpr const char* kClearProgress = "DELETE FROM pull_progress WHERE source = ?1";
constexpr const char* kLoadProgress = "SELECT resume_after, cursor_value FROM pull_progress WHERE source = ?1";
constexpr const char* kSaveDepartment =
    "INSERT INTO source_departments (source, department) VALUES (?1, ?2) ON CONFLICT (source) DO UPDATE SET "
    "department = excluded.department WHERE department <> excluded.department";
constexpr const char* kLoadDepartment = "SELECT department FROM source_departments WHERE source = ?1";
constexpr const char* kInsertRun =
    "INSERT INTO pull_runs (source, started_at, finished_at, mode, rows_read, inserted, updated, unchanged, "
    "rejected, duration_ms, error, duplicates, warnings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?13)";
constexpr const char* kRecentRuns =
    "SELECT source, started_at, finished_at, mode, rows_read, inserted, updated, unchanged, rejected, duration_ms, "
    "error, duplicates, warnings FROM pull_runs WHERE source = ?1 ORDER BY id DESC LIMIT ?2";
constexpr const char* kQuarantineCount = "SELECT count(*) FROM quarantine WHERE source = ?1";
// Kept by migration 8's triggers: a few rows per source.
constexpr const char* kQuarantineReasons =
    "SELECT field, code, rows FROM quarantine_reasons WHERE source = ?1 ORDER BY rows DESC, field, code LIMIT ?2";
constexpr const char* kQuarantineList =
    "SELECT id, source_key, row_json, errors_json, first_seen, last_seen, place FROM quarantine "
    "WHERE source = ?1 AND id > ?2 ORDER BY id LIMIT ?3";

// One batch of a source's records whose keys are not in temp.present_keys, in key order from ?3
// on (the (dataset, source, source_key) index gives the order; '' is below every key). A key at ?3
// itself was withdrawn by the batch before, so `>=` never repeats a record.
constexpr const char* kVanishedBatch =
    "SELECT id, source_key FROM records WHERE dataset = ?1 AND source = ?2 AND source_key >= ?3 "
    "AND status <> 'withdrawn' AND source_key NOT IN (SELECT k FROM temp.present_keys) ORDER BY source_key "
    "LIMIT ?4";
constexpr const char* kCountVanishing =
    "SELECT count(*), coalesce(sum(source_key NOT IN (SELECT k FROM temp.present_keys)), 0) FROM records "
    "WHERE dataset = ?1 AND source = ?2 AND status <> 'withdrawn'";
constexpr const char* kSelectStatusFields =
    "SELECT id, status, fields FROM records WHERE dataset = ?1 AND source = ?2 AND source_key = ?3";
constexpr const char* kSetStatus =
    "UPDATE records SET version = version + 1, content_hash = ?2, status = ?3, fields = ?4 WHERE id = ?1";
constexpr const char* kWithdraw = "UPDATE records SET status = 'withdrawn', version = version + 1 WHERE id = ?1";
// Each distinct dataset from the (dataset, source, source_key) index, one seek per dataset rather
// than a scan of every record.
constexpr const char* kDatasetsHeld =
    "WITH RECURSIVE d(name) AS (SELECT min(dataset) FROM records UNION ALL "
    "SELECT (SELECT min(dataset) FROM records WHERE dataset > d.name) FROM d WHERE d.name IS NOT NULL) "
    "SELECT name FROM d WHERE name IS NOT NULL";

Result<std::vector<std::string>> datasets_held(Connection& conn) {
  YICI_TRY(Statement * st, conn.cached(kDatasetsHeld));
  std::vector<std::string> out;
  YICI_TRY_STATUS(st->each_row([&] { out.emplace_back(st->column_text(0)); }));
  return out;
}

// The one text column of the row `sql` (keyed by ?1 = source) selects, or nullopt without one.
Result<std::optional<std::string>> text_by_source(Database& db, const char* sql, std::string_view source) {
  YICI_TRY(Connection * conn, db.reader());
  YICI_TRY(Statement * st, conn->cached(sql));
  st->bind(1, source);
  YICI_TRY(bool row, st->step());
  std::optional<std::string> out;
  if (row) out = std::string(st->column_text(0));
  st->reset();
  return out;
}

}  // namespace

Result<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::open(const std::string& path,
                                                                   const SqliteRecordStoreOptions& options) {
  YICI_TRY(auto db, Database::open(path, kRecordMigrations, register_functions));
  // A pull writes tens of thousands of rows a second, touching index pages all over the file:
  // checkpointing the WAL every 10,000 pages (40 MB) instead of SQLite's 1,000 copies each page
  // back once per many batches, not once per few (bench, 200k rows: 56k → 75k rows/s).
  YICI_TRY_STATUS(db->with_writer([](Connection& w) -> Status { return w.exec("PRAGMA wal_autocheckpoint = 10000"); }));
  return std::unique_ptr<SqliteRecordStore>(new SqliteRecordStore(std::move(db), options));
}

Result<std::int64_t> SqliteRecordStore::pull_first_id(Connection& w, const std::string& source,
                                                      const std::string& pulled_at) {
  auto& [pull, first_id] = pull_first_ids_[source];
  if (pull != pulled_at) {
    YICI_TRY(Statement * max, w.cached("SELECT coalesce(max(id), 0) FROM records"));
    YICI_TRY(const bool row, max->step());
    const std::int64_t top = row ? max->column_int(0) : 0;
    max->reset();
    pull = pulled_at;
    first_id = top + 1;
  }
  return first_id;
}

Status SqliteRecordStore::upsert_in(Connection& w, std::span<const Record> records, UpsertCounts& counts,
                                    bool clear_quarantine, std::optional<std::int64_t> pull_first_id) {
  const bool one_pull = pull_first_id.has_value();
  for (const Record& r : records) {
    const std::string hash = r.content_hash.empty() ? sha256_hex(r.fields_json) : r.content_hash;
    if (clear_quarantine) {
      YICI_TRY(Statement * unq, w.cached(kUnquarantine));
      unq->bind(1, r.source).bind(2, r.source_key);
      YICI_TRY_STATUS(unq->run());
    }
    YICI_TRY(Statement * ins, w.cached(kInsert));
    ins->bind(1, r.dataset).bind(2, r.subject).bind(3, r.source).bind(4, r.source_key).bind(5, hash);
    ins->bind(6, r.pulled_at).bind(7, r.status).bind(8, r.fields_json);
    YICI_TRY_STATUS(ins->run());
    if (w.changes() == 1) {
      ++counts.inserted;
      continue;
    }
    YICI_TRY(Statement * sel, w.cached(kSelectExisting));
    sel->bind(1, r.dataset).bind(2, r.source).bind(3, r.source_key);
    YICI_TRY(bool found, sel->step());
    if (!found) {
      sel->reset();
      return Error::corruption("record " + r.source + "/" + r.source_key + " neither inserted nor found");
    }
    const std::int64_t id = sel->column_int(0);
    const std::int64_t version = sel->column_int(1);
    const bool same = sel->column_text(2) == hash && sel->column_text(3) == r.status;
    // Stored by this same pull (every record of a pull has its start time): the source holds the
    // key twice, e.g. a licence in an older export file and again, revoked, in a newer one (files
    // are read oldest first). The row read last is what the source says now, so it wins, judged
    // against the record as it was before this pull: if this pull already made a new version, the
    // later row replaces that version in place, or takes the record back to its version from
    // before the pull when it equals it. A source that holds a key twice then gives the same
    // record and version on every pull instead of two new versions each time.
    const bool repeated_in_pull = one_pull && !same && sel->column_text(4) == r.pulled_at;
    sel->reset();
    if (repeated_in_pull) {
      ++counts.duplicates;
      YICI_TRY(Statement * prev, w.cached(kReplacedInPull));
      prev->bind(1, id).bind(2, version - 1).bind(3, r.pulled_at);
      YICI_TRY(const bool made_this_pull, prev->step());
      const bool back_to_before = made_this_pull && prev->column_text(0) == hash && prev->column_text(1) == r.status;
      prev->reset();
      if (back_to_before) {
        YICI_TRY(Statement * restore, w.cached(kRestorePrevious));
        restore->bind(1, id).bind(2, version - 1).bind(3, r.subject).bind(4, r.pulled_at);
        YICI_TRY_STATUS(restore->run());
        YICI_TRY(Statement * drop, w.cached(kDropHistory));
        drop->bind(1, id).bind(2, version - 1);
        YICI_TRY_STATUS(drop->run());
        // The earlier row's update is undone: the pull leaves the record unchanged. (Counted in
        // this batch even when the earlier row was in another batch of the pull: the pull's
        // totals are right; reported ~1 updated on every pull before.)
        --counts.updated;
        ++counts.unchanged;
        continue;
      }
      // A new version made by this pull, or the record this pull inserted (the key's first row):
      // the later row takes its place, with no version of its own.
      if (made_this_pull || (version == 1 && id >= *pull_first_id)) {
        YICI_TRY(Statement * over, w.cached(kOverwrite));
        over->bind(1, id).bind(2, r.subject).bind(3, hash).bind(4, r.status).bind(5, r.fields_json);
        YICI_TRY_STATUS(over->run());
        if (made_this_pull) {
          YICI_TRY(Statement * rediff, w.cached(kRediffPrevious));
          rediff->bind(1, id).bind(2, version - 1).bind(3, r.fields_json);
          YICI_TRY_STATUS(rediff->run());
        }
        continue;
      }
      // The record was as before the pull until now: the later row is a change like any other.
    }
    if (same) {
      YICI_TRY(Statement * touch, w.cached(kTouch));
      touch->bind(1, id).bind(2, r.pulled_at);
      YICI_TRY_STATUS(touch->run());
      ++counts.unchanged;
      continue;
    }
    YICI_TRY(Statement * arch, w.cached(kArchive));
    arch->bind(1, id).bind(2, r.pulled_at).bind(3, r.fields_json);
    YICI_TRY_STATUS(arch->run());
    YICI_TRY(Statement * upd, w.cached(kUpdate));
    upd->bind(1, id).bind(2, r.subject).bind(3, hash).bind(4, r.pulled_at).bind(5, r.status).bind(6, r.fields_json);
    YICI_TRY_STATUS(upd->run());
    ++counts.updated;
  }
  return {};
}

Result<UpsertCounts> SqliteRecordStore::upsert(std::span<const Record> records) {
  return db_->with_writer([&](Connection& w) -> Result<UpsertCounts> {
    UpsertCounts counts;
    YICI_TRY(auto tx, Transaction::begin(w));
    YICI_TRY_STATUS(upsert_in(w, records, counts, false, std::nullopt));
    YICI_TRY_STATUS(tx.commit());
    return counts;
  });
}

Result<bool> SqliteRecordStore::withdraw_key(Connection& w, const QuarantinedRow& q) {
  YICI_TRY(Statement * sel, w.cached(kSelectExisting));
  sel->bind(1, q.dataset).bind(2, q.source).bind(3, q.source_key);
  YICI_TRY(const bool found, sel->step());
  const std::int64_t id = found ? sel->column_int(0) : 0;
  const bool already = found && sel->column_text(3) == "withdrawn";
  sel->reset();
  if (!found || already) return false;
  YICI_TRY(Statement * arch, w.cached(kArchive));
  arch->bind(1, id).bind(2, q.seen_at).bind_null(3);
  YICI_TRY_STATUS(arch->run());
  YICI_TRY(Statement * upd, w.cached(kWithdraw));
  upd->bind(1, id);
  YICI_TRY_STATUS(upd->run());
  return true;
}

Result<bool> SqliteRecordStore::set_status_key(Connection& w, const QuarantinedRow& q) {
  YICI_TRY(Statement * sel, w.cached(kSelectStatusFields));
  sel->bind(1, q.dataset).bind(2, q.source).bind(3, q.source_key);
  YICI_TRY(const bool found, sel->step());
  const std::int64_t id = found ? sel->column_int(0) : 0;
  const bool unchanged = found && (sel->column_text(1) == "withdrawn" || sel->column_text(1) == q.status);
  std::string fields = found ? std::string(sel->column_text(2)) : std::string();
  sel->reset();
  if (!found || unchanged) return false;
  // The stored fields say the status too (a matter's conditions read it there): both agree.
  boost::system::error_code ec;
  auto parsed = boost::json::parse(fields, ec);
  if (ec || !parsed.is_object()) {
    return Error::corruption("record " + q.source + "/" + q.source_key + ": stored fields are not a JSON object");
  }
  parsed.as_object()[q.status_field] = q.status;
  fields = boost::json::serialize(parsed);
  YICI_TRY(Statement * arch, w.cached(kArchive));
  arch->bind(1, id).bind(2, q.seen_at).bind(3, fields);
  YICI_TRY_STATUS(arch->run());
  YICI_TRY(Statement * upd, w.cached(kSetStatus));
  upd->bind(1, id).bind(2, sha256_hex(fields)).bind(3, q.status).bind(4, fields);
  YICI_TRY_STATUS(upd->run());
  return true;
}

Result<UpsertCounts> SqliteRecordStore::commit_batch(const BatchCommit& batch) {
  return db_->with_writer([&](Connection& w) -> Result<UpsertCounts> {
    UpsertCounts counts;
    YICI_TRY(auto tx, Transaction::begin(w));
    // A row that now passes leaves the quarantine; most sources have nothing there, so ask once
    // per batch rather than delete by key for every row.
    YICI_TRY(Statement * has, w.cached(kHasQuarantine));
    has->bind(1, batch.source);
    YICI_TRY(const bool row, has->step());
    bool any_quarantined = row && has->column_int(0) != 0;
    has->reset();
    std::optional<std::int64_t> first_id;
    if (!batch.records.empty()) {
      YICI_TRY(first_id, pull_first_id(w, batch.source, batch.records.front().pulled_at));
    }
    // Records and quarantined rows in the order they were read: a key read twice in one batch
    // (a licence revoked in a newer export file) ends as its later row says.
    const std::span<const Record> records(batch.records);
    std::size_t upserted = 0;
    const auto upsert_until = [&](std::size_t end) -> Status {
      end = std::min(end, records.size());
      if (end <= upserted) return {};
      YICI_TRY_STATUS(upsert_in(w, records.subspan(upserted, end - upserted), counts, any_quarantined, first_id));
      upserted = end;
      return {};
    };
    for (const QuarantinedRow& q : batch.quarantined) {
      YICI_TRY_STATUS(upsert_until(q.records_before));
      YICI_TRY(Statement * st, w.cached(kQuarantine));
      st->bind(1, q.dataset).bind(2, q.source).bind(3, q.source_key).bind(4, q.row_json).bind(5, q.errors_json);
      st->bind(6, q.seen_at).bind(7, q.place);
      YICI_TRY_STATUS(st->run());
      ++counts.quarantined;
      any_quarantined = true;  // a later row of the batch that passes takes it out again
      if (q.withdraws) {
        YICI_TRY(const bool withdrew, withdraw_key(w, q));
        if (withdrew) ++counts.withdrawn;
      } else if (!q.status.empty()) {
        YICI_TRY(const bool set, set_status_key(w, q));
        if (set) ++counts.status_set;
      }
    }
    YICI_TRY_STATUS(upsert_until(records.size()));
    if (batch.cursor) {
      YICI_TRY(Statement * st, w.cached(kSaveCursor));
      st->bind(1, batch.source).bind(2, *batch.cursor);
      YICI_TRY_STATUS(st->run());
    }
    if (batch.progress) {
      YICI_TRY(Statement * st, w.cached(kSaveProgress));
      st->bind(1, batch.source).bind(2, batch.progress->resume_after);
      if (batch.progress->cursor) {
        st->bind(3, *batch.progress->cursor);
      } else {
        st->bind_null(3);
      }
      YICI_TRY_STATUS(st->run());
    }
    if (batch.quarantine_unseen_before && any_quarantined) {
      YICI_TRY(Statement * st, w.cached(kDropUnseenQuarantine));
      st->bind(1, batch.source).bind(2, *batch.quarantine_unseen_before);
      YICI_TRY_STATUS(st->run());
    }
    if (batch.clear_progress) {
      YICI_TRY(Statement * st, w.cached(kClearProgress));
      st->bind(1, batch.source);
      YICI_TRY_STATUS(st->run());
    }
    if (!batch.department.empty()) {
      YICI_TRY(Statement * st, w.cached(kSaveDepartment));
      st->bind(1, batch.source).bind(2, batch.department);
      YICI_TRY_STATUS(st->run());
    }
    YICI_TRY_STATUS(tx.commit());
    return counts;
  });
}

Result<std::optional<std::string>> SqliteRecordStore::load_cursor(std::string_view source) {
  return text_by_source(*db_, kLoadCursor, source);
}

Result<std::optional<PullProgress>> SqliteRecordStore::load_progress(std::string_view source) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * st, conn->cached(kLoadProgress));
  st->bind(1, source);
  YICI_TRY(bool row, st->step());
  std::optional<PullProgress> out;
  if (row) {
    out.emplace();
    out->resume_after = st->column_text(0);
    if (!st->column_is_null(1)) out->cursor = std::string(st->column_text(1));
  }
  st->reset();
  return out;
}

Result<std::optional<std::string>> SqliteRecordStore::source_department(std::string_view source) {
  return text_by_source(*db_, kLoadDepartment, source);
}

Result<std::map<std::string, std::int64_t>> SqliteRecordStore::count_by_status(std::string_view dataset,
                                                                               std::string_view source) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * st, conn->cached("SELECT status, count(*) FROM records WHERE dataset = ?1 AND source = ?2 "
                                        "GROUP BY status"));
  st->bind(1, dataset).bind(2, source);
  std::map<std::string, std::int64_t> out;
  YICI_TRY_STATUS(st->each_row([&] { out[std::string(st->column_text(0))] = st->column_int(1); }));
  return out;
}

Status SqliteRecordStore::clear_cursor(std::string_view source) {
  return db_->with_writer([&](Connection& w) -> Status {
    YICI_TRY(auto tx, Transaction::begin(w));
    for (const char* sql : {"DELETE FROM source_cursors WHERE source = ?1", kClearProgress}) {
      YICI_TRY(auto st, w.prepare(sql));
      st.bind(1, source);
      YICI_TRY_STATUS(st.run());
    }
    return tx.commit();
  });
}

Status SqliteRecordStore::record_pull_run(const PullRun& run) {
  return db_->with_writer([&](Connection& w) -> Status {
    YICI_TRY(auto tx, Transaction::begin(w));
    YICI_TRY(Statement * st, w.cached(kInsertRun));
    st->bind(1, run.source).bind(2, run.started_at).bind(3, run.finished_at).bind(4, run.mode);
    st->bind(5, run.rows_read).bind(6, run.counts.inserted).bind(7, run.counts.updated).bind(8, run.counts.unchanged);
    st->bind(9, run.counts.quarantined).bind(10, run.duration_ms).bind(11, run.error);
    std::string warnings;
    for (const auto& w : run.warnings) {
      if (!warnings.empty()) warnings += '\n';
      for (char c : w) warnings += c == '\n' ? ' ' : c;  // one line each
    }
    st->bind(12, run.counts.duplicates).bind(13, warnings);
    YICI_TRY_STATUS(st->run());
    // The history would otherwise grow by every pull for ever (525,600 rows a year per source
    // pulled every minute). One walk of the source's part of the index, newest first.
    YICI_TRY(Statement * prune, w.cached("DELETE FROM pull_runs WHERE source = ?1 AND id <= (SELECT id FROM pull_runs "
                                         "WHERE source = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)"));
    prune->bind(1, run.source).bind(2, options_.pull_runs_kept);
    YICI_TRY_STATUS(prune->run());
    return tx.commit();
  });
}

Result<std::vector<PullRun>> SqliteRecordStore::recent_pull_runs(std::string_view source, int limit) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * st, conn->cached(kRecentRuns));
  st->bind(1, source).bind(2, static_cast<std::int64_t>(limit));
  std::vector<PullRun> out;
  YICI_TRY_STATUS(st->each_row([&] {
    PullRun r;
    r.source = st->column_text(0);
    r.started_at = st->column_text(1);
    r.finished_at = st->column_text(2);
    r.mode = st->column_text(3);
    r.rows_read = st->column_int(4);
    r.counts.inserted = st->column_int(5);
    r.counts.updated = st->column_int(6);
    r.counts.unchanged = st->column_int(7);
    r.counts.quarantined = st->column_int(8);
    r.duration_ms = st->column_int(9);
    r.error = st->column_text(10);
    r.counts.duplicates = st->column_int(11);
    const std::string_view warnings = st->column_text(12);
    for (std::size_t at = 0; at < warnings.size();) {
      const std::size_t end = std::min(warnings.find('\n', at), warnings.size());
      r.warnings.emplace_back(warnings.substr(at, end - at));
      at = end + 1;
    }
    out.push_back(std::move(r));
  }));
  return out;
}

Result<std::int64_t> SqliteRecordStore::quarantine_count(std::string_view source) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * st, conn->cached(kQuarantineCount));
  st->bind(1, source);
  YICI_TRY(bool row, st->step());
  const std::int64_t n = row ? st->column_int(0) : 0;
  st->reset();
  return n;
}

Result<std::vector<QuarantineReason>> SqliteRecordStore::quarantine_reasons(std::string_view source, int limit) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * st, conn->cached(kQuarantineReasons));
  st->bind(1, source).bind(2, static_cast<std::int64_t>(limit));
  std::vector<QuarantineReason> out;
  YICI_TRY_STATUS(st->each_row([&] {
    out.push_back({std::string(st->column_text(0)), std::string(st->column_text(1)), st->column_int(2)});
  }));
  return out;
}

Result<std::vector<QuarantineEntry>> SqliteRecordStore::list_quarantine(std::string_view source, std::int64_t after_id,
                                                                        int limit) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * st, conn->cached(kQuarantineList));
  st->bind(1, source).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
  std::vector<QuarantineEntry> out;
  YICI_TRY_STATUS(st->each_row([&] {
    out.push_back({st->column_int(0), std::string(st->column_text(1)), std::string(st->column_text(2)),
                   std::string(st->column_text(3)), std::string(st->column_text(4)), std::string(st->column_text(5)),
                   std::string(st->column_text(6))});
  }));
  return out;
}

Result<std::vector<Record>> SqliteRecordStore::find_by_subject(std::string_view dataset, std::string_view subject) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * stmt, conn->cached(kFind));
  stmt->bind(1, dataset).bind(2, subject);
  std::vector<std::pair<std::int64_t, Record>> found;
  YICI_TRY_STATUS(stmt->each_row([&] {
    Record r;
    r.dataset = stmt->column_text(0);
    r.subject = stmt->column_text(1);
    r.source = stmt->column_text(2);
    r.source_key = stmt->column_text(3);
    r.version = stmt->column_int(4);
    r.content_hash = stmt->column_text(5);
    r.pulled_at = stmt->column_text(6);
    r.status = stmt->column_text(7);
    r.fields_json = stmt->column_text(8);
    found.emplace_back(stmt->column_int(9), std::move(r));
  }));
  // Newest pull first; among records pulled at the same instant, the one stored last.
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(b.second.pulled_at, b.first) < std::tie(a.second.pulled_at, a.first);
  });
  std::vector<Record> out;
  out.reserve(found.size());
  for (auto& [id, record] : found) out.push_back(std::move(record));
  return out;
}

Result<std::vector<EarlierVersion>> SqliteRecordStore::earlier_versions(const Record& record, std::int64_t below,
                                                                        HistoryRead read) {
  std::vector<EarlierVersion> out;
  if (below <= 1) return out;
  const bool with_fields = read == HistoryRead::kFields;
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * stmt, conn->cached(with_fields ? kEarlierVersions : kEarlierChanges));
  stmt->bind(1, record.dataset).bind(2, record.source).bind(3, record.source_key).bind(4, below);
  YICI_TRY_STATUS(stmt->each_row([&] {
    EarlierVersion& v = out.emplace_back();
    v.version = stmt->column_int(0);
    v.status = stmt->column_text(1);
    if (!stmt->column_is_null(2)) v.changed = std::string(stmt->column_text(2));
    if (with_fields) v.fields_json = stmt->column_text(3);
  }));
  return out;
}

Result<std::int64_t> SqliteRecordStore::count(std::string_view dataset) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * stmt, conn->cached(kCount));
  stmt->bind(1, dataset);
  YICI_TRY(bool row, stmt->step());
  const std::int64_t n = row ? stmt->column_int(0) : 0;
  stmt->reset();
  return n;
}

Result<std::int64_t> SqliteRecordStore::withdraw_missing(
    std::string_view source, const std::function<Result<std::optional<std::string>>()>& next_key,
    const WithdrawCheck& check) {
  // temp.present_keys lives on the writer connection: one key list at a time.
  std::lock_guard withdrawing(withdraw_mutex_);
  YICI_TRY_STATUS(db_->with_writer([](Connection& w) -> Status {
    YICI_TRY_STATUS(w.exec("CREATE TEMP TABLE IF NOT EXISTS present_keys (k TEXT PRIMARY KEY) WITHOUT ROWID"));
    return w.exec("DELETE FROM temp.present_keys");
  }));
  auto result = withdraw_vanished(source, next_key, check);
  // Leave no key list behind, after an error too (the next call clears it anyway).
  (void)db_->with_writer([](Connection& w) -> Status { return w.exec("DELETE FROM temp.present_keys"); });
  return result;
}

Result<std::int64_t> SqliteRecordStore::withdraw_vanished(
    std::string_view source, const std::function<Result<std::optional<std::string>>()>& next_key,
    const WithdrawCheck& check) {
  const auto batch = static_cast<std::size_t>(options_.withdraw_batch);
  // The whole key list first, so that a source that fails to list its keys withdraws nothing. The
  // source is read outside the writer lock (a remote source's keys can take minutes to list), and
  // the keys go in chunks to the temporary table, which does not touch records.db or its log.
  auto list_keys = [&]() -> Status {
    std::vector<std::string> keys;
    keys.reserve(batch);
    for (bool more = true; more;) {
      keys.clear();
      while (keys.size() < batch) {
        YICI_TRY(auto key, next_key());
        if (!key) {
          more = false;
          break;
        }
        keys.push_back(std::move(*key));
      }
      YICI_TRY_STATUS(db_->with_writer([&](Connection& w) -> Status {
        YICI_TRY(auto tx, Transaction::begin(w));
        for (const std::string& key : keys) {
          YICI_TRY(Statement * ins, w.cached("INSERT OR IGNORE INTO temp.present_keys (k) VALUES (?1)"));
          ins->bind(1, key);
          YICI_TRY_STATUS(ins->run());
        }
        return tx.commit();
      }));
    }
    return {};
  };
  YICI_TRY_STATUS(list_keys());
  // Then the vanished records, a transaction per batch in key order: the other sources' pulls
  // commit between batches, and the write-ahead log holds one batch's pages, not the whole
  // source's (one transaction withdrawing 200,000 records grew it to 160 MB). A failure leaves the
  // batches before it withdrawn; calling again finishes the job.
  YICI_TRY(const auto datasets, db_->with_writer([](Connection& w) { return datasets_held(w); }));
  for (bool decided = !check; !decided;) {
    std::int64_t vanishing = 0;
    std::int64_t current = 0;
    YICI_TRY_STATUS(db_->with_writer([&](Connection& w) -> Status {
      for (const std::string& dataset : datasets) {
        YICI_TRY(Statement * count, w.cached(kCountVanishing));
        count->bind(1, dataset).bind(2, source);
        YICI_TRY(const bool row, count->step());
        if (row) {
          current += count->column_int(0);
          vanishing += count->column_int(1);
        }
        count->reset();
      }
      return Status{};
    }));
    YICI_TRY(const WithdrawDecision decision, check(vanishing, current));
    decided = decision == WithdrawDecision::kWithdraw;
    if (!decided) YICI_TRY_STATUS(list_keys());  // a second listing: its keys join the first's
  }
  std::int64_t withdrawn = 0;
  const std::string replaced_at = format_rfc3339_micros(now_utc());
  for (const std::string& dataset : datasets) {
    std::string from;  // below every key
    while (true) {
      YICI_TRY(const std::size_t n, db_->with_writer([&](Connection& w) -> Result<std::size_t> {
        YICI_TRY(auto tx, Transaction::begin(w));
        YICI_TRY(Statement * sel, w.cached(kVanishedBatch));
        sel->bind(1, dataset).bind(2, source).bind(3, from).bind(4, static_cast<std::int64_t>(batch));
        std::vector<std::int64_t> ids;
        std::string last;
        YICI_TRY_STATUS(sel->each_row([&] {
          ids.push_back(sel->column_int(0));
          last = sel->column_text(1);
        }));
        for (const std::int64_t id : ids) {
          YICI_TRY(Statement * arch, w.cached(kArchive));
          arch->bind(1, id).bind(2, replaced_at).bind_null(3);
          YICI_TRY_STATUS(arch->run());
          YICI_TRY(Statement * upd, w.cached(kWithdraw));
          upd->bind(1, id);
          YICI_TRY_STATUS(upd->run());
        }
        YICI_TRY_STATUS(tx.commit());
        if (!ids.empty()) from = std::move(last);
        return ids.size();
      }));
      withdrawn += static_cast<std::int64_t>(n);
      if (n < batch) break;
    }
  }
  YICI_TRY_STATUS(db_->with_writer([&](Connection& w) -> Status {
    YICI_TRY(Statement * q, w.cached("DELETE FROM quarantine WHERE source = ?1 AND source_key NOT IN "
                                     "(SELECT k FROM temp.present_keys)"));
    q->bind(1, source);
    return q->run();
  }));
  return withdrawn;
}

}  // namespace yici::store::sqlite
