#include "hub/admin/source_probe.h"

#include <fstream>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/schema/identifiers.h"
#include "hub/schema/schema_set.h"
#include "hub/store/sqlite/connection.h"
#include "tests/support/temp_dir.h"

namespace yici::admin {
namespace {

std::shared_ptr<const schema::Schema> population() {
  static const schema::SchemaSet kSchemas = schema::SchemaSet::load_dir(std::string(YICI_SOURCE_DIR) + "/schemas");
  return kSchemas.find("population");
}

std::string resident_id(int seq) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "33010619900307%03d", seq % 1000);
  return std::string(first17) + schema::resident_id_check_char(first17);
}

ingest::SourceDefinition source(const std::string& type, const std::string& adapter_yaml,
                                std::vector<std::pair<std::string, std::string>> map) {
  adapters::AdapterRegistry registry;
  adapters::register_builtin_adapters(registry);
  auto doc = YamlDoc::parse("{type: " + type + ", " + adapter_yaml + "}", "test").value();
  ingest::SourceDefinition d;
  d.id = "t";
  d.dataset = "population";
  d.adapter_type = type;
  d.adapter = registry.create(doc, doc.root()).value();
  d.primary_key = {"sfzh"};
  d.mapping = std::move(map);
  return d;
}

ingest::SourceDefinition sqlite_source(const std::string& path, std::vector<std::pair<std::string, std::string>> map) {
  return source("sqlite", "path: " + path + ", table: rk", std::move(map));
}

struct Department {
  test::TempDir dir;
  std::string path = dir.file("rk.db");
  explicit Department(int good, int bad_dates) {
    auto db = store::sqlite::Connection::open(path, store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(db->exec("CREATE TABLE rk (sfzh TEXT, xm TEXT, csrq TEXT, mz TEXT)").ok());
    for (int i = 1; i <= good + bad_dates; ++i) {
      REQUIRE(db->exec("INSERT INTO rk VALUES ('" + resident_id(i) + "', '欧阳娜娜', '" +
                       (i <= good ? "1990-03-07" : "1990年2月30日") + "', '回')")
                  .ok());
    }
  }
};

TEST_CASE("source probe: columns named by the definition must exist, and the message lists what does") {
  Department dept(1, 0);
  auto d = sqlite_source(dept.path, {{"id_number", "sfzh"}, {"name", "XM"}, {"birth_date", "birth"}});
  d.primary_key = {"id"};
  auto r = probe_source(d, population());
  REQUIRE(r.problems.size() == 2);  // XM matches xm in SQLite, which folds case
  CHECK(r.problems[0].path == "mapping.birth_date");
  CHECK(r.problems[0].message == "column \"birth\" not found in table rk; columns are: sfzh, xm, csrq, mz");
  CHECK(r.problems[1].path == "primary_key[0]");
  CHECK(r.columns == std::vector<std::string>{"sfzh", "xm", "csrq", "mz"});
}

TEST_CASE("source probe: a sample goes through the schema, reasons are counted, samples masked") {
  Department dept(7, 3);
  auto d =
      sqlite_source(dept.path, {{"id_number", "sfzh"}, {"name", "xm"}, {"birth_date", "csrq"}, {"ethnicity", "mz"}});
  ProbeOptions options;
  options.sample_rows = 8;
  auto r = probe_source(d, population(), options);
  REQUIRE(r.problems.empty());
  CHECK(r.preview.rows_sampled == 8);  // stops at the sample size
  CHECK(r.preview.accepted == 7);
  CHECK(r.preview.rejected == 1);
  REQUIRE(r.preview.top_reasons.size() == 1);
  const RejectReason& reason = r.preview.top_reasons[0];
  CHECK(reason.field == "birth_date");
  CHECK(reason.count == 1);
  REQUIRE(reason.samples.size() == 1);
  const std::string sample = boost::json::serialize(reason.samples[0]);
  CHECK(sample.find(resident_id(8)) == std::string::npos);  // sensitive: masked
  CHECK(sample.find("欧**娜") != std::string::npos);
  // The birth date is digits 7–14 of the ID: masked too, or the two would give the ID back.
  CHECK(sample.find("1990年2月30日") == std::string::npos);
  CHECK(sample.find("1********日") != std::string::npos);
  CHECK(reason.message.find("1990") == std::string::npos);
  CHECK(sample.find("\"mz\":\"回\"") != std::string::npos);  // not sensitive: shown
  auto json = preview_json(r.preview);
  CHECK(json.at("accept_rate").as_double() == doctest::Approx(7.0 / 8.0));
}

TEST_CASE("source probe: a CSV line with too many fields is a bad_row, every value masked") {
  test::TempDir dir;
  {
    std::ofstream csv(dir.file("rk.csv"));
    // The second row's name holds an unquoted comma: its fields shift one place to the right.
    csv << "sfzh,xm,mz\n" << resident_id(1) << ",张三,汉\n" << resident_id(2) << ",李,四四,回\n";
  }
  auto d = source("csv", "path: " + dir.file("rk.csv"), {{"id_number", "sfzh"}, {"name", "xm"}, {"ethnicity", "mz"}});
  auto r = probe_source(d, population());
  REQUIRE(r.problems.empty());
  CHECK(r.preview.accepted == 1);
  CHECK(r.preview.rejected == 1);
  REQUIRE(r.preview.top_reasons.size() == 1);
  const RejectReason& reason = r.preview.top_reasons[0];
  CHECK(reason.code == "bad_row");
  CHECK(reason.message.find("rk.csv 第 3 行有 4 个字段") == 0);
  REQUIRE(reason.samples.size() == 1);
  const std::string sample = boost::json::serialize(reason.samples[0]);
  INFO(sample);
  CHECK(sample.find(resident_id(2)) == std::string::npos);
  CHECK(sample.find("四四") == std::string::npos);  // in the ethnicity column, masked all the same
  CHECK(sample.find("\"mz\":\"四*\"") != std::string::npos);
}

TEST_CASE("source probe: a missing database file is a problem at adapter, not a crash") {
  test::TempDir dir;
  auto d = sqlite_source(dir.file("absent.db"), {{"id_number", "sfzh"}, {"name", "xm"}});
  auto r = probe_source(d, population());
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].path == "adapter");
  CHECK(r.problems[0].message.find("cannot read the source") == 0);
}

// An adapter that never answers within the deadline.
class SlowAdapter final : public adapters::Adapter {
 public:
  Result<std::unique_ptr<adapters::RowReader>> read(const adapters::ReadRequest&) override {
    return Error::unavailable("unused");
  }
  Result<std::vector<adapters::ColumnInfo>> describe() override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return std::vector<adapters::ColumnInfo>{};
  }
};

TEST_CASE("source probe: a source that does not answer is given up on at the deadline") {
  ingest::SourceDefinition d;
  d.id = "slow";
  d.dataset = "population";
  d.adapter = std::make_shared<SlowAdapter>();
  d.mapping = {{"id_number", "sfzh"}};
  ProbeOptions options;
  options.timeout = std::chrono::milliseconds(100);
  const auto started = std::chrono::steady_clock::now();
  auto r = probe_source(d, population(), options);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1000));
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].message.find("no answer from the source") == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // let the detached probe finish
}

}  // namespace
}  // namespace yici::admin
