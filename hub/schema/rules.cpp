#include "hub/schema/rules.h"

#include <algorithm>

namespace yici::schema {
namespace {

void cross_field(const Schema& schema, const Rule& rule, std::vector<FieldValue>& values,
                 std::vector<Problem>& problems, std::string message) {
  const FieldSpec& f = schema.fields[rule.field];
  const Severity s = f.severity == Severity::kWarn ? Severity::kWarn : Severity::kReject;
  problems.push_back({rule.field, "cross_field", std::move(message), s});
  values[rule.field].kind = s == Severity::kWarn ? FieldValue::Kind::kAbsent : FieldValue::Kind::kFailed;
}

// A checked value as a message shows it: never a sensitive field's (schemas/README.md).
std::string shown(const FieldSpec& f, const std::string& text) { return f.sensitive ? quoted_value(f, text) : text; }

bool is_id_number(const FieldValue& v) { return v.present() && v.person && v.text.size() == 18; }

}  // namespace

void apply_rules(const Schema& schema, const CheckContext& ctx, std::vector<FieldValue>& values,
                 std::vector<Problem>& problems) {
  for (const Rule& rule : schema.rules) {
    FieldValue& target = values[rule.field];
    const FieldSpec& tf = schema.fields[rule.field];
    switch (rule.kind) {
      case RuleKind::kIdGender: {
        const FieldValue& id = values[rule.id];
        if (!is_id_number(id) || !target.present()) break;
        const bool male = (id.text[16] - '0') % 2 == 1;
        const std::string& expected = male ? rule.male : rule.female;
        if (target.text != expected && (target.text == rule.male || target.text == rule.female)) {
          cross_field(schema, rule, values, problems,
                      field_label(tf) + " 与" + field_label(schema.fields[rule.id]) + "第 17 位不一致：号码表示" +
                          (male ? "男性" : "女性") + "，记录为 " + shown(tf, target.text));
        }
        break;
      }
      case RuleKind::kIdBirthDate: {
        const FieldValue& id = values[rule.id];
        if (!is_id_number(id) || !target.present()) break;
        // target.text is "YYYY-MM-DD"; the ID holds YYYYMMDD at positions 7–14.
        const std::string& d = target.text;
        const std::string_view embedded = std::string_view(id.text).substr(6, 8);
        if (d.substr(0, 4) != embedded.substr(0, 4) || d.substr(5, 2) != embedded.substr(4, 2) ||
            d.substr(8, 2) != embedded.substr(6, 2)) {
          cross_field(
              schema, rule, values, problems,
              field_label(tf) + " 与" + field_label(schema.fields[rule.id]) + "中的出生日期（第 7–14 位）不一致");
        }
        break;
      }
      case RuleKind::kDateOrder: {
        const FieldValue& earlier = values[rule.other];
        if (!earlier.present() || !target.present()) break;
        if (target.ordinal < earlier.ordinal) {
          cross_field(schema, rule, values, problems,
                      field_label(tf) + " " + shown(tf, target.text) + " 早于" +
                          field_label(schema.fields[rule.other]) + " " +
                          shown(schema.fields[rule.other], earlier.text));
        }
        break;
      }
      case RuleKind::kExpire: {
        if (target.kind == FieldValue::Kind::kFailed) break;
        if (!target.present()) {
          if (rule.fallback.empty()) break;
          target.kind = FieldValue::Kind::kString;
          target.text = rule.fallback;
        }
        const FieldValue& end = values[rule.other];
        if (!end.present()) break;
        const bool passed = schema.fields[rule.other].type == FieldType::kDate
                                ? end.ordinal < ctx.today_days
                                : (end.ordinal + std::int64_t{8} * 3600) / 86400 < ctx.today_days;
        if (passed && std::find(rule.unless.begin(), rule.unless.end(), target.text) == rule.unless.end()) {
          target.text = rule.set;
        }
        break;
      }
      case RuleKind::kPartyType: {
        const FieldValue& id = values[rule.id];
        if (!id.present() || target.kind == FieldValue::Kind::kFailed) break;
        const std::string& derived = id.person ? rule.person : rule.entity;
        if (!target.present()) {
          target.kind = FieldValue::Kind::kString;
          target.text = derived;
        } else if (target.text != derived && (target.text == rule.person || target.text == rule.entity)) {
          cross_field(schema, rule, values, problems,
                      field_label(tf) + " 为 " + shown(tf, target.text) + "，但" + field_label(schema.fields[rule.id]) +
                          "是" + (id.person ? "身份证号码（自然人）" : "统一社会信用代码（法人或其他组织）"));
        }
        break;
      }
    }
  }
}

}  // namespace yici::schema
