#include "hub/ingest/reconcile.h"

#include "hub/core/log.h"

namespace yici::ingest {

Result<std::int64_t> reconcile_keys(const SourceDefinition& source, store::RecordStore& store) {
  adapters::ReadRequest request;
  request.columns = source.primary_key;
  request.primary_key = source.primary_key;
  YICI_TRY(auto reader, source.adapter->read(request));
  adapters::Row row;
  // The store reads every key before it withdraws anything, so a read error (the callback's error
  // propagates) never withdraws records on the strength of a partial key list.
  auto withdrawn = store.withdraw_missing(source.id, [&]() -> Result<std::optional<std::string>> {
    YICI_TRY(bool more, reader->next(row));
    if (!more) return std::optional<std::string>();
    if (!row.defect.empty()) {
      // The row's key cannot be told, so the list of keys is incomplete: withdraw nothing.
      return Error::invalid("source " + source.id + ": a row cannot be read (" + row.defect +
                            "), so its key is unknown: nothing withdrawn until it is fixed");
    }
    return std::optional<std::string>(row.key);
  });
  if (withdrawn.ok()) log::info("keys_reconciled", {{"source", source.id}, {"withdrawn", *withdrawn}});
  return withdrawn;
}

}  // namespace yici::ingest
