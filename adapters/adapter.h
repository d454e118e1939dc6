// The source adapter interface. An adapter reads rows from one department database or export in
// that department's own column names; it knows nothing about schemas (the normaliser maps and
// checks columns) and nothing about the store (the pull engine writes). Adapters stream: memory
// stays flat whatever the size of the source.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/file_confinement.h"
#include "hub/core/result.h"

namespace yici::adapters {

struct ColumnInfo {
  std::string name;
  std::string type;  // as the source declares it ("TEXT", "timestamp without time zone", ...); may be empty
};

// What to read. Columns are the source's own names, validated by the adapter's config parser and
// the pull engine before they get here.
struct ReadRequest {
  std::vector<std::string> columns;      // columns to return, in this order (primary key columns included)
  std::vector<std::string> primary_key;  // the row's identity in the source; each also in `columns`
  // Incremental mode: only rows whose cursor column is >= cursor_from, ordered by cursor then key.
  // Full mode: cursor_column empty; all rows, ordered by key.
  std::string cursor_column;
  std::optional<std::string> cursor_from;
  // Full mode, resuming an interrupted read: only rows whose key sorts after this position, a
  // token that RowReader::resume_token() returned. Only for adapters that resumes_by_key().
  std::optional<std::string> resume_after;
  // A bound on each statement a database source runs for this read, enforced by the database
  // (PostgreSQL's statement_timeout): an administrator's probe that gives up waiting must not leave
  // its query running on the department's server. nullopt: no bound (pulls may sort for long).
  std::optional<std::chrono::milliseconds> statement_timeout;
};

// One source row: values aligned with ReadRequest::columns; nullopt is SQL NULL / empty cell.
struct Row {
  std::vector<std::optional<std::string>> values;
  std::string key;  // canonical primary key text (see make_row_key)
  // Non-empty: the source row could not be split into its columns (a CSV line with more or fewer
  // fields than its header). The pull quarantines it (code `bad_row`) with this text, which names
  // where it is, under `key`, a name for that place rather than a primary key; `values` hold what
  // could be placed, for the department to see. Such a row never moves a cursor.
  std::string defect;
  // Where the row is, for sources with places (CSV: the file's name and the line the row starts
  // on): shown with the row if it is quarantined. Valid until the next call of next().
  std::string_view file;
  long line = 0;
};

class RowReader {
 public:
  virtual ~RowReader() = default;
  // Fills `row` and returns true, or returns false at the end. An error ends the read.
  virtual Result<bool> next(Row& row) = 0;
  // Where a full read stands after the row next() returned last: a token that
  // ReadRequest::resume_after accepts, so the read can go on after a crash from the row after it.
  // nullopt when this row cannot be a resume point (a key part is NULL, or of a type the adapter
  // does not compare, such as a REAL or a BLOB) or the adapter does not resume.
  [[nodiscard]] virtual std::optional<std::string> resume_token() const { return std::nullopt; }
  // After the last row: why this read may have missed rows because the listing changed while it
  // was read page by page (a service's count of its records changed, or fewer rows came than it
  // counted), or nullopt. Only adapters whose listing_is_snapshot() is false can tell.
  [[nodiscard]] virtual std::optional<std::string> listing_moved() const { return std::nullopt; }
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual Result<std::unique_ptr<RowReader>> read(const ReadRequest& request) = 0;
  // Columns and declared types, for administrators and for checking mappings.
  virtual Result<std::vector<ColumnInfo>> describe() = 0;
  // true when incremental reads return rows in ascending cursor order (SQL sources), so a cursor
  // may be committed with every batch. Otherwise the pull job commits it only after the last row.
  [[nodiscard]] virtual bool ordered_by_cursor() const { return true; }
  // true when full reads return rows in ascending key order and can resume after a token (SQL
  // sources). A full pull then reads in key order, which writes the store's key indexes in order
  // (a 1M-row pull: about 6 times faster than in cursor order), and commits its position with
  // every batch.
  [[nodiscard]] virtual bool resumes_by_key() const { return false; }
  // true when one read sees the source as it was at one moment (a database snapshot, a file, one
  // response). false for a listing read in pages by offset or page number while the service goes
  // on changing: a record that changes or goes during the read moves the ones behind it up a
  // place, and one of them slips past a page boundary unread. The pull job then saves the cursor
  // only when the read shows no sign of that, and key reconciliation withdraws only keys missing
  // from two listings.
  [[nodiscard]] virtual bool listing_is_snapshot() const { return true; }
  // What describe() looked at, for messages: "table rk_jbxx", "the query's result", ...
  [[nodiscard]] virtual std::string describe_target() const { return "the source"; }
  // Every file or directory on the hub's machine this adapter reads, as configured (its database
  // or exports, CA and client certificates, password and token files): sources registered through
  // the admin API may only name files inside the directories hub.yaml allows.
  [[nodiscard]] virtual std::vector<std::string> local_files() const { return {}; }
  // Every environment variable this adapter reads (a password_env): sources registered through
  // the admin API may only name those hub.yaml allows.
  [[nodiscard]] virtual std::vector<std::string> environment() const { return {}; }

  // Whether `name` can name a column of this source (mapping, key, cursor and status columns). SQL
  // sources: a plain identifier, as it goes into SQL quoted but unescaped (a Chinese column name is
  // aliased in a query); the error says what the name must be.
  [[nodiscard]] virtual Status check_column_name(std::string_view name) const;

  // Confines every file this adapter opens from now on (FileConfinement::within, for sources
  // registered through the admin API). Call before the first read.
  void confine_files(FileConfinement files) { files_ = std::move(files); }

 protected:
  [[nodiscard]] const FileConfinement& files() const { return files_; }

 private:
  FileConfinement files_ = FileConfinement::none();
};

// A column name of a source whose columns are not SQL (a CSV header, a JSON member): any
// printable UTF-8 text of at most 256 bytes, "公民身份号码" as well as "sfzh".
Status check_text_column_name(std::string_view name);

// The primary key as one string: a single column's value as is; several joined with U+001F (unit
// separator), which does not occur in department data. NULL key parts are an error (caller's check).
std::string make_row_key(const std::vector<std::optional<std::string>>& values, const std::vector<int>& key_indices);

}  // namespace yici::adapters
