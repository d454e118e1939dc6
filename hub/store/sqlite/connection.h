// A SQLite connection and prepared statements, RAII, with errors as values.
//
// Thread safety: a Connection is used by one thread at a time. Database (database.h) hands out
// one writer and per-thread readers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hub/core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace yici::store::sqlite {

// How long a statement waits for another connection's lock on the file before it fails (BUSY).
inline constexpr int kBusyTimeoutMs = 5000;

class Statement {
 public:
  enum class Type { kInteger, kReal, kText, kBlob, kNull };

  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text is bound without copying: it must outlive step().
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // true: a row is available; false: done.
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Status run();
  // Calls on_row() with each row current, then resets (clearing the parameters, whose text points
  // at the caller's memory), after an error too.
  template <typename OnRow>
  Status each_row(OnRow&& on_row) {
    while (true) {
      auto row = step();
      if (!row.ok()) {
        reset();
        return row.take_error();
      }
      if (!*row) break;
      on_row();
    }
    reset();
    return {};
  }
  void reset();  // clears bindings too

  [[nodiscard]] std::int64_t column_int(int index) const;
  [[nodiscard]] std::string_view column_text(int index) const;  // valid until the next step/reset
  [[nodiscard]] std::string_view column_blob(int index) const;  // valid until the next step/reset
  [[nodiscard]] bool column_is_null(int index) const;
  // The value's storage class. Ask before column_text(): a conversion makes it undefined.
  [[nodiscard]] Type column_type(int index) const;
  [[nodiscard]] int column_count() const;
  [[nodiscard]] std::string column_name(int index) const;
  [[nodiscard]] std::string column_decltype(int index) const;  // "" for expressions

 private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating if kReadWrite) with WAL, foreign keys and a busy timeout.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result<Statement> prepare(std::string_view sql);
  // Multiple statements, no parameters (migrations, pragmas).
  Status exec(std::string_view sql);

  // Prepared once per connection and reused; `sql` must be a string literal or otherwise stable.
  Result<Statement*> cached(const char* sql);

  Status begin_immediate();
  Status commit();
  void rollback() noexcept;

  [[nodiscard]] std::int64_t last_insert_rowid() const;
  [[nodiscard]] int changes() const;
  [[nodiscard]] std::string last_error() const;
  [[nodiscard]] sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db);
  sqlite3* db_ = nullptr;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

// Rolls back unless commit() was called.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

}  // namespace yici::store::sqlite
