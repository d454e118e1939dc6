#include "hub/schema/field_check.h"

#include "hub/schema/identifiers.h"
#include "hub/schema/numbers.h"
#include "hub/schema/phone.h"
#include "hub/schema/text.h"

namespace yici::schema {
namespace {

constexpr std::string_view kDateFormats = "可用格式：2017-03-01、2017/3/1、20170301、2017年3月1日、2017.03.01";

Severity combine(Severity field, Severity specific) {
  if (specific == Severity::kOff) return Severity::kOff;
  if (field == Severity::kWarn || specific == Severity::kWarn) return Severity::kWarn;
  return Severity::kReject;
}

class Checker {
 public:
  Checker(const Schema& schema, std::size_t index, const CheckContext& ctx, FieldValue& out,
          std::vector<Problem>& problems)
      : f_(schema.fields[index]), index_(index), ctx_(ctx), out_(out), problems_(problems) {}

  bool run(std::string_view v) {
    switch (f_.type) {
      case FieldType::kString:
        return string_value(v);
      case FieldType::kInteger:
        return integer(v);
      case FieldType::kDecimal:
        return decimal(v);
      case FieldType::kBoolean:
        return boolean(v);
      case FieldType::kDate:
        return date(v);
      case FieldType::kDatetime:
        return datetime(v);
      case FieldType::kEnum:
        return enumeration(v);
      case FieldType::kIdNumber:
        return resident_id(v, true);
      case FieldType::kUscc:
        return uscc(v);
      case FieldType::kPartyId:
        return party_id(v);
      case FieldType::kLicenseId:
        return license_id(v);
      case FieldType::kPhone:
        return phone(v);
      case FieldType::kDivision:
        return division(v);
    }
    return false;
  }

 private:
  bool fail(std::string_view code, std::string message, Severity specific = Severity::kReject) {
    const Severity s = combine(f_.severity, specific);
    if (s != Severity::kOff) problems_.push_back({index_, code, std::move(message), s});
    return false;
  }
  void warn(std::string_view code, std::string message) {
    problems_.push_back({index_, code, std::move(message), Severity::kWarn});
  }
  bool set_string(std::string_view text) {
    out_.kind = FieldValue::Kind::kString;
    out_.text.assign(text);
    return true;
  }
  bool set_literal(std::string_view text) {
    out_.kind = FieldValue::Kind::kLiteral;
    out_.text.assign(text);
    return true;
  }
  std::string label() const { return field_label(f_); }
  std::string quoted(std::string_view v) const { return quoted_value(f_, v); }

  // A checksum failure: allowed codes and `checksum: warn` downgrade it to a warning.
  bool checksum_failed(std::string_view value, std::string message) {
    if (f_.checksum_allow.count(std::string(value)) != 0) {
      warn("bad_checksum", message + "（该代码在 checksum_allow 名单中，按真实代码接收）");
      return true;
    }
    const Severity s = combine(f_.severity, f_.checksum);
    if (s == Severity::kOff) return true;
    if (s == Severity::kWarn) {
      warn("bad_checksum", std::move(message));
      return true;  // the value is well-formed; keep it
    }
    return fail("bad_checksum", std::move(message));
  }

  bool string_value(std::string_view v) {
    if (f_.min_length > 0 && code_point_count(v) < f_.min_length) {
      return fail("too_short", label() + " 至少应有 " + std::to_string(f_.min_length) + " 个字符");
    }
    return set_string(v);
  }

  bool in_range(std::string_view canonical) {
    if (f_.min && compare_decimal(canonical, *f_.min) < 0) {
      return fail("out_of_range", label() + " 的值 " + quoted(canonical) + " 小于下限 " + *f_.min);
    }
    if (f_.max && compare_decimal(canonical, *f_.max) > 0) {
      return fail("out_of_range", label() + " 的值 " + quoted(canonical) + " 大于上限 " + *f_.max);
    }
    return true;
  }

  bool integer(std::string_view v) {
    std::int64_t n = 0;
    const NumberParse r = parse_integer(v, n);
    if (r.fault == NumberFault::kOutOfRange) return fail("out_of_range", label() + " 的数值超出范围");
    if (r.fault != NumberFault::kNone) return fail("bad_number", label() + " 不是整数：" + quoted(v));
    const std::string text = std::to_string(n);
    if (!in_range(text)) return false;
    return set_literal(text);
  }

  bool decimal(std::string_view v) {
    std::string canonical;
    const NumberParse r = parse_decimal(v, f_.money, canonical);
    if (r.fault == NumberFault::kForeignCurrency) {
      return fail("bad_number", label() + " 以外币（" + std::string(r.currency) +
                                    "）计，无法换算为人民币元；请按人民币金额报送，或将此字段置空");
    }
    if (r.fault != NumberFault::kNone) {
      return fail("bad_number", label() + " 不是可识别的数额：" + quoted(v) +
                                    (f_.money ? "（示例：5000000、5,000,000、500万元）" : ""));
    }
    if (!in_range(canonical)) return false;
    return set_literal(canonical);
  }

