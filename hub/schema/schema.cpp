#include "hub/schema/schema.h"

#include "hub/schema/text.h"

namespace yici::schema {

bool is_schema_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::optional<std::size_t> Schema::field_index(std::string_view name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return i;
  }
  return std::nullopt;
}

std::string fold_key(std::string_view text) {
  std::string out;
  const TextCheck check = clean(trim(text), kHalfwidth | kLower | kStripSeparators, out);
  if (check.fault != TextFault::kNone) return std::string(text);
  return out;
}

const std::string& fold_key_scratch(std::string_view text) {
  thread_local std::string buffer;
  const TextCheck check = clean(trim(text), kHalfwidth | kLower | kStripSeparators, buffer);
  if (check.fault != TextFault::kNone) buffer.assign(text);
  return buffer;
}

std::string_view field_type_name(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kDecimal:
      return "decimal";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kDate:
      return "date";
    case FieldType::kDatetime:
      return "datetime";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kIdNumber:
      return "id_number";
    case FieldType::kUscc:
      return "uscc";
    case FieldType::kPartyId:
      return "party_id";
    case FieldType::kLicenseId:
      return "license_id";
    case FieldType::kPhone:
      return "phone";
    case FieldType::kDivision:
      return "division";
  }
  return "?";
}

}  // namespace yici::schema
