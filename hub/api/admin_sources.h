// GET /v1/admin/sources[/{id}][/versions]: what an administrator needs to see about each source:
// who manages it (file or API, with version), its definition (secrets only as references),
// health and next run, recent pulls, reject rate, records held and rows in quarantine.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/api/http.h"
#include "hub/ingest/scheduler.h"
#include "hub/ingest/source_registry.h"
#include "hub/store/record_store.h"
#include "hub/store/source_catalog.h"

namespace yici::api {

struct SourceView {
  std::shared_ptr<const ingest::RegisteredSource> source;
  std::optional<ingest::SourceHealth> health;
  std::vector<store::PullRun> recent_pulls;  // newest first
  std::int64_t quarantined = 0;
  std::vector<store::QuarantineReason> quarantine_reasons;  // show_source only: most rows first
  std::map<std::string, std::int64_t> records;              // by status
  // A full pull stopped partway (hub killed, source failing): the next pull goes on after its
  // last committed batch. Until then the source may hold only part of its rows.
  bool full_pull_unfinished = false;
};

Response list_sources(const std::vector<SourceView>& sources);
Response show_source(const SourceView& source);
// Every change of an API-registered source, oldest first, with each version's definition.
Response source_versions(const std::string& id, const std::vector<store::SourceChange>& changes);

}  // namespace yici::api
