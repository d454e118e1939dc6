#include "hub/store/sqlite/sqlite_record_store.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include <doctest/doctest.h>

#include "hub/core/sha256.h"
#include "tests/support/temp_dir.h"

namespace yici::store::sqlite {
namespace {

Record rec(std::string subject, std::string key, std::string fields, std::string source = "hz-psb") {
  Record r;
  r.dataset = "population";
  r.subject = std::move(subject);
  r.source = std::move(source);
  r.source_key = std::move(key);
  r.pulled_at = "2026-11-22T00:00:00Z";
  r.fields_json = std::move(fields);
  return r;
}

// Makes every insert of a record with subject BAD fail, as a full disk or a constraint would.
Status refuse_subject_bad(SqliteRecordStore& store) {
  return store.database().with_writer([](Connection& w) {
    return w.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.subject = 'BAD' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  });
}

TEST_CASE("record store: insert, unchanged, update with a new version and history") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;

  std::vector<Record> batch = {rec("11010519491231002X", "1", R"({"name":"张三"})"),
                               rec("110105194912310037", "2", R"({"name":"李四"})")};
  auto c1 = s.upsert(batch);
  REQUIRE(c1.ok());
  CHECK(c1->inserted == 2);
  CHECK(c1->updated == 0);

  batch[0].pulled_at = "2026-11-22T01:00:00Z";
  auto c2 = s.upsert(batch);
  REQUIRE(c2.ok());
  CHECK(c2->unchanged == 2);
  auto found = s.find_by_subject("population", "11010519491231002X");
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].version == 1);
  CHECK((*found)[0].pulled_at == "2026-11-22T01:00:00Z");  // freshness refreshed, no new version
  CHECK((*found)[0].content_hash == sha256_hex(R"({"name":"张三"})"));

  batch[0].fields_json = R"({"name":"张三丰"})";
  auto c3 = s.upsert(std::span<const Record>(batch.data(), 1));
  REQUIRE(c3.ok());
  CHECK(c3->updated == 1);
  found = s.find_by_subject("population", "11010519491231002X");
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].version == 2);
  CHECK((*found)[0].fields_json == R"({"name":"张三丰"})");

  // A status change alone is a change too.
  batch[0].status = "withdrawn";
  CHECK(s.upsert(std::span<const Record>(batch.data(), 1))->updated == 1);
  CHECK(s.find_by_subject("population", "11010519491231002X")->at(0).version == 3);

  auto history = s.database().reader();
  REQUIRE(history.ok());
  auto stmt = (*history)->prepare("SELECT count(*), max(version) FROM record_history");
  REQUIRE(stmt.ok());
  REQUIRE(stmt->step().value());
  CHECK(stmt->column_int(0) == 2);
  CHECK(stmt->column_int(1) == 2);
  CHECK(s.count("population").value() == 2);
  CHECK(s.count("credit").value() == 0);
}

TEST_CASE("record store: a record's earlier versions, oldest first, below the one asked about, its own only") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  // The same key at another source, and another key of the same source, each changed too.
  for (const char* name : {"a", "b", "c"}) {
    const std::string fields = std::string(R"({"name":")") + name + "\"}";
    REQUIRE(
        s.upsert(std::vector<Record>{rec("S1", "1", fields), rec("S1", "1", fields, "other"), rec("S2", "2", fields)})
            .ok());
  }
  const auto both = s.find_by_subject("population", "S1").value();
  REQUIRE(both.size() == 2);
  Record held = both.at(0).source == "hz-psb" ? both.at(0) : both.at(1);
  REQUIRE(held.source == "hz-psb");
  REQUIRE(held.version == 3);
  auto earlier = s.earlier_versions(held, held.version, RecordStore::HistoryRead::kFields);
  REQUIRE(earlier.ok());
  REQUIRE(earlier->size() == 2);
  CHECK(earlier->at(0).version == 1);
  CHECK(earlier->at(0).fields_json == R"({"name":"a"})");
  CHECK(earlier->at(0).status == "valid");
  CHECK(earlier->at(1).version == 2);
  CHECK(earlier->at(1).fields_json == R"({"name":"b"})");
  // Read at version 2 while a pull stored version 3: version 3's archive is not among them.
  REQUIRE(s.upsert(std::vector<Record>{rec("S1", "1", R"({"name":"d"})")})->updated == 1);
  auto at_two = s.earlier_versions(held, 2, RecordStore::HistoryRead::kFields);
  REQUIRE(at_two.ok());
  REQUIRE(at_two->size() == 1);
  CHECK(at_two->at(0).version == 1);
  CHECK(s.earlier_versions(held, 1, RecordStore::HistoryRead::kFields)->empty());
  held.source_key = "9";
  CHECK(s.earlier_versions(held, 5, RecordStore::HistoryRead::kFields)->empty());  // no such record
}

// Each kept version's `changed`, oldest first, straight from record_history.
std::vector<std::string> changes_kept(SqliteRecordStore& store, const std::string& key) {
  std::vector<std::string> out;
  const Status read = store.database().with_writer([&](Connection& w) -> Status {
    YICI_TRY(auto st, w.prepare("SELECT coalesce(h.changed, 'NULL') FROM record_history h JOIN records r ON "
                                "r.id = h.record_id WHERE r.source_key = ?1 ORDER BY h.version"));
    st.bind(1, key);
    return st.each_row([&] { out.emplace_back(st.column_text(0)); });
  });
  REQUIRE(read.ok());
  return out;
}

