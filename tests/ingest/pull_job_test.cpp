#include "hub/ingest/pull_job.h"

#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/ingest/reconcile.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/sqlite/sqlite_record_store.h"
#include "tests/support/temp_dir.h"

namespace yici::ingest {
namespace {

// A stand-in for the schema normaliser, enough to drive the engine: id_number must be 18
// characters; the record is the fields as given, its status the `status` field's; a rejected row
// whose `status` is "revoked" or "suspended" still gives that status.
class TestNormaliser final : public RowNormaliser {
 public:
  NormalisedRow normalise(const std::vector<std::string>& fields,
                          const std::vector<std::optional<std::string>>& values) override {
    NormalisedRow out;
    boost::json::object o;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (values[i]) o[fields[i]] = *values[i];
    }
    const auto* id = o.if_contains("id_number");
    if (id == nullptr || id->as_string().size() != 18) {
      out.errors_json = R"([{"field":"id_number","code":"bad_length","message":"must be 18 characters"}])";
      return out;
    }
    // An empty name is rejected (as a schema's required field is): a row can fail with its key intact.
    if (const auto* name = o.if_contains("name"); name == nullptr || name->as_string().empty()) {
      out.errors_json = R"([{"field":"name","code":"missing","message":"name is required"}])";
      return out;
    }
    out.ok = true;
    out.subject = std::string(id->as_string());
    if (const auto* status = o.if_contains("status")) out.status = std::string(status->as_string());
    out.fields_json = boost::json::serialize(o);
    return out;
  }
  std::optional<RejectedRowStatus> rejected_row_status(const std::vector<std::string>& fields,
                                                       const std::vector<std::optional<std::string>>& values) override {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == "status" && values[i] && (*values[i] == "revoked" || *values[i] == "suspended"))
        return RejectedRowStatus{"status", *values[i]};
    }
    return std::nullopt;
  }
};

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<store::sqlite::Connection> src;
  std::unique_ptr<store::sqlite::SqliteRecordStore> store;
  adapters::AdapterRegistry registry;
  TestNormaliser normaliser;

  Fixture() {
    src = store::sqlite::Connection::open(dir.file("psb.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(src->exec("CREATE TABLE person (sfzh TEXT, xm TEXT, zt TEXT, gxsj TEXT)").ok());
    store = store::sqlite::SqliteRecordStore::open(dir.file("records.db")).value();
    adapters::register_builtin_adapters(registry);
  }

  void sql(const std::string& s) { REQUIRE(src->exec(s).ok()); }

  // A connection to the store whose trigger fails any insert of `subject` (drop trigger fail_c
  // to let it through again).
  std::unique_ptr<store::sqlite::Connection> refuse_subject(const std::string& subject) {
    auto records =
        store::sqlite::Connection::open(dir.file("records.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(records
                ->exec("CREATE TRIGGER fail_c BEFORE INSERT ON records WHEN NEW.subject = '" + subject +
                       "' BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END")
                .ok());
    return records;
  }

  SourceDefinition source(const std::string& extra = "cursor: {column: gxsj, overlap: 10m}\n",
                          const std::string& mapping = "{id_number: sfzh, name: xm}") {
    const std::string yaml =
        "id: hz-psb\ndepartment: public-security\ndataset: population\n"
        "adapter: {type: sqlite, path: " +
        dir.file("psb.db") + ", table: person}\nprimary_key: [sfzh]\nmapping: " + mapping +
        "\n"
        "status: {column: zt, withdrawn: [注销]}\n" +
        extra;
    auto doc = YamlDoc::parse(yaml, "src.yaml").value();
    return parse_source_definition(doc, registry).value();
  }

  store::PullRun pull(const SourceDefinition& s, std::size_t batch = 1000) {
    auto r = run_pull(s, *store, normaliser, {batch, false});
    REQUIRE(r.ok());
    return *r;
  }

  std::int64_t history_count() {
    auto records =
        store::sqlite::Connection::open(dir.file("records.db"), store::sqlite::Connection::Mode::kReadOnly).value();
    auto st = records->prepare("SELECT count(*) FROM record_history").value();
    REQUIRE(st.step().value());
    return st.column_int(0);
  }

  std::string name_of(const std::string& id) {
    auto recs = store->find_by_subject("population", id).value();
    REQUIRE(recs.size() == 1);
    return std::string(boost::json::parse(recs[0].fields_json).at("name").as_string());
  }
};

const std::string kA = "330102199001011234";
const std::string kB = "330102198505052345";
const std::string kC = "330106197712123456";
const std::string kD = "330106200001010013";

TEST_CASE("pull: inserts, then unchanged rows are not rewritten, then an update makes version 2") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', '王小明', NULL, '2026-01-01 10:00:00'), ('" + kB +
        "', '李华', NULL, '2026-01-01 11:00:00')");
  auto s = f.source("");  // no cursor: full refresh
  auto r1 = f.pull(s);
  CHECK(r1.mode == "full");
  CHECK(r1.rows_read == 2);
  CHECK(r1.counts.inserted == 2);
  auto r2 = f.pull(s);
  CHECK(r2.counts.unchanged == 2);
  CHECK(r2.counts.inserted == 0);
  f.sql("UPDATE person SET xm = '王晓明' WHERE sfzh = '" + kA + "'");
  auto r3 = f.pull(s);
  CHECK(r3.counts.updated == 1);
  CHECK(r3.counts.unchanged == 1);
  CHECK(f.name_of(kA) == "王晓明");
  CHECK(f.store->find_by_subject("population", kA)->at(0).version == 2);
  auto history = f.store->recent_pull_runs("hz-psb", 10).value();
  REQUIRE(history.size() == 3);
  CHECK(history[0].counts.updated == 1);  // newest first
}

TEST_CASE("pull: incremental reads see new rows and late rows inside the overlap") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00')");
  auto s = f.source();
  auto first = f.pull(s);
  CHECK(first.mode == "full");  // nothing saved yet: the first pull reads everything
  CHECK(first.counts.inserted == 1);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:00:00");
  // B committed late with a timestamp 5 minutes before the saved cursor; C is new.
  f.sql("INSERT INTO person VALUES ('" + kB + "', 'B', NULL, '2026-01-01 09:55:00'), ('" + kC +
        "', 'C', NULL, '2026-01-01 10:30:00')");
  auto r = f.pull(s);
  CHECK(r.mode == "incremental");
  CHECK(r.counts.inserted == 2);
  CHECK(r.counts.unchanged == 1);  // A again, inside the overlap: deduplicated, not doubled
  CHECK(f.store->count("population").value() == 3);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:30:00");
}

