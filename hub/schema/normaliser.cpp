#include "hub/schema/normaliser.h"

#include <algorithm>
#include <cstdio>

#include "hub/schema/rules.h"
#include "hub/schema/text.h"

namespace yici::schema {
namespace {

constexpr std::size_t kNotGiven = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxNullValueBytes = 32;  // null markers are short; longer text is never one

}  // namespace

Normaliser::Normaliser(std::shared_ptr<const Schema> schema, NormaliserOptions options) : schema_(std::move(schema)) {
  ctx_.today = options.today.value_or(today_in_china());
  ctx_.today_days = days_from_civil(ctx_.today);
  const std::size_t n = schema_->fields.size();
  keys_.reserve(n);
  for (const auto& f : schema_->fields) {
    std::string key = "\"";
    append_json_escaped(key, f.name);
    key += "\":";
    keys_.push_back(std::move(key));
    matchers_.push_back(f.pattern ? std::make_unique<Pattern::Matcher>(*f.pattern) : nullptr);
  }
  values_.resize(n);
  input_of_field_.assign(n, kNotGiven);
}

Normaliser::~Normaliser() = default;

void Normaliser::map_fields(const std::vector<std::string>& fields) {
  if (fields == mapped_names_) return;  // the same names every row of a pull: a few compares
  mapped_names_ = fields;
  std::fill(input_of_field_.begin(), input_of_field_.end(), kNotGiven);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (auto index = schema_->field_index(fields[i])) input_of_field_[*index] = i;
  }
}

void Normaliser::normalise_field(std::size_t index, const std::optional<std::string>* raw) {
  const FieldSpec& f = schema_->fields[index];
  FieldValue& value = values_[index];
  value.kind = FieldValue::Kind::kAbsent;
  value.person = false;
  value.ordinal = 0;
  std::string_view text;
  if (raw != nullptr && raw->has_value()) text = trim(**raw);
  if (!text.empty() && text.size() <= kMaxNullValueBytes && (!schema_->null_values.empty() || !f.null_values.empty())) {
    const std::string& key = fold_key_scratch(text);
    if (schema_->null_values.count(key) != 0 || f.null_values.count(key) != 0) text = {};
  }
  const auto reject = [&](std::string_view code, std::string message) {
    const Severity s = f.severity;
    problems_.push_back({index, code, std::move(message), s});
    value.kind = s == Severity::kReject ? FieldValue::Kind::kFailed : FieldValue::Kind::kAbsent;
  };
  if (text.empty()) {
    if (f.required) {
      problems_.push_back({index, "missing", "必填项 " + field_label(f) + " 为空", Severity::kReject});
      value.kind = FieldValue::Kind::kFailed;
    }
    return;
  }
  const TextCheck check = clean(text, f.transforms, cleaned_);
  switch (check.fault) {
    case TextFault::kNone:
      break;
    case TextFault::kBadUtf8:
      return reject("bad_encoding", field_label(f) + " 不是有效的 UTF-8 文本（第 " + std::to_string(check.where + 1) +
                                        " 字节起）；若为 GBK 编码的 CSV 文件，请将数据源的 adapter.encoding 设为 gbk"
                                        "（目录中文件编码不一时设为 auto，逐个文件按内容识别）；若来自数据库，"
                                        "请部门将该列存为 UTF-8 文本");
    case TextFault::kReplacementChar:
      return reject("bad_encoding",
                    field_label(f) +
                        " 含替换字符 U+FFFD：源数据此处的字节不是所声明编码（如 "
                        "GBK）的合法字符，或数据在送达前已按错误的编码解码；请核对导出文件的编码，或重新导出该行");
    case TextFault::kControlCharacter: {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(check.code_point));
      return reject("control_character",
                    field_label(f) + " 含控制字符 U+" + hex + "（第 " + std::to_string(check.where + 1) + " 字节）");
    }
  }
  if (cleaned_.empty()) {  // only separators or invisible characters
    if (f.required) {
      problems_.push_back({index, "missing", "必填项 " + field_label(f) + " 为空", Severity::kReject});
      value.kind = FieldValue::Kind::kFailed;
    }
    return;
  }
  if (f.type == FieldType::kString || f.type == FieldType::kEnum) {
    // Cheap byte bound first: a 1 MiB field is refused without counting every code point.
    const std::size_t length = cleaned_.size() > f.max_length * 4 ? cleaned_.size() : code_point_count(cleaned_);
    if (length > f.max_length) {
      return reject("too_long", field_label(f) + " 长度超过上限 " + std::to_string(f.max_length) + " 个字符（实为 " +
                                    std::to_string(code_point_count(cleaned_)) + "）");
    }
  } else if (cleaned_.size() > 256) {
    return reject("too_long", field_label(f) + " 过长（" + std::to_string(cleaned_.size()) + " 字节），不是有效的" +
                                  std::string(field_type_name(f.type)) + "值");
  }
  if (matchers_[index] && !matchers_[index]->matches(cleaned_)) {
    return reject("pattern",
                  field_label(f) + " 不符合格式要求 " + f.pattern->source() + "：" + quoted_value(f, cleaned_));
  }
  const std::size_t before = problems_.size();
  if (!check_value(*schema_, index, cleaned_, ctx_, value, problems_)) {
    const bool rejected = problems_.size() > before && problems_.back().severity == Severity::kReject;
    value.kind = rejected ? FieldValue::Kind::kFailed : FieldValue::Kind::kAbsent;
  }
}

