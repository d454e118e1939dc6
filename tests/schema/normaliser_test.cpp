#include "hub/schema/normaliser.h"

#include <doctest/doctest.h>

#include "hub/schema/identifiers.h"
#include "tests/schema/schema_test_util.h"

namespace yici::schema {
namespace {

using test::kToday;
using test::run_row;

std::string id_with_check(const std::string& first17) { return first17 + resident_id_check_char(first17); }
std::string uscc_with_check(const std::string& first17) { return first17 + uscc_check_char(first17); }

// A valid Hangzhou (Xihu) ID: born 1990-01-01, sequence 123 (odd: male).
const std::string kMaleId = id_with_check("33010619900101123");
const std::string kFemaleId = id_with_check("33010619851231002");

TEST_CASE("population: a messy but valid row comes out canonical") {
  Normaliser n(test::repo_schema("population"), {kToday});
  std::string fullwidth_id;
  for (const char c : kMaleId) {  // every digit full-width
    if (c >= '0' && c <= '9') {
      fullwidth_id += "\xEF\xBC";
      fullwidth_id.push_back(static_cast<char>(0x90 + (c - '0')));
    } else {
      fullwidth_id.push_back(c);
    }
  }
  const auto r = run_row(n, {{"id_number", " " + fullwidth_id + "\u3000"},
                             {"name", "张 三"},
                             {"gender", "男"},
                             {"birth_date", "1990年1月1日"},
                             {"ethnicity", "汉"},
                             {"domicile_address", "浙江省杭州市西湖区  文三路 1 号"},
                             {"domicile_division", "330106"},
                             {"phone", "+86 138-1234-5678"},
                             {"updated_at", "20240506134510"}});
  INFO(r.raw_errors);
  REQUIRE(r.ok);
  CHECK(r.str("id_number") == kMaleId);
  CHECK(r.subject == kMaleId);
  CHECK(r.str("name") == "张三");
  CHECK(r.str("gender") == "M");
  CHECK(r.str("birth_date") == "1990-01-01");
  CHECK(r.str("ethnicity") == "01");
  CHECK(r.str("domicile_address") == "浙江省杭州市西湖区 文三路 1 号");
  CHECK(r.str("phone") == "13812345678");
  CHECK(r.str("updated_at") == "2024-05-06T13:45:10+08:00");
  CHECK(r.warnings.empty());
}

TEST_CASE("population: ID number edge cases") {
  Normaliser n(test::repo_schema("population"), {kToday});
  SUBCASE("lowercase x is the same as X") {
    const auto r = run_row(n, {{"id_number", "11010519491231002x"}, {"name", "李四"}});
    REQUIRE(r.ok);
    CHECK(r.subject == "11010519491231002X");
  }
  SUBCASE("15-digit legacy numbers are upgraded") {
    const auto r = run_row(n, {{"id_number", "110105491231002"}, {"name", "李四"}, {"birth_date", "1949-12-31"}});
    REQUIRE(r.ok);
    CHECK(r.subject == "11010519491231002X");
  }
  SUBCASE("a wrong check character is bad_checksum, and the message does not show the number") {
    const auto r = run_row(n, {{"id_number", "110105194912310021"}, {"name", "李四"}});
    CHECK_FALSE(r.ok);
    CHECK(r.has_error("id_number", "bad_checksum"));
    CHECK(r.raw_errors.find("110105194912310021") == std::string::npos);
  }
  SUBCASE("wrong length, bad characters, unknown province, impossible and future birth dates") {
    CHECK(run_row(n, {{"id_number", "1101051949123100"}, {"name", "x"}}).has_error("id_number", "bad_format"));
    CHECK(run_row(n, {{"id_number", "11010519491231002Y"}, {"name", "x"}}).has_error("id_number", "bad_format"));
    CHECK(run_row(n, {{"id_number", id_with_check("99010619900101123")}, {"name", "x"}})
              .has_error("id_number", "bad_format"));
    CHECK(run_row(n, {{"id_number", id_with_check("33010620190229123")}, {"name", "x"}})
              .has_error("id_number", "bad_date"));
    CHECK(run_row(n, {{"id_number", id_with_check("33010620300101123")}, {"name", "x"}})
              .has_error("id_number", "future_date"));
  }
}

TEST_CASE("population: a datetime past year 9999 once in China Standard Time is a bad_date, not garbage") {
  Normaliser n(test::repo_schema("population"), {kToday});
  const auto r = run_row(n, {{"id_number", kMaleId}, {"name", "张三"}, {"updated_at", "9999-12-31T23:00:00-05:00"}});
  CHECK(r.has_error("updated_at", "bad_date"));
  CHECK(r.raw_errors.find("1000–9999") != std::string::npos);
}

TEST_CASE("population: every failing field is reported, each with its code") {
  Normaliser n(test::repo_schema("population"), {kToday});
  const auto r = run_row(n, {{"id_number", kMaleId},
                             {"name", ""},
                             {"gender", "中性"},
                             {"birth_date", "1990-02-30"},
                             {"ethnicity", "火星族"},
                             {"domicile_division", "3301"},
                             {"phone", "12345"},
                             {"updated_at", "yesterday"}});
  CHECK_FALSE(r.ok);
  CHECK(r.has_error("name", "missing"));
  CHECK(r.has_error("gender", "not_in_code_list"));
  CHECK(r.has_error("birth_date", "bad_date"));
  CHECK(r.has_error("ethnicity", "not_in_code_list"));
  CHECK(r.has_error("domicile_division", "bad_format"));
  CHECK(r.has_error("updated_at", "bad_date"));
  CHECK_FALSE(r.has_error("phone", "bad_phone"));  // severity: warn — never a rejection
  CHECK(r.errors.size() == 6);
  const auto parsed = boost::json::parse(r.raw_errors).as_array();
  for (const auto& e : parsed) CHECK_FALSE(e.at("message").as_string().empty());
}

TEST_CASE("population: a warn-severity field is reported and nulled, the row kept") {
  Normaliser n(test::repo_schema("population"), {kToday});
  const auto r = run_row(n, {{"id_number", kMaleId}, {"name", "王五"}, {"phone", "87654321"}});
  REQUIRE(r.ok);
  CHECK(r.str("phone") == "<null>");
  CHECK(r.has_warning("phone", "bad_phone"));
}

TEST_CASE("population: cross-field rules against the ID number") {
  Normaliser n(test::repo_schema("population"), {kToday});
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "a"}, {"gender", "女"}}).has_error("gender", "cross_field"));
  CHECK(run_row(n, {{"id_number", kFemaleId}, {"name", "a"}, {"gender", "F"}}).ok);
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "a"}, {"birth_date", "1990-01-02"}})
            .has_error("birth_date", "cross_field"));
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "a"}, {"birth_date", "19900101"}}).ok);
  // A rule whose input already failed adds no second error.
  const auto r = run_row(n, {{"id_number", "110105194912310021"}, {"name", "a"}, {"gender", "F"}});
  CHECK(r.errors.size() == 1);
}