TEST_CASE(
    "record store: each kept version names the fields the version after it changed, on every way a version is made") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db")).value();
  auto& s = *store;
  REQUIRE(s.upsert(std::vector<Record>{rec("S1", "1", R"({"name":"a","phone":"1"})")})->inserted == 1);
  REQUIRE(s.upsert(std::vector<Record>{rec("S1", "1", R"({"name":"a","phone":"2"})")})->updated == 1);
  CHECK(changes_kept(s, "1") == std::vector<std::string>{R"(["phone"])"});

  // A pull that reads the key twice: its first row makes version 3 (the name), its second takes
  // that version's place (the phone). Version 2 then names what version 3 changes now.
  const auto pull = [&](const std::string& at, std::vector<Record> rows) {
    for (auto& r : rows) r.pulled_at = at;
    BatchCommit batch;
    batch.source = "hz-psb";
    batch.records = rows;
    return s.commit_batch(batch);
  };
  REQUIRE(pull("2026-11-23T00:00:00Z",
               {rec("S1", "1", R"({"name":"b","phone":"2"})"), rec("S1", "1", R"({"name":"a","phone":"3"})")})
              .ok());
  auto now = s.find_by_subject("population", "S1").value().at(0);
  CHECK(now.version == 3);
  CHECK(now.fields_json == R"({"name":"a","phone":"3"})");
  CHECK(changes_kept(s, "1") == std::vector<std::string>{R"(["phone"])", R"(["phone"])"});

  // A pull whose second row takes the record back to version 3: version 4 is undone, and what the
  // kept versions name stays as it was.
  REQUIRE(pull("2026-11-24T00:00:00Z",
               {rec("S1", "1", R"({"name":"c","phone":"3"})"), rec("S1", "1", R"({"name":"a","phone":"3"})")})
              .ok());
  CHECK(s.find_by_subject("population", "S1").value().at(0).version == 3);
  CHECK(changes_kept(s, "1") == std::vector<std::string>{R"(["phone"])", R"(["phone"])"});

  // A withdrawal changes the status only.
  const auto rejected = [&](const std::string& key, bool withdraws, const std::string& status) {
    QuarantinedRow q;
    q.dataset = "population";
    q.source = "hz-psb";
    q.source_key = key;
    q.row_json = "{}";
    q.errors_json = "[]";
    q.seen_at = "2026-11-25T00:00:00Z";
    q.withdraws = withdraws;
    if (!status.empty()) {
      q.status_field = "status";
      q.status = status;
    }
    BatchCommit batch;
    batch.source = "hz-psb";
    batch.quarantined = std::span<const QuarantinedRow>(&q, 1);
    return s.commit_batch(batch);
  };
  REQUIRE(rejected("1", true, "").ok());
  now = s.find_by_subject("population", "S1").value().at(0);
  CHECK(now.status == "withdrawn");
  CHECK(changes_kept(s, "1") == std::vector<std::string>{R"(["phone"])", R"(["phone"])", "[]"});

  // A status a rejected row sets is in the fields too.
  REQUIRE(s.upsert(std::vector<Record>{rec("S2", "2", R"({"name":"d","status":"valid"})")})->inserted == 1);
  REQUIRE(rejected("2", false, "revoked").ok());
  CHECK(s.find_by_subject("population", "S2").value().at(0).status == "revoked");
  CHECK(changes_kept(s, "2") == std::vector<std::string>{R"(["status"])"});

  // What a lookup reads: the names, without the fields.
  const auto changes = s.earlier_versions(now, now.version, RecordStore::HistoryRead::kChanges).value();
  REQUIRE(changes.size() == 3);
  CHECK(changes[1].changed == R"(["phone"])");
  CHECK(changes[2].status == "valid");
  CHECK(changes[2].fields_json.empty());
}

TEST_CASE("record store: one subject from two sources gives two records, other datasets stay apart") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  std::vector<Record> batch = {rec("S1", "1", "{}", "a"), rec("S1", "9", "{}", "b")};
  Record other = rec("S1", "1", "{}", "a");
  other.dataset = "credit";
  batch.push_back(other);
  REQUIRE((*store)->upsert(batch)->inserted == 3);
  CHECK((*store)->find_by_subject("population", "S1")->size() == 2);
  CHECK((*store)->find_by_subject("credit", "S1")->size() == 1);
  CHECK((*store)->find_by_subject("population", "S2")->empty());
}

TEST_CASE("record store: a subject's records come newest pull first, the later stored first on a tie") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  Record older = rec("S1", "1", "{}", "a");
  older.pulled_at = "2026-11-20T00:00:00Z";
  Record newest = rec("S1", "2", "{}", "b");
  newest.pulled_at = "2026-11-23T00:00:00Z";
  Record tie_first = rec("S1", "3", "{}", "c");
  Record tie_second = rec("S1", "4", "{}", "d");  // same pulled_at as tie_first, stored after it
  REQUIRE((*store)->upsert(std::vector<Record>{older, tie_first})->inserted == 2);
  REQUIRE((*store)->upsert(std::vector<Record>{newest, tie_second})->inserted == 2);
  auto found = (*store)->find_by_subject("population", "S1");
  REQUIRE(found.ok());
  REQUIRE(found->size() == 4);
  CHECK(found->at(0).source == "b");
  CHECK(found->at(1).source == "d");
  CHECK(found->at(2).source == "c");
  CHECK(found->at(3).source == "a");
}

