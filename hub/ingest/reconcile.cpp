#include "hub/ingest/reconcile.h"

#include <algorithm>
#include <cmath>

#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/store/source_key.h"

namespace yici::ingest {

Status check_withdrawal(const SourceDefinition& source, std::int64_t keys_listed, std::int64_t vanishing,
                        std::int64_t current) {
  const double fraction = source.reconcile_max_withdraw;
  if (fraction >= 1.0 || vanishing == 0) return {};
  const auto limit = std::max<std::int64_t>(
      kReconcileAlwaysAllowed, static_cast<std::int64_t>(std::floor(fraction * static_cast<double>(current))));
  if (keys_listed > 0 && vanishing <= limit) return {};
  const std::string percent = std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%";
  const std::string what = keys_listed == 0 ? "the source listed no keys at all"
                                            : std::to_string(vanishing) + " of its " + std::to_string(current) +
                                                  " current records have keys the source no longer lists, more than "
                                                  "reconcile.max_withdraw (" +
                                                  percent + ")";
  log::warn("reconcile_refused",
            {{"source", source.id},
             {"keys_listed", keys_listed},
             {"would_withdraw", vanishing},
             {"current", current},
             {"max_withdraw", percent},
             {"action",
              "nothing was withdrawn; a department reloading its table or sending a partial export looks like "
              "this and passes at a later pull. If the records really are gone, raise reconcile.max_withdraw "
              "(100% for no limit) for one reconciliation"}});
  return Error::unavailable("source " + source.id + ": key reconciliation refused: " + what +
                            "; nothing withdrawn (a table being reloaded or a partial export looks like this; if "
                            "the records really are gone, raise reconcile.max_withdraw)");
}

namespace {

// Lists the source's keys and withdraws the records of those gone; `listed` counts the keys read.
Result<std::int64_t> list_and_withdraw(const SourceDefinition& source, store::RecordStore& store,
                                       std::int64_t& listed) {
  adapters::ReadRequest request;
  request.columns = source.primary_key;
  request.primary_key = source.primary_key;
  YICI_TRY(auto reader, source.adapter->read(request));
  adapters::Row row;
  bool listed_again = false;
  // The store reads every key before it withdraws anything, so a read error (the callback's error
  // propagates) never withdraws records on the strength of a partial key list.
  auto withdrawn = store.withdraw_missing(
      source.id,
      [&]() -> Result<std::optional<std::string>> {
        YICI_TRY(bool more, reader->next(row));
        if (!more) return std::optional<std::string>();
        if (!row.defect.empty()) {
          // The row's key cannot be told, so the list of keys is incomplete: withdraw nothing.
          return Error::invalid("source " + source.id + ": a row cannot be read (" + row.defect +
                                "), so its key is unknown: nothing withdrawn until it is fixed");
        }
        ++listed;
        return std::optional<std::string>(store::canonical_source_key(row.key));
      },
      [&](std::int64_t vanishing, std::int64_t current) -> Result<store::RecordStore::WithdrawDecision> {
        // A listing read in pages while the service changes can miss a key that is still there
        // (Adapter::listing_is_snapshot): a key goes only if a second listing misses it too.
        if (vanishing > 0 && !listed_again && !source.adapter->listing_is_snapshot()) {
          log::info("reconcile_listing_again",
                    {{"source", source.id},
                     {"vanishing", vanishing},
                     {"detail",
                      "the source's listing is read in pages, so a key can slip past a page boundary while the "
                      "service changes; only keys a second listing also misses are withdrawn"}});
          listed_again = true;
          YICI_TRY(reader, source.adapter->read(request));
          return store::RecordStore::WithdrawDecision::kListAgain;
        }
        YICI_TRY_STATUS(check_withdrawal(source, listed, vanishing, current));
        return store::RecordStore::WithdrawDecision::kWithdraw;
      });
  if (withdrawn.ok()) log::info("keys_reconciled", {{"source", source.id}, {"withdrawn", *withdrawn}});
  return withdrawn;
}

}  // namespace

Result<std::int64_t> reconcile_keys(const SourceDefinition& source, store::RecordStore& store) {
  const auto started = std::chrono::steady_clock::now();
  store::PullRun run;  // in the pull history, so that a refusal shows where the pulls are listed
  run.source = source.id;
  run.started_at = format_rfc3339_micros(now_utc());
  run.mode = "reconcile";
  std::int64_t listed = 0;
  auto withdrawn = list_and_withdraw(source, store, listed);
  run.finished_at = format_rfc3339_micros(now_utc());
  run.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  run.rows_read = listed;
  if (withdrawn.ok()) {
    run.counts.withdrawn = *withdrawn;
  } else {
    run.error = withdrawn.error().message;
  }
  if (auto st = store.record_pull_run(run); !st.ok()) {
    log::error("pull_history_write_failed", {{"source", source.id}, {"error", st.error().message}});
  }
  return withdrawn;
}

}  // namespace yici::ingest
