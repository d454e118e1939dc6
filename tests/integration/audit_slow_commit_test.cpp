// A slow audit commit is logged with where its time went: here another process holds audit.db's
// write lock while a lookup waits for its entry to be committed.
#include <chrono>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

// The first audit_commit_slow line of the hub's log, parsed; null when there is none yet.
boost::json::object slow_commit_line(const HubProcess& hub) {
  std::istringstream lines(hub.log());
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"audit_commit_slow\"") == std::string::npos) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (!ec && v.is_object()) return v.as_object();
  }
  return {};
}

TEST_CASE("audit: a commit held up by another process's lock on audit.db is logged with its wait") {
  TempDir work;
  write_person_department(work);
  const std::string data = work.file("data");
  HubProcess hub({.policy = kDepartmentPolicy, .sources_dir = work.file("sources"), .data_dir = data});
  const auto market = HubProcess::as("market-regulation");
  const std::string lookup = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  REQUIRE(wait_for(hub.port(), market, lookup).status == 200);
  CHECK(slow_commit_line(hub).empty());  // quick commits are not logged

  auto other = store::sqlite::Connection::open(data + "/audit.db", store::sqlite::Connection::Mode::kReadWrite).value();
  REQUIRE(other->exec("BEGIN IMMEDIATE").ok());
  int held_status = 0;
  double held_ms = 0;
  std::thread asker([&] {
    const auto start = std::chrono::steady_clock::now();
    try {
      held_status = https_request(hub.port(), market, "GET", lookup).status;
    } catch (const std::exception&) {
      held_status = -1;
    }
    held_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  REQUIRE(other->exec("COMMIT").ok());
  asker.join();
  CHECK(held_status == 200);  // answered once its entry was committed
  CHECK(held_ms >= 400);

  boost::json::object line;
  for (int i = 0; i < 100 && line.empty(); ++i) {
    line = slow_commit_line(hub);
    if (line.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE_FALSE(line.empty());
  CHECK(line.at("level").as_string() == "warn");
  // The wait was SQLite's lock, taken when the transaction began: begin_ms, not the disk.
  CHECK(line.at("begin_ms").to_number<double>() >= 300);
  CHECK(line.at("total_ms").to_number<double>() >= line.at("begin_ms").to_number<double>());
  CHECK(line.at("commit_ms").to_number<double>() < line.at("begin_ms").to_number<double>());
  CHECK(line.at("entries").to_number<std::int64_t>() >= 1);
  CHECK(line.at("slow_commits").to_number<std::int64_t>() == 1);
  CHECK(line.at("action").as_string().find("audit.db") != boost::json::string::npos);

  // A second slow commit within 10 s is counted, not logged; the next line reports both.
  REQUIRE(other->exec("BEGIN IMMEDIATE").ok());
  std::thread again([&] {
    try {
      held_status = https_request(hub.port(), market, "GET", lookup).status;
    } catch (const std::exception&) {
      held_status = -1;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(other->exec("COMMIT").ok());
  again.join();
  CHECK(held_status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string log = hub.log();
  std::size_t lines = 0;
  for (auto at = log.find("\"audit_commit_slow\""); at != std::string::npos;
       at = log.find("\"audit_commit_slow\"", at + 1)) {
    ++lines;
  }
  CHECK(lines == 1);
}

}  // namespace
}  // namespace yici::test
