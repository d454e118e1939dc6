// One pull of one source: adapter rows → mapping → normaliser → batches, each batch's records,
// rejected rows and cursor committed in one transaction (RecordStore::commit_batch). A crash
// between batches loses nothing (the cursor covers only committed rows) and doubles nothing
// (re-read rows are deduplicated by key and content hash). Memory is bounded by the batch size.
//
// A full pull (no saved cursor, or forced) from an adapter that resumes_by_key() reads in key
// order and commits its position with each batch instead of the cursor; the next full pull goes on
// from there, and the cursor is saved when the whole source has been read.
#pragma once

#include <atomic>
#include <cstddef>

#include "hub/ingest/row_normaliser.h"
#include "hub/ingest/source_definition.h"
#include "hub/store/record_store.h"

namespace yici::ingest {

struct PullOptions {
  std::size_t batch_size = 10000;
  bool force_full = false;  // ignore the saved cursor
  // Checked after each committed batch: when set, the pull stops there (its committed batches and
  // cursor stay, so the next pull resumes) and returns kUnavailable. For shutdown.
  const std::atomic<bool>* cancel = nullptr;
};

// Runs the pull and records it in the pull history, whether it succeeded or not. On failure the
// batches committed before the failure stay (and their cursor), and the error is returned.
Result<store::PullRun> run_pull(const SourceDefinition& source, store::RecordStore& store, RowNormaliser& normaliser,
                                const PullOptions& options = {});

}  // namespace yici::ingest
