// GET /v1/admin/sources and GET /v1/admin/sources/{id}: what an administrator needs to see about
// each source: its definition (secrets only as references), health, recent pulls, rejected rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hub/api/http.h"
#include "hub/ingest/scheduler.h"
#include "hub/ingest/source_definition.h"
#include "hub/store/record_store.h"

namespace yici::api {

struct SourceView {
  const ingest::SourceDefinition* definition = nullptr;
  std::optional<ingest::SourceHealth> health;
  std::vector<store::PullRun> recent_pulls;
  std::int64_t quarantined = 0;
};

Response list_sources(const std::vector<SourceView>& sources);
Response show_source(const SourceView& source);

}  // namespace yici::api
