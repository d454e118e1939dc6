// The sources the hub knows, whoever manages them: files in sources_dir (read at start) or the
// admin API (kept in meta.db, see store/source_catalog.h). Entries are immutable snapshots
// shared with running pulls and handlers; a change replaces the snapshot. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hub/ingest/source_definition.h"

namespace yici::ingest {

enum class ManagedBy { kFile, kApi };
std::string_view managed_by_name(ManagedBy m);

struct RegisteredSource {
  SourceDefinition definition;  // for a broken API source only id (and what parsed) is set
  ManagedBy managed_by = ManagedBy::kFile;
  std::int64_t version = 0;     // API sources: the catalog version; file sources: 0
  std::string definition_text;  // API sources: the definition as posted (holds references, never secrets)
  std::string updated_at;
  std::string updated_by;
  std::string problem;  // non-empty: the stored definition no longer loads; the source is not scheduled
  // Set to stop a running pull of this source after its current batch (retire, update, shutdown).
  // Shared by the snapshots of one source; a new definition gets a new flag.
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);

  [[nodiscard]] bool schedulable() const { return problem.empty() && definition.enabled; }
};

class SourceRegistry {
 public:
  // Every source, in id order.
  [[nodiscard]] std::vector<std::shared_ptr<const RegisteredSource>> list() const;
  [[nodiscard]] std::shared_ptr<const RegisteredSource> find(std::string_view id) const;
  // Inserts or replaces by definition.id.
  void put(std::shared_ptr<const RegisteredSource> source);
  void erase(std::string_view id);
  // Asks every running pull to stop after its current batch (shutdown).
  void cancel_all() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const RegisteredSource>, std::less<>> by_id_;
};

}  // namespace yici::ingest