TEST_CASE("pull: a row without a cursor value is read by incremental pulls too, and does not move the cursor") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00')");
  auto s = f.source();
  f.pull(s);
  // Inserted after the first pull with no update time: `gxsj >= cursor` alone never matched it.
  f.sql("INSERT INTO person VALUES ('" + kB + "', 'B', NULL, NULL)");
  auto r = f.pull(s);
  CHECK(r.mode == "incremental");
  CHECK(r.counts.inserted == 1);
  CHECK(f.store->find_by_subject("population", kB)->size() == 1);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:00:00");
  // Read again by the next pull (it has no cursor value to be passed by), not rewritten.
  CHECK(f.pull(s).counts.unchanged == 2);
}

TEST_CASE("pull: a cursor value in the future or unreadable does not become the cursor, later rows still arrive") {
  Fixture f;
  // B was typed with a date in 2099 and C with text in the cursor column: both are pulled, and
  // the cursor stays at A's time. Saving 2099 would skip every row changed before then.
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', NULL, '2099-01-01 00:00:00'), ('" + kC + "', 'C', NULL, 'not a date')");
  auto s = f.source();
  auto first = f.pull(s);
  CHECK(first.counts.inserted == 3);
  CHECK(first.warnings == std::vector<std::string>{
                              "cursor_values_skipped: 1 unreadable, 1 in the future, 0 empty in gxsj; those rows were "
                              "stored but did not move the cursor, and are read again each pull"});
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:00:00");
  f.sql("INSERT INTO person VALUES ('" + kD + "', 'D', NULL, '2026-06-01 00:00:00')");
  auto second = f.pull(s);
  CHECK(second.mode == "incremental");
  CHECK(second.counts.inserted == 1);  // D
  CHECK(f.store->count("population").value() == 4);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-06-01 00:00:00");
}

// The time `ahead` from now as a source in `zone` writes it: "YYYY-MM-DD HH:MM:SS", no zone.
std::string local_time(std::chrono::system_clock::duration ahead, std::chrono::minutes zone) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead + zone);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

TEST_CASE("pull: a cursor value hours ahead of the source's clock does not hide later changes") {
  Fixture f;
  // The day typed one too high: 20 hours ahead of China's clock (under the day once allowed).
  const std::string typo = local_time(std::chrono::hours(20), std::chrono::hours(8));
  const std::string now_there = local_time(-std::chrono::minutes(1), std::chrono::hours(8));
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '" + now_there + "'), ('" + kB + "', 'B', NULL, '" + typo +
        "')");
  auto s = f.source();
  CHECK(f.pull(s).counts.inserted == 2);
  CHECK(f.store->load_cursor("hz-psb").value() == now_there);
  // Within the clock skew allowed: saved.
  const std::string soon = local_time(std::chrono::minutes(5), std::chrono::hours(8));
  f.sql("INSERT INTO person VALUES ('" + kC + "', 'C', NULL, '" + soon + "')");
  CHECK(f.pull(s).counts.inserted == 1);
  CHECK(f.store->load_cursor("hz-psb").value() == soon);
}

TEST_CASE("pull: cursor.zone says how to read a source's timestamps that carry no zone") {
  // A source writing UTC: an hour ahead of UTC is caught; read as China's time it would pass.
  const std::string now_utc = local_time(-std::chrono::minutes(1), std::chrono::minutes(0));
  const std::string hour_ahead = local_time(std::chrono::hours(1), std::chrono::minutes(0));
  for (const bool utc : {false, true}) {
    Fixture f;
    f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '" + now_utc + "'), ('" + kB + "', 'B', NULL, '" +
          hour_ahead + "')");
    auto s = f.source(utc ? "cursor: {column: gxsj, overlap: 10m, zone: UTC}\n" : "cursor: {column: gxsj}\n");
    CHECK(s.cursor->zone == std::chrono::minutes(utc ? 0 : 480));
    f.pull(s);
    CHECK(f.store->load_cursor("hz-psb").value() == (utc ? now_utc : hour_ahead));
  }
  Fixture f;
  const std::string yaml =
      "id: hz-psb\ndepartment: public-security\ndataset: population\nadapter: {type: sqlite, path: " +
      f.dir.file("psb.db") +
      ", table: person}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n"
      "cursor: {column: gxsj, zone: CST}\n";
  const auto bad = parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), f.registry);
  REQUIRE_FALSE(bad.ok());
  INFO(bad.error().message);
  CHECK(bad.error().message.find("src.yaml:7") != std::string::npos);
  CHECK(bad.error().message.find("cursor.zone: \"CST\" is not a time zone") != std::string::npos);
}

