// The auditor's subject search over a real audit log: every form a subject was written in, under
// datasets and matters the configuration no longer has.
#include "hub/api/audit_handlers.h"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/audit/audit_log.h"
#include "hub/audit/audit_query.h"
#include "hub/schema/subject_check.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/stores.h"
#include "tests/schema/schema_test_util.h"
#include "tests/support/temp_dir.h"

namespace yici::api {
namespace {

constexpr const char* kId = "11010519491231002X";

struct Log {
  yici::test::TempDir dir;
  store::Stores stores = store::Stores::open(dir.file("data")).value();
  std::unique_ptr<audit::AuditLog> log = audit::AuditLog::open(*stores.audit, std::string(64, 'k')).value();

  void add(const std::string& dataset, const std::string& subject, const std::string& outcome,
           const std::string& principal = "market-regulation", const std::string& fingerprint = "") const {
    AuditEvent e;
    e.request_id = "req";
    e.principal = principal;
    e.cert_fingerprint = fingerprint;
    e.purpose = "food-business-license";
    e.action = "lookup";
    e.dataset = dataset;
    e.subject = subject;
    e.outcome = outcome;
    e.http_status = outcome == "allowed" ? 200 : 400;
    REQUIRE(log->append(e, [](std::int64_t) { return std::string("{}"); }).ok());
  }