TEST_CASE("record store: concurrent readers on their own connections while a writer commits") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  REQUIRE(s.upsert(std::vector<Record>{rec("S", "k", R"({"v":0})")}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  readers.reserve(4);
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        auto r = s.find_by_subject("population", "S");
        if (!r.ok() || r->size() != 1) ++errors;
        ++reads;
      }
    });
  }
  for (int i = 1; i <= 200; ++i) {
    REQUIRE(s.upsert(std::vector<Record>{rec("S", "k", R"({"v":)" + std::to_string(i) + "}")}).ok());
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(errors == 0);
  CHECK(reads > 0);
  CHECK(s.find_by_subject("population", "S")->at(0).version == 201);
}

TEST_CASE("record store: a failed batch leaves nothing behind") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  REQUIRE((*store)->upsert(std::vector<Record>{rec("S", "k", "{}")}).ok());
  // Make the next write fail half-way: a trigger that refuses one subject.
  REQUIRE(refuse_subject_bad(**store).ok());
  auto r = (*store)->upsert(std::vector<Record>{rec("A", "a", "{}"), rec("BAD", "b", "{}")});
  CHECK_FALSE(r.ok());
  CHECK((*store)->find_by_subject("population", "A")->empty());
  CHECK((*store)->count("population").value() == 1);
}

// withdraw_missing's key source: `keys` in order; rewind() lists them again.
struct KeyList {
  std::vector<std::string> keys;
  std::size_t next = 0;

  void rewind() { next = 0; }
  std::function<Result<std::optional<std::string>>()> source() {
    return [this]() -> Result<std::optional<std::string>> {
      if (next >= keys.size()) return std::optional<std::string>();
      return std::optional<std::string>(keys[next++]);
    };
  }
};

TEST_CASE(
    "record store: withdraw_missing withdraws only the source's vanished keys, in every dataset it has records in") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  auto in = [](std::string dataset, Record r) {
    r.dataset = std::move(dataset);
    return r;
  };
  // Source s moved from dataset "credit" to "population"; source t shares the keys and a dataset.
  REQUIRE(
      s.upsert(std::vector<Record>{in("credit", rec("C1", "k1", "{}", "s")), in("credit", rec("C2", "k2", "{}", "s")),
                                   rec("P1", "k1", "{}", "s"), rec("P2", "k2", "{}", "s"), rec("T2", "k2", "{}", "t"),
                                   in("zz", rec("Z2", "k2", "{}", "t"))})
          .ok());
  KeyList listed{{"k1"}};
  auto present = listed.source();
  CHECK(s.withdraw_missing("s", present, {}).value() == 2);
  auto status = [&](std::string_view dataset, std::string_view subject) {
    return s.find_by_subject(dataset, subject).value().at(0).status;
  };
  CHECK(status("credit", "C1") == "valid");
  CHECK(status("credit", "C2") == "withdrawn");
  CHECK(status("population", "P1") == "valid");
  CHECK(status("population", "P2") == "withdrawn");
  CHECK(status("population", "T2") == "valid");  // another source's record with the same key
  CHECK(status("zz", "Z2") == "valid");
  CHECK(s.find_by_subject("population", "P2").value().at(0).version == 2);

  // Again: nothing left to withdraw. Then the source is gone: every record it still has goes.
  listed.rewind();
  CHECK(s.withdraw_missing("s", present, {}).value() == 0);
  listed.keys.clear();
  listed.rewind();
  CHECK(s.withdraw_missing("s", present, {}).value() == 2);
  CHECK(status("credit", "C1") == "withdrawn");
  CHECK(status("population", "T2") == "valid");
  auto empty = SqliteRecordStore::open(dir.file("empty.db"));
  REQUIRE(empty.ok());
  CHECK((*empty)->withdraw_missing("s", present, {}).value() == 0);
}

TEST_CASE("record store: withdraw_missing asks its check with the counts first, and a refusal withdraws nothing") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  REQUIRE(s.upsert(std::vector<Record>{rec("P1", "k1", "{}", "s"), rec("P2", "k2", "{}", "s"),
                                       rec("P3", "k3", "{}", "s"), rec("T1", "k9", "{}", "t")})
              .ok());
  KeyList listed{{"k1"}};
  auto present = listed.source();
  std::int64_t seen_vanishing = -1;
  std::int64_t seen_current = -1;
  auto refuse = [&](std::int64_t vanishing, std::int64_t current) -> Result<RecordStore::WithdrawDecision> {
    seen_vanishing = vanishing;
    seen_current = current;
    return Error::unavailable("too many");
  };
  auto refused = s.withdraw_missing("s", present, refuse);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "too many");
  CHECK(seen_vanishing == 2);
  CHECK(seen_current == 3);  // the source's own records, not t's
  CHECK(s.find_by_subject("population", "P2").value().at(0).status == "valid");
  // Approved: withdrawn as counted; a withdrawn record no longer counts as current.
  listed.rewind();
  CHECK(s.withdraw_missing("s", present, [](std::int64_t, std::int64_t) {
           return Result<RecordStore::WithdrawDecision>(RecordStore::WithdrawDecision::kWithdraw);
         }).value() == 2);
  listed.rewind();
  auto record = [&](std::int64_t vanishing, std::int64_t current) -> Result<RecordStore::WithdrawDecision> {
    seen_vanishing = vanishing;
    seen_current = current;
    return RecordStore::WithdrawDecision::kWithdraw;
  };
  REQUIRE(s.withdraw_missing("s", present, record).value() == 0);
  CHECK(seen_vanishing == 0);
  CHECK(seen_current == 1);
}

