#include "hub/api/shown_version.h"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "hub/api/record_view.h"
#include "hub/store/changed_fields.h"

namespace yici::api {
namespace {

// What a reader sees of one version, as one string: the fields shown, and the status if shown.
std::string seen(std::string_view fields_json, const std::string& status, const std::vector<std::string>& granted,
                 bool with_status) {
  std::string out = boost::json::serialize(shown_fields(fields_json, granted));
  if (with_status) out.append("\n").append(status);
  return out;
}

}  // namespace

Status show_version(store::Record& record, const std::vector<std::string>& granted, const LookupServices& s) {
  if (record.version <= 1 || s.records == nullptr) return {};
  // Versions below the one read, so a pull storing a newer one meanwhile changes nothing here.
  using HistoryRead = store::RecordStore::HistoryRead;
  YICI_TRY(auto earlier, s.records->earlier_versions(record, record.version, HistoryRead::kChanges));
  // A version whose successor's changes were not kept: the fields themselves are compared.
  if (std::any_of(earlier.begin(), earlier.end(), [](const auto& v) { return !v.changed; })) {
    YICI_TRY(earlier, s.records->earlier_versions(record, record.version, HistoryRead::kFields));
  }
  const bool with_status = status_shown(record.dataset, granted, s);
  std::int64_t shown = 1;
  for (std::size_t i = 0; i < earlier.size(); ++i) {
    const store::EarlierVersion& v = earlier[i];
    const std::string& next_status = i + 1 < earlier.size() ? earlier[i + 1].status : record.status;
    bool seen_changed = false;
    if (v.changed) {
      // The names the store kept when the next version replaced this one.
      seen_changed = store::names_any(*v.changed, granted) || (with_status && v.status != next_status);
    } else {
      const std::string& next_fields = i + 1 < earlier.size() ? earlier[i + 1].fields_json : record.fields_json;
      seen_changed =
          seen(v.fields_json, v.status, granted, with_status) != seen(next_fields, next_status, granted, with_status);
    }
    if (seen_changed) ++shown;
  }
  record.version = shown;
  return {};
}

Status show_versions(std::vector<store::Record>& records, const std::vector<std::string>& granted,
                     const LookupServices& s) {
  for (auto& r : records) YICI_TRY_STATUS(show_version(r, granted, s));
  return {};
}

}  // namespace yici::api