TEST_CASE("pull: a key the source holds twice keeps the row read last, with no new version on every pull") {
  Fixture f;
  // The department's table has no primary-key constraint: two rows for A, with different names.
  // Incremental reads come in cursor order, so A2 (changed later) is read last: as with an export
  // directory read oldest file first, the later row is what the source says now.
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A1', NULL, '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', NULL, '2026-01-01 10:00:00'), ('" + kA + "', 'A2', NULL, '2026-01-01 10:01:00')");
  auto s = f.source();
  const auto first = f.pull(s);
  CHECK(first.counts.inserted == 2);
  CHECK(first.counts.duplicates == 1);
  REQUIRE(first.warnings.size() == 1);  // in the pull history, for sources show
  CHECK(first.warnings[0].starts_with("duplicate_keys: 1 rows shared a primary key"));
  // The first pull stores A2 as A's first version: A1 was never what the source said last.
  CHECK(f.name_of(kA) == "A2");
  CHECK(f.store->find_by_subject("population", kA).value().at(0).version == 1);
  CHECK(f.history_count() == 0);
  const auto second = f.pull(s);  // incremental: the overlap reads all three rows again
  CHECK(second.mode == "incremental");
  CHECK(f.name_of(kA) == "A2");
  const auto version = f.store->find_by_subject("population", kA).value().at(0).version;
  const auto history = f.history_count();
  for (int i = 0; i < 3; ++i) {
    const auto again = f.pull(s);
    CHECK(again.counts.duplicates == 1);
    // Nothing changed: counted as unchanged, not as an update undone within the pull.
    CHECK(again.counts.updated == 0);
    CHECK(again.counts.unchanged == 2);
    CHECK(f.name_of(kA) == "A2");
    // Same record, same version after every pull, and no history piling up.
    CHECK(f.store->find_by_subject("population", kA).value().at(0).version == version);
    CHECK(f.history_count() == history);
  }
  CHECK(history == 0);
  // B was stored by an earlier pull; a second, later row for it is a change like any other: a new
  // version, the old one in history (only a record this pull inserted is replaced in place).
  f.sql("INSERT INTO person VALUES ('" + kB + "', 'B2', NULL, '2026-01-01 10:02:00')");
  const auto with_b2 = f.pull(s);
  CHECK(with_b2.counts.duplicates == 2);
  CHECK(f.name_of(kB) == "B2");
  CHECK(f.store->find_by_subject("population", kB).value().at(0).version == 2);
  CHECK(f.history_count() == 1);
}

TEST_CASE("pull: an unusable saved cursor (from an earlier version) makes the pull read everything, then work") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00')");
  REQUIRE(f.store->commit_batch({"hz-psb", {}, {}, std::string("not a date")}).ok());
  auto s = f.source();
  auto r = f.pull(s);
  CHECK(r.mode == "full");
  CHECK(r.counts.inserted == 1);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:00:00");
  CHECK(f.pull(s).mode == "incremental");
}

TEST_CASE("pull: many rows sharing one cursor value across batch boundaries are all pulled") {
  Fixture f;
  for (int i = 0; i < 25; ++i) {
    char id[19];
    std::snprintf(id, sizeof id, "3301021990010100%02d", i);
    f.sql(std::string("INSERT INTO person VALUES ('") + id + "', 'n', NULL, '2026-01-01 10:00:00')");
  }
  auto s = f.source();
  auto r = f.pull(s, 4);  // batches of 4: the shared value spans seven commits
  CHECK(r.counts.inserted == 25);
  f.sql("INSERT INTO person VALUES ('330102199001019999', 'late', NULL, '2026-01-01 10:00:00')");
  auto r2 = f.pull(s, 4);
  CHECK(r2.counts.inserted == 1);
  CHECK(f.store->count("population").value() == 26);
}

TEST_CASE("pull: bad rows are quarantined with reasons and leave quarantine when fixed") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA +
        "', 'A', NULL, '2026-01-01 10:00:00'), ('12345', 'short', NULL, "
        "'2026-01-01 10:01:00'), (NULL, 'no key', NULL, '2026-01-01 10:02:00')");
  auto s = f.source("");
  auto r = f.pull(s);
  CHECK(r.counts.inserted == 1);
  CHECK(r.counts.quarantined == 2);
  CHECK(f.store->quarantine_count("hz-psb").value() == 2);
  f.sql("UPDATE person SET sfzh = '" + kB + "' WHERE sfzh = '12345'");
  f.sql("DELETE FROM person WHERE sfzh IS NULL");
  auto r2 = f.pull(s);
  CHECK(r2.counts.inserted == 1);
  CHECK(r2.counts.quarantined == 0);
  // The row keyed '12345' was fixed, the keyless one deleted: a complete full read did not meet
  // them again, so both left the quarantine.
  CHECK(f.store->quarantine_count("hz-psb").value() == 0);
}

TEST_CASE("pull: rows without a key get an entry each, an empty or blank key is as missing as NULL") {
  Fixture f;
  f.sql(
      "INSERT INTO person VALUES (NULL, 'N1', NULL, NULL), (NULL, 'N2', NULL, NULL), ('', 'E', NULL, NULL), "
      "('  ', 'S', NULL, NULL), (NULL, 'N1', NULL, NULL)");
  auto s = f.source("");
  auto r = f.pull(s);
  CHECK(r.counts.quarantined == 5);
  // Four distinct rows, four entries (the two identical N1 rows are one); none masks another.
  const auto q = f.store->list_quarantine("hz-psb", 0, 10).value();
  REQUIRE(q.size() == 4);
  std::set<std::string> names;
  for (const auto& e : q) {
    CHECK(e.source_key.rfind("missing_key ", 0) == 0);
    CHECK(e.errors_json.find("\"missing_key\"") != std::string::npos);
    CHECK(e.errors_json.find("sfzh") != std::string::npos);  // names the key column
    CHECK(e.place.empty());                                  // a SQLite row has no place
    names.insert(std::string(boost::json::parse(e.row_json).at("xm").as_string()));
  }
  CHECK(names == std::set<std::string>{"N1", "N2", "E", "S"});
  // Pulled again: the same entries, not new ones.
  f.pull(s);
  CHECK(f.store->quarantine_count("hz-psb").value() == 4);
}

TEST_CASE("pull: a CSV row in the quarantine says which file and line it is on") {
  Fixture f;
  f.dir.write("people.csv", "sfzh,xm\n" + kA + ",A\n12345,short\n\"" + kB + "\",\"two\nlines\"\n,nokey\n");
  const std::string yaml = "id: hz-psb\ndepartment: public-security\ndataset: population\nadapter: {type: csv, path: " +
                           f.dir.file("people.csv") + "}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n";
  const auto s = parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), f.registry).value();
  auto r = f.pull(s);
  CHECK(r.counts.inserted == 2);
  CHECK(r.counts.quarantined == 2);
  std::map<std::string, std::string> place;
  const auto entries = f.store->list_quarantine("hz-psb", 0, 10).value();
  for (const auto& e : entries) place[std::string(boost::json::parse(e.row_json).at("xm").as_string())] = e.place;
  CHECK(place["short"] == "people.csv:3");
  CHECK(place["nokey"] == "people.csv:6");  // after a row spanning lines 4 and 5
}