TEST_CASE("record store: withdraw_missing lists again when its check asks, and a key in either listing is kept") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  REQUIRE(s.upsert(std::vector<Record>{rec("P1", "k1", "{}", "s"), rec("P2", "k2", "{}", "s"),
                                       rec("P3", "k3", "{}", "s"), rec("P4", "k4", "{}", "s")})
              .ok());
  // The first listing misses k2 and k3 (k2 slipped past a page boundary); the second misses k3
  // and k4 (k4 slipped this time). Only k3, missing from both, goes.
  const std::vector<std::vector<std::string>> listings = {{"k1", "k4"}, {"k1", "k2"}};
  std::size_t listing = 0;
  std::size_t next = 0;
  auto present = [&]() -> Result<std::optional<std::string>> {
    if (next >= listings[listing].size()) return std::optional<std::string>();
    return std::optional<std::string>(listings[listing][next++]);
  };
  std::vector<std::int64_t> asked;
  auto confirm = [&](std::int64_t vanishing, std::int64_t) -> Result<RecordStore::WithdrawDecision> {
    asked.push_back(vanishing);
    if (asked.size() > 1) return RecordStore::WithdrawDecision::kWithdraw;
    listing = 1;
    next = 0;
    return RecordStore::WithdrawDecision::kListAgain;
  };
  CHECK(s.withdraw_missing("s", present, confirm).value() == 1);
  CHECK(asked == std::vector<std::int64_t>{2, 1});
  CHECK(s.find_by_subject("population", "P3").value().at(0).status == "withdrawn");
  for (const char* kept : {"P1", "P2", "P4"})
    CHECK(s.find_by_subject("population", kept).value().at(0).status == "valid");
  // An error from the second listing withdraws nothing.
  REQUIRE(s.upsert(std::vector<Record>{rec("P5", "k5", "{}", "s")}).ok());
  listing = 0;
  next = 0;
  asked.clear();
  auto failing_second = [&]() -> Result<std::optional<std::string>> {
    if (listing == 1) return Error::unavailable("page 2: connection reset");
    return present();
  };
  auto refused = s.withdraw_missing("s", failing_second, confirm);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "page 2: connection reset");
  CHECK(s.find_by_subject("population", "P5").value().at(0).status == "valid");
  CHECK(s.find_by_subject("population", "P2").value().at(0).status == "valid");
}

TEST_CASE("record store: withdraw_missing works in batches, in key order, and reads keys without holding the writer") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"), {.withdraw_batch = 2});
  REQUIRE(store.ok());
  auto& s = **store;
  // Eight records; k2, k4 and k7 stay. Five vanish: three batches of 2, with kept keys between
  // them. A record withdrawn before (k0) must not get another version.
  std::vector<Record> records;
  for (int i = 1; i <= 8; ++i) records.push_back(rec("S" + std::to_string(i), "k" + std::to_string(i), "{}"));
  records.push_back(rec("W", "k0", "{}"));
  REQUIRE(s.upsert(records).ok());
  records.back().status = "withdrawn";
  REQUIRE(s.upsert(std::vector<Record>{records.back()}).ok());
  REQUIRE(s.find_by_subject("population", "W").value().at(0).version == 2);

  const std::vector<std::string> keys = {"k7", "k2", "k4"};
  std::size_t next = 0;
  bool wrote_meanwhile = false;
  std::future<Result<UpsertCounts>> other;  // outlives the call, so a writer held by it fails the test, not hangs it
  auto present = [&]() -> Result<std::optional<std::string>> {
    if (next == 1) {
      // Reading a source's keys can take minutes; another source's batch must be able to commit
      // meanwhile (with the writer held here, this upsert would wait for ever).
      other =
          std::async(std::launch::async, [&] { return s.upsert(std::vector<Record>{rec("O", "o1", "{}", "other")}); });
      wrote_meanwhile = other.wait_for(std::chrono::seconds(10)) == std::future_status::ready && other.get().ok();
    }
    if (next >= keys.size()) return std::optional<std::string>();
    return std::optional<std::string>(keys[next++]);
  };
  CHECK(s.withdraw_missing("hz-psb", present, {}).value() == 5);
  CHECK(wrote_meanwhile);
  for (int i = 1; i <= 8; ++i) {
    const Record r = s.find_by_subject("population", "S" + std::to_string(i)).value().at(0);
    const bool kept = i == 2 || i == 4 || i == 7;
    CHECK_MESSAGE(r.status == (kept ? "valid" : "withdrawn"), "k", i);
    CHECK_MESSAGE(r.version == (kept ? 1 : 2), "k", i);
  }
  CHECK(s.find_by_subject("population", "W").value().at(0).version == 2);
  CHECK(s.find_by_subject("population", "O").value().at(0).status == "valid");
  // Each withdrawn record's previous version is in the history, once.
  const auto history = s.database().with_writer([](Connection& w) -> Result<std::int64_t> {
    YICI_TRY(auto st, w.prepare("SELECT count(*) FROM record_history WHERE status = 'valid'"));
    YICI_TRY(const bool row, st.step());
    return row ? st.column_int(0) : -1;
  });
  CHECK(history.value() == 5 + 1);  // + W's valid version, archived when it was withdrawn

  // A source that fails to list its keys part way withdraws nothing, however many batches in.
  next = 0;
  int calls = 0;
  auto failing = [&]() -> Result<std::optional<std::string>> {
    if (++calls == 3) return Error::io("source went away");
    return std::optional<std::string>("k" + std::to_string(calls));
  };
  REQUIRE(s.upsert(std::vector<Record>{rec("S9", "k9", "{}")}).ok());
  CHECK_FALSE(s.withdraw_missing("hz-psb", failing, {}).ok());
  CHECK(s.find_by_subject("population", "S9").value().at(0).status == "valid");
  CHECK(s.find_by_subject("population", "S7").value().at(0).status == "valid");
}