  bool boolean(std::string_view v) {
    const std::string& k = fold_key_scratch(v);
    if (k == "是" || k == "true" || k == "1" || k == "y" || k == "yes" || k == "有") return set_literal("true");
    if (k == "否" || k == "false" || k == "0" || k == "n" || k == "no" || k == "无") return set_literal("false");
    return fail("bad_boolean", label() + " 应为 是/否：" + quoted(v));
  }

  bool date_checks(const CivilDate& d) {
    out_.ordinal = days_from_civil(d);
    if (f_.not_future && out_.ordinal > ctx_.today_days) {
      std::string text;
      append_iso_date(text, d);
      return fail("future_date", label() + " " + quoted(text) + " 晚于今天");
    }
    return true;
  }

  bool date(std::string_view v) {
    if (!f_.open_ended.empty() && f_.open_ended.count(fold_key_scratch(v)) != 0) {
      out_.kind = FieldValue::Kind::kAbsent;  // "长期": no end date
      return true;
    }
    CivilDate d;
    const DateParse r = parse_date(v, d);
    if (r == DateParse::kImpossible) return fail("bad_date", label() + " " + quoted(v) + " 不是存在的日期");
    if (r != DateParse::kOk) {
      return fail("bad_date", label() + " 无法识别的日期 " + quoted(v) + "（" + std::string(kDateFormats) + "）");
    }
    if (!date_checks(d)) return false;
    out_.kind = FieldValue::Kind::kString;
    out_.text.clear();
    append_iso_date(out_.text, d);
    return true;
  }

  bool datetime(std::string_view v) {
    CivilDateTime dt;
    const DateParse r = parse_datetime(v, dt);
    if (r == DateParse::kImpossible) return fail("bad_date", label() + " " + quoted(v) + " 不是存在的日期时间");
    if (r != DateParse::kOk) {
      return fail("bad_date", label() + " 无法识别的日期时间 " + quoted(v) + "（示例：2024-05-06 13:45:10）");
    }
    out_.kind = FieldValue::Kind::kString;
    out_.text.clear();
    if (!append_rfc3339_china(out_.text, dt)) {
      return fail("bad_date", label() + " " + quoted(v) + " 换算为北京时间后超出 1000–9999 年");
    }
    const std::int64_t offset = dt.offset_minutes.value_or(8 * 60);
    out_.ordinal = days_from_civil(dt.date) * 86400 + std::int64_t{dt.hour} * 3600 + std::int64_t{dt.minute} * 60 +
                   dt.second - offset * 60;
    if (f_.not_future && (out_.ordinal + std::int64_t{8} * 3600) / 86400 > ctx_.today_days) {
      return fail("future_date", label() + " " + quoted(v) + " 晚于今天");
    }
    return true;
  }

  bool enumeration(std::string_view v) {
    const auto it = f_.codes->by_key.find(fold_key_scratch(v));
    if (it == f_.codes->by_key.end()) {
      return fail("not_in_code_list", label() + " 的值 " + quoted(v) + " 不在代码表 " + f_.codes->name + " 中");
    }
    return set_string(f_.codes->codes[it->second]);
  }

  bool resident_id(std::string_view v, bool alone) {
    std::string upgraded;
    IdCheck c;
    if (v.size() == 15) {
      if (!f_.upgrade_15) {
        return fail("bad_format", label() + " 为 15 位旧号码；本数据集只接收 18 位号码");
      }
      c = upgrade_resident_id(v, upgraded);
      v = upgraded;
    } else {
      c = check_resident_id(v);
    }
    out_.person = true;
    switch (c.fault) {
      case IdFault::kNone:
        break;
      case IdFault::kBadLength:
        return fail("bad_format", label() + " 应为 18 位" + (f_.upgrade_15 ? "（或 15 位旧号码）" : "") + "，实为 " +
                                      std::to_string(code_point_count(v)) + " 位" +
                                      (alone ? "" : "；也不是 18 位统一社会信用代码"));
      case IdFault::kBadCharacter:
        return fail("bad_format", label() + " 前 17 位应为数字，第 18 位为数字或 X");
      case IdFault::kBadProvince:
        return fail("bad_format", label() + " 前两位 " + std::string(v.substr(0, 2)) + " 不是省级行政区划代码");
      case IdFault::kBadDate:
        return fail("bad_date", label() + " 中的出生日期（第 7–14 位）不是存在的日期");
      case IdFault::kBadChecksum:
        if (!checksum_failed(v, label() + " 校验码（第 18 位）不符：号码中至少有一位有误，请与证件原件核对"))
          return false;
        break;
    }
    const std::int64_t birth = days_from_civil(c.birth);
    if (birth > ctx_.today_days) return fail("future_date", label() + " 中的出生日期晚于今天");
    return set_string(v);
  }

