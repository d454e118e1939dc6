#include "hub/audit/subject_index.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include <doctest/doctest.h>

#include "hub/audit/audit_log.h"
#include "hub/audit/audit_query.h"
#include "hub/audit/subject_index_merge.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

const std::string kKey(64, 'k');
const std::vector<std::string> kSubjects = {"110105194912310021", "110105194912310030", "91330000MA27XXXX0X",
                                            "330102199001011234", "44030019850505123X", "11010519491231002X",
                                            "320106198001011238"};

// The i-th of a log's lookups: one of seven subjects, every fifth without one (an admin action),
// from one of two principals.
api::AuditEvent event(std::size_t i) {
  api::AuditEvent e;
  e.request_id = "req-" + std::to_string(i);
  e.principal = i % 2 == 0 ? "market-regulation" : "public-security";
  e.cert_fingerprint = "ab:cd";
  e.purpose = "food-business-license";
  e.action = i % 5 == 4 ? "source_update" : "lookup";
  e.dataset = "population";
  e.subject = i % 5 == 4 ? "" : kSubjects[(i * 3) % kSubjects.size()];
  e.outcome = "allowed";
  e.http_status = 200;
  return e;
}

struct Log {
  yici::test::TempDir dir;
  std::optional<store::Stores> stores{store::Stores::open(dir.file("data")).value()};
  std::unique_ptr<AuditLog> log = AuditLog::open(db(), kKey).value();

  [[nodiscard]] store::sqlite::Database& db() const { return *stores->audit; }
  // Closes and opens the data directory again (migrations run).
  void reopen() {
    log.reset();
    stores.reset();
    stores.emplace(store::Stores::open(dir.file("data")).value());
  }

  void append(std::size_t n) {
    const std::size_t first = log->size();
    for (std::size_t done = 0; done < n;) {
      std::vector<api::AuditEvent> events;
      for (; done < n && events.size() < 1000; ++done) events.push_back(event(first + done));
      REQUIRE(log->append_many(events, [](std::int64_t) { return std::string(); }).ok());
    }
  }

  static std::string hmac(const std::string& subject) { return subject_hmac(HmacSha256(kKey), "population", subject); }

  [[nodiscard]] std::int64_t upto() const { return subject_index_upto(*db().reader().value()).value(); }
  void exec(const std::string& sql) const {
    REQUIRE(db().with_writer([&](store::sqlite::Connection& w) { return w.exec(sql); }).ok());
  }
  [[nodiscard]] SubjectIndexState state() const { return subject_index_state(*db().reader().value()).value(); }
  // One merge step on the writer (subject_index_merge.h).
  [[nodiscard]] bool merge_step() const {
    return db().with_writer([](store::sqlite::Connection& w) { return merge_subject_step(w); }).value();
  }
  // Merge steps until the span at `spans_upto` is at `chunk`, or until none is left to do.
  void merge_until(std::int64_t spans_upto, int chunk) const {
    for (int i = 0; i < 100000; ++i) {
      const auto s = state();
      if (s.spans_upto == spans_upto && s.merge_chunk == chunk) return;
      if (!merge_step()) break;
    }
    const auto s = state();
    REQUIRE(s.spans_upto == spans_upto);
    REQUIRE(s.merge_chunk == chunk);
  }
  [[nodiscard]] std::int64_t count(const std::string& sql) const {
    auto st = db().reader().value()->prepare(sql).value();
    REQUIRE(st.step().value());
    return st.column_int(0);
  }
  // The writer's PRAGMA synchronous (2: FULL).
  [[nodiscard]] std::int64_t synchronous() const {
    return db()
        .with_writer([](store::sqlite::Connection& w) -> Result<std::int64_t> {
          YICI_TRY(auto st, w.prepare("PRAGMA synchronous"));
          YICI_TRY(const bool row, st.step());
          return row ? st.column_int(0) : -1;
        })
        .value();
  }
  // As if the committer had indexed entries [0, upto) only.
  void set_upto(std::int64_t upto) const {
    const std::string n = std::to_string(upto);
    exec(
        "DELETE FROM audit_subject_index; "
        "INSERT INTO audit_subject_index SELECT seq >> 12, subject_hmac, seq FROM audit_entries "
        "WHERE seq < " +
        n + " AND subject_hmac <> ''; UPDATE log_info SET value = '" + n + "' WHERE key = 'subject_index_upto'");
  }

