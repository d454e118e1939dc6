// The verifier's check of the subject index: a log whose index is complete verifies in every state
// the hub leaves it in (buckets, spans, a merge half done, a tail not yet indexed), and every edit
// that would hide an entry from a subject's report, or show it in another's, is named.
#include "hub/audit/subject_index_check.h"

#include <optional>

#include <doctest/doctest.h>

#include "hub/audit/audit_log.h"
#include "hub/audit/log_verifier.h"
#include "hub/audit/subject_index_merge.h"
#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

// Entries, every fifth without a subject (an administrative action), over nine subjects.
api::AuditEvent event(std::size_t i) {
  api::AuditEvent e;
  e.request_id = "req-" + std::to_string(i);
  e.principal = "market-regulation";
  e.cert_fingerprint = "ab:cd";
  e.purpose = "food-business-license";
  e.action = i % 5 == 4 ? "source_update" : "lookup";
  e.dataset = "population";
  e.subject = i % 5 == 4 ? "" : "33010619900301" + std::to_string(1000 + i % 9);
  e.outcome = "allowed";
  e.http_status = 200;
  return e;
}

struct Log {
  yici::test::TempDir dir;
  std::optional<store::Stores> stores{store::Stores::open(dir.file("data")).value()};
  std::string path = stores->audit->path();

  // `n` entries, all indexed (the log closes), with spans of 8,192 entries (two buckets).
  explicit Log(std::size_t n) {
    {
      auto log = AuditLog::open(*stores->audit, std::string(64, 'k')).value();
      for (std::size_t done = 0; done < n;) {
        std::vector<api::AuditEvent> events;
        for (; done < n && events.size() < 1000; ++done) events.push_back(event(done));
        REQUIRE(log->append_many(events, [](std::int64_t) { return std::string(); }).ok());
      }
    }
    exec("UPDATE log_info SET value = '13' WHERE key = 'subject_span_shift'");
  }
  void exec(const std::string& sql) const {
    REQUIRE(stores->audit->with_writer([&](store::sqlite::Connection& w) { return w.exec(sql); }).ok());
  }
  [[nodiscard]] std::int64_t count(const std::string& sql) const {
    auto st = stores->audit->reader().value()->prepare(sql).value();
    REQUIRE(st.step().value());
    return st.column_int(0);
  }
  [[nodiscard]] SubjectIndexState state() const {
    return subject_index_state(*stores->audit->reader().value()).value();
  }
  // Merge steps until the span at `spans_upto` is at `chunk`.
  void merge_until(std::int64_t spans_upto, int chunk) const {
    for (int i = 0; i < 100000; ++i) {
      const auto s = state();
      if (s.spans_upto == spans_upto && s.merge_chunk == chunk) return;
      if (!stores->audit->with_writer([](store::sqlite::Connection& w) { return merge_subject_step(w); }).value()) {
        break;
      }
    }
    REQUIRE(state().spans_upto == spans_upto);
    REQUIRE(state().merge_chunk == chunk);
  }
  [[nodiscard]] VerifyReport verify() const {
    return verify_audit_db(path, nullptr, std::nullopt, {.threads = 3, .chunk = 1000}).value();
  }
  // The entries a search must find through the index: those below upto with a subject.
  [[nodiscard]] std::int64_t indexed_entries() const {
    return count("SELECT count(*) FROM audit_entries WHERE subject_hmac <> '' AND seq < " +
                 std::to_string(state().upto));
  }
};

void check_verifies(const Log& log) {
  const VerifyReport r = log.verify();
  INFO(r.problem);
  CHECK(r.problem.empty());
  CHECK(r.subject_index_checked);
  CHECK(r.subject_index_skipped.empty());
  CHECK(r.subject_index_rows == static_cast<std::uint64_t>(log.indexed_entries()));
}

