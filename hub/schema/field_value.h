// The per-row working state of the normaliser: each field's canonical value and the problems
// found, shared by the type checks (field_check.h) and the cross-field rules (rules.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/schema/schema.h"

namespace yici::schema {

struct FieldValue {
  enum class Kind : std::uint8_t {
    kAbsent,   // null in the record
    kString,   // text is the value, rendered as a JSON string
    kLiteral,  // text is a JSON literal (number, true, false)
    kFailed,   // rejected: the row will be quarantined
  };
  Kind kind = Kind::kAbsent;
  std::string text;
  std::int64_t ordinal = 0;  // date: days since 1970-01-01; datetime: seconds since the epoch
  bool person = false;       // id_number/party_id: a resident ID (not a credit code)

  [[nodiscard]] bool present() const { return kind == Kind::kString || kind == Kind::kLiteral; }
};

// One finding about one field (or the whole row when field is kRowLevel).
struct Problem {
  static constexpr std::size_t kRowLevel = static_cast<std::size_t>(-1);
  std::size_t field = kRowLevel;
  std::string_view code;  // stable: missing, bad_checksum, bad_date, … (schemas/README.md)
  std::string message;    // for a department clerk; never contains a sensitive value
  Severity severity = Severity::kReject;
};

// "身份证号码(id_number)": the field as a clerk and an engineer both recognise it.
std::string field_label(const FieldSpec& f);

// The value quoted for a message, or a placeholder when the field is sensitive.
std::string quoted_value(const FieldSpec& f, std::string_view value);

}  // namespace yici::schema