TEST_CASE("population: hostile text never crashes and is named precisely") {
  Normaliser n(test::repo_schema("population"), {kToday});
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "\xD5\xC5\xC8\xFD"}}).has_error("name", "bad_encoding"));  // GBK
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "张\x01三"}}).has_error("name", "control_character"));
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "\xEF\xBB\xBF张三"}}).ok);  // a BOM is trimmed
  CHECK(run_row(n, {{"id_number", kMaleId}, {"name", "\xEF\xBF\xBD\xEF\xBF\xBD"}}).has_error("name", "bad_encoding"));
  const std::string huge(1 << 20, 'a');
  const auto r = run_row(n, {{"id_number", kMaleId}, {"name", huge}, {"domicile_address", huge}});
  CHECK(r.has_error("name", "too_long"));
  CHECK(r.has_error("domicile_address", "too_long"));
  CHECK(r.raw_errors.size() < 2000);  // the value is not echoed back
  CHECK(run_row(n, {{"id_number", huge}, {"name", "a"}}).has_error("id_number", "too_long"));
  // NULL markers and absent columns.
  const auto nulls = run_row(n, {{"id_number", kMaleId}, {"name", "a"}, {"gender", "NULL"}, {"phone", "\\N"}});
  REQUIRE(nulls.ok);
  CHECK(nulls.str("gender") == "<null>");
  CHECK(nulls.str("ethnicity") == "<null>");
  CHECK(run_row(n, {{"id_number", std::nullopt}, {"name", "a"}}).has_error("id_number", "missing"));
  // "-" and "/" are how exports write nothing; GB/T 2261.1 code 9 is "not stated".
  const auto dashes =
      run_row(n, {{"id_number", kMaleId}, {"name", "a"}, {"birth_date", "-"}, {"gender", "9"}, {"ethnicity", "/"}});
  REQUIRE(dashes.ok);
  CHECK(dashes.str("birth_date") == "<null>");
  CHECK(dashes.str("gender") == "<null>");
  CHECK(run_row(n, {{"id_number", "-"}, {"name", "a"}}).has_error("id_number", "missing"));
  CHECK(run_row(n, {{"name", "a"}}).has_error("id_number", "missing"));
}

