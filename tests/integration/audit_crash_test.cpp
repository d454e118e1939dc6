// A hub killed with SIGKILL while it answers lookups, then restarted on the same data directory:
// every lookup that was answered 200 has its audit entry, at the index its answer names, with its
// request id ("durable before the answer"), the auditor's subject search finds it, and the offline
// verifier accepts the log.
#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/tls_client.h"

namespace yici::test {
namespace {

using store::sqlite::Connection;

struct Answered {
  std::int64_t audit_index = 0;
  std::string request_id;
};

// Lookups on one keep-alive connection until `stop` or the connection dies; each 200 is recorded.
void lookup_until_killed(std::uint16_t port, const std::string& target, const std::atomic<bool>& stop, std::mutex& mu,
                         std::vector<Answered>& answered) {
  try {
    TlsConnection conn(port, HubProcess::as("market-regulation"));
    while (!stop) {
      conn.send_raw("GET " + target + " HTTP/1.1\r\nHost: hub\r\n\r\n");
      auto r = conn.read_response();
      if (!r) return;  // killed
      if (r->status != 200) continue;
      const auto body = boost::json::parse(r->body).as_object();
      std::lock_guard lock(mu);
      answered.push_back({body.at("audit_index").as_int64(), r->headers.at("x-request-id")});
    }
  } catch (const std::exception&) {
    // The hub died under this connection: what was answered before is what counts.
  }
}

TEST_CASE("audit: SIGKILL under lookup load, and every answered lookup is in the log after restart") {
  Departments d;
  TempDir work;
  const HubOptions options{
      .policy = kDepartmentPolicy, .sources_dir = d.sources.path().string(), .data_dir = work.file("data")};
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  std::mutex mu;
  std::vector<Answered> answered;
  {
    HubProcess hub(options);
    REQUIRE(wait_for(hub.port(), HubProcess::as("market-regulation"), target).status == 200);
    std::atomic<bool> stop{false};
    constexpr int kClients = 4;
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    for (int i = 0; i < kClients; ++i) {
      clients.emplace_back([&] { lookup_until_killed(hub.port(), target, stop, mu, answered); });
    }
    // Kill once a few hundred lookups were answered, with more in flight.
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard lock(mu);
        if (answered.size() >= 300) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    hub.signal(SIGKILL);
    REQUIRE(hub.wait_exit(std::chrono::seconds(10)) != 0);
    stop = true;
    for (auto& t : clients) t.join();
  }
  INFO("lookups answered before the kill: " << answered.size());
  REQUIRE(answered.size() >= 300);

  // The restart opens the log, which refuses to start if entries and tree disagree.
  {
    HubProcess again(options);
    // The auditor's subject search finds them too. First thing after the restart, before a commit
    // of the new hub adds them to the subject index: those the killed hub had not added yet are in
    // the tail that a search scans (subject_index.h).
    std::set<std::int64_t> searched;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      const auto r = https_request(again.port(), HubProcess::as("auditor"), "GET",
                                   "/v1/audit/events?subject=11010519491231002X&action=lookup&limit=1000" + cursor);
      REQUIRE(r.status == 200);
      const auto body = boost::json::parse(r.body).as_object();
      for (const auto& item : body.at("items").as_array()) searched.insert(item.as_object().at("seq").as_int64());
      if (!body.contains("next_cursor")) break;
      cursor = "&cursor=" + std::string(body.at("next_cursor").as_string());
    }
    int not_found = 0;
    for (const auto& a : answered) not_found += searched.contains(a.audit_index) ? 0 : 1;
    CHECK(not_found == 0);
    REQUIRE(https_request(again.port(), HubProcess::as("market-regulation"), "GET", target).status == 200);
    auto db = Connection::open(work.file("data/audit.db"), Connection::Mode::kReadOnly).value();
    auto entry = db->prepare("SELECT request_id, action, outcome FROM audit_entries WHERE seq = ?1").value();
    int missing = 0;
    for (const auto& a : answered) {
      entry.bind(1, a.audit_index);
      const bool found = entry.step().value();
      if (!found || entry.column_text(0) != a.request_id || entry.column_text(1) != "lookup" ||
          entry.column_text(2) != "allowed") {
        ++missing;
      }
      entry.reset();
    }
    CHECK(missing == 0);
    again.signal(SIGTERM);
    REQUIRE(again.wait_exit(std::chrono::seconds(20)) == 0);
  }
  std::string out;
  const int rc =
      run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl audit verify --data-dir " + work.file("data"), &out);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("VERIFIED") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
