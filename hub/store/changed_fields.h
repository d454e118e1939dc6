// Which of a record's fields one version changed. A department is shown a version number that
// counts only changes to the fields it is granted (api/shown_version.h); worked out by comparing
// every earlier version's fields at each lookup, that cost about 1.1 us per version kept, so a
// record changed daily for three years took over a millisecond per lookup. The store instead keeps
// with each archived version the names of the fields its successor changed (record_history.changed),
// and a lookup reads those names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yici::store {

// The names of the fields whose values differ between two versions of a record's fields (JSON
// objects), as a JSON array in name order: a field present in only one counts, and values are
// compared as serialized (as an answer writes them), so 1 and 1.0 differ. Text that is not a JSON
// object counts as no fields (an answer shows none of it).
std::string changed_fields(std::string_view before_json, std::string_view after_json);

// Whether a changed_fields() list names any of `names`. Names are schema field names
// (schema::is_schema_name); one outside that form is never matched.
bool names_any(std::string_view changed_json, const std::vector<std::string>& names);

}  // namespace yici::store