TEST_CASE("subject index check: a complete index verifies in every state the hub leaves it in") {
  const Log log(20000);
  check_verifies(log);  // buckets only
  CHECK(log.verify().subject_index_rows == 16000);
  log.merge_until(0, 1500);  // half of the first span copied, not yet in use
  check_verifies(log);
  log.merge_until(8192, 0);  // the first span in use, its buckets not yet dropped
  check_verifies(log);
  log.merge_until(8192, 3000);  // the second span half copied
  check_verifies(log);
  log.merge_until(16384, 0);
  while (log.stores->audit->with_writer([](store::sqlite::Connection& w) { return merge_subject_step(w); }).value()) {
  }
  CHECK(log.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 4") == 0);  // dropped
  check_verifies(log);
  // A tail the committer has not indexed yet: searches scan it, so the index need not hold it.
  log.exec(
      "DELETE FROM audit_subject_index WHERE seq >= 19000; "
      "UPDATE log_info SET value = '19000' WHERE key = 'subject_index_upto'");
  check_verifies(log);
  CHECK(log.verify().subject_index_rows == 15200);
}

TEST_CASE("subject index check: a row deleted, moved or given another HMAC is named") {
  const Log log(20000);
  log.merge_until(16384, 0);  // two spans in use, their buckets kept; the rest in buckets
  const auto problem = [&] { return log.verify().problem; };
  const std::string spans = "audit_subject_spans (the merged index below entry 16384)";
  const std::string buckets = "audit_subject_index (the index from entry 16384 to 20000)";
  SUBCASE("deleted from a span") {
    log.exec("DELETE FROM audit_subject_spans WHERE seq = 9001");
    CHECK(problem() == "entry 9001 is missing from the subject index, " + spans +
                           " span 1 (deleted or edited): a search for its subject does not show it");
  }
  SUBCASE("deleted from a bucket in use") {
    log.exec("DELETE FROM audit_subject_index WHERE seq = 17000");
    CHECK(problem() == "entry 17000 is missing from the subject index, " + buckets +
                           " bucket 4 (deleted or edited): a search for its subject does not show it");
  }
  SUBCASE("deleted from a bucket already merged: searches no longer read it") {
    log.exec("DELETE FROM audit_subject_index WHERE seq = 3001");
    CHECK(problem().empty());
  }
  SUBCASE("two entries' HMACs swapped") {
    log.exec(
        "UPDATE audit_subject_spans SET seq = -1 WHERE seq = 100; UPDATE audit_subject_spans SET seq = 100 WHERE seq = "
        "101; UPDATE audit_subject_spans SET seq = 101 WHERE seq = -1");
    CHECK(problem().rfind("entry 100 is missing from the subject index, " + spans + " span 0", 0) == 0);
  }
  SUBCASE("a row added under another subject's HMAC") {
    log.exec(
        "INSERT INTO audit_subject_index (bucket, subject_hmac, seq) SELECT 4, subject_hmac, 17001 FROM audit_entries "
        "WHERE seq = 17002");
    CHECK(problem() == buckets +
                           " lists entry 17001 under a subject HMAC that is not the entry's (edited): a search for "
                           "another subject shows this entry");
  }
  SUBCASE("a row for an entry without a subject") {
    log.exec(
        "INSERT INTO audit_subject_spans (span, subject_hmac, seq) SELECT 0, subject_hmac, 4 FROM audit_entries "
        "WHERE seq = 3");
    CHECK(problem() == spans +
                           " lists entry 4 under a subject HMAC that is not the entry's (edited): a search for "
                           "another subject shows this entry");
  }
  SUBCASE("a copy in another span") {
    log.exec(
        "INSERT INTO audit_subject_spans (span, subject_hmac, seq) SELECT 0, subject_hmac, seq FROM "
        "audit_subject_spans WHERE seq = 9000");
    CHECK(problem() ==
          spans +
              " lists entry 9000 in span 0; it belongs in span 1 (edited): a search returns it out of place or twice");
  }
  SUBCASE("spans_upto moved past what was merged") {
    log.exec("UPDATE log_info SET value = '24576' WHERE key = 'subject_index_upto'");  // as if indexed further
    log.exec("UPDATE log_info SET value = '24576' WHERE key = 'subject_spans_upto'");
    CHECK(problem().rfind("entry 16385 is missing from the subject index, audit_subject_spans", 0) ==
          0);  // 16384 has no subject
  }
  SUBCASE("upto moved past the log's end") {
    log.exec("UPDATE log_info SET value = '30000' WHERE key = 'subject_index_upto'");
    CHECK(problem().empty());  // nothing listed beyond the log, and every entry is indexed
    log.exec("INSERT INTO audit_subject_index (bucket, subject_hmac, seq) VALUES (6, 'AAAA', 25000)");
    CHECK(problem() ==
          "audit_subject_index (the index from entry 16384 to 30000) lists entry 25000, which is not in "
          "the log (edited, or entries were deleted)");
  }
}

TEST_CASE("subject index check: skipped, with the reason, where the hub itself does not use the index") {
  const Log log(3000);
  SUBCASE("an unusable position: searches scan the log") {
    log.exec("UPDATE log_info SET value = 'x' WHERE key = 'subject_spans_upto'; DELETE FROM audit_subject_index");
    const VerifyReport r = log.verify();
    CHECK(r.problem.empty());
    CHECK_FALSE(r.subject_index_checked);
    CHECK(r.subject_index_skipped.find("subject searches scan the whole log") != std::string::npos);
  }
  SUBCASE("a log from before the index") {
    log.exec("DROP TABLE audit_subject_spans");
    const VerifyReport r = log.verify();
    CHECK(r.problem.empty());
    CHECK_FALSE(r.subject_index_checked);
    CHECK(r.subject_index_skipped.find("has no subject index") != std::string::npos);
  }
  SUBCASE("not asked for") {
    log.exec("DELETE FROM audit_subject_index");
    const VerifyReport r = verify_audit_db(log.path, nullptr, std::nullopt, {.check_subject_index = false}).value();
    CHECK(r.problem.empty());
    CHECK_FALSE(r.subject_index_checked);
  }
}

TEST_CASE("subject index check: the difference is found directly as well as through the verifier") {
  const Log log(5000);
  std::string skipped;
  auto check = SubjectIndexCheck::open(log.path, skipped).value();
  REQUIRE(check);
  CHECK(check->indexed_upto() == 5000);
  const DigestKey key = DigestKey::random();
  const MultisetDigest before = check->index_digest(key).value();
  CHECK(before.count() == 4000);
  // The check reads one snapshot: a row deleted meanwhile is still there for it.
  log.exec("DELETE FROM audit_subject_index WHERE seq = 10");
  CHECK(check->index_digest(key).value() == before);
  check.reset();
  check = SubjectIndexCheck::open(log.path, skipped).value();
  CHECK_FALSE(check->index_digest(key).value() == before);
  CHECK(check->first_difference().value().rfind("entry 10 is missing from the subject index", 0) == 0);
}

}  // namespace
}  // namespace yici::audit
