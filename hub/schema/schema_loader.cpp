#include "hub/schema/schema_loader.h"

#include <algorithm>
#include <set>

#include "hub/schema/numbers.h"
#include "hub/schema/text.h"

namespace yici::schema {
namespace {

struct TypeInfo {
  std::string_view name;
  FieldType type;
  std::uint32_t default_transforms;
};

constexpr std::uint32_t kIdTransforms = kHalfwidth | kUpper | kStripSeparators;

constexpr TypeInfo kTypes[] = {
    {"string", FieldType::kString, 0},
    {"integer", FieldType::kInteger, kHalfwidth},
    {"decimal", FieldType::kDecimal, kHalfwidth},
    {"boolean", FieldType::kBoolean, kHalfwidth},
    {"date", FieldType::kDate, kHalfwidth},
    {"datetime", FieldType::kDatetime, kHalfwidth},
    {"enum", FieldType::kEnum, 0},
    {"id_number", FieldType::kIdNumber, kIdTransforms},
    {"uscc", FieldType::kUscc, kIdTransforms},
    {"party_id", FieldType::kPartyId, kIdTransforms},
    {"license_id", FieldType::kLicenseId, kIdTransforms},
    {"phone", FieldType::kPhone, kHalfwidth},
    {"division", FieldType::kDivision, kHalfwidth | kStripSeparators},
};

bool is_id_type(FieldType t) {
  return t == FieldType::kIdNumber || t == FieldType::kUscc || t == FieldType::kPartyId || t == FieldType::kLicenseId;
}

class Loader {
 public:
  explicit Loader(const YamlDoc& doc) : doc_(doc) {}

  SchemaLoad run() {
    auto schema = std::make_unique<Schema>();
    schema->origin = doc_.origin();
    const YAML::Node& root = doc_.root();
    if (!note(doc_.expect_map(root,
                              {"dataset", "version", "title", "description", "subject", "status_field",
                               "status_from_rejected_rows", "fields", "rules", "code_lists", "null_values"},
                              "schema"))) {
      return finish(nullptr);
    }
    if (auto d = doc_.required_string(root, "dataset"); note(d)) {
      schema->dataset = *d;
      if (!is_schema_name(*d)) problem(root["dataset"], "dataset \"" + *d + "\" must match [a-z][a-z0-9_]*");
    }
    if (auto v = doc_.optional_int(root, "version", 1, 1000000); note(v) && *v) schema->version = static_cast<int>(**v);
    if (auto t = doc_.optional_string(root, "title"); note(t) && *t) schema->title = **t;
    (void)note(doc_.optional_string(root, "description"));
    read_null_values(*schema);
    read_code_lists(*schema);
    read_fields(*schema);
    read_subject_and_status(*schema);
    read_rules(*schema);
    return finish(std::move(schema));
  }

 private:
  void problem(const YAML::Node& node, const std::string& message) {
    problems_.push_back(doc_.error_at(node, message).message);
  }
  bool note(const Status& s) {
    if (!s.ok()) problems_.push_back(s.error().message);
    return s.ok();
  }
  template <typename T>
  bool note(const Result<T>& r) {
    if (!r.ok()) problems_.push_back(r.error().message);
    return r.ok();
  }

  SchemaLoad finish(std::unique_ptr<Schema> schema) {
    SchemaLoad out;
    if (problems_.empty()) out.schema = std::move(schema);
    out.problems = std::move(problems_);
    return out;
  }

  void read_null_values(Schema& schema) {
    if (!doc_.root()["null_values"]) {
      // "-", "—" and "/" are how exports write "nothing here" (a lone "-" folds to the empty key).
      for (const char* v : {"NULL", "\\N", "N/A", "-", "—", "/"}) schema.null_values.insert(fold_key(v));
      return;
    }
    auto list = doc_.string_list(doc_.root(), "null_values");
    if (!note(list)) return;
    for (const auto& v : *list) schema.null_values.insert(fold_key(v));
  }

