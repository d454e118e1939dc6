#include "hub/schema/field_value.h"

#include "hub/schema/text.h"

namespace yici::schema {

std::string field_label(const FieldSpec& f) {
  if (f.title.empty()) return f.name;
  // "民族 (GB/T 3304 code)" → "民族": the clerk's name for it, then ours.
  std::string_view title = f.title;
  if (const auto cut = title.find(" ("); cut != std::string_view::npos) title = title.substr(0, cut);
  return std::string(title) + "(" + f.name + ")";
}

std::string quoted_value(const FieldSpec& f, std::string_view value) {
  if (f.sensitive) return "（敏感字段，值不显示）";
  constexpr std::size_t kMaxShown = 40;  // code points
  std::string out = "\"";
  std::size_t shown = 0;
  std::size_t i = 0;
  for (; i < value.size() && shown < kMaxShown; ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80) ++shown;
    if (shown > kMaxShown) break;
    out.push_back(value[i]);
  }
  while (i < value.size() && (static_cast<unsigned char>(value[i]) & 0xC0) == 0x80) out.push_back(value[i++]);
  if (i < value.size()) out += "…";
  out += "\"";
  return out;
}

}  // namespace yici::schema
