// Key reconciliation: deletes are invisible to a cursor, so periodically read every key the source
// holds (a full key scan) and mark records whose keys have vanished as withdrawn.
#pragma once

#include "hub/ingest/source_definition.h"
#include "hub/store/record_store.h"

namespace yici::ingest {

// Returns the number of records withdrawn. On any read error nothing is withdrawn (a partial key
// list must never delete good records).
Result<std::int64_t> reconcile_keys(const SourceDefinition& source, store::RecordStore& store);

}  // namespace yici::ingest