  void read_code_lists(Schema& schema) {
    const YAML::Node& lists = doc_.root()["code_lists"];
    if (!lists) return;
    if (!lists.IsMap()) {
      problem(lists, "code_lists must be a map of list name to codes");
      return;
    }
    for (const auto& entry : lists) {
      const auto name = entry.first.as<std::string>();
      const YAML::Node& codes = entry.second;
      auto list = std::make_unique<CodeList>();
      list->name = name;
      list->line = codes.Mark().line + 1;
      if (!is_schema_name(name)) problem(entry.first, "code list name \"" + name + "\" must match [a-z][a-z0-9_]*");
      if (!codes.IsMap() || codes.size() == 0) {
        problem(codes, "code list " + name + " must map each code to a list of synonyms");
        continue;
      }
      for (const auto& code_entry : codes) {
        const auto code = code_entry.first.as<std::string>();
        if (std::find(list->codes.begin(), list->codes.end(), code) != list->codes.end()) {
          problem(code_entry.first, "code list " + name + ": code \"" + code + "\" is listed twice");
          continue;
        }
        const std::size_t index = list->codes.size();
        list->codes.push_back(code);
        add_key(*list, code_entry.first, code, index);
        const YAML::Node& synonyms = code_entry.second;
        if (synonyms.IsNull()) continue;
        if (!synonyms.IsSequence()) {
          problem(synonyms, "code " + code + " in list " + name + ": synonyms must be a list, e.g. [男, \"1\", male]");
          continue;
        }
        for (const auto& s : synonyms) {
          if (!s.IsScalar()) {
            problem(s, "code " + code + " in list " + name + ": a synonym must be a single value");
            continue;
          }
          add_key(*list, s, s.as<std::string>(), index);
        }
      }
      schema.code_lists.push_back(std::move(list));
    }
  }

  void add_key(CodeList& list, const YAML::Node& node, const std::string& text, std::size_t index) {
    const std::string key = fold_key(text);
    if (key.empty()) {
      problem(node, "code list " + list.name + ": an empty synonym matches nothing");
      return;
    }
    auto [it, inserted] = list.by_key.emplace(key, index);
    if (!inserted && it->second != index) {
      problem(node, "code list " + list.name + ": \"" + text + "\" would mean both " + list.codes[it->second] +
                        " and " + list.codes[index]);
    }
  }

  const CodeList* find_list(const Schema& schema, std::string_view name) {
    for (const auto& l : schema.code_lists) {
      if (l->name == name) return l.get();
    }
    return nullptr;
  }

  std::optional<Severity> severity_value(const YAML::Node& map, std::string_view key, bool allow_off) {
    auto s = doc_.optional_string(map, key);
    if (!note(s) || !*s) return std::nullopt;
    if (**s == "reject") return Severity::kReject;
    if (**s == "warn") return Severity::kWarn;
    if (**s == "off" && allow_off) return Severity::kOff;
    problem(map[std::string(key)],
            std::string(key) + " must be reject or warn" + (allow_off ? " or off" : "") + ", not \"" + **s + "\"");
    return std::nullopt;
  }

  void read_fields(Schema& schema) {
    const YAML::Node& fields = doc_.root()["fields"];
    if (!fields || !fields.IsSequence() || fields.size() == 0) {
      problem(fields ? fields : doc_.root(), "fields must be a non-empty list of field definitions");
      return;
    }
    for (const auto& node : fields) read_field(schema, node);
  }