void Normaliser::append_problems(std::string& out, const std::vector<Problem>& problems, const Schema& schema,
                                 Severity severity) {
  out.push_back('[');
  bool first = true;
  for (const Problem& p : problems) {
    if (p.severity != severity) continue;
    if (!first) out.push_back(',');
    first = false;
    out += "{\"field\":";
    if (p.field == Problem::kRowLevel) {
      out += "null";
    } else {
      out.push_back('"');
      append_json_escaped(out, schema.fields[p.field].name);
      out.push_back('"');
    }
    out += ",\"code\":\"";
    append_json_escaped(out, p.code);
    out += "\",\"message\":\"";
    append_json_escaped(out, p.message);
    out += "\"}";
  }
  out.push_back(']');
}

ingest::NormalisedRow Normaliser::normalise(const std::vector<std::string>& fields,
                                            const std::vector<std::optional<std::string>>& values) {
  map_fields(fields);
  problems_.clear();
  const std::size_t n = schema_->fields.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t at = input_of_field_[i];
    normalise_field(i, at != kNotGiven && at < values.size() ? &values[at] : nullptr);
  }
  apply_rules(*schema_, ctx_, values_, problems_);

  ingest::NormalisedRow row;
  const bool rejected =
      std::any_of(problems_.begin(), problems_.end(), [](const Problem& p) { return p.severity == Severity::kReject; });
  if (rejected) {
    // Rule findings were appended after field findings; present them in field order.
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return a.field + 1 < b.field + 1;  // row-level (npos) first
    });
    append_problems(row.errors_json, problems_, *schema_, Severity::kReject);
    return row;
  }
  row.ok = true;
  std::string& out = row.fields_json;
  out.reserve(last_size_ + 16);
  out.push_back('{');
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out.push_back(',');
    out += keys_[i];
    const FieldValue& v = values_[i];
    switch (v.kind) {
      case FieldValue::Kind::kString:
        out.push_back('"');
        append_json_escaped(out, v.text);
        out.push_back('"');
        break;
      case FieldValue::Kind::kLiteral:
        out += v.text;
        break;
      default:
        out += "null";
    }
  }
  out.push_back('}');
  last_size_ = out.size();
  row.subject = values_[schema_->subject].text;
  if (schema_->status_field && values_[*schema_->status_field].present()) {
    row.status = values_[*schema_->status_field].text;
  }
  if (!problems_.empty()) append_problems(row.warnings_json, problems_, *schema_, Severity::kWarn);
  return row;
}

std::optional<ingest::RejectedRowStatus> Normaliser::rejected_row_status(
    const std::vector<std::string>& fields, const std::vector<std::optional<std::string>>& values) {
  if (!schema_->status_field || schema_->status_from_rejected_rows.empty()) return std::nullopt;
  map_fields(fields);
  const std::size_t index = *schema_->status_field;
  const std::size_t at = input_of_field_[index];
  if (at == kNotGiven || at >= values.size()) return std::nullopt;
  // The field alone, as normalise() checks it; its findings are not the row's (last_problems()
  // stays the row's).
  const std::size_t before = problems_.size();
  normalise_field(index, &values[at]);
  const bool failed = problems_.size() > before;
  problems_.erase(problems_.begin() + static_cast<std::ptrdiff_t>(before), problems_.end());
  const FieldValue& v = values_[index];
  if (failed || !v.present() || schema_->status_from_rejected_rows.count(v.text) == 0) return std::nullopt;
  return ingest::RejectedRowStatus{schema_->fields[index].name, v.text};
}

}  // namespace yici::schema
