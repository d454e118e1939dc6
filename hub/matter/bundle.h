// Resolving a matter for one applicant: for each material, is it already on file (which record,
// from which source) or must the applicant still bring it, and why.
#pragma once

#include <string>
#include <vector>

#include "hub/matter/matter.h"
#include "hub/store/record_store.h"

namespace yici::matter {

struct MaterialResult {
  const Material* material = nullptr;
  enum class State { kSatisfied, kMissing, kSubmit } state = State::kMissing;
  // kMissing: none_on_file, expired, revoked, conditions_not_met, source_unavailable, ...
  std::string reason;
  std::optional<store::Record> record;  // kSatisfied (require): the matching record
};

// REQUIRES: `records_of(dataset)` returns the applicant's current records in that dataset;
// `dataset_current(dataset)` says whether the store's copy of that dataset can be trusted to be
// complete: a source of it has pulled successfully and is not stale. A `forbid` material (no
// black-listing on file) proves nothing when no source is current: it is missing, with reason
// source_unavailable, instead of satisfied.
template <typename RecordsOf, typename DatasetCurrent>
std::vector<MaterialResult> resolve_bundle(const Matter& matter, RecordsOf&& records_of,
                                           DatasetCurrent&& dataset_current);

// Whether a record's fields (a JSON object text) meet every condition. A record's own `status`
// column is the store's status when the fields have none.
bool matches(const store::Record& record, const std::vector<Condition>& conditions);

}  // namespace yici::matter

#include "hub/matter/bundle_impl.h"