TEST_CASE("pull: an incremental pull leaves quarantine entries it did not read alone") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('12345', 'short', NULL, '2026-01-01 10:01:00')");
  auto s = f.source();  // with a cursor: the second pull reads only rows changed since
  f.pull(s);
  CHECK(f.store->quarantine_count("hz-psb").value() == 1);
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-02 10:00:00')");
  CHECK(f.pull(s).counts.inserted == 1);
  CHECK(f.store->quarantine_count("hz-psb").value() == 1);  // still in the source, not read again
}

// Rows given by column name, in the order given; a row with a defect is handed on as the adapter
// could not split it (Row::defect).
class FixedRows final : public adapters::Adapter {
 public:
  struct Given {
    std::map<std::string, std::string> values;
    std::string defect;
  };
  // `fail_at`: the read fails (as a connection lost) when asked for the row after that many.
  explicit FixedRows(std::vector<Given> rows, std::size_t fail_at = SIZE_MAX)
      : rows_(std::move(rows)), fail_at_(fail_at) {}
  Result<std::unique_ptr<adapters::RowReader>> read(const adapters::ReadRequest& request) override {
    return std::unique_ptr<adapters::RowReader>(std::make_unique<Reader>(rows_, request, fail_at_));
  }
  Result<std::vector<adapters::ColumnInfo>> describe() override { return std::vector<adapters::ColumnInfo>(); }
  [[nodiscard]] bool ordered_by_cursor() const override { return false; }

 private:
  class Reader final : public adapters::RowReader {
   public:
    Reader(const std::vector<Given>& rows, adapters::ReadRequest request, std::size_t fail_at)
        : rows_(rows), request_(std::move(request)), fail_at_(fail_at) {}
    Result<bool> next(adapters::Row& row) override {
      if (at_ == fail_at_) return Error::unavailable("connection to the department lost (test)");
      if (at_ == rows_.size()) return false;
      const Given& g = rows_[at_++];
      row.values.clear();
      for (const auto& c : request_.columns) {
        const auto it = g.values.find(c);
        row.values.push_back(it == g.values.end() ? std::nullopt : std::optional<std::string>(it->second));
      }
      row.defect = g.defect;
      row.key = g.defect.empty() ? g.values.at("sfzh") : "bad_row rows.csv:" + std::to_string(at_ + 1);
      return true;
    }

   private:
    const std::vector<Given>& rows_;
    adapters::ReadRequest request_;
    std::size_t fail_at_;
    std::size_t at_ = 0;
  };
  std::vector<Given> rows_;
  std::size_t fail_at_;
};

TEST_CASE("pull: a pull that fails part way counts every batch it stored, the one committing when it failed too") {
  Fixture f;
  auto s = f.source("");
  std::vector<FixedRows::Given> rows;
  for (const auto& id : {kA, kB, kC, kD}) rows.push_back({{{"sfzh", id}, {"xm", "N"}}, ""});
  // Batches of two: A B stored, C D handed to the committing thread, then the read fails.
  s.adapter = std::make_shared<FixedRows>(rows, 4);
  REQUIRE_FALSE(run_pull(s, *f.store, f.normaliser, {2, false}).ok());
  const auto history = f.store->recent_pull_runs("hz-psb", 1).value();
  REQUIRE(history.size() == 1);
  CHECK(history[0].error.find("connection to the department lost") != std::string::npos);
  CHECK(history[0].rows_read == 4);
  CHECK(f.store->count("population").value() == 4);
  CHECK(history[0].counts.inserted == 4);  // what the store holds, not 2
}

TEST_CASE("pull: a row the adapter could not split is quarantined as bad_row and never moves the cursor") {
  Fixture f;
  auto s = f.source();  // cursor gxsj
  s.adapter = std::make_shared<FixedRows>(std::vector<FixedRows::Given>{
      {{{"sfzh", kA}, {"xm", "A"}, {"gxsj", "2026-01-01 10:00:00"}}, ""},
      // Shifted fields: a later-looking "cursor" that must not be saved, and a valid-looking ID.
      {{{"sfzh", kB}, {"xm", "B"}, {"gxsj", "2026-06-01 00:00:00"}}, "rows.csv 第 3 行有 4 个字段，表头有 3 个"}});
  const auto r = f.pull(s);
  CHECK(r.counts.inserted == 1);
  CHECK(r.counts.quarantined == 1);
  CHECK(f.store->find_by_subject("population", kB)->empty());  // not normalised into a record
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:00:00");
  const auto q = f.store->list_quarantine("hz-psb", 0, 10).value();
  REQUIRE(q.size() == 1);
  CHECK(q[0].source_key == "bad_row rows.csv:3");
  CHECK(boost::json::parse(q[0].errors_json).at(0).at("code").as_string() == "bad_row");
}

TEST_CASE("pull: a rejected row's values are kept to their first kilobyte and their length") {
  Fixture f;
  // A 2 MB value in a rejected row (the test normaliser rejects an empty name; here a short ID).
  const std::string huge(2 * 1024 * 1024, 'x');
  f.sql("INSERT INTO person VALUES ('12345', '" + huge + "', NULL, '2026-01-01 10:00:00')");
  const auto r = f.pull(f.source(""));
  CHECK(r.counts.quarantined == 1);
  const auto q = f.store->list_quarantine("hz-psb", 0, 10).value();
  REQUIRE(q.size() == 1);
  const std::string kept(boost::json::parse(q[0].row_json).at("xm").as_string());
  CHECK(kept == std::string(1024, 'x') + "…(2097152 bytes)");
  CHECK(q[0].row_json.size() < 2048);
}