TEST_CASE("legal_entity: capital, status words and the USCC checks") {
  Normaliser n(test::repo_schema("legal_entity"), {kToday});
  const auto r = run_row(n, {{"uscc", "91350100m000100y43"},
                             {"name", "福州某某有限公司(仓山分公司)"},
                             {"registered_capital", "500万人民币"},
                             {"established_on", "2015.06.18"},
                             {"status", "吊销，未注销"}});
  INFO(r.raw_errors);
  REQUIRE(r.ok);
  CHECK(r.subject == "91350100M000100Y43");
  CHECK(r.str("name") == "福州某某有限公司（仓山分公司）");
  CHECK(r.str("registered_capital") == "5000000");
  CHECK(r.str("established_on") == "2015-06-18");
  CHECK(r.str("status") == "revoked");
  CHECK(r.status == "revoked");
  CHECK(r.warnings.empty());

  for (const auto& [word, code] : std::vector<std::pair<std::string, std::string>>{
           {"存续", "active"}, {"在业", "active"}, {"注销", "cancelled"}, {"迁出", "moved_out"}, {"吊销", "revoked"}}) {
    CAPTURE(word);
    const auto s = run_row(n, {{"uscc", "91350100M000100Y43"}, {"name", "x"}, {"status", word}});
    REQUIRE(s.ok);
    CHECK(s.status == code);
  }
  CHECK(run_row(n, {{"uscc", "91350100M000100Y44"}, {"name", "x"}, {"status", "存续"}})
            .has_error("uscc", "bad_checksum"));
  CHECK(run_row(n,
                {{"uscc", "91350100M000100Y43"}, {"name", "x"}, {"status", "存续"}, {"registered_capital", "50万美元"}})
            .has_error("registered_capital", "bad_number"));
  CHECK(run_row(n, {{"uscc", "91350100M000100Y43"}, {"name", "x"}, {"status", "存续"}, {"registered_capital", "-5"}})
            .has_error("registered_capital", "out_of_range"));
  CHECK(run_row(n, {{"uscc", "91350100M000100Y43"}, {"name", "x"}, {"status", "歇业中"}})
            .has_error("status", "not_in_code_list"));
  // A code whose final check is right but whose organisation code is not: a warning only.
  const std::string org_bad = uscc_with_check("91330106M00010053");
  const auto w = run_row(n, {{"uscc", org_bad}, {"name", "x"}, {"status", "存续"}});
  REQUIRE(w.ok);
  CHECK(w.has_warning("uscc", "bad_org_code"));
}

TEST_CASE("legal_entity: genuine pilot codes on the allow-list are accepted with a warning") {
  auto schema = test::schema_from_text(R"(dataset: legal_entity
subject: uscc
fields:
  - {name: uscc, type: uscc, required: true, checksum_allow: [91350100M000100Y44]}
)");
  REQUIRE(schema != nullptr);
  Normaliser n(schema, {kToday});
  const auto pilot = run_row(n, {{"uscc", "91350100M000100Y44"}});
  REQUIRE(pilot.ok);
  CHECK(pilot.has_warning("uscc", "bad_checksum"));
  CHECK(run_row(n, {{"uscc", "91350100M000100Y45"}}).has_error("uscc", "bad_checksum"));
}

