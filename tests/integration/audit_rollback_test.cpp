// An audit.db put back from an older backup is refused at start: the hub signed checkpoints past
// it (its high-water mark in meta.db), and appending would fork the log under the same id.
#include <csignal>
#include <filesystem>
#include <thread>

#include <doctest/doctest.h>

#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"

namespace yici::test {
namespace {

namespace fs = std::filesystem;

// Lookups until `n` have answered 200 (the first waits for the source's first pull).
void lookups(const HubProcess& hub, int n) {
  const auto market = HubProcess::as("market-regulation");
  const std::string target = "/v1/records/population/11010519491231002X?purpose=food-business-license";
  for (int done = 0, tries = 0; done < n && tries < 200; ++tries) {
    if (https_request(hub.port(), market, "GET", target).status == 200) {
      ++done;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

void stop(HubProcess& hub) {
  hub.signal(SIGTERM);
  REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
}

void copy_audit_files(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::remove(to / (std::string("audit.db") + suffix));
    const fs::path file = from / (std::string("audit.db") + suffix);
    if (fs::exists(file)) fs::copy_file(file, to / (std::string("audit.db") + suffix));
  }
}

TEST_CASE("audit rollback: an audit.db older than the hub's last checkpoint does not start, and says why") {
  TempDir work;
  write_person_department(work);
  const fs::path data = work.file("data");
  const HubOptions options{.extra_config = "audit: {checkpoint_every: 1}\n",
                           .policy = kDepartmentPolicy,
                           .sources_dir = work.file("sources"),
                           .data_dir = data.string()};
  {
    HubProcess hub(options);
    lookups(hub, 3);
    stop(hub);
  }
  copy_audit_files(data, work.file("backup"));
  // A restart on the log as it is passes the check (the mark is the first hub's last checkpoint).
  HubProcess hub(options);
  lookups(hub, 3);
  stop(hub);
  copy_audit_files(work.file("backup"), data);
  std::string out;
  const int rc = run_command("timeout 20 " + std::string(YICI_BINARY_DIR) + "/yici-hub --config " +
                                 hub.dir().file("hub.yaml") + " --listen 127.0.0.1:0",
                             &out);
  INFO(out);
  CHECK(rc != 0);
  CHECK(rc != 124);  // refused at once, not stopped by the timeout
  CHECK(out.find("restored from an older backup or rolled back") != std::string::npos);
  CHECK(out.find("--new-audit-log") != std::string::npos);
}

}  // namespace
}  // namespace yici::test