TEST_CASE("pull: a CSV line with the wrong field count is quarantined by file and line, the rest is stored") {
  Fixture f;
  f.dir.write("people.csv", "sfzh,xm\n" + kA + ",A\n" + kB + ",B,西湖区\n" + kC + ",C\n");
  const std::string yaml =
      "id: hz-psb\ndepartment: public-security\ndataset: population\n"
      "adapter: {type: csv, path: " +
      f.dir.file("people.csv") + "}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n";
  const auto s = parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), f.registry).value();
  auto r = f.pull(s);
  CHECK(r.rows_read == 3);
  CHECK(r.counts.inserted == 2);
  CHECK(r.counts.quarantined == 1);
  CHECK(f.store->find_by_subject("population", kC)->size() == 1);  // read past the bad line
  const auto q = f.store->list_quarantine("hz-psb", 0, 10).value();
  REQUIRE(q.size() == 1);
  CHECK(q[0].source_key == "bad_row people.csv:3");
  const auto errors = boost::json::parse(q[0].errors_json);
  CHECK(errors.at(0).at("code").as_string() == "bad_row");
  CHECK(std::string(errors.at(0).at("message").as_string()).find("第 3 行有 3 个字段，表头有 2 个") !=
        std::string::npos);
  CHECK(boost::json::parse(q[0].row_json).at("sfzh").as_string() == kB);  // what the line held
  // Reconciliation cannot trust a key list with an unreadable line: it withdraws nothing.
  f.dir.write("people.csv", "sfzh,xm\n" + kA + ",A\n" + kB + ",B,西湖区\n");
  auto withdrawn = reconcile_keys(s, *f.store);
  REQUIRE_FALSE(withdrawn.ok());
  CHECK(withdrawn.error().message.find("nothing withdrawn") != std::string::npos);
  CHECK(f.store->find_by_subject("population", kC)->at(0).status == "valid");
  // The department fixes the line: the record is stored and the entry leaves the quarantine.
  f.dir.write("people.csv", "sfzh,xm\n" + kA + ",A\n" + kB + ",B\n" + kC + ",C\n");
  CHECK(f.pull(s).counts.inserted == 1);
  CHECK(f.store->quarantine_count("hz-psb").value() == 0);
}

TEST_CASE("pull: an older CSV export delivered again does not bring back what a newer one changed") {
  Fixture f;
  std::filesystem::create_directories(f.dir.file("exports"));
  const auto export_file = [&](const std::string& name, const std::string& text, int days_old) {
    f.dir.write("exports/" + name, text);
    std::filesystem::last_write_time(f.dir.file("exports/" + name),
                                     std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * days_old));
  };
  export_file("rk_1101.csv", "sfzh,xm,zt\n" + kA + ",A,\n" + kB + ",B,\n", 20);
  export_file("rk_1115.csv", "sfzh,xm,zt\n" + kA + ",A,注销\n", 5);
  const std::string yaml =
      "id: hz-psb\ndepartment: public-security\ndataset: population\nadapter: {type: csv, path: " +
      f.dir.file("exports") +
      "}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\nstatus: {column: zt, withdrawn: [注销]}\n"
      "cursor: {column: _file_mtime, overlap: 0s}\n";
  const auto s = parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), f.registry).value();
  f.pull(s);
  const auto a_before = f.store->find_by_subject("population", kA).value().at(0);
  CHECK(a_before.status == "withdrawn");
  const std::int64_t history = f.history_count();
  // The 1 November export again, its mtime kept (cp -p).
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  export_file("rk_1101.csv", "sfzh,xm,zt\n" + kA + ",A,\n" + kB + ",B,\n", 20);
  const auto again = f.pull(s);
  CHECK(again.counts.updated == 0);
  const auto a_after = f.store->find_by_subject("population", kA).value().at(0);
  CHECK(a_after.status == "withdrawn");
  CHECK(a_after.version == a_before.version);
  CHECK(f.history_count() == history);
}

TEST_CASE("pull: a status column marks records withdrawn") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', '正常', '2026-01-01 10:00:00')");
  auto s = f.source("");
  f.pull(s);
  CHECK(f.store->find_by_subject("population", kA)->at(0).status == "valid");
  f.sql("UPDATE person SET zt = '注销'");
  CHECK(f.pull(s).counts.updated == 1);
  CHECK(f.store->find_by_subject("population", kA)->at(0).status == "withdrawn");
}

TEST_CASE("pull: a row marked withdrawn is honoured though it fails the schema") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', '正常', '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', '正常', '2026-01-01 10:00:00')");
  auto s = f.source("");
  f.pull(s);
  // Deregistration blanks the name the schema requires: the row is rejected, and the record the
  // hub holds for it is withdrawn all the same, its previous version kept.
  f.sql("UPDATE person SET zt = '注销', xm = '' WHERE sfzh = '" + kA + "'");
  const auto run = f.pull(s);
  CHECK(run.counts.quarantined == 1);
  CHECK(run.counts.withdrawn == 1);
  const auto a = f.store->find_by_subject("population", kA).value();
  REQUIRE(a.size() == 1);
  CHECK(a[0].status == "withdrawn");
  CHECK(a[0].version == 2);
  CHECK(f.history_count() == 1);
  CHECK(f.store->find_by_subject("population", kB)->at(0).status == "valid");
  // Pulled again: still one quarantine entry, no further version.
  CHECK(f.pull(s).counts.withdrawn == 0);
  CHECK(f.store->find_by_subject("population", kA)->at(0).version == 2);
  // A rejected row that is not marked withdrawn leaves the served record as it was.
  f.sql("UPDATE person SET xm = '' WHERE sfzh = '" + kB + "'");
  CHECK(f.pull(s).counts.withdrawn == 0);
  CHECK(f.store->find_by_subject("population", kB)->at(0).status == "valid");
}

