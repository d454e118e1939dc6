// Template body of resolve_bundle (included from bundle.h only).
#pragma once

namespace yici::matter {

template <typename RecordsOf, typename DatasetCurrent>
std::vector<MaterialResult> resolve_bundle(const Matter& matter, RecordsOf&& records_of,
                                           DatasetCurrent&& dataset_current) {
  std::vector<MaterialResult> out;
  for (const Material& m : matter.materials) {
    MaterialResult r;
    r.material = &m;
    if (m.submit) {
      r.state = MaterialResult::State::kSubmit;
      r.reason = "not_shared";
      out.push_back(std::move(r));
      continue;
    }
    const std::vector<store::Record> records = records_of(m.dataset);
    if (!m.forbid.empty()) {
      const store::Record* bad = nullptr;
      for (const auto& rec : records) {
        if (matches(rec, m.forbid)) bad = &rec;
      }
      if (bad != nullptr) {
        r.state = MaterialResult::State::kMissing;
        r.reason = m.forbid_reason;
        r.record = *bad;
      } else if (m.require.empty() && !dataset_current(m.dataset)) {
        // Nothing bad on file, but nothing pulled to say so either (never pulled, failing longer
        // than stale_after, or no source of the dataset at all): the clerk must check.
        r.state = MaterialResult::State::kMissing;
        r.reason = "source_unavailable";
      } else if (m.require.empty()) {
        r.state = MaterialResult::State::kSatisfied;  // a clean record is the proof
        if (!records.empty()) r.record = records.front();
      }
      if (m.require.empty() || bad != nullptr) {
        out.push_back(std::move(r));
        continue;
      }
    }
    if (records.empty()) {
      r.state = MaterialResult::State::kMissing;
      r.reason = "none_on_file";
    } else {
      const store::Record* good = nullptr;
      for (const auto& rec : records) {
        if (matches(rec, m.require)) {
          good = &rec;
          break;
        }
      }
      if (good != nullptr) {
        r.state = MaterialResult::State::kSatisfied;
        r.record = *good;
      } else {
        // Say why: a record of the right kind whose status fails (expired, revoked, ...), or none of
        // the right kind at all.
        std::vector<Condition> kind;
        for (const auto& c : m.require) {
          if (c.field != "status") kind.push_back(c);
        }
        const store::Record* near = nullptr;
        for (const auto& rec : records) {
          if (matches(rec, kind)) {
            near = &rec;
            break;
          }
        }
        r.state = MaterialResult::State::kMissing;
        if (near == nullptr) {
          r.reason = "none_on_file";
        } else {
          const std::string& st = near->status;
          r.reason = st == "valid" || st.empty() ? "conditions_not_met" : st;
          r.record = *near;
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace yici::matter
