// Sources registered through the admin API, kept in meta.db so they survive a restart: the
// current definition of each (as posted, YAML or JSON text), whether it is enabled, and every
// change ever made (created, updated, enabled, disabled, deleted) with who made it, so previous
// definitions stay readable after an update or a retirement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/core/result.h"
#include "hub/store/sqlite/database.h"

namespace yici::store {

// meta.db migration 2 (after hub_info).
extern const char* const kSourceCatalogMigration;
// meta.db migration 3: retirements begun and not yet finished.
extern const char* const kSourceRetirementMigration;

// A retirement begun (DELETE /v1/admin/sources/{id}) and not finished: the hub was killed while
// it withdrew the records. The next start finishes it.
struct Retirement {
  bool keep_records = false;
  std::string requested_at;
  std::string requested_by;
  std::string request_id;
};

struct StoredSource {
  std::string id;
  std::int64_t version = 0;
  bool enabled = true;
  std::string definition;  // the text as posted
  std::string updated_at;
  std::string updated_by;
  std::optional<Retirement> retiring;
};

struct SourceChange {
  std::int64_t seq = 0;
  std::string id;
  std::int64_t version = 0;
  std::string action;                     // created | updated | enabled | disabled | deleted
  std::optional<std::string> definition;  // created, updated
  std::string changed_at;
  std::string changed_by;
  std::string request_id;
};

struct ChangeBy {
  std::string principal;
  std::string request_id;
};

class SourceCatalog {
 public:
  explicit SourceCatalog(sqlite::Database& meta) : db_(meta) {}

  Result<std::vector<StoredSource>> load_all();
  // New source: version = 1 + the highest version this id ever had. kAlreadyExists if present.
  Result<StoredSource> create(const std::string& id, const std::string& definition, bool enabled, const ChangeBy& by);
  // New definition: version + 1. kNotFound if absent.
  Result<StoredSource> update(const std::string& id, const std::string& definition, const ChangeBy& by);
  Result<StoredSource> set_enabled(const std::string& id, bool enabled, const ChangeBy& by);
  // Records that the source is being retired, before its records are withdrawn; remove() (the
  // end of the retirement) or cancel_retirement() (it failed) clears it.
  Status begin_retirement(const std::string& id, bool keep_records, const ChangeBy& by);
  Status cancel_retirement(const std::string& id);
  Status remove(const std::string& id, const ChangeBy& by);
  // Every change of one id, oldest first.
  Result<std::vector<SourceChange>> history(const std::string& id);

 private:
  sqlite::Database& db_;
};

}  // namespace yici::store