TEST_CASE("e_license: open-ended validity, derived status, date order") {
  Normaliser n(test::repo_schema("e_license"), {kToday});
  const std::string lid = "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0";
  const auto base = [&](const std::string& valid_to, const std::string& status) {
    return run_row(n, {{"license_id", lid},
                       {"license_name", "食品经营许可证"},
                       {"holder_name", "杭州某某餐饮有限公司"},
                       {"holder_id", "91350100M000100Y43"},
                       {"valid_from", "2020-01-01"},
                       {"valid_to", valid_to},
                       {"status", status}});
  };
  auto r = base("长期", "");
  INFO(r.raw_errors);
  REQUIRE(r.ok);
  CHECK(r.str("valid_to") == "<null>");
  CHECK(r.status == "valid");
  CHECK(r.subject == "91350100M000100Y43");
  r = base("2025-12-31", "有效");
  REQUIRE(r.ok);
  CHECK(r.status == "expired");  // derived: the end date has passed
  r = base("2025-12-31", "吊销");
  REQUIRE(r.ok);
  CHECK(r.status == "revoked");  // revocation wins over expiry
  r = base("2030/12/31", "");
  REQUIRE(r.ok);
  CHECK(r.status == "valid");
  CHECK(base("2019-12-31", "").has_error("valid_to", "cross_field"));
  CHECK(run_row(n, {{"license_id", lid.substr(0, lid.size() - 1) + "7"},
                    {"license_name", "x"},
                    {"holder_name", "x"},
                    {"holder_id", "91350100M000100Y43"}})
            .has_error("license_id", "bad_checksum"));
  CHECK(run_row(n, {{"license_id", "JY13301060012345"},
                    {"license_name", "x"},
                    {"holder_name", "x"},
                    {"holder_id", "91350100M000100Y43"}})
            .has_error("license_id", "bad_format"));
}

TEST_CASE("e_license: a rejected row's status alone, when the schema lets it restrict the record on file") {
  Normaliser n(test::repo_schema("e_license"), {kToday});
  const std::string lid = "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0";
  const auto rejected = [&](const std::optional<std::string>& status, const std::string& issued_on) {
    const std::vector<std::string> fields{"license_id", "license_name", "holder_name", "holder_id",
                                          "issued_on",  "valid_to",     "status"};
    const std::vector<std::optional<std::string>> values{
        lid, "食品经营许可证", "杭州某某餐饮有限公司", "91350100M000100Y43", issued_on, "2030-12-31", status};
    const auto row = n.normalise(fields, values);
    REQUIRE_FALSE(row.ok);  // every case here fails on its 发证日期
    const std::size_t problems = n.last_problems().size();
    auto out = n.rejected_row_status(fields, values);
    CHECK(n.last_problems().size() == problems);  // still the row's findings
    return out;
  };
  auto s = rejected("吊销", "2026-13-45");
  REQUIRE(s.has_value());
  CHECK(s->field == "status");
  CHECK(s->status == "revoked");
  s = rejected(" 暂扣 ", "2099-01-01");  // a date in the future
  REQUIRE(s.has_value());
  CHECK(s->status == "suspended");
  CHECK(rejected("已过期", "2026-13-45")->status == "expired");
  // Not a restricting status, empty, or not a status at all: nothing.
  CHECK_FALSE(rejected("有效", "2026-13-45").has_value());
  CHECK_FALSE(rejected(std::nullopt, "2026-13-45").has_value());
  CHECK_FALSE(rejected("不知道", "2026-13-45").has_value());
  // A schema without the key (credit): nothing, whatever the status says.
  Normaliser credit(test::repo_schema("credit"), {kToday});
  CHECK_FALSE(credit.rejected_row_status({"subject_id", "status"}, {"bad", "移出"}).has_value());
}

