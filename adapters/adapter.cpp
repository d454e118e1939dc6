#include "adapters/adapter.h"

namespace yici::adapters {

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