TEST_CASE("record store: a source's department is remembered with its batches, for records that outlive it") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  CHECK_FALSE(s.source_department("hz-psb").value().has_value());
  std::vector<Record> first = {rec("A", "a", "{}")};
  BatchCommit batch{"hz-psb", first};
  batch.department = "public-security";
  REQUIRE(s.commit_batch(batch).ok());
  CHECK(s.source_department("hz-psb").value() == "public-security");
  CHECK_FALSE(s.source_department("other").value().has_value());

  // A batch that fails leaves what was remembered.
  REQUIRE(refuse_subject_bad(s).ok());
  std::vector<Record> bad = {rec("BAD", "b", "{}")};
  BatchCommit failing{"hz-psb", bad};
  failing.department = "market-regulation";
  CHECK_FALSE(s.commit_batch(failing).ok());
  CHECK(s.source_department("hz-psb").value() == "public-security");

  // The source moved to another department: the latest is the one remembered; none named keeps it.
  BatchCommit moved{"hz-psb", {}};
  moved.department = "market-regulation";
  REQUIRE(s.commit_batch(moved).ok());
  CHECK(s.source_department("hz-psb").value() == "market-regulation");
  REQUIRE(s.commit_batch({"hz-psb", {}}).ok());
  CHECK(s.source_department("hz-psb").value() == "market-regulation");
}

TEST_CASE("record store: the quarantine by reason counts rows per field and code, most first, per source") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db")).value();
  const auto q = [](const std::string& source, const std::string& key, const std::string& errors) {
    QuarantinedRow r;
    r.dataset = "population";
    r.source = source;
    r.source_key = key;
    r.row_json = "{}";
    r.errors_json = errors;
    r.seen_at = "2026-11-25T00:00:00Z";
    return r;
  };
  const std::string checksum = R"({"field":"id_number","code":"bad_checksum","message":"m"})";
  const std::string date = R"({"field":"birth_date","code":"bad_date","message":"m"})";
  const std::vector<QuarantinedRow> rows = {
      q("psb", "k1", "[" + checksum + "]"), q("psb", "k2", "[" + checksum + "," + date + "]"),
      q("psb", "k3", "[" + checksum + "]"),
      q("psb", "bad_row a.csv:3", R"([{"field":null,"code":"bad_row","message":"m"}])")};
  REQUIRE(store->commit_batch({"psb", {}, rows}).ok());
  const std::vector<QuarantinedRow> other = {q("other", "k1", "[" + date + "]")};
  REQUIRE(store->commit_batch({"other", {}, other}).ok());
  const auto reasons = store->quarantine_reasons("psb", 10).value();
  REQUIRE(reasons.size() == 3);
  CHECK(reasons[0].field == "id_number");
  CHECK(reasons[0].code == "bad_checksum");
  CHECK(reasons[0].rows == 3);
  CHECK(reasons[1].field.empty());  // a row-level problem; ties in field order
  CHECK(reasons[1].code == "bad_row");
  CHECK(reasons[1].rows == 1);
  CHECK(reasons[2].field == "birth_date");  // the other source's bad_date is not counted here
  CHECK(reasons[2].rows == 1);
  CHECK(store->quarantine_reasons("psb", 1).value().size() == 1);
  CHECK(store->quarantine_reasons("none", 10).value().empty());

  // The counts follow the quarantine as rows change, pass, and leave it, and always equal a
  // scan of every entry's errors (what the reasons were before migration 8 kept counts).
  const auto scanned = [&](const std::string& source) {
    auto reader = store->database().reader().value();
    auto st = reader
                  ->prepare(
                      "SELECT coalesce(json_extract(e.value, '$.field'), ''), json_extract(e.value, '$.code'), "
                      "count(DISTINCT q.id) AS n FROM quarantine q, json_each(q.errors_json) e WHERE q.source = ?1 "
                      "GROUP BY 1, 2 ORDER BY n DESC, 1, 2")
                  .value();
    st.bind(1, source);
    std::string out;
    while (st.step().value()) {
      out += std::string(st.column_text(0)) + "/" + std::string(st.column_text(1)) + "=" +
             std::to_string(st.column_int(2)) + " ";
    }
    return out;
  };
  const auto counted = [&](const std::string& source) {
    std::string out;
    for (const auto& r : store->quarantine_reasons(source, 100).value()) {
      out += r.field + "/" + r.code + "=" + std::to_string(r.rows) + " ";
    }
    return out;
  };
  const auto same = [&] {
    for (const char* source : {"psb", "other"}) {
      CAPTURE(source);
      CHECK(counted(source) == scanned(source));
    }
  };
  same();
  // k2 is read again with its date fixed; k4 comes with one problem named twice (counted once).
  const std::vector<QuarantinedRow> again = {q("psb", "k2", "[" + checksum + "]"),
                                             q("psb", "k4", "[" + date + "," + date + "]")};
  REQUIRE(store->commit_batch({"psb", {}, again}).ok());
  CHECK(counted("psb") == "id_number/bad_checksum=3 /bad_row=1 birth_date/bad_date=1 ");
  same();
  // k1 passes: it leaves the quarantine.
  const std::vector<Record> good = {rec("110105194912310021", "k1", "{}", "psb")};
  REQUIRE(store->commit_batch({"psb", good, {}}).ok());
  CHECK(counted("psb") == "id_number/bad_checksum=2 /bad_row=1 birth_date/bad_date=1 ");
  same();
  // A full read that no longer sees the rest: all of psb's entries leave; a reason at 0 is gone.
  BatchCommit last{"psb", {}, {}};
  last.quarantine_unseen_before = "2026-11-26T00:00:00Z";
  REQUIRE(store->commit_batch(last).ok());
  CHECK(counted("psb").empty());
  CHECK(counted("other") == "birth_date/bad_date=1 ");
  same();
}

