#include "hub/api/query_params.h"

#include <algorithm>
#include <string>

#include "hub/core/utf8.h"

namespace yici::api {

Status check_query_params(const Request& request, std::initializer_list<std::string_view> known) {
  for (auto it = request.query.begin(); it != request.query.end(); ++it) {
    const std::string& name = it->first;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Error::invalid("unknown parameter \"" + bounded_utf8(name, 64) + "\"; " +
                            (list.empty() ? std::string("this request takes none") : "known: " + list));
    }
    if (std::any_of(request.query.begin(), it, [&](const auto& earlier) { return earlier.first == name; })) {
      return Error::invalid(bounded_utf8(name, 64) + " is given more than once");
    }
  }
  return {};
}

}  // namespace yici::api