  // Every entry of `query`, paged `page` at a time.
  [[nodiscard]] std::vector<std::int64_t> search(AuditQuery query, int page) const {
    std::vector<std::int64_t> out;
    query.limit = page;
    while (true) {
      const auto entries = search_audit(db(), query).value();
      for (const auto& e : entries) out.push_back(e.entry.seq);
      if (static_cast<int>(entries.size()) < page) return out;
      query.after_seq = entries.back().entry.seq;
    }
  }
  // The same, by reading every entry.
  [[nodiscard]] std::vector<std::int64_t> every(const std::vector<std::string>& hmacs,
                                                const std::string& principal = "") const {
    std::vector<std::int64_t> out;
    REQUIRE(scan_audit(db(), [&](const StoredEntry& e) -> Status {
              const bool subject = std::find(hmacs.begin(), hmacs.end(), e.entry.subject_hmac) != hmacs.end();
              if (subject && (principal.empty() || e.entry.principal == principal)) out.push_back(e.entry.seq);
              return {};
            }).ok());
    return out;
  }
};

AuditQuery by_subjects(std::vector<std::string> hmacs) {
  AuditQuery q;
  q.subject_filter = true;
  q.subject_hmacs = std::move(hmacs);
  return q;
}

TEST_CASE("subject index: a search finds the same entries wherever the index ends") {
  Log l;
  l.append(10000);  // buckets 0, 1 and part of 2
  l.log.reset();    // stopping indexes everything
  CHECK(l.upto() == 10000);
  const std::vector<std::string> one = {Log::hmac(kSubjects[0])};
  const std::vector<std::string> two = {Log::hmac(kSubjects[1]), Log::hmac(kSubjects[5])};
  const std::vector<std::string> none = {Log::hmac("110105194912310048")};
  REQUIRE(l.every(one).size() > 1000);
  for (const std::int64_t upto : {10000, 9999, 8193, 8192, 6000, 4097, 4096, 4095, 1, 0}) {
    CAPTURE(upto);
    l.set_upto(upto);
    CHECK(l.search(by_subjects(one), 100) == l.every(one));
    CHECK(l.search(by_subjects(one), 1).size() == l.every(one).size());
    CHECK(l.search(by_subjects(two), 333) == l.every(two));
    CHECK(l.search(by_subjects(none), 100).empty());
    AuditQuery q = by_subjects(two);
    q.principal = "public-security";
    CHECK(l.search(q, 50) == l.every(two, "public-security"));
  }
  // One page that starts inside the index and ends in the tail, from a cursor mid-bucket.
  l.set_upto(6000);
  AuditQuery q = by_subjects(one);
  q.after_seq = 5000;
  q.limit = 400;
  std::vector<std::int64_t> expected;
  for (const auto seq : l.every(one)) {
    if (seq > 5000 && expected.size() < 400) expected.push_back(seq);
  }
  REQUIRE(expected.back() > 6000);
  const auto page = search_audit(l.db(), q).value();
  std::vector<std::int64_t> got;
  got.reserve(page.size());
  for (const auto& e : page) got.push_back(e.entry.seq);
  CHECK(got == expected);
}

