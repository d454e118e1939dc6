// Key reconciliation: deletes are invisible to a cursor, so periodically read every key the source
// holds (a full key scan) and mark records whose keys have vanished as withdrawn.
#pragma once

#include "hub/ingest/source_definition.h"
#include "hub/store/record_store.h"

namespace yici::ingest {

// Returns the number of records withdrawn. On any read error nothing is withdrawn (a partial key
// list must never delete good records). Nor when the source lists no keys at all, or when more of
// its current records would go than reconcile.max_withdraw allows (10% unless set; always up to
// kReconcileAlwaysAllowed): a department truncating and reloading its table, or an export cut
// short, reads like mass deletion (an error naming the counts; the next pull tries again). A source
// whose listing is not a snapshot (a REST service read in pages) is listed a second time when keys
// seem to have gone, and only keys missing from both listings are withdrawn.
Result<std::int64_t> reconcile_keys(const SourceDefinition& source, store::RecordStore& store);

// Records one reconciliation may withdraw whatever the fraction: a small source losing a few.
inline constexpr std::int64_t kReconcileAlwaysAllowed = 10;

// The guard alone: refused (logged as reconcile_refused) or not.
Status check_withdrawal(const SourceDefinition& source, std::int64_t keys_listed, std::int64_t vanishing,
                        std::int64_t current);

}  // namespace yici::ingest
