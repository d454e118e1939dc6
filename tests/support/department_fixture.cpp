#include "tests/support/department_fixture.h"

#include <stdexcept>
#include <thread>

#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"

namespace yici::test {

const char* const kDepartmentPolicy = R"(principals:
  - {id: market-regulation, kind: department, name: 市场监督管理局, cert_cn: market-regulation}
  - {id: public-security, kind: department, name: 公安厅, cert_cn: public-security}
  - {id: admin, kind: admin, cert_cn: admin}
  - {id: auditor, kind: auditor, cert_cn: auditor}
grants:
  - principal: market-regulation
    dataset: population
    fields: [id_number, name, gender]
    purposes: [food-business-license]
    rate: {per_second: 1000, burst: 1000}
  - principal: market-regulation
    dataset: legal_entity
    fields: [uscc, name, status]
    purposes: [food-business-license]
)";

Departments::Departments() {
  auto db = store::sqlite::Connection::open(data.file("dept.db"), store::sqlite::Connection::Mode::kReadWrite).value();
  REQUIRE(db->exec("CREATE TABLE person (sfzh TEXT, xm TEXT, xb TEXT, csrq TEXT, lxdh TEXT, gxsj TEXT);"
                   "INSERT INTO person VALUES ('11010519491231002x', '张 三', '2', '1949年12月31日', '13812345678',"
                   " '2026-01-01 00:00:00');"
                   "CREATE TABLE qy (tyshxydm TEXT, qymc TEXT, djzt TEXT, zczb TEXT, gxsj TEXT);"
                   "INSERT INTO qy VALUES ('91350100M000100Y43', '福州某某有限公司', '存续', '500万元', '2026-01-01');")
              .ok());
  const std::string path = data.file("dept.db");
  sources.write("psb.yaml",
                "id: psb\ndepartment: public-security\ndataset: population\n"
                "adapter: {type: sqlite, path: " +
                    path +
                    ", table: person}\n"
                    "primary_key: [sfzh]\n"
                    "mapping: {id_number: sfzh, name: xm, gender: xb, birth_date: csrq, phone: lxdh}\n"
                    "schedule: {every: 1h}\n");
  sources.write("amr.yaml",
                "id: amr\ndepartment: market-regulation\ndataset: legal_entity\n"
                "adapter: {type: sqlite, path: " +
                    path +
                    ", table: qy}\n"
                    "primary_key: [tyshxydm]\n"
                    "mapping: {uscc: tyshxydm, name: qymc, status: djzt, registered_capital: zczb}\n"
                    "schedule: {every: 1h}\n");
}

HttpResult wait_for(std::uint16_t port, const TlsOptions& who, const std::string& target) {
  HttpResult r;
  for (int i = 0; i < 100; ++i) {
    r = https_request(port, who, "GET", target);
    if (r.status != 404) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

void write_person_department(TempDir& work) {
  auto db = store::sqlite::Connection::open(work.file("psb.db"), store::sqlite::Connection::Mode::kReadWrite);
  if (!db || !(*db)
                  ->exec("CREATE TABLE person (sfzh TEXT, xm TEXT);"
                         "INSERT INTO person VALUES ('11010519491231002X', '张三');")
                  .ok()) {
    throw std::runtime_error("cannot write " + work.file("psb.db"));
  }
  work.write("sources/psb.yaml", person_source_yaml(work.file("psb.db")));
}

std::string person_source_yaml(const std::string& db_path) {
  return "id: psb\ndepartment: public-security\ndataset: population\nadapter: {type: sqlite, path: " + db_path +
         ", table: person}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\nschedule: {every: 1h}\n";
}

}  // namespace yici::test