TEST_CASE("subject index: the committer adds entries within moments and everything when it stops") {
  Log l;
  l.append(10);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (l.upto() < 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(l.upto() == 10);
  l.append(3);
  l.log.reset();
  CHECK(l.upto() == 13);
  const std::vector<std::string> one = {Log::hmac(kSubjects[0])};
  auto count = l.db().reader().value()->prepare("SELECT count(*) FROM audit_subject_index").value();
  REQUIRE(count.step().value());
  CHECK(count.column_int(0) == 11);  // entries 4 and 9 have no subject
}

TEST_CASE("subject index: an index that cannot be written costs searches time, not entries") {
  Log l;
  l.append(100);
  l.log.reset();
  l.log = AuditLog::open(l.db(), kKey).value();
  l.exec("CREATE TRIGGER full BEFORE INSERT ON audit_subject_index BEGIN SELECT RAISE(FAIL, 'disk full'); END");
  l.append(5000);  // more than kSubjectIndexLag: the committer tries at once
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(l.upto() == 100);
  const std::vector<std::string> one = {Log::hmac(kSubjects[0])};
  CHECK(l.search(by_subjects(one), 100) == l.every(one));
  CHECK(l.every(one).back() > 100);
  // The writer is back to synchronous=FULL after the failed batch: the next entries are durable.
  CHECK(l.synchronous() == 2);
  l.exec("DROP TRIGGER full");
  l.append(1);
  l.log.reset();
  CHECK(l.upto() == 5101);
  CHECK(l.search(by_subjects(one), 100) == l.every(one));
}

TEST_CASE("subject index: index_subjects commits at most a batch, unsynced, and restores FULL") {
  Log l;
  l.append(20000);
  l.log.reset();
  l.set_upto(0);

  const auto index = [&](std::int64_t end) {
    return l.db().with_writer([&](store::sqlite::Connection& w) { return index_subjects(w, end); });
  };
  CHECK(index(20000).value() == static_cast<std::int64_t>(kSubjectIndexBatch));
  CHECK(l.synchronous() == 2);
  CHECK(index(17000).value() == 17000);
  CHECK(index(17000).value() == 17000);  // nothing to add
  CHECK(l.upto() == 17000);
  l.exec("CREATE TRIGGER full BEFORE INSERT ON audit_subject_index BEGIN SELECT RAISE(FAIL, 'disk full'); END");
  auto failed = index(20000);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("disk full") != std::string::npos);
  CHECK(l.synchronous() == 2);
  CHECK(l.upto() == 17000);
}

TEST_CASE("subject index: a lost or unreadable upto means everything is indexed again") {
  Log l;
  l.append(6000);
  l.log.reset();
  const std::vector<std::string> one = {Log::hmac(kSubjects[3])};
  for (const char* value : {"'abc'", "'-5'", "NULL"}) {
    CAPTURE(value);
    if (std::string(value) == "NULL") {
      l.exec("DELETE FROM log_info WHERE key = 'subject_index_upto'");
    } else {
      l.exec(std::string("UPDATE log_info SET value = ") + value + " WHERE key = 'subject_index_upto'");
    }
    CHECK(l.upto() == 0);
    CHECK(l.search(by_subjects(one), 100) == l.every(one));
    l.log = AuditLog::open(l.db(), kKey).value();
    l.append(1);
    const auto size = static_cast<std::int64_t>(l.log->size());
    l.log.reset();  // the rows already in the index are added again without error
    CHECK(l.upto() == size);
    CHECK(l.search(by_subjects(one), 100) == l.every(one));
  }
}