  void read_field(Schema& schema, const YAML::Node& node) {
    // A definition refused below is named here first: its problem is reported, and references to
    // it (the subject, a rule) are not reported again as to a field that does not exist.
    if (node.IsMap() && node["name"] && node["name"].IsScalar()) unreadable_fields_.insert(node["name"].Scalar());
    if (!note(doc_.expect_map(
            node, {"name",       "title",      "description", "type",       "required",       "sensitive",
                   "severity",   "max_length", "min_length",  "pattern",    "transforms",     "codes",
                   "not_future", "open_ended", "upgrade_15",  "checksum",   "checksum_allow", "org_code_check",
                   "money",      "min",        "max",         "null_values"},
            "field"))) {
      return;
    }
    FieldSpec f;
    f.line = node.Mark().line + 1;
    auto name = doc_.required_string(node, "name");
    if (!note(name)) return;
    f.name = *name;
    const std::string where = "field " + f.name + ": ";
    if (!is_schema_name(f.name)) problem(node["name"], where + "name must match [a-z][a-z0-9_]*");
    if (auto prev = schema.field_index(f.name)) {
      problem(node["name"], "duplicate field " + f.name + " (first defined at line " +
                                std::to_string(schema.fields[*prev].line) + ")");
      return;
    }
    if (auto t = doc_.optional_string(node, "title"); note(t) && *t) f.title = **t;
    auto type = doc_.required_string(node, "type");
    if (!note(type)) return;
    const TypeInfo* info = nullptr;
    for (const auto& t : kTypes) {
      if (t.name == *type) info = &t;
    }
    if (info == nullptr) {
      std::string names;
      for (const auto& t : kTypes) names += std::string(names.empty() ? "" : ", ") + std::string(t.name);
      problem(node["type"], where + "unknown type \"" + *type + "\" (types: " + names + ")");
      return;
    }
    f.type = info->type;
    f.transforms = info->default_transforms;
    if (auto v = doc_.optional_bool(node, "required"); note(v) && *v) f.required = **v;
    if (auto v = doc_.optional_bool(node, "sensitive"); note(v) && *v) f.sensitive = **v;
    if (auto s = severity_value(node, "severity", false)) f.severity = *s;
    if (auto v = doc_.optional_int(node, "max_length", 1, 1 << 20); note(v) && *v) {
      f.max_length = static_cast<std::size_t>(**v);
    }
    if (auto v = doc_.optional_int(node, "min_length", 0, 1 << 20); note(v) && *v) {
      f.min_length = static_cast<std::size_t>(**v);
    }
    if (auto p = doc_.optional_string(node, "pattern"); note(p) && *p) {
      auto compiled = Pattern::compile(**p);
      if (compiled) {
        f.pattern = *compiled;
      } else {
        problem(node["pattern"], where + compiled.error().message);
      }
    }
    if (auto list = doc_.string_list(node, "null_values"); note(list)) {
      for (const auto& v : *list) f.null_values.insert(fold_key(v));
    }
    if (auto list = doc_.string_list(node, "transforms"); note(list)) {
      for (const auto& t : *list) {
        bool known = false;
        f.transforms |= transform_from_name(t, known);
        if (!known) {
          problem(node["transforms"], where + "unknown transform \"" + t +
                                          "\" (transforms: trim, halfwidth, upper, lower, strip_separators, "
                                          "collapse_spaces, cjk_spaces, middle_dot, fullwidth_parens)");
        }
      }
    }
    read_type_options(schema, node, f, where);
    unreadable_fields_.erase(f.name);
    schema.fields.push_back(std::move(f));
  }

  // A field named but not read (its definition has problems of its own, already reported).
  [[nodiscard]] bool unreadable(const std::string& name) const { return unreadable_fields_.count(name) != 0; }

