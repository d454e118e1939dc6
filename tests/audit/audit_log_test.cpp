#include "hub/audit/audit_log.h"

#include <filesystem>
#include <future>
#include <set>
#include <sys/stat.h>
#include <thread>

#include <doctest/doctest.h>

#include "hub/audit/audit_query.h"
#include "hub/audit/hmac_key.h"
#include "hub/audit/reference_tree.h"
#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

api::AuditEvent event(const std::string& subject, const std::string& principal = "market-regulation") {
  api::AuditEvent e;
  e.request_id = "req-" + subject;
  e.principal = principal;
  e.cert_fingerprint = "ab:cd";
  e.purpose = "food-business-license";
  e.action = "lookup";
  e.dataset = "population";
  e.subject = subject;
  e.fields = {"id_number", "name"};
  e.outcome = "allowed";
  e.http_status = 200;
  return e;
}

struct Fixture {
  test::TempDir dir;
  store::Stores stores = store::Stores::open(dir.file("data")).value();
  std::unique_ptr<AuditLog> log = AuditLog::open(*stores.audit, std::string(64, 'k')).value();

  // Every stored row, recomputed into its leaf: (seq, recomputed leaf, stored leaf).
  std::vector<std::tuple<std::int64_t, Hash, Hash>> rows() {
    std::vector<std::tuple<std::int64_t, Hash, Hash>> out;
    REQUIRE(scan_audit(*stores.audit, [&](const StoredEntry& e) -> Status {
              out.emplace_back(e.entry.seq, e.entry.leaf(), e.stored_leaf);
              return {};
            }).ok());
    return out;
  }
};

TEST_CASE("audit log: concurrent appends get dense indexes, share commits, and the tree commits to every row") {
  Fixture f;
  constexpr int kThreads = 16, kEach = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::int64_t> indexes;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::int64_t mine = -1;
        auto body = f.log->append(event(std::to_string(t * 1000 + i)), [&](std::int64_t index) {
          mine = index;
          return "{\"audit_index\":" + std::to_string(index) + "}";
        });
        REQUIRE(body.ok());
        CHECK(*body == "{\"audit_index\":" + std::to_string(mine) + "}");
        std::lock_guard lock(mu);
        indexes.insert(mine);
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(indexes.size() == kThreads * kEach);
  CHECK(*indexes.begin() == 0);
  CHECK(*indexes.rbegin() == kThreads * kEach - 1);
  CHECK(f.log->size() == kThreads * kEach);
  CHECK(f.log->entries_written() == kThreads * kEach);
  CHECK(f.log->commits() < f.log->entries_written());  // group commit happened
  MESSAGE("commits: " << f.log->commits() << " for " << f.log->entries_written() << " entries");

  // Each row recomputes to its stored leaf; the tree is the RFC 9162 tree over those leaves.
  const auto rows = f.rows();
  REQUIRE(rows.size() == kThreads * kEach);
  std::vector<Hash> leaves;
  for (const auto& [seq, recomputed, stored] : rows) {
    CHECK(recomputed == stored);
    leaves.push_back(recomputed);
  }
  CHECK(reference::root(leaves) == f.log->tree().root());
}

TEST_CASE("audit log: a failed commit refuses the access and leaves no gap") {
  Fixture f;
  auto render = [](std::int64_t i) { return std::to_string(i); };
  REQUIRE(f.log->append(event("a"), render).ok());
  CHECK_FALSE(f.log->failing());
  f.log->fail_commits_for_test(true);
  auto refused = f.log->append(event("b"), render);
  CHECK_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kUnavailable);
  CHECK(f.log->size() == 1);
  CHECK(f.log->failing());  // /readyz says so until a commit succeeds
  f.log->fail_commits_for_test(false);
  auto next = f.log->append(event("c"), render);
  REQUIRE(next.ok());
  CHECK_FALSE(f.log->failing());
  CHECK(*next == "1");  // the refused entry's index is reused: indexes stay dense
  auto batch = f.log->append_many({event("d"), event("e"), event("f")}, render);
  REQUIRE(batch.ok());
  CHECK(*batch == "2");
  CHECK(f.log->size() == 5);
}

TEST_CASE("audit log: each successful commit reports its duration once, a failed one does not") {
  test::TempDir dir;
  store::Stores stores = store::Stores::open(dir.file("data")).value();
  std::mutex mu;
  std::vector<double> durations;
  AuditLogOptions options;
  options.on_commit = [&](double seconds) {
    std::lock_guard lock(mu);
    durations.push_back(seconds);
  };
  auto log = AuditLog::open(*stores.audit, std::string(64, 'k'), options).value();
  auto render = [](std::int64_t i) { return std::to_string(i); };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) (void)log->append(event(std::to_string(t * 100 + i)), render);
    });
  }
  for (auto& t : threads) t.join();
  log->fail_commits_for_test(true);
  CHECK_FALSE(log->append(event("refused"), render).ok());
  log->fail_commits_for_test(false);
  std::lock_guard lock(mu);
  CHECK(log->size() == 200);
  CHECK(durations.size() == log->commits());
  for (double d : durations) {
    CHECK(d > 0);
    CHECK(d < 60);
  }
}

