// Before a source is saved: connect to it (with a deadline), check that every column the
// definition names exists, and run a sample of its rows through the dataset's normaliser, so the
// administrator sees the accept rate and the commonest reasons for rejection (with sensitive
// values masked) before the first real pull.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "hub/admin/source_check.h"
#include "hub/ingest/source_definition.h"
#include "hub/schema/schema.h"

namespace yici::admin {

struct ProbeOptions {
  std::size_t sample_rows = 200;
  std::chrono::milliseconds timeout{15000};  // connection test and sample read together
};

struct RejectReason {
  std::string field;  // schema field, "" for a row-level rule
  std::string code;   // stable reason code (schemas/README.md)
  std::string message;
  std::int64_t count = 0;
  std::vector<boost::json::object> samples;  // up to 2 source rows, sensitive values masked
};

struct QualityPreview {
  std::int64_t rows_sampled = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::vector<RejectReason> top_reasons;  // most frequent first, at most 5
};

struct ProbeResult {
  std::vector<SourceProblem> problems;  // empty: connected, columns found, sample read
  std::vector<std::string> columns;     // what the source has
  QualityPreview preview;
};

// Runs the probe on its own thread and waits at most options.timeout. `schema` must be the
// dataset's schema. The definition's adapter is shared with the probe thread (it may outlive a
// timed-out call).
ProbeResult probe_source(const ingest::SourceDefinition& source, const std::shared_ptr<const schema::Schema>& schema,
                         const ProbeOptions& options = {});

boost::json::object preview_json(const QualityPreview& preview);

}  // namespace yici::admin