  // Options that belong to particular types; each is refused on any other type.
  void read_type_options(const Schema& schema, const YAML::Node& node, FieldSpec& f, const std::string& where) {
    const auto only = [&](std::string_view key, std::initializer_list<FieldType> types) {
      if (!node[std::string(key)]) return false;
      for (const FieldType t : types) {
        if (t == f.type) return true;
      }
      std::string names;
      for (const FieldType t : types)
        names += std::string(names.empty() ? "" : " or ") + std::string(field_type_name(t));
      problem(node[std::string(key)], where + std::string(key) + " applies to " + names + " fields only");
      return false;
    };
    if (f.type == FieldType::kEnum) {
      auto codes = doc_.required_string(node, "codes");
      if (note(codes)) {
        f.codes = find_list(schema, *codes);
        if (f.codes == nullptr) problem(node["codes"], where + "unknown code list \"" + *codes + "\"");
      }
    } else {
      (void)only("codes", {FieldType::kEnum});
    }
    if (only("not_future", {FieldType::kDate, FieldType::kDatetime})) {
      if (auto v = doc_.optional_bool(node, "not_future"); note(v)) f.not_future = v->value_or(false);
    }
    if (only("open_ended", {FieldType::kDate})) {
      if (auto list = doc_.string_list(node, "open_ended"); note(list)) {
        for (const auto& w : *list) f.open_ended.insert(fold_key(w));
      }
    }
    if (only("upgrade_15", {FieldType::kIdNumber, FieldType::kPartyId})) {
      if (auto v = doc_.optional_bool(node, "upgrade_15"); note(v)) f.upgrade_15 = v->value_or(false);
    }
    if (only("checksum", {FieldType::kIdNumber, FieldType::kUscc, FieldType::kPartyId, FieldType::kLicenseId})) {
      if (auto s = severity_value(node, "checksum", true)) f.checksum = *s;
    }
    if (only("checksum_allow", {FieldType::kIdNumber, FieldType::kUscc, FieldType::kPartyId, FieldType::kLicenseId})) {
      if (auto list = doc_.string_list(node, "checksum_allow"); note(list)) {
        for (const auto& c : *list) {
          std::string cleaned;
          (void)clean(trim(c), f.transforms, cleaned);
          f.checksum_allow.insert(cleaned);
        }
      }
    }
    if (only("org_code_check", {FieldType::kUscc, FieldType::kPartyId})) {
      if (auto s = severity_value(node, "org_code_check", true)) f.org_code_check = *s;
    }
    if (only("money", {FieldType::kDecimal})) {
      if (auto v = doc_.optional_bool(node, "money"); note(v)) f.money = v->value_or(false);
    }
    for (const char* key : {"min", "max"}) {
      if (!only(key, {FieldType::kInteger, FieldType::kDecimal})) continue;
      auto text = doc_.optional_string(node, key);
      if (!note(text) || !*text) continue;
      std::string canonical;
      if (parse_decimal(**text, false, canonical).fault != NumberFault::kNone) {
        problem(node[key], where + key + " must be a number, not \"" + **text + "\"");
        continue;
      }
      (std::string_view(key) == "min" ? f.min : f.max) = canonical;
    }
    if (is_id_type(f.type) && node["max_length"]) {
      problem(node["max_length"], where + "max_length does not apply to " + std::string(field_type_name(f.type)) +
                                      " fields (their length is fixed by the standard)");
    } else {
      (void)only("max_length", {FieldType::kString, FieldType::kEnum});  // a date's was silently ignored
    }
    (void)only("min_length", {FieldType::kString});
    // Bounds no value can meet would reject every row, found only when the first pull is all
    // quarantine.
    if (f.min_length > f.max_length) {
      problem(node["min_length"], where + "min_length " + std::to_string(f.min_length) + " is more than max_length " +
                                      std::to_string(f.max_length) + ": no value fits");
    }
    if (f.min && f.max && compare_decimal(*f.min, *f.max) > 0) {
      problem(node["min"], where + "min " + *f.min + " is more than max " + *f.max + ": no value fits");
    }
  }