  [[nodiscard]] AuditServices services(bool with_forms) const {
    AuditServices s;
    s.log = log.get();
    s.db = stores.audit.get();
    s.datasets = {"population"};  // the configuration today: the retired matter is gone from it
    if (with_forms) {
      s.canonical_subjects = [schema = schema::test::repo_schema("population")](std::string_view subject) {
        auto c = schema::canonical_subject(*schema, subject);
        return c ? std::vector<std::string>{*c} : std::vector<std::string>{};
      };
    }
    return s;
  }
};

std::vector<std::string> outcomes(const Response& r) {
  REQUIRE(r.status == 200);
  std::vector<std::string> out;
  const auto body = boost::json::parse(r.body);
  for (const auto& item : body.at("items").as_array()) {
    out.push_back(std::string(item.at("dataset").as_string()) + "/" + std::string(item.at("outcome").as_string()));
  }
  return out;
}

Request query(std::vector<std::pair<std::string, std::string>> params) {
  Request r;
  r.query = std::move(params);
  return r;
}

TEST_CASE("audit subject report: every form of the subject, in datasets no longer configured") {
  const Log log;
  log.add("population", kId, "allowed");
  log.add("population", "11010519491231002x", "invalid_subject");  // refused, audited as written
  log.add("population", "110105491231002", "invalid_subject");     // the 15-digit form
  log.add("matter:retired-matter", kId, "allowed");                // a matter since removed
  log.add("population", "330106197712123456", "allowed");          // someone else
  const std::vector<std::string> expected = {"population/allowed", "population/invalid_subject",
                                             "population/invalid_subject", "matter:retired-matter/allowed"};
  auto s = log.services(true);
  // Whichever form the auditor types, the same four entries.
  for (const char* typed : {kId, "11010519491231002x", "110105491231002", "１１０１０５１９４９１２３１００２Ｘ"}) {
    CAPTURE(typed);
    CHECK(outcomes(audit_subject_report(Request{}, typed, s)) == expected);
  }
  // The events search takes the same route; `dataset` narrows it.
  CHECK(outcomes(audit_events(query({{"subject", "11010519491231002x"}}), s)) == expected);
  CHECK(outcomes(audit_events(query({{"subject", kId}, {"dataset", "matter:retired-matter"}}), s)) ==
        std::vector<std::string>{"matter:retired-matter/allowed"});
  // Without the schemas' canonical forms, the form typed and the ways of writing it that share its
  // key (subject_key.h) are found, but not the 15-digit form.
  auto bare = log.services(false);
  CHECK(outcomes(audit_subject_report(Request{}, kId, bare)) ==
        std::vector<std::string>{"population/allowed", "population/invalid_subject", "matter:retired-matter/allowed"});
}

TEST_CASE("audit subject report: a refused request with the ID written with spaces, dashes or an NBSP is found") {
  const Log log;
  log.add("population", kId, "allowed");
  for (const char* junk : {"110105 19491231 002X", "110105-19491231-002x", "110105\u00A019491231\u3000002X",
                           "１１０１０５－１９４９１２３１－００２ｘ", " 11010519491231002X\u200B"}) {
    log.add("population", junk, "invalid_subject");
  }
  log.add("population", "110105 491231 002", "invalid_subject");     // the 15-digit form, spaced
  log.add("population", "110105 19491231 0021", "invalid_subject");  // someone else, spaced
  const std::vector<std::string> expected = {"population/allowed",         "population/invalid_subject",
                                             "population/invalid_subject", "population/invalid_subject",
                                             "population/invalid_subject", "population/invalid_subject",
                                             "population/invalid_subject"};
  auto s = log.services(true);
  // From the canonical ID, from any of the ways it was written, and from a way nobody used.
  for (const char* typed : {kId, "110105 19491231 002X", "110105491231002", "110105–19491231–002x"}) {
    CAPTURE(typed);
    CHECK(outcomes(audit_subject_report(Request{}, typed, s)) == expected);
  }
  CHECK(outcomes(audit_events(query({{"subject", "110105-19491231-0021"}}), s)) ==
        std::vector<std::string>{"population/invalid_subject"});
}

TEST_CASE("audit subject report: entries from before subject keys, HMACed as written, are still found") {
  const Log log;
  log.add("population", kId, "allowed");
  log.add("population", "11010519491231002x", "invalid_subject");
  log.add("population", "110105 19491231 002x", "invalid_subject");
  // What a hub before session 22 wrote: the HMAC of the subject as written, in the entry and in
  // the subject index if the entry is in it yet.
  auto db = store::sqlite::Connection::open(log.dir.file("data/audit.db"), store::sqlite::Connection::Mode::kReadWrite)
                .value();
  const HmacSha256 key(std::string(64, 'k'));
  for (const auto& [seq, subject] : {std::pair{1, "11010519491231002x"}, std::pair{2, "110105 19491231 002x"}}) {
    const std::string old_hmac = audit::subject_hmac_as_written(key, "population", subject);
    for (const char* table : {"audit_entries", "audit_subject_index", "audit_subject_spans"}) {
      REQUIRE(db->exec(std::string("UPDATE ") + table + " SET subject_hmac = '" + old_hmac +
                       "' WHERE seq = " + std::to_string(seq))
                  .ok());
    }
  }
  auto s = log.services(true);
  // A form the search lists (lower-case x) is found from the canonical ID, as before; one written
  // with spaces only when typed as it was written, as before.
  CHECK(outcomes(audit_subject_report(Request{}, kId, s)) ==
        std::vector<std::string>{"population/allowed", "population/invalid_subject"});
  CHECK(outcomes(audit_subject_report(Request{}, "110105 19491231 002x", s)) ==
        std::vector<std::string>{"population/allowed", "population/invalid_subject", "population/invalid_subject"});
}

TEST_CASE("audit events: dataset filters on its own, not only beside a subject") {
  const Log log;
  log.add("population", kId, "allowed");
  log.add("credit", "91350100M000100Y43", "allowed");
  log.add("matter:food-business-license", "91350100M000100Y43", "allowed");
  auto s = log.services(true);
  CHECK(outcomes(audit_events(query({{"dataset", "credit"}}), s)) == std::vector<std::string>{"credit/allowed"});
  CHECK(outcomes(audit_events(query({{"dataset", "matter:food-business-license"}}), s)) ==
        std::vector<std::string>{"matter:food-business-license/allowed"});
  CHECK(outcomes(audit_events(query({{"dataset", "legal_entity"}}), s)).empty());
}

Request as(access::PrincipalKind kind, const std::string& id, std::vector<std::pair<std::string, std::string>> params) {
  Request r = query(std::move(params));
  auto p = std::make_shared<access::Principal>();
  p->id = id;
  p->kind = kind;
  r.principal = std::move(p);
  return r;
}

TEST_CASE("audit events: a certificate that mapped to no principal is found by requester=cert:<fingerprint start>") {
  const Log log;
  const std::string stranger(64, 'e');
  const std::string other = "e2" + std::string(62, '0');
  log.add("population", kId, "unknown_principal", "", stranger);
  log.add("population", kId, "unknown_principal", "", other);
  log.add("population", kId, "allowed", "market-regulation", stranger);  // a principal's, same certificate
  auto s = log.services(false);
  const auto count = [&](const std::string& requester) {
    const Response r = audit_events(query({{"requester", requester}}), s);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).at("items").as_array().size();
  };
  CHECK(count("cert:eeeeeeeeeeeeeeee") == 1);  // as the search table shows it
  CHECK(count("cert:EEEE") == 1);              // hex either case
  CHECK(count("cert:" + other) == 1);
  CHECK(count("cert:e2e2") == 0);
  // Too short, or not hex: refused, not an empty answer.
  for (const char* bad : {"cert:e2", "cert:", "cert:zzzz", "cert:eeee'--", "cert:e"}) {
    CAPTURE(bad);
    const Response r = audit_events(query({{"requester", bad}}), s);
    CHECK(r.status == 400);
    CHECK(r.body.find("start of a certificate's SHA-256 fingerprint") != std::string::npos);
  }
  // The CSV export names the certificate: its requester cell is empty.
  const Response csv = audit_events(query({{"requester", "cert:" + other}, {"format", "csv"}}), s);
  REQUIRE(csv.status == 200);
  CHECK(csv.body.find(",body_sha256,cert_fingerprint\r\n") != std::string::npos);
  CHECK(csv.body.find("," + other + "\r\n") != std::string::npos);
}

TEST_CASE("audit events: the note on a requester that names no principal") {
  std::vector<access::Principal> principals(3);
  principals[0].id = "market-regulation";
  principals[0].name = "市场监督管理局";
  principals[0].cert_cn = "mr-cn";
  principals[1].id = "public-security";
  principals[1].name = "market-regulation";  // another principal's display name equal to an id
  principals[2].id = "auditor";
  for (const char* known : {"market-regulation", "public-security", "auditor", "hub:restart", "signal:SIGHUP"}) {
    CAPTURE(known);
    CHECK(requester_note(principals, known).empty());
  }
  for (const char* alias : {"市场监督管理局", "mr-cn"}) {
    CHECK(requester_note(principals, alias) ==
          "no principal has this id; it is the name or certificate CN of principal market-regulation: search by the "
          "id");
  }
  CHECK(requester_note(principals, "market-regulaton") ==
        "no principal of the current policy has this id (a former principal's entries are still found); ids: "
        "market-regulation, public-security, auditor");
  // A long policy's list is cut, and says so.
  std::vector<access::Principal> many(40);
  for (std::size_t i = 0; i < many.size(); ++i) many[i].id = "department-" + std::to_string(i);
  const std::string note = requester_note(many, "nobody");
  CHECK(note.ends_with(", ..."));
  CHECK(note.size() < 400);
}

TEST_CASE("audit routes: a repeated or unknown parameter is refused, not read as its first value or ignored") {
  const Log log;
  log.add("population", kId, "allowed");
  log.add("population", kId, "allowed");
  auto s = log.services(true);
  const auto refused = [](const Response& r, const std::string& says) {
    CHECK(r.status == 400);
    const std::string message(boost::json::parse(r.body).at("error").at("message").as_string());
    CHECK(message.find(says) != std::string::npos);
  };
  refused(audit_events(query({{"requester", "a"}, {"requester", "b"}}), s), "requester is given more than once");
  refused(audit_events(query({{"proofs", "1"}}), s), "proofs must be true or false");
  // The report's subject is its path: subject= and dataset= there were ignored.
  refused(audit_subject_report(query({{"dataset", "credit"}}), kId, s), "unknown parameter \"dataset\"");
  refused(audit_subject_report(query({{"format", "xml"}}), kId, s), "format must be json, jsonl or csv");
  const auto auditor = access::PrincipalKind::kAuditor;
  refused(audit_inclusion_proof(as(auditor, "auditor", {{"index", "0"}, {"index", "1"}, {"size", "2"}}), s),
          "index is given more than once");
  refused(audit_inclusion_proof(as(auditor, "auditor", {{"index", "0"}, {"foo", "bar"}}), s),
          "unknown parameter \"foo\"");
  refused(audit_consistency_proof(query({{"from", "1"}, {"to", "2"}, {"to", "1"}}), s), "to is given more than once");
  refused(audit_checkpoint(query({{"size", "2"}, {"foo", "1"}}), s), "unknown parameter \"foo\"");
  // RFC 9162 proves consistency from a tree of at least one entry.
  refused(audit_consistency_proof(query({{"from", "0"}, {"to", "2"}}), s), "from must be at least 1");
  refused(audit_consistency_proof(query({{"from", "01"}, {"to", "2"}}), s),
          "from must be written without leading zeros");
  refused(audit_inclusion_proof(as(auditor, "auditor", {{"index", "1"}, {"size", "002"}}), s),
          "size must be written without leading zeros");
  CHECK(audit_inclusion_proof(as(auditor, "auditor", {{"index", "0"}, {"size", "2"}}), s).status == 200);
  CHECK(audit_consistency_proof(query({{"from", "1"}, {"to", "2"}}), s).status == 200);
  CHECK(audit_inclusion_proof(as(auditor, "auditor", {{"index", "1"}, {"size", "2"}}), s).status == 200);
}

TEST_CASE("audit inclusion proofs: the leaf is for auditors and the entry's own department, not administrators") {
  const Log log;
  log.add("population", kId, "allowed");  // by market-regulation
  auto s = log.services(true);
  const std::vector<std::pair<std::string, std::string>> params = {{"index", "0"}, {"size", "1"}};
  const Response auditor = audit_inclusion_proof(as(access::PrincipalKind::kAuditor, "auditor", params), s);
  CHECK(auditor.status == 200);
  CHECK(auditor.body.find("\"leaf\"") != std::string::npos);
  CHECK(audit_inclusion_proof(as(access::PrincipalKind::kDepartment, "market-regulation", params), s).status == 200);
  const Response other = audit_inclusion_proof(as(access::PrincipalKind::kDepartment, "public-security", params), s);
  CHECK(other.status == 403);
  const Response admin = audit_inclusion_proof(as(access::PrincipalKind::kAdmin, "admin", params), s);
  CHECK(admin.status == 403);
  CHECK(admin.body.find("auditor_only") != std::string::npos);
  CHECK(admin.body.find("market-regulation") == std::string::npos);
}

TEST_CASE("audit events: a filter given empty is refused, not read as no filter") {
  const Log log;
  log.add("population", kId, "allowed");
  log.add("population", "330106197712123456", "allowed");
  auto s = log.services(true);
  REQUIRE(outcomes(audit_events(query({}), s)).size() == 2);
  for (const char* name : {"subject", "requester", "purpose", "action", "outcome", "dataset", "from", "format"}) {
    CAPTURE(name);
    const Response r = audit_events(query({{name, ""}}), s);
    CHECK(r.status == 400);
    CHECK(r.body.find(std::string(name) + " is empty") != std::string::npos);
  }
}

TEST_CASE("audit subject search: a log that cannot be read is a 503, not a bad parameter") {
  const Log log;
  log.add("population", kId, "allowed");
  auto s = log.services(true);
  REQUIRE(audit_subject_report(Request{}, kId, s).status == 200);
  auto db = store::sqlite::Connection::open(log.dir.file("data/audit.db"), store::sqlite::Connection::Mode::kReadWrite)
                .value();
  REQUIRE(db->exec("DROP TABLE audit_datasets").ok());
  const Response report = audit_subject_report(Request{}, kId, s);
  CHECK(report.status == 503);
  CHECK(boost::json::parse(report.body).at("error").at("code").as_string() == "audit_unavailable");
  CHECK(audit_events(query({{"subject", kId}}), s).status == 503);
  CHECK(audit_events(query({{"limit", "0"}}), s).status == 400);  // still the caller's mistake
}

TEST_CASE("audit log: the datasets it holds entries for are kept, once each, across a reopen") {
  yici::test::TempDir dir;
  {
    const auto stores = store::Stores::open(dir.file("data")).value();
    auto log = audit::AuditLog::open(*stores.audit, std::string(64, 'k')).value();
    for (const char* d : {"population", "credit", "population", "matter:a"}) {
      AuditEvent e;
      e.dataset = d;
      e.outcome = "allowed";
      REQUIRE(log->append(e, [](std::int64_t) { return std::string(); }).ok());
    }
    CHECK(audit::datasets_in_log(*stores.audit).value() ==
          std::vector<std::string>{"credit", "matter:a", "population"});
  }
  const auto stores = store::Stores::open(dir.file("data")).value();
  auto log = audit::AuditLog::open(*stores.audit, std::string(64, 'k')).value();
  AuditEvent e;
  e.dataset = "legal_entity";
  REQUIRE(log->append(e, [](std::int64_t) { return std::string(); }).ok());
  CHECK(audit::datasets_in_log(*stores.audit).value() ==
        std::vector<std::string>{"credit", "legal_entity", "matter:a", "population"});
}

TEST_CASE("audit log: a log from before the datasets table gets it filled from its entries on upgrade") {
  yici::test::TempDir dir;
  {
    const auto stores = store::Stores::open(dir.file("data")).value();
    auto log = audit::AuditLog::open(*stores.audit, std::string(64, 'k')).value();
    for (const char* d : {"population", "matter:old"}) {
      AuditEvent e;
      e.dataset = d;
      REQUIRE(log->append(e, [](std::int64_t) { return std::string(); }).ok());
    }
  }
  {
    // Back to the schema before the table existed (and before the subject index and its spans, which came after).
    const int version = store::Stores::open(dir.file("data")).value().audit->schema_version();
    auto db =
        store::sqlite::Connection::open(dir.file("data/audit.db"), store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(db->exec("DROP TABLE audit_subject_spans; DROP TABLE audit_subject_index; "
                     "DELETE FROM log_info WHERE key LIKE 'subject_%'; "
                     "CREATE INDEX audit_by_subject ON audit_entries (subject_hmac, seq); "
                     "DROP TABLE audit_datasets; PRAGMA user_version = " +
                     std::to_string(version - 3))
                .ok());
  }
  const auto stores = store::Stores::open(dir.file("data")).value();
  CHECK(audit::datasets_in_log(*stores.audit).value() == std::vector<std::string>{"matter:old", "population"});
}

}  // namespace
}  // namespace yici::api
