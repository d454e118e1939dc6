#include "hub/api/shown_version.h"

#include <boost/json/serialize.hpp>

#include "hub/api/record_view.h"

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
  YICI_TRY(const auto earlier, s.records->earlier_versions(record, record.version));
  const bool with_status = status_shown(record.dataset, granted, s);
  std::int64_t shown = 1;
  std::string before;
  bool first = true;
  const auto step = [&](std::string now) {
    if (!first && now != before) ++shown;
    first = false;
    before = std::move(now);
  };
  for (const auto& v : earlier) step(seen(v.fields_json, v.status, granted, with_status));
  step(seen(record.fields_json, record.status, granted, with_status));
  record.version = shown;
  return {};
}

Status show_versions(std::vector<store::Record>& records, const std::vector<std::string>& granted,
                     const LookupServices& s) {
  for (auto& r : records) YICI_TRY_STATUS(show_version(r, granted, s));
  return {};
}

}  // namespace yici::api
