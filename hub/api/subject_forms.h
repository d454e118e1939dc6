// The forms in which one subject may appear in the audit log. A lookup in canonical form is
// audited as asked; a refused one (a lower-case x, a 15-digit ID, full-width digits) is audited as
// written. A subject search covers the usual forms, so an auditor who asks about a person finds
// every attempt on them, whichever form the auditor types and whichever form the requester used.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yici::api {

// `given` as typed, each canonical form (one per subject kind it is valid as: a resident ID, a
// credit code), and for each: ASCII lower-case, full-width (U+FF01–U+FF5E for ASCII), and, for an
// 18-digit resident ID born in the 1900s, the old 15-digit form. No duplicates; `given` first.
std::vector<std::string> subject_search_forms(std::string_view given, const std::vector<std::string>& canonical);

}  // namespace yici::api