TEST_CASE("record store: a full pull's position commits with its batch, or not at all, and is forgotten") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  CHECK_FALSE(s.load_progress("hz-psb").value().has_value());
  std::vector<Record> first = {rec("A", "a", "{}")};
  REQUIRE(s.commit_batch({"hz-psb", first, {}, std::nullopt, PullProgress{R"(["a"])", "2026-01-01 10:00:00"}}).ok());
  auto p = s.load_progress("hz-psb").value();
  REQUIRE(p.has_value());
  CHECK(p->resume_after == R"(["a"])");
  CHECK(p->cursor == "2026-01-01 10:00:00");
  CHECK_FALSE(s.load_progress("other").value().has_value());

  // A batch that fails keeps the position of the last good one.
  REQUIRE(refuse_subject_bad(s).ok());
  std::vector<Record> bad = {rec("B", "b", "{}"), rec("BAD", "c", "{}")};
  CHECK_FALSE(s.commit_batch({"hz-psb", bad, {}, std::nullopt, PullProgress{R"(["c"])", std::nullopt}}).ok());
  CHECK(s.load_progress("hz-psb").value()->resume_after == R"(["a"])");

  // No cursor value yet is kept as none, not as an empty string.
  std::vector<Record> second = {rec("B", "b", "{}")};
  REQUIRE(s.commit_batch({"hz-psb", second, {}, std::nullopt, PullProgress{R"(["b"])", std::nullopt}}).ok());
  CHECK_FALSE(s.load_progress("hz-psb").value()->cursor.has_value());

  // The last batch of a pull clears it and saves the cursor in the same transaction.
  REQUIRE(s.commit_batch({"hz-psb", {}, {}, "2026-01-01 10:00:00", std::nullopt, true}).ok());
  CHECK_FALSE(s.load_progress("hz-psb").value().has_value());
  CHECK(s.load_cursor("hz-psb").value() == "2026-01-01 10:00:00");

  // After a definition change both go, so the next pull starts from the first row.
  REQUIRE(s.commit_batch({"hz-psb", {}, {}, std::nullopt, PullProgress{R"(["b"])", std::nullopt}}).ok());
  REQUIRE(s.clear_cursor("hz-psb").ok());
  CHECK_FALSE(s.load_progress("hz-psb").value().has_value());
  CHECK_FALSE(s.load_cursor("hz-psb").value().has_value());
  CHECK(s.count("population").value() == 2);
}

// Makes `path` a store as an older version left it: a current store, then `sql` (which undoes
// what the later migrations did and adds the rows of the time), then its user_version set back.
void as_older_store(const std::string& path, int version, const std::string& sql) {
  REQUIRE(version < 9);
  auto store = SqliteRecordStore::open(path).value();
  // Migration 9's names of the fields each kept version's successor changed.
  std::string undo = "ALTER TABLE record_history DROP COLUMN changed;";
  // Migration 8's counts of the quarantine by reason.
  if (version < 8) {
    undo +=
        "DROP TRIGGER quarantine_reasons_in; DROP TRIGGER quarantine_reasons_out; "
        "DROP TRIGGER quarantine_reasons_changed; DROP TABLE quarantine_reasons;";
  }
  REQUIRE(store->database()
              .with_writer([&](Connection& w) {
                return w.exec(undo + sql + "PRAGMA user_version = " + std::to_string(version) + ";");
              })
              .ok());
}