  void read_subject_and_status(Schema& schema) {
    const YAML::Node& root = doc_.root();
    if (auto subject = doc_.required_string(root, "subject"); note(subject)) {
      auto index = schema.field_index(*subject);
      if (!index) {
        if (!schema.fields.empty() && !unreadable(*subject))
          problem(root["subject"], "subject \"" + *subject + "\" is not a field of this schema");
      } else {
        schema.subject = *index;
        const FieldSpec& f = schema.fields[*index];
        if (!f.required) problem(root["subject"], "subject field " + f.name + " must be required: true");
        if (f.severity != Severity::kReject)
          problem(root["subject"], "subject field " + f.name + " cannot be severity: warn");
      }
    }
    if (auto status = doc_.optional_string(root, "status_field"); note(status) && *status) {
      auto index = schema.field_index(**status);
      if (!index) {
        if (!unreadable(**status))
          problem(root["status_field"], "status_field \"" + **status + "\" is not a field of this schema");
      } else if (schema.fields[*index].type != FieldType::kEnum) {
        problem(root["status_field"], "status_field " + **status + " must be an enum field");
      } else {
        schema.status_field = index;
      }
    }
    if (auto list = doc_.string_list(root, "status_from_rejected_rows"); note(list) && !list->empty()) {
      const YAML::Node& node = root["status_from_rejected_rows"];
      if (!schema.status_field) {
        problem(node, "status_from_rejected_rows needs a status_field");
        return;
      }
      const CodeList* codes = schema.fields[*schema.status_field].codes;
      for (const auto& code : *list) {
        if (codes != nullptr && std::find(codes->codes.begin(), codes->codes.end(), code) == codes->codes.end()) {
          problem(node, "status_from_rejected_rows: \"" + code + "\" is not a code of list " + codes->name);
        } else {
          schema.status_from_rejected_rows.insert(code);
        }
      }
    }
  }

  // A rule's reference to a field, checked for existence and type.
  std::optional<std::size_t> rule_field(const Schema& schema, const YAML::Node& rule, std::string_view key,
                                        std::initializer_list<FieldType> types) {
    auto name = doc_.required_string(rule, key);
    if (!note(name)) return std::nullopt;
    auto index = schema.field_index(*name);
    if (!index) {
      if (!unreadable(*name)) {
        problem(rule[std::string(key)],
                "rule: " + std::string(key) + " \"" + *name + "\" is not a field of this schema");
      }
      return std::nullopt;
    }
    for (const FieldType t : types) {
      if (schema.fields[*index].type == t) return index;
    }
    std::string names;
    for (const FieldType t : types) names += std::string(names.empty() ? "" : " or ") + std::string(field_type_name(t));
    problem(rule[std::string(key)], "rule: " + std::string(key) + " " + *name + " must be a " + names + " field");
    return std::nullopt;
  }

  void check_code(const Schema& schema, const YAML::Node& rule, std::size_t field, const std::string& code,
                  const char* key) {
    const CodeList* list = schema.fields[field].codes;
    if (list == nullptr) return;
    for (const auto& c : list->codes) {
      if (c == code) return;
    }
    problem(rule[key] ? rule[key] : rule, std::string("rule: \"") + code + "\" is not a code of list " + list->name);
  }