TEST_CASE("credit: subject type derived from the ID, and checked when given") {
  Normaliser n(test::repo_schema("credit"), {kToday});
  auto r = run_row(n, {{"subject_id", kMaleId},
                       {"subject_name", "张三"},
                       {"list_type", "失信黑名单"},
                       {"listed_on", "2024-03-01"},
                       {"expires_on", "2027-03-01"}});
  INFO(r.raw_errors);
  REQUIRE(r.ok);
  CHECK(r.str("subject_type") == "person");
  CHECK(r.str("list_type") == "black");
  CHECK(r.status == "valid");
  r = run_row(n, {{"subject_id", "91350100M000100Y43"},
                  {"subject_name", "某公司"},
                  {"list_type", "红名单"},
                  {"listed_on", "2020-03-01"},
                  {"expires_on", "2023-03-01"}});
  REQUIRE(r.ok);
  CHECK(r.str("subject_type") == "entity");
  CHECK(r.status == "expired");
  CHECK(run_row(n, {{"subject_id", kMaleId},
                    {"subject_name", "张三"},
                    {"subject_type", "法人"},
                    {"list_type", "red"},
                    {"listed_on", "2024-03-01"}})
            .has_error("subject_type", "cross_field"));
  CHECK(run_row(n, {{"subject_id", "91350100M000100Y43"},
                    {"subject_name", "x"},
                    {"list_type", "red"},
                    {"listed_on", "2030-01-01"}})
            .has_error("listed_on", "future_date"));
  // A USCC whose first 17 characters are digits is still a USCC, not a malformed ID number.
  const std::string numeric_uscc = uscc_with_check("91330100143012303");
  REQUIRE(numeric_uscc == "913301001430123030");  // all digits
  r = run_row(n,
              {{"subject_id", numeric_uscc}, {"subject_name", "x"}, {"list_type", "red"}, {"listed_on", "2020-01-01"}});
  INFO(r.raw_errors);
  REQUIRE(r.ok);
  CHECK(r.str("subject_type") == "entity");
  // A mistyped ID number whose characters happen to satisfy the USCC check is still a bad ID.
  CHECK(run_row(n, {{"subject_id", "33020319650524258X"},
                    {"subject_name", "x"},
                    {"list_type", "red"},
                    {"listed_on", "2020-01-01"}})
            .has_error("subject_id", "bad_checksum"));
  CHECK(run_row(n, {{"subject_id", "ABC"}, {"subject_name", "x"}, {"list_type", "red"}, {"listed_on", "2020-01-01"}})
            .has_error("subject_id", "bad_format"));
}

TEST_CASE("population: a bad birth date is named without showing it (the date is part of the ID)") {
  Normaliser n(test::repo_schema("population"), {kToday});
  for (const char* date : {"1990年2月30日", "1990-01-02"}) {  // unreadable; readable but not the ID's
    CAPTURE(date);
    const auto r = run_row(n, {{"id_number", kMaleId}, {"name", "a"}, {"birth_date", date}});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.raw_errors.find("出生日期(birth_date)") != std::string::npos);
    CHECK(r.raw_errors.find(date) == std::string::npos);
    CHECK(r.raw_errors.find("1990") == std::string::npos);
  }
}

TEST_CASE("cross-field messages show a value only where its field is not sensitive") {
  auto schema = test::schema_from_text(R"(dataset: t
subject: id
fields:
  - {name: id, type: uscc, required: true}
  - {name: start, type: date, sensitive: true}
  - {name: finish, type: date}
rules:
  - {rule: date_order, earlier: start, later: finish}
)");
  REQUIRE(schema != nullptr);
  Normaliser n(schema, {kToday});
  const auto r = run_row(n, {{"id", "91350100M000100Y43"}, {"start", "2020-05-06"}, {"finish", "2019-03-04"}});
  REQUIRE(r.has_error("finish", "cross_field"));
  CHECK(r.raw_errors.find("2019-03-04") != std::string::npos);
  CHECK(r.raw_errors.find("2020-05-06") == std::string::npos);
}

TEST_CASE("a field pattern is matched against the whole cleaned value") {
  auto schema = test::schema_from_text(R"(dataset: t
subject: id
fields:
  - {name: id, type: uscc, required: true}
  - {name: permit, type: string, pattern: "JY[0-9]{14}", transforms: [halfwidth, upper]}
)");
  REQUIRE(schema != nullptr);
  Normaliser n(schema, {kToday});
  CHECK(run_row(n, {{"id", "91350100M000100Y43"}, {"permit", "jy13301060012345"}}).ok);
  CHECK(run_row(n, {{"id", "91350100M000100Y43"}, {"permit", "JY13301060012345X"}}).has_error("permit", "pattern"));
  CHECK(run_row(n, {{"id", "91350100M000100Y43"}, {"permit", "xJY13301060012345"}}).has_error("permit", "pattern"));
}

TEST_CASE("the input field order does not matter and may change between rows") {
  Normaliser n(test::repo_schema("population"), {kToday});
  const auto a = run_row(n, {{"name", "甲"}, {"id_number", kMaleId}});
  const auto b = run_row(n, {{"id_number", kFemaleId}, {"name", "乙"}, {"unknown_column", "x"}});
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK(a.str("name") == "甲");
  CHECK(b.str("name") == "乙");
  CHECK(b.subject == kFemaleId);
}

}  // namespace
}  // namespace yici::schema
