#include "adapters/adapter.h"

#include "adapters/common/sql_identifier.h"
#include "hub/core/utf8.h"

namespace yici::adapters {

Status Adapter::check_column_name(std::string_view name) const {
  if (is_safe_identifier(name)) return {};
  return Error::invalid(
      "must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*): give other names (a Chinese column name, say) an alias in "
      "the adapter's query");
}

Status check_text_column_name(std::string_view name) {
  if (name.empty()) return Error::invalid("must not be empty");
  if (name.size() > 256) return Error::invalid("is longer than 256 bytes");
  if (!is_printable_utf8(name)) return Error::invalid("must be UTF-8 text without control characters");
  return {};
}

std::string make_row_key(const std::vector<std::optional<std::string>>& values, const std::vector<int>& key_indices) {
  if (key_indices.size() == 1) return values[static_cast<std::size_t>(key_indices[0])].value_or("");
  std::string key;
  for (std::size_t i = 0; i < key_indices.size(); ++i) {
    if (i > 0) key += '\x1f';
    key += values[static_cast<std::size_t>(key_indices[i])].value_or("");
  }
  return key;
}

}  // namespace yici::adapters
