#include "hub/audit/subject_retention.h"

#include <string>

#include <doctest/doctest.h>

#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

using store::sqlite::Connection;
using store::sqlite::Database;

// An audit.db whose entries have chosen times (written straight into the table: the purge reads
// only seq, time and subject).
struct Entries {
  test::TempDir dir;
  store::Stores stores = store::Stores::open(dir.file("data")).value();
  Database& db = *stores.audit;

  void add(std::int64_t seq, const std::string& time, const char* subject) {
    db.with_writer([&](Connection& w) {
      auto st = w.prepare(
                     "INSERT INTO audit_entries (seq, time, request_id, principal, cert_fingerprint, purpose, action, "
                     "dataset, subject, subject_hmac, fields, outcome, http_status, body_sha256, leaf_hash) VALUES "
                     "(?1, ?2, 'r', 'p', 'f', 'm', 'lookup', 'population', ?3, 'h', '[]', 'allowed', 200, 'b', "
                     "zeroblob(32))")
                    .value();
      st.bind(1, seq).bind(2, time);
      if (subject == nullptr)
        st.bind_null(3);
      else
        st.bind(3, subject);
      REQUIRE(st.run().ok());
    });
  }
  // The readable subject of each entry, "-" for NULL.
  std::string subjects() {
    std::string out;
    db.with_writer([&](Connection& w) {
      auto st = w.prepare("SELECT subject FROM audit_entries ORDER BY seq").value();
      while (st.step().value()) {
        out += st.column_is_null(0) ? std::string("-") : std::string(st.column_text(0));
        out += ' ';
      }
    });
    return out;
  }
};

std::string at(int day) {
  return "2026-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T00:00:00.000000Z";
}

TEST_CASE("subject retention: only entries older than the cutoff lose their readable subject") {
  Entries log;
  for (int i = 0; i < 6; ++i) log.add(i, at(i + 1), ("s" + std::to_string(i)).c_str());
  const auto r = purge_subjects_before(log.db, at(4), 2).value();  // days 1-3 are older
  CHECK(r.subjects == 3);
  CHECK(r.from == 0);
  CHECK(r.to == 3);
  CHECK(log.subjects() == "- - - s3 s4 s5 ");
  // The next run starts at entry 3, and nothing new is old enough: nothing changes.
  const auto again = purge_subjects_before(log.db, at(4), 2).value();
  CHECK(again.subjects == 0);
  CHECK(again.from == 3);
  CHECK(again.to == 3);
  // Later, the rest ages out.
  const auto later = purge_subjects_before(log.db, at(30), 2).value();
  CHECK(later.subjects == 3);
  CHECK(later.to == 6);
  CHECK(log.subjects() == "- - - - - - ");
}

TEST_CASE("subject retention: a prefix only, so an entry after a newer one waits, and empty subjects stay empty") {
  Entries log;
  log.add(0, at(1), "a");
  log.add(1, at(2), "");  // an admin entry: no subject, not a purged one
  log.add(2, at(20), "b");
  log.add(3, at(3), "c");  // written while the clock was behind
  const auto r = purge_subjects_before(log.db, at(10), 1000).value();
  CHECK(r.subjects == 1);
  CHECK(r.to == 2);
  CHECK(log.subjects() == "-  b c ");
}

TEST_CASE("subject retention: an empty log, and a cutoff before everything, purge nothing") {
  Entries log;
  CHECK(purge_subjects_before(log.db, at(10)).value().subjects == 0);
  log.add(0, at(5), "a");
  const auto r = purge_subjects_before(log.db, at(1)).value();
  CHECK(r.subjects == 0);
  CHECK(r.to == 0);
  CHECK(log.subjects() == "a ");
}

TEST_CASE("subject retention: a purge not yet named in the log is found by the next run, until it is marked named") {
  Entries log;
  for (int i = 0; i < 6; ++i) log.add(i, at(i + 1), ("s" + std::to_string(i)).c_str());
  // Before any purge there is nothing to name.
  auto missed = unrecorded_purge(log.db).value();
  CHECK(missed.from == 0);
  CHECK(missed.to == 0);
  // A purge whose entry was never written (the hub was killed after its transactions).
  REQUIRE(purge_subjects_before(log.db, at(4), 2).value().to == 3);
  missed = unrecorded_purge(log.db).value();
  CHECK(missed.from == 0);
  CHECK(missed.to == 3);
  // Named: nothing outstanding; a later purge is outstanding only past it.
  REQUIRE(mark_purge_recorded(log.db, 3).ok());
  CHECK(unrecorded_purge(log.db).value().from == 3);
  REQUIRE(purge_subjects_before(log.db, at(30), 2).value().to == 6);
  missed = unrecorded_purge(log.db).value();
  CHECK(missed.from == 3);
  CHECK(missed.to == 6);
  // Marking never moves the record back.
  REQUIRE(mark_purge_recorded(log.db, 6).ok());
  REQUIRE(mark_purge_recorded(log.db, 2).ok());
  CHECK(unrecorded_purge(log.db).value().from == 6);
}

TEST_CASE("subject retention: a log purged before purges were recorded this way has nothing outstanding") {
  Entries log;
  for (int i = 0; i < 4; ++i) log.add(i, at(i + 1), "s");
  REQUIRE(purge_subjects_before(log.db, at(30), 2).value().to == 4);
  // No record kept yet (an older hub): what was purged then was named then.
  const auto missed = unrecorded_purge(log.db).value();
  CHECK(missed.from == 4);
  CHECK(missed.to == 4);
}

TEST_CASE("subject retention: a purge entry's range is written and read back, and other text is no range") {
  CHECK(purge_range_text(0, 68) == "entries 0-67");
  CHECK(purge_range_end(purge_range_text(0, 68) + " before 2026-11-01T00:00:00.000000Z") == 68);
  CHECK(purge_range_end("entries 68-1199 (a purge the hub stopped before recording)") == 1200);
  CHECK(purge_range_end("entries 5-9") == 10);
  for (const char* text : {"", "entries", "entries 0-", "entries -5", "entries 0-x", "entries 0-5x", "entry 4",
                           "Entries 0-5", "entries 0-99999999999999999999999", "entries 9-5", "entries x-5"}) {
    CAPTURE(text);
    CHECK_FALSE(purge_range_end(text).has_value());
  }
}

}  // namespace
}  // namespace yici::audit