TEST_CASE("subject index: the migration builds it from an existing log and drops audit_by_subject") {
  Log l;
  l.append(9000);
  l.log.reset();
  const int version = l.db().schema_version();
  // Back to the schema before the subject index (and its spans).
  l.exec(
      "DROP TABLE audit_subject_spans; DROP TABLE audit_subject_index; DELETE FROM log_info WHERE key LIKE "
      "'subject_%'; CREATE INDEX audit_by_subject ON audit_entries (subject_hmac, seq); PRAGMA user_version = " +
      std::to_string(version - 2));
  l.reopen();
  CHECK(l.db().schema_version() == version);
  CHECK(l.upto() == 9000);
  auto reader = l.db().reader().value();
  auto st = reader
                ->prepare(
                    "SELECT (SELECT count(*) FROM audit_subject_index), "
                    "(SELECT count(*) FROM audit_entries WHERE subject_hmac <> ''), "
                    "(SELECT count(*) FROM sqlite_master WHERE name = 'audit_by_subject')")
                .value();
  REQUIRE(st.step().value());
  CHECK(st.column_int(0) == 7200);
  CHECK(st.column_int(1) == 7200);
  CHECK(st.column_int(2) == 0);
  const std::vector<std::string> two = {Log::hmac(kSubjects[2]), Log::hmac(kSubjects[6])};
  CHECK(l.search(by_subjects(two), 100) == l.every(two));
}

// Spans of 8,192 entries (2 buckets) instead of 1,048,576: set before anything is merged.
constexpr const char* kSmallSpans = "UPDATE log_info SET value = '13' WHERE key = 'subject_span_shift'";