TEST_CASE("pull: a rejected row's restricting status is given to the record on file, the rest waits") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', 'valid', '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', 'valid', '2026-01-01 10:00:00')");
  auto s = f.source("", "{id_number: sfzh, name: xm, status: zt}");
  f.pull(s);
  REQUIRE(f.store->find_by_subject("population", kA)->at(0).status == "valid");
  // Revoked in a row that fails another check: the record takes the status, in a new version, its
  // other fields as they were; the row is quarantined.
  f.sql("UPDATE person SET zt = 'revoked', xm = '' WHERE sfzh = '" + kA + "'");
  auto run = f.pull(s);
  CHECK(run.counts.quarantined == 1);
  CHECK(run.counts.status_set == 1);
  CHECK(run.counts.withdrawn == 0);
  auto a = f.store->find_by_subject("population", kA).value().at(0);
  CHECK(a.status == "revoked");
  CHECK(a.version == 2);
  const auto fields = boost::json::parse(a.fields_json);
  CHECK(fields.at("status").as_string() == "revoked");  // the fields agree with the status
  CHECK(fields.at("name").as_string() == "A");
  CHECK(f.history_count() == 1);
  CHECK(f.store->quarantine_count("hz-psb").value() == 1);
  // Read again: nothing more changes.
  run = f.pull(s);
  CHECK(run.counts.status_set == 0);
  CHECK(f.store->find_by_subject("population", kA)->at(0).version == 2);
  // A rejected row whose status does not restrict leaves the record alone.
  f.sql("UPDATE person SET xm = '' WHERE sfzh = '" + kB + "'");
  CHECK(f.pull(s).counts.status_set == 0);
  CHECK(f.store->find_by_subject("population", kB)->at(0).status == "valid");
  CHECK(f.store->find_by_subject("population", kB)->at(0).version == 1);
  // The department fixes the row: it is stored whole and leaves the quarantine.
  f.sql("UPDATE person SET xm = 'A2' WHERE sfzh = '" + kA + "'");
  run = f.pull(s);
  CHECK(run.counts.updated == 1);
  a = f.store->find_by_subject("population", kA).value().at(0);
  CHECK(a.status == "revoked");
  CHECK(boost::json::parse(a.fields_json).at("name").as_string() == "A2");
  CHECK(f.store->quarantine_count("hz-psb").value() == 1);  // B's row only
  // A rejected row for a key with no record yet gives nothing a status.
  f.sql("INSERT INTO person VALUES ('" + kC + "', '', 'suspended', '2026-01-01 10:00:00')");
  CHECK(f.pull(s).counts.status_set == 0);
  CHECK(f.store->find_by_subject("population", kC)->empty());
}

TEST_CASE("pull: a key read twice in one batch, once rejected, ends as its later row says") {
  Fixture f;
  const auto csv_source = [&] {
    const std::string yaml =
        "id: hz-psb\ndepartment: public-security\ndataset: population\nadapter: {type: csv, path: " +
        f.dir.file("people.csv") + "}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm, status: zt}\n";
    return parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), f.registry).value();
  };
  const auto s = csv_source();
  f.dir.write("people.csv", "sfzh,xm,zt\n" + kA + ",A,valid\n" + kB + ",B,valid\n");
  f.pull(s);
  // Revoked in a bad row, then valid again in a good one (a reinstatement, a later export): the
  // good row is the last word, and it takes the key out of the quarantine.
  f.dir.write("people.csv", "sfzh,xm,zt\n" + kA + ",,revoked\n" + kA + ",A3,valid\n" + kB + ",B,valid\n");
  auto run = f.pull(s);
  CHECK(run.counts.status_set == 1);
  auto a = f.store->find_by_subject("population", kA).value().at(0);
  CHECK(a.status == "valid");
  CHECK(boost::json::parse(a.fields_json).at("name").as_string() == "A3");
  CHECK(f.store->quarantine_count("hz-psb").value() == 0);
  // The other way round: good, then revoked in a bad row: revoked.
  f.dir.write("people.csv", "sfzh,xm,zt\n" + kB + ",B4,valid\n" + kB + ",,revoked\n");
  run = f.pull(s);
  CHECK(run.counts.status_set == 1);
  const auto b = f.store->find_by_subject("population", kB).value().at(0);
  CHECK(b.status == "revoked");
  CHECK(boost::json::parse(b.fields_json).at("name").as_string() == "B4");
  CHECK(f.store->quarantine_count("hz-psb").value() == 1);
}

TEST_CASE("pull: one key spelt two ways (full-width, lower-case, padded) is one record, and reconciles as one") {
  Fixture f;
  const std::string yaml = "id: hz-psb\ndepartment: public-security\ndataset: population\nadapter: {type: csv, path: " +
                           f.dir.file("people.csv") + "}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh, name: xm}\n";
  const auto s = parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), f.registry).value();
  const auto records = [&] {
    auto conn =
        store::sqlite::Connection::open(f.dir.file("records.db"), store::sqlite::Connection::Mode::kReadOnly).value();
    auto st = conn->prepare("SELECT count(*), min(source_key) FROM records").value();
    REQUIRE(st.step().value());
    return std::to_string(st.column_int(0)) + " " + std::string(st.column_text(1));
  };
  f.dir.write("people.csv", "sfzh,xm\n11010519491231002X,A\n");
  CHECK(f.pull(s).counts.inserted == 1);
  // The next export ends the ID in a lower-case x: the same record, updated.
  f.dir.write("people.csv", "sfzh,xm\n11010519491231002x,A2\n");
  auto run = f.pull(s);
  CHECK(run.counts.inserted == 0);
  CHECK(run.counts.updated == 1);
  CHECK(records() == "1 11010519491231002X");
  // In full-width digits with a full-width space (the test normaliser wants 18 bytes, so the row
  // is rejected): quarantined under the same key, the record left as it was.
  f.dir.write("people.csv", "sfzh,xm\n１１０１０５１９４９１２３１００２Ｘ　,A3\n");
  run = f.pull(s);
  CHECK(run.counts.quarantined == 1);
  CHECK(f.store->list_quarantine("hz-psb", 0, 10).value().at(0).source_key == "11010519491231002X");
  CHECK(records() == "1 11010519491231002X");
  // Fixed: the row passes under the key its quarantine entry has, and takes it out.
  f.dir.write("people.csv", "sfzh,xm\n11010519491231002X,A3\n");
  run = f.pull(s);
  CHECK(run.counts.updated == 1);
  CHECK(f.store->quarantine_count("hz-psb").value() == 0);
  CHECK(records() == "1 11010519491231002X");
  // Reconciliation lists keys in their canonical form too: the full-width spelling is not a
  // vanished key.
  f.dir.write("people.csv", "sfzh,xm\n１１０１０５１９４９１２３１００２ｘ,A3\n");
  CHECK(reconcile_keys(s, *f.store).value() == 0);
  CHECK(f.store->find_by_subject("population", "11010519491231002X")->at(0).status == "valid");
}