  void read_rules(Schema& schema) {
    const YAML::Node& rules = doc_.root()["rules"];
    if (!rules) return;
    if (!rules.IsSequence()) {
      problem(rules, "rules must be a list");
      return;
    }
    using FT = FieldType;
    for (const auto& node : rules) {
      if (!node.IsMap()) {
        problem(node, "a rule must be a map such as {rule: date_order, earlier: valid_from, later: valid_to}");
        continue;
      }
      auto kind = doc_.required_string(node, "rule");
      if (!note(kind)) continue;
      Rule r;
      r.line = node.Mark().line + 1;
      std::optional<std::size_t> a, b;
      if (*kind == "id_gender") {
        if (!note(doc_.expect_map(node, {"rule", "id", "field", "male", "female"}, "rule id_gender"))) continue;
        r.kind = RuleKind::kIdGender;
        a = rule_field(schema, node, "id", {FT::kIdNumber, FT::kPartyId});
        b = rule_field(schema, node, "field", {FT::kEnum});
        if (auto m = doc_.optional_string(node, "male"); note(m) && *m) r.male = **m;
        if (auto f = doc_.optional_string(node, "female"); note(f) && *f) r.female = **f;
        if (b) {
          check_code(schema, node, *b, r.male, "male");
          check_code(schema, node, *b, r.female, "female");
        }
      } else if (*kind == "id_birth_date") {
        if (!note(doc_.expect_map(node, {"rule", "id", "field"}, "rule id_birth_date"))) continue;
        r.kind = RuleKind::kIdBirthDate;
        a = rule_field(schema, node, "id", {FT::kIdNumber, FT::kPartyId});
        b = rule_field(schema, node, "field", {FT::kDate});
        if (a && b && schema.fields[*a].sensitive && !schema.fields[*b].sensitive) {
          // Masking shows an ID's first 3 and last 4 characters; its birth date in clear beside
          // it, with a division code, would give back the whole number.
          problem(node, "rule id_birth_date: " + schema.fields[*b].name + " holds digits 7–14 of the sensitive " +
                            schema.fields[*a].name + "; mark it sensitive: true too");
        }
      } else if (*kind == "date_order") {
        if (!note(doc_.expect_map(node, {"rule", "earlier", "later"}, "rule date_order"))) continue;
        r.kind = RuleKind::kDateOrder;
        a = rule_field(schema, node, "earlier", {FT::kDate, FT::kDatetime});
        b = rule_field(schema, node, "later", {FT::kDate, FT::kDatetime});
        if (a && b && schema.fields[*a].type != schema.fields[*b].type) {
          problem(node, "rule date_order: earlier and later must both be dates or both datetimes");
        }
      } else if (*kind == "expire") {
        if (!note(doc_.expect_map(node, {"rule", "status", "date", "set", "unless", "default"}, "rule expire")))
          continue;
        r.kind = RuleKind::kExpire;
        b = rule_field(schema, node, "status", {FT::kEnum});
        a = rule_field(schema, node, "date", {FT::kDate, FT::kDatetime});
        auto set = doc_.required_string(node, "set");
        if (note(set)) r.set = *set;
        if (auto d = doc_.optional_string(node, "default"); note(d) && *d) r.fallback = **d;
        if (auto u = doc_.string_list(node, "unless"); note(u)) r.unless = *u;
        if (b) {
          if (set) check_code(schema, node, *b, r.set, "set");
          if (!r.fallback.empty()) check_code(schema, node, *b, r.fallback, "default");
          for (const auto& u : r.unless) check_code(schema, node, *b, u, "unless");
        }
      } else if (*kind == "party_type") {
        if (!note(doc_.expect_map(node, {"rule", "id", "field", "person", "entity"}, "rule party_type"))) continue;
        r.kind = RuleKind::kPartyType;
        a = rule_field(schema, node, "id", {FT::kPartyId});
        b = rule_field(schema, node, "field", {FT::kEnum});
        if (auto p = doc_.optional_string(node, "person"); note(p) && *p) r.person = **p;
        if (auto e = doc_.optional_string(node, "entity"); note(e) && *e) r.entity = **e;
        if (b) {
          check_code(schema, node, *b, r.person, "person");
          check_code(schema, node, *b, r.entity, "entity");
        }
      } else {
        problem(node["rule"],
                "unknown rule \"" + *kind + "\" (rules: id_gender, id_birth_date, date_order, expire, party_type)");
        continue;
      }
      if (!a || !b) continue;
      if (r.kind == RuleKind::kDateOrder || r.kind == RuleKind::kExpire) {
        r.other = *a;
      } else {
        r.id = *a;
      }
      r.field = *b;
      schema.rules.push_back(std::move(r));
    }
  }

  const YamlDoc& doc_;
  std::vector<std::string> problems_;
  std::set<std::string> unreadable_fields_;
};

}  // namespace

SchemaLoad load_schema(const YamlDoc& doc) {
  SchemaLoad out;
  auto status = read_guarded(doc, [&]() -> Status {
    out = Loader(doc).run();
    return {};
  });
  if (!status.ok()) {
    out.schema.reset();
    out.problems.push_back(status.error().message);
  }
  return out;
}

SchemaLoad load_schema_file(const std::string& path) {
  auto doc = YamlDoc::load_file(path);
  if (!doc) {
    SchemaLoad out;
    out.problems.push_back(doc.error().message);
    return out;
  }
  return load_schema(*doc);
}

}  // namespace yici::schema