TEST_CASE("record store: an older store's kept versions get the names of the fields each successor changed") {
  test::TempDir dir;
  // A store as version 8 left it: a record at version 3 with two kept versions, and one at
  // version 2 whose kept version's fields are not JSON.
  as_older_store(dir.file("records.db"), 8,
                 "INSERT INTO records (id, dataset, subject, source, source_key, version, content_hash, pulled_at, "
                 "status, fields) VALUES "
                 "(1, 'population', 'S1', 'hz-psb', '1', 3, 'h', 't', 'valid', '{\"name\":\"c\",\"phone\":\"2\"}'), "
                 "(2, 'population', 'S2', 'hz-psb', '2', 2, 'h', 't', 'valid', '{\"name\":\"d\"}');"
                 "INSERT INTO record_history (record_id, version, content_hash, pulled_at, status, fields) VALUES "
                 "(1, 1, 'h', 't', 'valid', '{\"name\":\"a\",\"phone\":\"1\"}'), "
                 "(1, 2, 'h', 't', 'valid', '{\"name\":\"c\",\"phone\":\"1\"}'), "
                 "(2, 1, 'h', 't', 'valid', 'not json');");
  auto store = SqliteRecordStore::open(dir.file("records.db")).value();
  CHECK(store->database().schema_version() >= 9);
  CHECK(changes_kept(*store, "1") == std::vector<std::string>{R"(["name"])", R"(["phone"])"});
  CHECK(changes_kept(*store, "2") == std::vector<std::string>{R"(["name"])"});
}

TEST_CASE("record store: an older store's quarantine is counted by reason when it opens") {
  test::TempDir dir;
  // A store as version 7 left it: two entries, one with two problems, and one whose errors are
  // not the normaliser's array (not counted, and not in the way).
  as_older_store(
      dir.file("records.db"), 7,
      "INSERT INTO quarantine (dataset, source, source_key, row_json, errors_json, first_seen, last_seen) VALUES "
      "('population', 'psb', 'k1', '{}', '[{\"field\":\"id_number\",\"code\":\"bad_checksum\"}]', 't', 't'), "
      "('population', 'psb', 'k2', '{}', '[{\"field\":\"id_number\",\"code\":\"bad_checksum\"},"
      "{\"field\":null,\"code\":\"bad_row\"}]', 't', 't'), "
      "('population', 'psb', 'k3', '{}', 'not json', 't', 't');");
  auto store = SqliteRecordStore::open(dir.file("records.db")).value();
  const auto reasons = store->quarantine_reasons("psb", 10).value();
  REQUIRE(reasons.size() == 2);
  CHECK(reasons[0].code == "bad_checksum");
  CHECK(reasons[0].rows == 2);
  CHECK(reasons[1].field.empty());
  CHECK(reasons[1].rows == 1);
  CHECK(store->quarantine_count("psb").value() == 3);
}

TEST_CASE("record store: pull history keeps the newest runs of each source, and only of that source") {
  test::TempDir dir;
  auto store = SqliteRecordStore::open(dir.file("records.db"), {.pull_runs_kept = 3}).value();
  const auto record = [&](const std::string& source, int n) {
    PullRun run;
    run.source = source;
    run.started_at = "2026-11-24T00:00:0" + std::to_string(n) + "Z";
    run.rows_read = n;
    REQUIRE(store->record_pull_run(run).ok());
  };
  record("other", 0);
  for (int n = 1; n <= 5; ++n) record("hz-psb", n);
  const auto runs = store->recent_pull_runs("hz-psb", 100).value();
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].rows_read == 5);  // newest first
  CHECK(runs[2].rows_read == 3);
  CHECK(store->recent_pull_runs("other", 100).value().size() == 1);
}

TEST_CASE("record store: a pull's repeated keys and warnings are kept in its history, one line each") {
  test::TempDir dir;
  // A store as version 6 left it, with a pull in its history.
  as_older_store(
      dir.file("records.db"), 6,
      "ALTER TABLE pull_runs DROP COLUMN duplicates; ALTER TABLE pull_runs DROP COLUMN warnings;"
      "INSERT INTO pull_runs (source, started_at, finished_at, mode, rows_read, inserted, updated, "
      "unchanged, rejected, duration_ms, error) VALUES ('hz-psb', 't0', 't1', 'full', 7, 7, 0, 0, 0, 5, '');");
  auto store = SqliteRecordStore::open(dir.file("records.db")).value();
  CHECK(store->database().schema_version() >= 7);
  PullRun run;
  run.source = "hz-psb";
  run.mode = "incremental";
  run.counts.duplicates = 3;
  run.warnings = {"listing_moved: a count that changed\nbetween pages", "duplicate_keys: 3 rows"};
  REQUIRE(store->record_pull_run(run).ok());
  PullRun quiet;
  quiet.source = "hz-psb";
  REQUIRE(store->record_pull_run(quiet).ok());
  const auto runs = store->recent_pull_runs("hz-psb", 10).value();
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].warnings.empty());
  CHECK(runs[0].counts.duplicates == 0);
  CHECK(runs[1].counts.duplicates == 3);
  CHECK(runs[1].warnings ==
        std::vector<std::string>{"listing_moved: a count that changed between pages", "duplicate_keys: 3 rows"});
  CHECK(runs[2].rows_read == 7);  // the run from before the migration, without either
  CHECK(runs[2].counts.duplicates == 0);
  CHECK(runs[2].warnings.empty());
}