TEST_CASE("pull: a cancelled full pull stops after a committed batch and the next pull goes on after it") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    char id[19];
    std::snprintf(id, sizeof id, "3301021990010100%02d", i);
    f.sql(std::string("INSERT INTO person VALUES ('") + id + "', 'n', NULL, '2026-01-01 10:0" + std::to_string(9 - i) +
          ":00')");
  }
  auto s = f.source("cursor: {column: gxsj}\n");
  std::atomic<bool> cancel{true};
  auto r = run_pull(s, *f.store, f.normaliser, {3, false, &cancel});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("stopped after") != std::string::npos);
  CHECK(f.store->count("population").value() == 3);
  // Read in key order (not cursor order): the position is the third key, and no cursor is saved
  // before the whole source has been read.
  auto progress = f.store->load_progress("hz-psb").value();
  REQUIRE(progress.has_value());
  CHECK(progress->resume_after == R"(["330102199001010002"])");
  CHECK(progress->cursor == "2026-01-01 10:09:00");
  CHECK_FALSE(f.store->load_cursor("hz-psb").value().has_value());

  auto resumed = f.pull(s, 3);
  CHECK(resumed.mode == "resumed");
  CHECK(resumed.rows_read == 7);  // the rest, not the whole source again
  CHECK(resumed.counts.inserted == 7);
  CHECK(f.store->count("population").value() == 10);
  CHECK_FALSE(f.store->load_progress("hz-psb").value().has_value());
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:09:00");
  CHECK(f.pull(s, 3).mode == "incremental");
}

TEST_CASE("pull: a row changed between an interrupted full pull and its resumption is read by the next pull") {
  // The resumed pull saves the cursor its first read saw, not the higher one its second read saw:
  // otherwise the change to a row already read, older than the second read's newest row by more
  // than the overlap, would be skipped.
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kB + "', 'B', NULL, '2026-01-01 10:00:00'), ('" + kA +
        "', 'A', NULL, '2026-01-01 10:10:00'), ('" + kC + "', 'C', NULL, '2026-01-01 10:20:00'), ('" + kD +
        "', 'D', NULL, '2026-01-01 10:30:00')");
  auto s = f.source("cursor: {column: gxsj, overlap: 10m}\n");
  std::atomic<bool> cancel{true};
  REQUIRE_FALSE(run_pull(s, *f.store, f.normaliser, {2, false, &cancel}).ok());  // B and A committed
  f.sql("UPDATE person SET xm = 'B changed', gxsj = '2026-01-01 11:00:00' WHERE sfzh = '" + kB + "'");
  f.sql("UPDATE person SET xm = 'D changed', gxsj = '2026-01-01 11:30:00' WHERE sfzh = '" + kD + "'");
  auto resumed = f.pull(s, 2);
  CHECK(resumed.counts.inserted == 2);  // C and D
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:10:00");
  CHECK(f.name_of(kB) == "B");
  auto next = f.pull(s, 2);
  CHECK(next.mode == "incremental");
  CHECK(next.counts.updated == 1);
  CHECK(f.name_of(kB) == "B changed");
  CHECK(f.name_of(kD) == "D changed");
}

TEST_CASE("pull: a saved position the source no longer accepts makes the pull read everything, nothing lost") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', NULL, '2026-01-01 10:10:00')");
  std::vector<store::Record> none;
  store::BatchCommit edited{"hz-psb", none, {}, std::nullopt, store::PullProgress{"[1, 2, 3]", "2027-01-01"}};
  REQUIRE(f.store->commit_batch(edited).ok());
  auto s = f.source();
  auto r = f.pull(s);
  CHECK(r.mode == "full");
  CHECK(r.rows_read == 2);
  CHECK(r.counts.inserted == 2);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:10:00");  // not the saved position's
  CHECK_FALSE(f.store->load_progress("hz-psb").value().has_value());
}

TEST_CASE("pull: a batch that fails to commit while the next is read stops the pull, nothing lost or doubled") {
  // Batches commit on a second thread; a failure must still stop the pull at the batch before it,
  // with that batch's position, and the next pull must pick up exactly the rest.
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', NULL, '2026-01-01 10:20:00'), ('" + kC + "', 'C', NULL, '2026-01-01 10:40:00'), ('" + kD +
        "', 'D', NULL, '2026-01-01 11:00:00')");
  auto records = f.refuse_subject(kC);
  auto s = f.source();
  auto r = run_pull(s, *f.store, f.normaliser, {1, false});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("disk full (test)") != std::string::npos);
  CHECK(f.store->count("population").value() == 2);  // B and A (key order); C failed, D was never committed
  CHECK(f.store->find_by_subject("population", kD)->empty());
  CHECK(f.store->load_progress("hz-psb").value()->resume_after == "[\"" + kA + "\"]");
  auto history = f.store->recent_pull_runs("hz-psb", 1).value();
  REQUIRE(history.size() == 1);
  CHECK(history[0].error.find("disk full (test)") != std::string::npos);

  REQUIRE(records->exec("DROP TRIGGER fail_c").ok());
  auto again = f.pull(s, 1);
  CHECK(again.rows_read == 2);
  CHECK(again.counts.inserted == 2);  // C and D
  CHECK(f.store->count("population").value() == 4);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:20:00");  // the first read's newest row
}

TEST_CASE("pull: an incremental pull that fails to commit keeps the cursor of its last good batch") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00')");
  auto s = f.source();
  f.pull(s);
  f.sql("INSERT INTO person VALUES ('" + kB + "', 'B', NULL, '2026-01-01 10:20:00'), ('" + kC +
        "', 'C', NULL, '2026-01-01 10:40:00')");
  auto records = f.refuse_subject(kC);
  auto r = run_pull(s, *f.store, f.normaliser, {1, false});
  REQUIRE_FALSE(r.ok());
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:20:00");  // read in cursor order
  REQUIRE(records->exec("DROP TRIGGER fail_c").ok());
  auto again = f.pull(s, 1);
  CHECK(again.mode == "incremental");
  CHECK(again.counts.inserted == 1);   // C
  CHECK(again.counts.unchanged == 1);  // B, inside the overlap: read again, not doubled
  CHECK(f.store->count("population").value() == 3);
}

