// RecordStore on a SQLite file (records.db under data_dir).
#pragma once

#include <memory>
#include <string>

#include "hub/store/record_store.h"
#include "hub/store/sqlite/database.h"

namespace yici::store::sqlite {

class SqliteRecordStore final : public RecordStore {
 public:
  static Result<std::unique_ptr<SqliteRecordStore>> open(const std::string& path);

  Result<UpsertCounts> upsert(std::span<const Record> records) override;
  Result<std::vector<Record>> find_by_subject(std::string_view dataset, std::string_view subject) override;
  Result<std::int64_t> count(std::string_view dataset) override;

  [[nodiscard]] Database& database() { return *db_; }

 private:
  explicit SqliteRecordStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  std::unique_ptr<Database> db_;
};

}  // namespace yici::store::sqlite