  bool uscc(std::string_view v) {
    const IdCheck c = check_uscc(v);
    switch (c.fault) {
      case IdFault::kNone:
        break;
      case IdFault::kBadLength:
        return fail("bad_format",
                    label() + " 应为 18 位统一社会信用代码，实为 " + std::to_string(code_point_count(v)) + " 位");
      case IdFault::kBadCharacter:
        return fail("bad_format", label() + " 含不允许的字符（不使用 I、O、S、V、Z；第 3–8 位为数字）：" + quoted(v));
      default:
        if (!checksum_failed(v, label() + " 校验码（第 18 位）不符：代码中至少有一位有误，请与营业执照核对"))
          return false;
        break;
    }
    if (f_.org_code_check != Severity::kOff && check_org_code(v).fault != IdFault::kNone) {
      const std::string message = label() + " 第 9–17 位的组织机构代码校验不符（GB 11714）";
      const Severity s = combine(f_.severity, f_.org_code_check);
      if (s == Severity::kWarn) {
        warn("bad_org_code", message);
      } else {
        return fail("bad_org_code", message);
      }
    }
    out_.person = false;
    return set_string(v);
  }

  bool party_id(std::string_view v) {
    bool digits17 = v.size() == 18;
    for (std::size_t i = 0; digits17 && i < 17; ++i) digits17 = v[i] >= '0' && v[i] <= '9';
    if (v.size() == 15) return resident_id(v, false);
    if (digits17) {
      // Eighteen characters, the first seventeen digits: a resident ID, or a USCC with a numeric
      // organisation code ("91330100" + 9 digits). A resident ID starts with a province and holds
      // a real birth date at 7–14; a USCC has its province at 3–4. A mistyped ID must not pass
      // as a USCC by the 1-in-31 chance that its characters satisfy the other check.
      const auto province_at = [&](std::size_t i) { return is_province_code((v[i] - '0') * 10 + (v[i + 1] - '0')); };
      const auto digits = [&](std::size_t i, std::size_t n) {
        int x = 0;
        for (std::size_t k = i; k < i + n; ++k) x = x * 10 + (v[k] - '0');
        return x;
      };
      const bool like_id = province_at(0) && is_real_date(digits(6, 4), digits(10, 2), digits(12, 2));
      const bool like_uscc = province_at(2);
      if (check_resident_id(v).fault == IdFault::kNone) return resident_id(v, false);
      if (like_uscc && !like_id) return uscc(v);
      return like_id ? resident_id(v, false) : uscc(v);
    }
    if (v.size() != 18) {
      return fail("bad_format", label() + " 应为 18 位身份证号码或统一社会信用代码，实为 " +
                                    std::to_string(code_point_count(v)) + " 位");
    }
    return uscc(v);
  }

  bool license_id(std::string_view v) {
    const IdCheck c = check_license_id(v);
    switch (c.fault) {
      case IdFault::kNone:
        break;
      case IdFault::kBadLength:
      case IdFault::kBadCharacter:
        return fail("bad_format",
                    label() + " 应为 1.2.156.3005.2.类型代码.发证机关信用代码.流水号.3位版本号.校验位：" + quoted(v));
      default:
        if (!checksum_failed(v, label() + " 校验位（最后一位）不符：标识中至少有一位有误")) return false;
        break;
    }
    return set_string(v);
  }

  bool phone(std::string_view v) {
    std::string out;
    if (!normalise_phone(v, out)) {
      return fail("bad_phone", label() + " 不是有效的手机号（11 位）或带区号的固定电话：" + quoted(v));
    }
    return set_string(out);
  }

  bool division(std::string_view v) {
    std::string_view d = v;
    // 12-digit statistical codes of a whole county ("330106000000") name the same division.
    if (d.size() == 12 && d.substr(6) == "000000") d = d.substr(0, 6);
    bool ok = d.size() == 6;
    for (const char c : d) ok = ok && c >= '0' && c <= '9';
    if (!ok || !is_province_code((d[0] - '0') * 10 + (d[1] - '0'))) {
      return fail("bad_format", label() + " 应为 6 位行政区划代码（GB/T 2260），如 330106：" + quoted(v));
    }
    return set_string(d);
  }

  const FieldSpec& f_;
  std::size_t index_;
  const CheckContext& ctx_;
  FieldValue& out_;
  std::vector<Problem>& problems_;
};

}  // namespace

bool check_value(const Schema& schema, std::size_t index, std::string_view cleaned, const CheckContext& ctx,
                 FieldValue& out, std::vector<Problem>& problems) {
  return Checker(schema, index, ctx, out, problems).run(cleaned);
}

}  // namespace yici::schema