TEST_CASE("pull: a failing source is an error in the history, the last good data stays") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00')");
  auto s = f.source();
  f.pull(s);
  f.src.reset();
  std::filesystem::remove(f.dir.file("psb.db"));
  auto r = run_pull(s, *f.store, f.normaliser);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("psb.db") != std::string::npos);
  auto history = f.store->recent_pull_runs("hz-psb", 1).value();
  REQUIRE(history.size() == 1);
  CHECK(history[0].error.find("psb.db") != std::string::npos);
  CHECK(f.store->find_by_subject("population", kA)->size() == 1);
  CHECK(f.store->load_cursor("hz-psb").value() == "2026-01-01 10:00:00");
}

}  // namespace
}  // namespace yici::ingest

namespace yici::ingest {
namespace {

TEST_CASE("reconcile: records whose keys vanished from the source are withdrawn, once") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00'), ('" + kB +
        "', 'B', NULL, '2026-01-01 10:00:00'), ('123', 'bad', NULL, '2026-01-01 10:00:00')");
  auto s = f.source();
  f.pull(s);
  CHECK(f.store->quarantine_count("hz-psb").value() == 1);
  f.sql("DELETE FROM person WHERE sfzh IN ('" + kB + "', '123')");
  auto n = reconcile_keys(s, *f.store);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(f.store->find_by_subject("population", kB)->at(0).status == "withdrawn");
  CHECK(f.store->find_by_subject("population", kB)->at(0).version == 2);
  CHECK(f.store->find_by_subject("population", kA)->at(0).status == "valid");
  CHECK(f.store->quarantine_count("hz-psb").value() == 0);
  CHECK(reconcile_keys(s, *f.store).value() == 0);  // idempotent
}

TEST_CASE("reconcile: a source emptied or cut short withdraws nothing, a few deletions pass, the limit is set") {
  Fixture f;
  std::string rows;
  for (int i = 0; i < 30; ++i) {
    rows += std::string(rows.empty() ? "" : ", ") + "('3301021990010" + std::to_string(10000 + i).substr(0, 5) +
            "', 'P', NULL, '2026-01-01 10:00:00')";
  }
  f.sql("INSERT INTO person VALUES " + rows);
  auto s = f.source("reconcile: {every: 1h}\n");
  CHECK(s.reconcile_max_withdraw == doctest::Approx(0.1));
  REQUIRE(f.pull(s).counts.inserted == 30);
  const auto current = [&] {
    std::int64_t n = 0;
    const auto by_status = f.store->count_by_status("population", "hz-psb").value();
    for (const auto& [status, count] : by_status) {
      if (status != "withdrawn") n += count;
    }
    return n;
  };
  // The department truncates its table to reload it: no keys at all.
  f.sql("CREATE TABLE person_reload AS SELECT * FROM person");
  f.sql("DELETE FROM person");
  auto emptied = reconcile_keys(s, *f.store);
  REQUIRE_FALSE(emptied.ok());
  CHECK(emptied.error().message.find("listed no keys at all") != std::string::npos);
  CHECK(current() == 30);
  // Half of it back: 15 would go, over 10% of 30 and over the 10 always allowed.
  f.sql("INSERT INTO person SELECT * FROM person_reload LIMIT 15");
  auto half = reconcile_keys(s, *f.store);
  REQUIRE_FALSE(half.ok());
  CHECK(half.error().message.find("15 of its 30 current records") != std::string::npos);
  CHECK(half.error().message.find("reconcile.max_withdraw (10%)") != std::string::npos);
  CHECK(current() == 30);
  // Each reconciliation is in the pull history, a refused one with its reason: `sources show`
  // lists it where the pulls are, and a restart's health counts it.
  const auto runs = f.store->recent_pull_runs("hz-psb", 10).value();
  REQUIRE(runs.size() == 3);  // the pull, then two refusals
  CHECK(runs[0].mode == "reconcile");
  CHECK(runs[0].rows_read == 15);
  CHECK(runs[0].error == half.error().message);
  CHECK(runs[1].rows_read == 0);
  CHECK(runs[1].error.find("listed no keys at all") != std::string::npos);
  CHECK(runs[2].mode == "full");
  // All but 4: those four were really deleted, and go.
  f.sql("DELETE FROM person");
  f.sql("INSERT INTO person SELECT * FROM person_reload LIMIT 26");
  CHECK(reconcile_keys(s, *f.store).value() == 4);
  CHECK(current() == 26);
  CHECK(f.store->recent_pull_runs("hz-psb", 1).value().at(0).error.empty());
  // An operator who knows the records are gone raises the limit.
  f.sql("DELETE FROM person");
  f.sql("INSERT INTO person SELECT * FROM person_reload LIMIT 6");
  CHECK_FALSE(reconcile_keys(s, *f.store).ok());
  auto raised = f.source("reconcile: {every: 1h, max_withdraw: 100%}\n");
  CHECK(reconcile_keys(raised, *f.store).value() == 20);
  CHECK(current() == 6);
}

TEST_CASE("reconcile: max_withdraw must be a percentage") {
  Fixture f;
  adapters::AdapterRegistry& registry = f.registry;
  for (const std::string bad : {"0%", "150%", "10", "ten%", "0.5%", "-5%"}) {
    CAPTURE(bad);
    const std::string yaml =
        "id: hz-psb\ndepartment: public-security\ndataset: population\nadapter: {type: sqlite, path: " +
        f.dir.file("psb.db") + ", table: person}\nprimary_key: [sfzh]\nmapping: {id_number: sfzh}\n" +
        "reconcile: {every: 1h, max_withdraw: \"" + bad + "\"}\n";
    auto parsed = parse_source_definition(YamlDoc::parse(yaml, "src.yaml").value(), registry);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("reconcile.max_withdraw must be a percentage") != std::string::npos);
  }
}

TEST_CASE("reconcile: a source that cannot be read withdraws nothing") {
  Fixture f;
  f.sql("INSERT INTO person VALUES ('" + kA + "', 'A', NULL, '2026-01-01 10:00:00')");
  auto s = f.source();
  f.pull(s);
  f.sql("ALTER TABLE person RENAME TO person_old");  // the table is gone: the key scan fails
  CHECK_FALSE(reconcile_keys(s, *f.store).ok());
  CHECK(f.store->find_by_subject("population", kA)->at(0).status == "valid");
}

}  // namespace
}  // namespace yici::ingest