TEST_CASE("subject index spans: a search finds the same entries before, during and after a merge") {
  Log l;
  l.append(30000);  // three full spans of 8,192 and part of a fourth
  l.log.reset();
  l.exec(kSmallSpans);
  const std::vector<std::string> one = {Log::hmac(kSubjects[4])};
  const std::vector<std::string> two = {Log::hmac(kSubjects[1]), Log::hmac(kSubjects[6])};
  const auto check = [&] {
    CHECK(l.search(by_subjects(one), 100) == l.every(one));
    CHECK(l.search(by_subjects(two), 7) == l.every(two));
    AuditQuery q = by_subjects(two);
    q.principal = "market-regulation";
    CHECK(l.search(q, 1000) == l.every(two, "market-regulation"));
  };
  check();
  l.merge_until(0, 2000);  // half the first span merged, the span not yet in use
  CHECK(l.count("SELECT count(*) FROM audit_subject_spans") > 0);
  check();
  l.merge_until(8192, 0);  // the first span in use, its buckets not yet dropped
  check();
  l.merge_until(8192, 2500);  // the second span half merged
  check();
  l.merge_until(24576, 0);  // three spans merged
  check();
  while (l.merge_step()) {
  }
  // Their six buckets are dropped; the rest of the log stays in buckets.
  CHECK(l.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 6") == 0);
  CHECK(l.count("SELECT count(*) FROM audit_subject_index") ==
        l.count("SELECT count(*) FROM audit_entries WHERE seq >= 24576 AND subject_hmac <> ''"));
  CHECK(l.count("SELECT count(*) FROM audit_subject_spans") ==
        l.count("SELECT count(*) FROM audit_entries WHERE seq < 24576 AND subject_hmac <> ''"));
  CHECK(l.state().upto == 30000);
  check();
  // A cursor inside a span, and pages that cross from the spans into the buckets and the tail.
  l.set_upto(27000);
  for (const std::int64_t after : {100, 8191, 8192, 20000, 26000}) {
    CAPTURE(after);
    AuditQuery q = by_subjects(one);
    q.after_seq = after;
    std::vector<std::int64_t> expected;
    for (const auto seq : l.every(one)) {
      if (seq > after) expected.push_back(seq);
    }
    CHECK(l.search(q, 333) == expected);
  }
}

TEST_CASE("subject index spans: a lost spans position after buckets were dropped means indexing again") {
  Log l;
  l.append(20000);
  l.log.reset();
  l.exec(kSmallSpans);
  while (l.merge_step()) {
  }
  REQUIRE(l.state().spans_upto == 16384);
  REQUIRE(l.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 4") == 0);
  const std::vector<std::string> one = {Log::hmac(kSubjects[3])};
  for (const char* damage : {"UPDATE log_info SET value = 'abc' WHERE key = 'subject_spans_upto'",
                             "UPDATE log_info SET value = '5000' WHERE key = 'subject_spans_upto'",
                             "DELETE FROM log_info WHERE key = 'subject_spans_upto'"}) {
    CAPTURE(damage);
    l.exec(damage);
    CHECK(l.state().upto == 0);  // the dropped buckets are not trusted to be there
    CHECK(l.search(by_subjects(one), 100) == l.every(one));
    REQUIRE(l.db().with_writer([](store::sqlite::Connection& w) { return index_subjects(w, 20000); }).value() == 16384);
    REQUIRE(l.db().with_writer([](store::sqlite::Connection& w) { return index_subjects(w, 20000); }).value() == 20000);
    while (l.merge_step()) {
    }
    CHECK(l.state().spans_upto == 16384);
    CHECK(l.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 4") == 0);
    CHECK(l.search(by_subjects(one), 100) == l.every(one));
  }
}

TEST_CASE("subject index spans: a search reads one snapshot while a merge drops buckets under it") {
  Log l;
  l.append(20000);
  l.log.reset();
  l.exec(kSmallSpans);
  l.merge_until(8192, 4095);  // the first span one chunk from done
  const std::vector<std::string> one = {Log::hmac(kSubjects[2])};
  std::vector<std::int64_t> seen;
  auto reader = l.db().reader().value();
  REQUIRE(for_each_subject_seq(*reader, one, -1, [&](std::int64_t seq) -> Result<bool> {
            if (seen.empty()) {  // finish both spans and drop their buckets while the search runs
              while (l.merge_step()) {
              }
            }
            seen.push_back(seq);
            return true;
          }).ok());
  CHECK(l.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 4") == 0);
  CHECK(seen == l.every(one));
}

TEST_CASE("subject index spans: the audit log merges in the background") {
  Log l;
  l.exec(kSmallSpans);
  l.append(10000);  // one full span of 8,192
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((l.state().spans_upto < 8192 || l.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 2") > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(l.state().spans_upto == 8192);
  CHECK(l.count("SELECT count(*) FROM audit_subject_index WHERE bucket < 2") == 0);
  const std::vector<std::string> one = {Log::hmac(kSubjects[0])};
  CHECK(l.search(by_subjects(one), 100) == l.every(one));
}

TEST_CASE("subject index: another process's lock makes an index step give way at once, not wait") {
  Log l;
  l.append(20000);
  l.log.reset();
  l.exec(kSmallSpans);
  l.set_upto(10000);
  auto other =
      store::sqlite::Connection::open(l.dir.file("data/audit.db"), store::sqlite::Connection::Mode::kReadWrite).value();
  REQUIRE(other->exec("BEGIN IMMEDIATE").ok());
  const auto start = std::chrono::steady_clock::now();
  auto merged = l.db().with_writer([](store::sqlite::Connection& w) { return merge_subject_step(w); });
  auto indexed = l.db().with_writer([](store::sqlite::Connection& w) { return index_subjects(w, 20000); });
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(merged.ok());
  REQUIRE_FALSE(indexed.ok());
  CHECK(merged.error().code == ErrorCode::kUnavailable);
  CHECK(indexed.error().code == ErrorCode::kUnavailable);
  CHECK(waited < std::chrono::milliseconds(1000));  // the usual busy timeout is 5 s
  REQUIRE(other->exec("COMMIT").ok());
  // The writer waits for locks again, as the entries' commits need.
  const auto busy_timeout = l.db().with_writer([](store::sqlite::Connection& w) -> Result<std::int64_t> {
    YICI_TRY(auto st, w.prepare("PRAGMA busy_timeout"));
    YICI_TRY(const bool row, st.step());
    return row ? st.column_int(0) : -1;
  });
  CHECK(busy_timeout.value() == store::sqlite::kBusyTimeoutMs);
  CHECK(l.synchronous() == 2);
  CHECK(l.merge_step());
  CHECK(l.state().merge_chunk == 1);
}

}  // namespace
}  // namespace yici::audit
