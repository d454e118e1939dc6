#include "hub/store/sqlite/sqlite_record_store.h"

#include "hub/core/sha256.h"

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
};

constexpr const char* kSelectExisting =
    "SELECT id, version, content_hash, status FROM records WHERE dataset = ?1 AND source = ?2 AND source_key = ?3";
constexpr const char* kInsert =
    "INSERT INTO records (dataset, subject, source, source_key, version, content_hash, pulled_at, status, fields) "
    "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8)";
constexpr const char* kArchive =
    "INSERT INTO record_history (record_id, version, content_hash, pulled_at, status, fields) "
    "SELECT id, version, content_hash, pulled_at, status, fields FROM records WHERE id = ?1";
constexpr const char* kUpdate =
    "UPDATE records SET subject = ?2, version = version + 1, content_hash = ?3, pulled_at = ?4, status = ?5, "
    "fields = ?6 WHERE id = ?1";
constexpr const char* kTouch = "UPDATE records SET pulled_at = ?2 WHERE id = ?1";
constexpr const char* kFind =
    "SELECT dataset, subject, source, source_key, version, content_hash, pulled_at, status, fields FROM records "
    "WHERE dataset = ?1 AND subject = ?2 ORDER BY pulled_at DESC, id DESC";
constexpr const char* kCount = "SELECT count(*) FROM records WHERE dataset = ?1";

}  // namespace

Result<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::open(const std::string& path) {
  YICI_TRY(auto db, Database::open(path, kRecordMigrations));
  return std::unique_ptr<SqliteRecordStore>(new SqliteRecordStore(std::move(db)));
}

Result<UpsertCounts> SqliteRecordStore::upsert(std::span<const Record> records) {
  return db_->with_writer([&](Connection& w) -> Result<UpsertCounts> {
    UpsertCounts counts;
    YICI_TRY(auto tx, Transaction::begin(w));
    for (const Record& r : records) {
      const std::string hash = r.content_hash.empty() ? sha256_hex(r.fields_json) : r.content_hash;
      YICI_TRY(Statement * sel, w.cached(kSelectExisting));
      sel->bind(1, r.dataset).bind(2, r.source).bind(3, r.source_key);
      YICI_TRY(bool found, sel->step());
      if (!found) {
        YICI_TRY(Statement * ins, w.cached(kInsert));
        ins->bind(1, r.dataset).bind(2, r.subject).bind(3, r.source).bind(4, r.source_key).bind(5, hash);
        ins->bind(6, r.pulled_at).bind(7, r.status).bind(8, r.fields_json);
        YICI_TRY_STATUS(ins->run());
        ++counts.inserted;
        continue;
      }
      const std::int64_t id = sel->column_int(0);
      const bool same = sel->column_text(2) == hash && sel->column_text(3) == r.status;
      sel->reset();
      if (same) {
        YICI_TRY(Statement * touch, w.cached(kTouch));
        touch->bind(1, id).bind(2, r.pulled_at);
        YICI_TRY_STATUS(touch->run());
        ++counts.unchanged;
        continue;
      }
      YICI_TRY(Statement * arch, w.cached(kArchive));
      arch->bind(1, id);
      YICI_TRY_STATUS(arch->run());
      YICI_TRY(Statement * upd, w.cached(kUpdate));
      upd->bind(1, id).bind(2, r.subject).bind(3, hash).bind(4, r.pulled_at).bind(5, r.status).bind(6, r.fields_json);
      YICI_TRY_STATUS(upd->run());
      ++counts.updated;
    }
    YICI_TRY_STATUS(tx.commit());
    return counts;
  });
}

Result<std::vector<Record>> SqliteRecordStore::find_by_subject(std::string_view dataset, std::string_view subject) {
  YICI_TRY(Connection * conn, db_->reader());
  YICI_TRY(Statement * stmt, conn->cached(kFind));
  stmt->bind(1, dataset).bind(2, subject);
  std::vector<Record> out;
  while (true) {
    YICI_TRY(bool row, stmt->step());
    if (!row) break;
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
    out.push_back(std::move(r));
  }
  stmt->reset();
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

}  // namespace yici::store::sqlite