TEST_CASE("record store: an older store's keys take their canonical form, the newest of one key's spellings kept") {
  test::TempDir dir;
  // A store as version 4 left it: keys as the sources spelt them.
  as_older_store(dir.file("records.db"), 4,
                 "INSERT INTO records (dataset, subject, source, source_key, version, content_hash, pulled_at, "
                 "status, fields) VALUES "
                 // One person, twice: lower-case x (older) and upper-case X (newer, canonical already).
                 "('population', 'P1', 'psb', '11010519491231002x', 1, 'h1', '2026-01-01T00:00:00Z', 'valid', "
                 "'{\"n\":\"old\"}'),"
                 "('population', 'P1', 'psb', '11010519491231002X', 1, 'h2', '2026-02-01T00:00:00Z', 'valid', "
                 "'{\"n\":\"new\"}'),"
                 // Two spellings, neither canonical: the newer wins though it is read second.
                 "('population', 'P2', 'psb', ' 123', 3, 'h3', '2026-03-01T00:00:00Z', 'valid', '{}'),"
                 "('population', 'P2', 'psb', '１２３', 1, 'h4', '2026-01-01T00:00:00Z', 'valid', '{}'),"
                 // One spelling only; and the same spelling in another source, untouched by this one.
                 "('population', 'P3', 'psb', 'abc', 1, 'h5', '2026-01-01T00:00:00Z', 'valid', '{}'),"
                 "('population', 'P3', 'other', 'ABC', 1, 'h6', '2026-01-01T00:00:00Z', 'valid', '{}'),"
                 // A withdrawn record does not beat a current one, however new.
                 "('population', 'P4', 'psb', 'q', 2, 'h7', '2026-05-01T00:00:00Z', 'withdrawn', '{}'),"
                 "('population', 'P4', 'psb', 'Q', 1, 'h8', '2026-01-01T00:00:00Z', 'valid', '{}');"
                 "INSERT INTO quarantine (dataset, source, source_key, row_json, errors_json, first_seen, "
                 "last_seen) VALUES ('population', 'psb', 'ｘ1', '{}', '[]', 't', 't'),"
                 "('population', 'psb', 'bad_row a.csv:3', '{}', '[]', 't', 't');"
                 "ALTER TABLE quarantine DROP COLUMN place;"      // added by migration 6
                 "ALTER TABLE pull_runs DROP COLUMN duplicates;"  // added by migration 7
                 "ALTER TABLE pull_runs DROP COLUMN warnings;");
  auto store = SqliteRecordStore::open(dir.file("records.db")).value();
  CHECK(store->database().schema_version() >= 5);
  const auto by_key = [&](const std::string& source, const std::string& key) {
    auto conn = Connection::open(dir.file("records.db"), Connection::Mode::kReadOnly).value();
    auto st = conn->prepare("SELECT content_hash, status, version FROM records WHERE source = ?1 AND source_key = ?2")
                  .value();
    st.bind(1, source).bind(2, key);
    std::string out;
    if (st.step().value()) {
      out = std::string(st.column_text(0)) + " " + std::string(st.column_text(1)) + " " +
            std::to_string(st.column_int(2));
    }
    return out;
  };
  CHECK(by_key("psb", "11010519491231002X") == "h2 valid 1");
  CHECK(by_key("psb", "123") == "h3 valid 3");
  CHECK(by_key("psb", "ABC") == "h5 valid 1");
  CHECK(by_key("other", "ABC") == "h6 valid 1");
  CHECK(by_key("psb", "Q") == "h8 valid 1");
  // The losers: withdrawn, a version on, set aside under keys no row can have.
  const auto p1 = store->find_by_subject("population", "P1").value();
  REQUIRE(p1.size() == 2);
  int withdrawn = 0;
  for (const auto& r : p1) {
    if (r.status != "withdrawn") continue;
    ++withdrawn;
    CHECK(r.content_hash == "h1");
    CHECK(r.version == 2);
    CHECK(r.source_key.rfind("11010519491231002X\x1e", 0) == 0);
  }
  CHECK(withdrawn == 1);
  const auto p2 = store->find_by_subject("population", "P2").value();
  REQUIRE(p2.size() == 2);
  CHECK(std::count_if(p2.begin(), p2.end(), [](const Record& r) { return r.status == "withdrawn"; }) == 1);
  // The withdrawn P4 stays as it was (no new version): only its key moves.
  const auto p4 = store->find_by_subject("population", "P4").value();
  REQUIRE(p4.size() == 2);
  for (const auto& r : p4) {
    if (r.status == "withdrawn") CHECK(r.version == 2);
  }
  // Each withdrawal kept the version before it in history: P1's and P2's, not P4's.
  {
    auto conn = Connection::open(dir.file("records.db"), Connection::Mode::kReadOnly).value();
    auto st = conn->prepare("SELECT count(*) FROM record_history").value();
    REQUIRE(st.step().value());
    CHECK(st.column_int(0) == 2);
  }
  // Quarantine: canonical, except the CSV adapter's line names.
  const auto q = store->list_quarantine("psb", 0, 10).value();
  REQUIRE(q.size() == 2);
  CHECK(q[0].source_key == "X1");
  CHECK(q[1].source_key == "bad_row a.csv:3");
  // A pull now spelling the first person either way updates the one record kept.
  Record r = rec("P1", "11010519491231002X", R"({"n":"newer"})", "psb");
  CHECK(store->upsert({&r, 1}).value().updated == 1);
}

}  // namespace
}  // namespace yici::store::sqlite
