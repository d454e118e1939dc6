// A dataset schema, compiled: the plan the normaliser runs for every row.
//
// Everything a row needs is resolved here, once: field types, transform bit sets, code-list
// lookup tables, compiled patterns, rule field indices. The language is documented for
// administrators in schemas/README.md; schema_loader.h turns a YAML file into a Schema.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hub/schema/pattern.h"

namespace yici::schema {

// The form of a dataset's, a code list's and a field's name: [a-z][a-z0-9_]*, at most 64
// characters. The loader refuses any other; a field name in the store's records is one.
bool is_schema_name(std::string_view s);

enum class FieldType {
  kString,
  kInteger,
  kDecimal,
  kBoolean,
  kDate,
  kDatetime,
  kEnum,
  kIdNumber,   // resident identity number (GB 11643)
  kUscc,       // unified social credit code (GB 32100)
  kPartyId,    // either of the two: a person or an organisation
  kLicenseId,  // dotted e-license identifier
  kPhone,
  kDivision,  // 6-digit administrative division code (GB/T 2260)
};

// What a failed check does: reject the row, accept it with a warning, or skip the check.
enum class Severity { kReject, kWarn, kOff };

inline constexpr std::size_t kDefaultMaxLength = 4000;  // code points, for fields that set none

// Text → canonical code. Keys are folded (half-width, ASCII lower-case, no spaces) so that
// "男", " 男 ", "Male" and "MALE" all find their code.
struct CodeList {
  std::string name;
  std::vector<std::string> codes;                       // in file order
  std::unordered_map<std::string, std::size_t> by_key;  // folded synonym or code → index in codes
  int line = 0;
};

struct FieldSpec {
  std::string name;
  std::string title;
  FieldType type = FieldType::kString;
  bool required = false;
  bool sensitive = false;  // masked in logs, quarantine views and exports
  Severity severity = Severity::kReject;
  std::size_t max_length = kDefaultMaxLength;
  std::size_t min_length = 0;
  std::uint32_t transforms = 0;  // declared ones plus the type's defaults
  std::shared_ptr<const Pattern> pattern;
  const CodeList* codes = nullptr;              // enum
  bool not_future = false;                      // date, datetime
  std::unordered_set<std::string> open_ended;   // date: folded words meaning "no end" → null
  std::unordered_set<std::string> null_values;  // folded texts meaning "no value" for this field only
  bool upgrade_15 = false;                      // id_number, party_id
  Severity checksum = Severity::kReject;
  std::unordered_set<std::string> checksum_allow;  // genuine codes that fail their check: warn
  Severity org_code_check = Severity::kOff;        // uscc, party_id
  bool money = false;                              // decimal
  std::optional<std::string> min;                  // integer, decimal: canonical decimal text
  std::optional<std::string> max;
  int line = 0;
};

enum class RuleKind {
  kIdGender,     // gender agrees with the ID's sequence parity
  kIdBirthDate,  // birth date equals the ID's embedded date
  kDateOrder,    // earlier <= later
  kExpire,       // status derived from an end date
  kPartyType,    // person/entity type agrees with (or is derived from) a party ID
};

struct Rule {
  RuleKind kind = RuleKind::kDateOrder;
  std::size_t id = 0;                                // id_gender, id_birth_date, party_type: the ID field
  std::size_t field = 0;                             // the field that is checked or set (error goes here)
  std::size_t other = 0;                             // date_order: earlier; expire: the date
  std::string set;                                   // expire: status when the date has passed
  std::string fallback;                              // expire: status when the source gives none
  std::vector<std::string> unless;                   // expire: statuses that win over expiry
  std::string male = "M", female = "F";              // id_gender
  std::string person = "person", entity = "entity";  // party_type
  int line = 0;
};

struct Schema {
  std::string origin;  // file it came from
  std::string dataset;
  std::string title;
  int version = 1;
  std::size_t subject = 0;                  // index into fields
  std::optional<std::size_t> status_field;  // its value becomes the record's status
  // Statuses a row that fails its checks still gives the record already held for its key (a
  // licence revoked in an export whose other fields are wrong must not stay served as valid).
  std::unordered_set<std::string> status_from_rejected_rows;
  std::vector<FieldSpec> fields;
  std::vector<std::unique_ptr<CodeList>> code_lists;  // stable addresses: fields point into them
  std::vector<Rule> rules;
  std::unordered_set<std::string> null_values;  // folded texts that mean "no value"

  [[nodiscard]] std::optional<std::size_t> field_index(std::string_view name) const;
};

// The folding used for code-list and null-value lookups.
std::string fold_key(std::string_view text);
// The same into a per-thread buffer, for per-row lookups without an allocation. The reference is
// valid until the next call on this thread.
const std::string& fold_key_scratch(std::string_view text);

std::string_view field_type_name(FieldType type);

}  // namespace yici::schema