TEST_CASE("audit log: reopening checks that entries and tree agree") {
  test::TempDir dir;
  {
    auto stores = store::Stores::open(dir.file("data")).value();
    auto log = AuditLog::open(*stores.audit, std::string(64, 'k')).value();
    for (int i = 0; i < 10; ++i) REQUIRE(log->append(event(std::to_string(i)), [](std::int64_t) { return ""; }).ok());
  }
  {
    auto stores = store::Stores::open(dir.file("data")).value();
    auto log = AuditLog::open(*stores.audit, std::string(64, 'k'));
    REQUIRE(log.ok());
    CHECK((*log)->size() == 10);
    REQUIRE((*log)->append(event("x"), [](std::int64_t i) { return std::to_string(i); }).value() == "10");
  }
  {
    auto stores = store::Stores::open(dir.file("data")).value();
    REQUIRE(stores.audit
                ->with_writer(
                    [](store::sqlite::Connection& w) { return w.exec("DELETE FROM audit_entries WHERE seq = 3"); })
                .ok());
    auto log = AuditLog::open(*stores.audit, std::string(64, 'k'));
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().code == ErrorCode::kCorruption);
  }
}

TEST_CASE("audit HMAC key: made once with mode 0600, refused when others can read it") {
  test::TempDir dir;
  auto key = load_or_create_hmac_key("", dir.path().string(), 0);
  REQUIRE(key.ok());
  CHECK(key->size() == 64);
  struct stat st {};
  REQUIRE(::stat(dir.file("audit-hmac.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(load_or_create_hmac_key("", dir.path().string(), 0).value() == *key);  // the same key next time
  ::chmod(dir.file("audit-hmac.key").c_str(), 0644);
  CHECK_FALSE(load_or_create_hmac_key("", dir.path().string(), 0).ok());
  CHECK_FALSE(load_or_create_hmac_key(dir.file("missing.key"), dir.path().string(), 0).ok());
  // Lost with a log that has entries: refused, saying how to go on; no key is made behind it.
  ::chmod(dir.file("audit-hmac.key").c_str(), 0600);
  std::filesystem::remove(dir.file("audit-hmac.key"));
  auto lost = load_or_create_hmac_key("", dir.path().string(), 23);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().message.find("already holds 23 entries") != std::string::npos);
  CHECK(lost.error().message.find("restore it from the backup") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("audit-hmac.key")));
  // Different subjects, datasets and keys give different HMACs.
  CHECK(subject_hmac("k1", "population", "a") != subject_hmac("k1", "population", "b"));
  CHECK(subject_hmac("k1", "population", "a") != subject_hmac("k1", "credit", "a"));
  CHECK(subject_hmac("k1", "population", "a") != subject_hmac("k2", "population", "a"));
  // The format logs already hold: base64(HMAC-SHA256(key, dataset "\n" subject)), as computed by
  // `printf 'population\n11010519491231002X' | openssl dgst -sha256 -hmac k1 -binary | base64`.
  CHECK(subject_hmac("k1", "population", "11010519491231002X") == "siGbzwy3vaRUEfZJ0wZbLQ1YSImM73meabuKgSTTwSw=");
}

TEST_CASE("audit log: with a commit deferral an append returns at once and the deferral tracks the commit") {
  Fixture f;
  auto deferral = std::make_shared<api::CommitDeferral>();
  std::promise<void> notified;
  {
    api::CommitDeferral::Scope scope(deferral.get());
    for (int i = 0; i < 3; ++i) {
      auto body = f.log->append(event("s" + std::to_string(i)),
                                [](std::int64_t index) { return "{\"audit_index\":" + std::to_string(index) + "}"; });
      REQUIRE(body.ok());
      CHECK(*body == "{\"audit_index\":" + std::to_string(i) + "}");
    }
  }
  CHECK(api::CommitDeferral::current() == nullptr);  // the scope ended
  deferral->when_done([&] { notified.set_value(); });
  REQUIRE(notified.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK_FALSE(deferral->pending());
  CHECK_FALSE(deferral->failed());
  CHECK(f.rows().size() == 3);  // committed before the deferral said done

  // A failed commit is reported to the deferral, so the server answers 503 instead.
  f.log->fail_commits_for_test(true);
  auto failing = std::make_shared<api::CommitDeferral>();
  std::promise<void> failed;
  {
    api::CommitDeferral::Scope scope(failing.get());
    REQUIRE(f.log->append(event("s9"), [](std::int64_t) { return std::string("{}"); }).ok());
  }
  failing->when_done([&] { failed.set_value(); });
  REQUIRE(failed.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(failing->failed());
  f.log->fail_commits_for_test(false);
  CHECK(f.rows().size() == 3);
  // Without a deferral the caller waits, and the numbering has no gap after the failure.
  auto body = f.log->append(event("s10"), [](std::int64_t index) { return std::to_string(index); });
  REQUIRE(body.ok());
  CHECK(*body == "3");
}

}  // namespace
}  // namespace yici::audit
