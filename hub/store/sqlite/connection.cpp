#include "hub/store/sqlite/connection.h"

#include <unordered_map>

#include <sqlite3.h>

namespace yici::store::sqlite {

struct Connection::Cache {
  std::unordered_map<const char*, Statement> statements;
};

Statement::Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) { other.stmt_ = nullptr; }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = std::string("sqlite: ") + sqlite3_errmsg(db_);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Error::unavailable(message);
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) return Error::corruption(message);
  return Error::io(message);
}

Status Statement::run() {
  while (true) {
    YICI_TRY(bool row, step());
    if (!row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

// Through the column's sqlite3_value: one statement-level call per column instead of two (each
// sqlite3_column_* call re-finds the column and checks for an allocation failure). The value is
// "unprotected", which matters only to threads sharing a connection: a Statement is used by one
// thread at a time, and the connection is opened SQLITE_OPEN_NOMUTEX.
std::string_view Statement::column_text(int index) const {
  sqlite3_value* value = sqlite3_column_value(stmt_, index);
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_value_bytes(value))};
}

std::string_view Statement::column_blob(int index) const {
  sqlite3_value* value = sqlite3_column_value(stmt_, index);
  const auto* data = static_cast<const char*>(sqlite3_value_blob(value));
  if (data == nullptr) return {};
  return {data, static_cast<std::size_t>(sqlite3_value_bytes(value))};
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

Statement::Type Statement::column_type(int index) const {
  switch (sqlite3_column_type(stmt_, index)) {
    case SQLITE_INTEGER:
      return Type::kInteger;
    case SQLITE_FLOAT:
      return Type::kReal;
    case SQLITE_TEXT:
      return Type::kText;
    case SQLITE_BLOB:
      return Type::kBlob;
    default:
      return Type::kNull;
  }
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

std::string Statement::column_name(int index) const {
  const char* name = sqlite3_column_name(stmt_, index);
  return name ? name : "";
}

std::string Statement::column_decltype(int index) const {
  const char* type = sqlite3_column_decltype(stmt_, index);
  return type ? type : "";
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, Mode mode) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = path + ": cannot open SQLite database: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Error::io(message);
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // Never read a double-quoted unknown identifier as a string literal: a mistyped column must be an
  // error, not a column full of its own name.
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  sqlite3_extended_result_codes(db, 1);
  if (mode == Mode::kReadWrite) {
    // synchronous=FULL: a committed transaction survives power loss (audit and cursors depend on it).
    // The writer gets a 32 MiB page cache: upserts into million-row key indexes otherwise re-read the
    // same interior pages from the OS on every batch (the default cache is 2 MiB). Readers, one per
    // handler thread, keep the default.
    auto st = conn->exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;");
    if (!st.ok()) return Error::io(path + ": " + st.error().message);
  } else {
    auto st = conn->exec("PRAGMA foreign_keys=ON;");
    if (!st.ok()) return Error::io(path + ": " + st.error().message);
  }
  return conn;
}

Connection::Connection(sqlite3* db) : db_(db), cache_(std::make_unique<Cache>()) {}

Connection::~Connection() {
  cache_.reset();  // finalize statements before closing
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error::internal(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
  return Statement(stmt, db_);
}

Result<Statement*> Connection::cached(const char* sql) {
  auto it = cache_->statements.find(sql);
  if (it != cache_->statements.end()) {
    it->second.reset();
    return &it->second;
  }
  YICI_TRY(auto stmt, prepare(sql));
  auto [pos, inserted] = cache_->statements.emplace(sql, std::move(stmt));
  return &pos->second;
}

Status Connection::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string copy(sql);
  const int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = std::string("sqlite: ") + (err ? err : sqlite3_errmsg(db_));
    sqlite3_free(err);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return Error::unavailable(message);
    return Error::io(message);
  }
  return {};
}

Status Connection::begin_immediate() { return exec("BEGIN IMMEDIATE"); }
Status Connection::commit() { return exec("COMMIT"); }
void Connection::rollback() noexcept {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }
std::string Connection::last_error() const { return sqlite3_errmsg(db_); }

Result<Transaction> Transaction::begin(Connection& conn) {
  YICI_TRY_STATUS(conn.begin_immediate());
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr) conn_->rollback();
}

Status Transaction::commit() {
  if (conn_ == nullptr) return Error::internal("transaction already finished");
  auto st = conn_->commit();
  if (!st.ok()) {
    conn_->rollback();
    conn_ = nullptr;
    return st;
  }
  conn_ = nullptr;
  return {};
}

}  // namespace yici::store::sqlite
