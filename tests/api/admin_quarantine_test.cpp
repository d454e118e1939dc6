#include "hub/api/admin_quarantine.h"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/schema/schema_set.h"

namespace yici::api {
namespace {

std::shared_ptr<const schema::Schema> population() {
  static const schema::SchemaSet kSchemas = schema::SchemaSet::load_dir(std::string(YICI_SOURCE_DIR) + "/schemas");
  return kSchemas.find("population");
}

ingest::SourceDefinition psb() {
  ingest::SourceDefinition d;
  d.id = "hz-psb";
  d.dataset = "population";
  d.primary_key = {"sfzh"};
  d.mapping = {{"id_number", "sfzh"},
               {"name", "xm"},
               {"birth_date", "csrq"},
               {"domicile_division", "hjdqh"},
               {"ethnicity", "mz"}};
  return d;
}

store::QuarantineEntry entry(std::int64_t id, std::string key, std::string row, std::string errors) {
  store::QuarantineEntry e;
  e.id = id;
  e.source_key = std::move(key);
  e.row_json = std::move(row);
  e.errors_json = std::move(errors);
  return e;
}

boost::json::array items(const std::vector<store::QuarantineEntry>& entries) {
  const Response r = quarantine_page(psb(), population().get(), entries, {}, 100, "/v1/sources/hz-psb/quarantine");
  REQUIRE(r.status == 200);
  return boost::json::parse(r.body).at("items").as_array();
}

TEST_CASE("quarantine page: no ID can be rebuilt from the columns shown beside its mask") {
  // Region 330106 + birth date 19900307 + the mask's last four characters would be the whole ID.
  const auto list =
      items({entry(1, "330106199003070014",
                   R"({"sfzh":"330106199003070014","xm":"欧阳娜娜","csrq":"1990-03-07","hjdqh":"330106","mz":"火星"})",
                   R"([{"field":"ethnicity","code":"not_in_code_list","message":"民族(ethnicity) 不在代码表中"}])")});
  REQUIRE(list.size() == 1);
  const auto& item = list[0].as_object();
  CHECK(item.at("source_key").as_string() == "330***********0014");
  const auto& row = item.at("row").as_object();
  CHECK(row.at("sfzh").as_string() == "330***********0014");
  CHECK(row.at("xm").as_string() == "欧**娜");
  CHECK(row.at("csrq").as_string() == "1********7");
  CHECK(row.at("hjdqh").as_string() == "330106");  // a region code alone names no one
  CHECK(row.at("mz").as_string() == "火星");       // the value to fix, shown
  const std::string body = boost::json::serialize(list);
  CHECK(body.find("19900307") == std::string::npos);
  CHECK(body.find("1990-03-07") == std::string::npos);
}

TEST_CASE("quarantine page: a shifted CSV line has every value masked and keeps its file:line key") {
  const auto list =
      items({entry(2, "bad_row rk.csv:3",
                   R"({"sfzh":"330106199003070014","xm":"李","csrq":"四","hjdqh":"1990-03-07","mz":null})",
                   R"([{"field":null,"code":"bad_row","message":"rk.csv 第 3 行有 6 个字段，表头有 5 个"}])"),
             entry(3, "330106199003070022", R"({"sfzh":"330106199003070022","mz":"汉族"})",
                   R"([{"field":"id_number","code":"bad_checksum","message":"x"}])")});
  REQUIRE(list.size() == 2);
  const auto& shifted = list[0].as_object();
  CHECK(shifted.at("source_key").as_string() == "bad_row rk.csv:3");
  CHECK(shifted.at("row").at("hjdqh").as_string() == "1********7");  // the birth date, one column late
  CHECK(shifted.at("row").at("csrq").as_string() == "*");
  CHECK(shifted.at("row").at("mz").is_null());
  CHECK(shifted.at("errors").at(0).at("code").as_string() == "bad_row");
  // Only that line: the next entry's plain columns are shown again.
  CHECK(list[1].at("row").at("mz").as_string() == "汉族");
  CHECK(list[1].at("source_key").as_string() == "330***********0022");
}

TEST_CASE("quarantine page: stored errors that are not a JSON list are shown as none, not a crash") {
  const auto list = items({entry(4, "k", R"({"sfzh":"330106199003070014"})", "{oops")});
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("errors").as_array().empty());
  CHECK(list[0].at("row").at("sfzh").as_string() == "330***********0014");
}

TEST_CASE("quarantine page: every page carries the total and the commonest reasons, a row-level one as null") {
  const Response r = quarantine_page(psb(), population().get(), {},
                                     {.total = 7,
                                      .by_reason = {{.field = "id_number", .code = "bad_checksum", .rows = 5},
                                                    {.field = "", .code = "bad_row", .rows = 2}}},
                                     100, "/v1/sources/hz-psb/quarantine");
  REQUIRE(r.status == 200);
  const auto body = boost::json::parse(r.body);
  CHECK(body.at("total") == 7);
  const auto& reasons = body.at("by_reason").as_array();
  REQUIRE(reasons.size() == 2);
  CHECK(reasons[0].at("field") == "id_number");
  CHECK(reasons[0].at("code") == "bad_checksum");
  CHECK(reasons[0].at("rows") == 5);
  CHECK(reasons[1].at("field").is_null());
  CHECK(reasons[1].at("code") == "bad_row");
  CHECK(body.at("items").as_array().empty());
  CHECK_FALSE(body.as_object().contains("next"));
}

}  // namespace
}  // namespace yici::api
