// The audit log end to end: lookups through a real hub leave entries; checkpoints verify with the
// JWKS; proofs verify against them; auditors search and export; yici-ctl audit verify passes on
// the stopped hub's data directory and names the first bad entry after tampering.
#include <csignal>
#include <map>
#include <thread>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "hub/audit/base64.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/leaf_scan.h"
#include "hub/audit/proof_json.h"
#include "hub/audit/proof_verify.h"
#include "hub/core/sha256.h"
#include "hub/core/time.h"
#include "hub/sign/key_ring.h"
#include "hub/store/sqlite/connection.h"
#include "tests/support/department_fixture.h"
#include "tests/support/hub_process.h"
#include "tests/support/test_pki.h"

namespace yici::test {
namespace {

const std::string kPolicy =
    std::string(kDepartmentPolicy) + "  - {principal: market-regulation, matter: individual-business-registration}\n";

constexpr const char* kSubject = "11010519491231002X";

std::string ctl(const std::string& args, int* rc) {
  std::string out;
  *rc = run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl " + args, &out);
  return out;
}

TEST_CASE("audit: entries, signed checkpoints, proofs, search and offline verification") {
  TempDir work;
  write_person_department(work);
  const std::string data = work.file("data");
  HubProcess hub({.policy = kPolicy, .sources_dir = work.file("sources"), .data_dir = data});
  const auto market = HubProcess::as("market-regulation");
  const auto auditor = HubProcess::as("auditor");
  const std::string lookup = std::string("/v1/records/population/") + kSubject + "?purpose=food-business-license";
  HttpResult ok;
  for (int i = 0; i < 100; ++i) {
    ok = https_request(hub.port(), market, "GET", lookup);
    if (ok.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ok.status == 200);
  const auto index = boost::json::parse(ok.body).at("audit_index").as_int64();
  CHECK(https_request(hub.port(), market, "GET", std::string("/v1/records/population/") + kSubject).status == 403);

  // The latest checkpoint is signed by a key of the JWKS and covers every entry so far.
  const auto jwks =
      sign::Jwks::parse(https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json").body);
  REQUIRE(jwks.ok());
  const HttpResult cp = https_request(hub.port(), auditor, "GET", "/v1/audit/checkpoint");
  REQUIRE(cp.status == 200);
  auto verified = sign::verify_jws(*jwks, cp.body);
  REQUIRE(verified.ok());
  CHECK(verified->typ == audit::kCheckpointTyp);
  const auto checkpoint = audit::parse_checkpoint_payload(verified->payload).value();
  CHECK(checkpoint.tree_size >= static_cast<std::uint64_t>(index) + 1);
  work.write("saved-checkpoint.jws", cp.body);

  // A department proves its own lookup is in the log; it may not fetch another's proof.
  const std::string inclusion =
      "/v1/audit/proof/inclusion?index=" + std::to_string(index) + "&size=" + std::to_string(checkpoint.tree_size);
  const HttpResult proof = https_request(hub.port(), market, "GET", inclusion);
  REQUIRE(proof.status == 200);
  const auto parsed = audit::parse_inclusion_proof(proof.body).value();
  CHECK(audit::verify_inclusion(parsed.leaf_index, parsed.tree_size, parsed.leaf_hash, parsed.path, checkpoint.root)
            .ok());
  CHECK(https_request(hub.port(), HubProcess::as("public-security"), "GET", inclusion).status == 403);
  // The proof carries the entry's leaf bytes: they hash to the proven leaf, and they are this
  // request's (its request id, the SHA-256 of the body received, the principal and purpose).
  {
    const auto with_leaf = boost::json::parse(proof.body).as_object();
    REQUIRE(with_leaf.contains("leaf"));
    const std::string leaf_text(with_leaf.at("leaf").as_string());
    CHECK(audit::leaf_hash(leaf_text) == parsed.leaf_hash);
    const auto leaf = boost::json::parse(leaf_text).as_object();
    CHECK(leaf.at("seq").as_int64() == index);
    CHECK(leaf.at("body_sha256").as_string() == sha256_hex(ok.body));
    REQUIRE(ok.headers.contains("x-request-id"));
    CHECK(leaf.at("request_id").as_string() == ok.headers.at("x-request-id"));
    CHECK(leaf.at("principal").as_string() == "market-regulation");
    CHECK(leaf.at("purpose").as_string() == "food-business-license");
    CHECK(leaf.at("outcome").as_string() == "allowed");
    // An auditor's proof of the same entry carries the same leaf.
    const HttpResult audited = https_request(hub.port(), auditor, "GET", inclusion);
    REQUIRE(audited.status == 200);
    CHECK(boost::json::parse(audited.body).at("leaf").as_string() == leaf_text);
  }
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/proof/inclusion?index=x").status == 400);
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/proof/inclusion?index=99999").status == 400);
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/proof/consistency?from=5&to=2").status == 400);

  // More accesses, then a consistency proof from the saved checkpoint to now.
  for (int i = 0; i < 5; ++i) REQUIRE(https_request(hub.port(), market, "GET", lookup).status == 200);
  const HttpResult cp2 = https_request(hub.port(), auditor, "GET", "/v1/audit/checkpoint");
  const auto later = audit::parse_checkpoint_payload(sign::verify_jws(*jwks, cp2.body).value().payload).value();
  CHECK(later.tree_size > checkpoint.tree_size);
  const HttpResult cons = https_request(hub.port(), auditor, "GET",
                                        "/v1/audit/proof/consistency?from=" + std::to_string(checkpoint.tree_size) +
                                            "&to=" + std::to_string(later.tree_size));
  REQUIRE(cons.status == 200);
  const auto cproof = audit::parse_consistency_proof(cons.body).value();
  CHECK(audit::verify_consistency(cproof.from, cproof.to, cproof.path, checkpoint.root, later.root).ok());

  // A client that fetches a checkpoint after each lookup gets one covering it, signed on demand;
  // the hub stores none of them (it stored one per request: rows, synced writes and signatures
  // for the verifier to check, growing with the polling).
  {
    const auto stored = [&] {
      auto db = store::sqlite::Connection::open(data + "/audit.db", store::sqlite::Connection::Mode::kReadOnly).value();
      auto st = db->prepare("SELECT count(*) FROM audit_checkpoints").value();
      REQUIRE(st.step().value());
      return st.column_int(0);
    };
    const std::int64_t before = stored();
    std::vector<audit::Checkpoint> polled;
    for (int i = 0; i < 10; ++i) {
      const HttpResult r = https_request(hub.port(), market, "GET", lookup);
      REQUIRE(r.status == 200);
      const auto at = boost::json::parse(r.body).at("audit_index").as_int64();
      const HttpResult c = https_request(hub.port(), market, "GET", "/v1/audit/checkpoint");
      REQUIRE(c.status == 200);
      polled.push_back(audit::parse_checkpoint_payload(sign::verify_jws(*jwks, c.body).value().payload).value());
      CHECK(polled.back().tree_size >= static_cast<std::uint64_t>(at) + 1);
    }
    CHECK(stored() - before <= 1);  // the committer may sign one of its own meanwhile (every minute when busy)
    // An earlier size that was never stored is signed on demand too, with the same root as when it
    // was the latest, and a size beyond the log is out of range.
    const std::string earlier = std::to_string(polled.front().tree_size);
    const HttpResult again = https_request(hub.port(), auditor, "GET", "/v1/audit/checkpoint?size=" + earlier);
    REQUIRE(again.status == 200);
    const auto resigned = audit::parse_checkpoint_payload(sign::verify_jws(*jwks, again.body).value().payload).value();
    CHECK(resigned.tree_size == polled.front().tree_size);
    CHECK(resigned.root == polled.front().root);
    const HttpResult beyond = https_request(hub.port(), auditor, "GET", "/v1/audit/checkpoint?size=99999999");
    CHECK(beyond.status == 400);
    CHECK(beyond.body.find("out_of_range") != std::string::npos);
  }

  // A bundle for the same person is found by a subject search too.
  REQUIRE(https_request(hub.port(), market, "GET",
                        std::string("/v1/matters/individual-business-registration/materials?applicant=") + kSubject)
              .status == 200);

  // Auditors search by subject and export; departments cannot.
  const HttpResult events =
      https_request(hub.port(), auditor, "GET", std::string("/v1/audit/events?subject=") + kSubject + "&limit=3");
  REQUIRE(events.status == 200);
  const auto page = boost::json::parse(events.body);
  CHECK(page.at("items").as_array().size() == 3);
  CHECK(page.at("items").at(0).at("subject") == kSubject);
  // A third party recomputes the leaf hash from the published leaf bytes: SHA-256(0x00 || leaf).
  {
    const auto& first = page.at("items").at(0);
    const std::string leaf(first.at("leaf").as_string());
    CHECK(audit::hash_to_base64(audit::leaf_hash(leaf)) == first.at("leaf_hash").as_string());
    CHECK(leaf.find(kSubject) == std::string::npos);  // the leaf holds the subject's HMAC only
  }
  CHECK(page.as_object().contains("next_cursor"));
  // Time bounds in any zone mean the same instant: the first entry's time, written in China's
  // +08:00 (the '+' sent as %2B, and as a bare '+' that the query decodes as a space).
  {
    const auto& first = page.at("items").at(0);
    const std::string utc_time(first.at("time").as_string());
    const SysTime t = parse_rfc3339(utc_time).value();
    std::string beijing = format_rfc3339_micros(t + std::chrono::hours(8));
    beijing.replace(beijing.size() - 1, 1, "%2B08:00");
    const std::string by_subject = std::string("/v1/audit/events?subject=") + kSubject + "&limit=1";
    for (const std::string& from : {beijing, std::string(beijing).replace(beijing.size() - 8, 3, "+")}) {
      CAPTURE(from);
      const HttpResult since = https_request(hub.port(), auditor, "GET", by_subject + "&from=" + from);
      REQUIRE(since.status == 200);
      CHECK(boost::json::parse(since.body).at("items").at(0).at("seq") == first.at("seq"));
    }
    const HttpResult before = https_request(hub.port(), auditor, "GET", by_subject + "&to=" + beijing);
    REQUIRE(before.status == 200);
    CHECK(boost::json::parse(before.body).at("items").as_array().empty());  // `to` is exclusive
    // Bounds the wrong way round are refused, not answered with nothing (the same instant in two
    // zones: from one second after to, written in UTC, and to in Beijing time).
    const std::string later_utc = format_rfc3339_micros(t + std::chrono::seconds(1));
    const HttpResult swapped =
        https_request(hub.port(), auditor, "GET", by_subject + "&from=" + later_utc + "&to=" + beijing);
    CHECK(swapped.status == 400);
    CHECK(swapped.body.find("is after to") != std::string::npos);
    CHECK(https_request(hub.port(), auditor, "GET", by_subject + "&from=" + beijing + "&to=" + beijing).status == 200);
    for (const char* bad : {"yesterday", "2026-11-01", "2026-11-01T00:00:00"}) {
      const HttpResult refused_time = https_request(hub.port(), auditor, "GET", by_subject + "&from=" + bad);
      CHECK(refused_time.status == 400);
      CHECK(refused_time.body.find("RFC 3339") != std::string::npos);
    }
  }
  const HttpResult refused = https_request(hub.port(), auditor, "GET", "/v1/audit/events?outcome=purpose_required");
  CHECK(boost::json::parse(refused.body).at("items").as_array().size() == 1);
  // A JSONL export with proofs: every line's proof verifies against the root of its tree size.
  const HttpResult jsonl = https_request(hub.port(), auditor, "GET", "/v1/audit/events?format=jsonl&proofs=true");
  REQUIRE(jsonl.status == 200);
  {
    const std::string first_line = jsonl.body.substr(0, jsonl.body.find('\n'));
    const boost::json::value line = boost::json::parse(first_line);
    const auto proof_of_line = audit::inclusion_proof_from_json(line.at("inclusion_proof")).value();
    const HttpResult cp_at = https_request(hub.port(), auditor, "GET",
                                           "/v1/audit/checkpoint?size=" + std::to_string(proof_of_line.tree_size));
    if (cp_at.status == 200) {
      const auto at = audit::parse_checkpoint_payload(sign::verify_jws(*jwks, cp_at.body).value().payload).value();
      CHECK(audit::verify_inclusion(proof_of_line.leaf_index, proof_of_line.tree_size, proof_of_line.leaf_hash,
                                    proof_of_line.path, at.root)
                .ok());
    }
  }
  // A department names a purpose that a spreadsheet would run as a formula: refused, audited, and
  // exported as text.
  CHECK(https_request(hub.port(), market, "GET",
                      std::string("/v1/records/population/") + kSubject +
                          "?purpose=%3DHYPERLINK(%22http%3A%2F%2Fevil%22%2C%22x%22)")
            .status == 403);
  CHECK(https_request(hub.port(), market, "GET", std::string("/v1/records/population/") + kSubject + "?purpose=@SUM(1)")
            .status == 403);
  const HttpResult csv = https_request(hub.port(), auditor, "GET", "/v1/audit/events?format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.body.rfind("\xEF\xBB\xBFseq,time,", 0) == 0);
  CHECK(csv.body.find("\r\n") != std::string::npos);
  CHECK(csv.body.find(R"csv(,"'=HYPERLINK(""http://evil"",""x"")",)csv") != std::string::npos);
  CHECK(csv.body.find(R"csv(,"'@SUM(1)",)csv") != std::string::npos);
  CHECK(csv.body.find(",=") == std::string::npos);
  CHECK(csv.body.find(",@") == std::string::npos);
  CHECK(csv.body.find(",\"=") == std::string::npos);
  const HttpResult report =
      https_request(hub.port(), auditor, "GET", std::string("/v1/audit/subjects/") + kSubject + "/report");
  REQUIRE(report.status == 200);
  CHECK(boost::json::parse(report.body).at("items").as_array().size() >= 8);
  CHECK(report.body.find("\"action\":\"bundle\"") != std::string::npos);
  {
    // A lookup with the ID in another form is refused and audited as written; the report finds it
    // whichever form the auditor types.
    const std::string lower = std::string(kSubject, 17) + "x";
    CHECK(https_request(hub.port(), market, "GET", "/v1/records/population/" + lower + "?purpose=food-business-license")
              .status == 400);
    // Nor with spaces, an NBSP or hyphens in it, which no list of forms could cover.
    const std::string subject(kSubject);
    const std::string spaced = subject.substr(0, 6) + "%20" + subject.substr(6, 8) + "%C2%A0" + subject.substr(14);
    const std::string dashed = subject.substr(0, 6) + "-" + subject.substr(6, 8) + "-" + subject.substr(14);
    for (const std::string& written : {spaced, dashed}) {
      CHECK(https_request(hub.port(), market, "GET",
                          "/v1/records/population/" + written + "?purpose=food-business-license")
                .status == 400);
    }
    const auto items_for = [&](const std::string& typed) {
      const HttpResult r = https_request(hub.port(), auditor, "GET", "/v1/audit/subjects/" + typed + "/report");
      REQUIRE(r.status == 200);
      return boost::json::parse(r.body).at("items").as_array().size();
    };
    const std::size_t before = boost::json::parse(report.body).at("items").as_array().size();
    CHECK(items_for(kSubject) == before + 3);
    CHECK(items_for(lower) == before + 3);
    CHECK(items_for(dashed) == before + 3);
  }
  CHECK(https_request(hub.port(), market, "GET", "/v1/audit/events").status == 403);
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/events?limit=0").status == 400);
  // A cursor past 2^63 - 1 is refused, not wrapped round to a negative seq (which listed from entry 0).
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/events?cursor=18446744073709551615").status == 400);
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/proof/inclusion?index=9223372036854775808").status == 400);
  CHECK(https_request(hub.port(), auditor, "GET", "/v1/audit/events?format=xml").status == 400);
  // An unknown filter is refused, not ignored (which listed every entry).
  const HttpResult unknown = https_request(hub.port(), auditor, "GET", "/v1/audit/events?principal=admin");
  CHECK(unknown.status == 400);
  CHECK(std::string(boost::json::parse(unknown.body).at("error").at("message").as_string())
            .rfind("unknown parameter \"principal\"", 0) == 0);
  {
    // Each action the log holds is one a search accepts and finds; one the hub never writes is
    // refused with the list, not answered "no such accesses".
    const HttpResult all = https_request(hub.port(), auditor, "GET", "/v1/audit/events?limit=1000");
    REQUIRE(all.status == 200);
    std::map<std::string, std::size_t> by_action;
    const boost::json::value listed = boost::json::parse(all.body);
    for (const auto& e : listed.at("items").as_array()) {
      ++by_action[std::string(e.at("action").as_string())];
    }
    CHECK(by_action.size() >= 2);  // lookups and bundles
    for (const auto& entry : by_action) {
      const std::string& action = entry.first;  // not a structured binding: INFO captures it in a lambda
      INFO(action);
      const HttpResult found =
          https_request(hub.port(), auditor, "GET", "/v1/audit/events?limit=1000&action=" + action);
      REQUIRE(found.status == 200);
      CHECK(boost::json::parse(found.body).at("items").as_array().size() == entry.second);
    }
    const HttpResult plural = https_request(hub.port(), auditor, "GET", "/v1/audit/events?action=lookups");
    CHECK(plural.status == 400);
    CHECK(plural.body.find("action \\\"lookups\\\" is not one the hub writes; one of: lookup, batch_lookup") !=
          std::string::npos);
  }

  // Fail closed: while another process holds the audit database's write lock, lookups get 503 and
  // nothing is answered unaudited; once it is released they are served again.
  {
    auto locker =
        store::sqlite::Connection::open(data + "/audit.db", store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(locker->exec("BEGIN EXCLUSIVE").ok());
    const HttpResult blocked = https_request(hub.port(), market, "GET", lookup);
    CHECK(blocked.status == 503);
    CHECK(blocked.body.find("audit") != std::string::npos);
    // A load balancer is told to send its traffic elsewhere meanwhile.
    const HttpResult not_ready = https_request(hub.port(), HubProcess::as(""), "GET", "/readyz");
    CHECK(not_ready.status == 503);
    CHECK_FALSE(boost::json::parse(not_ready.body).at("checks").at("audit").as_bool());
    REQUIRE(locker->exec("ROLLBACK").ok());
  }
  // Ready again without a request to prove it (a load balancer sends none to a hub that is not
  // ready): the committer probes audit.db every 2 s while commits fail.
  bool ready = false;
  for (int i = 0; i < 60 && !ready; ++i) {
    ready = https_request(hub.port(), HubProcess::as(""), "GET", "/readyz").status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(ready);
  CHECK(hub.log().find(R"("found_by":"write_probe")") != std::string::npos);
  {
    const std::string metrics = https_request(hub.port(), HubProcess::as("admin"), "GET", "/metrics").body;
    const auto at = metrics.find("\nyici_audit_commit_failures_total ");
    REQUIRE(at != std::string::npos);
    CHECK(std::stod(metrics.substr(at + 34)) >= 1);  // the refused lookup's commit
  }
  REQUIRE(https_request(hub.port(), market, "GET", lookup).status == 200);

  // yici-ctl audit search and online verify.
  const std::string conn = " --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " + pki("auditor.crt") +
                           " --key " + pki("auditor.key") + " --ca " + pki("ca.crt");
  int rc = -1;
  std::string out = ctl(std::string("audit search --subject ") + kSubject + conn, &rc);
  CHECK(rc == 0);
  CHECK(out.find("market-regulation") != std::string::npos);
  // --output json gives one JSON entry per line, as --format jsonl does.
  out = ctl(std::string("audit search --output json --subject ") + kSubject + conn, &rc);
  CHECK(rc == 0);
  CHECK(boost::json::parse(out.substr(0, out.find('\n'))).at("subject") == kSubject);
  // Two formats at once are a usage error, not one of them picked.
  out = ctl(std::string("audit search --output json --format csv --subject ") + kSubject + conn, &rc);
  CHECK(rc == 2);
  CHECK(out.find("--output json and --format csv ask for two formats") != std::string::npos);
  // An empty subject (an unset shell variable) is a usage error, not a search of every subject.
  out = ctl("audit search --subject ''" + conn, &rc);
  CHECK(rc == 2);
  CHECK(out.find("--subject: is empty") != std::string::npos);
  {
    // A requester that matched nothing and names no principal gets a note beside the (empty)
    // answer: a mistyped id read as "no accesses". A principal with no entries gets none.
    out = ctl("audit search --requester market-regulaton" + conn, &rc);
    CHECK(rc == 0);
    CHECK(out.find("note: --requester market-regulaton: no principal of the current policy has this id") !=
          std::string::npos);
    CHECK(out.find("market-regulation") != std::string::npos);  // among the ids listed
    out = ctl("audit search --requester public-security --format csv" + conn, &rc);
    CHECK(rc == 0);
    CHECK(out.find("note:") == std::string::npos);
    const HttpResult noted = https_request(hub.port(), auditor, "GET", "/v1/audit/events?requester=nobody");
    REQUIRE(noted.status == 200);
    CHECK(boost::json::parse(noted.body).at("items").as_array().empty());
    CHECK(boost::json::parse(noted.body).at("note").as_string().starts_with("no principal of the current policy"));
    // The display name (市场监督管理局) names the id to search by.
    const HttpResult by_name =
        https_request(hub.port(), auditor, "GET",
                      "/v1/audit/events?format=jsonl&requester=%E5%B8%82%E5%9C%BA%E7%9B%91%E7%9D%A3%"
                      "E7%AE%A1%E7%90%86%E5%B1%80");
    REQUIRE(by_name.status == 200);
    CHECK(
        by_name.headers.at("x-yici-note") ==
        "no principal has this id; it is the name or certificate CN of principal market-regulation: search by the id");
    const HttpResult found = https_request(hub.port(), auditor, "GET", "/v1/audit/events?requester=market-regulation");
    CHECK(boost::json::parse(found.body).as_object().if_contains("note") == nullptr);
  }
  out = ctl("audit search --action lookups" + conn, &rc);
  CHECK(rc == 2);
  CHECK(out.find("lookups not in") != std::string::npos);
  {
    // An entry holding control characters (written before the hub refused them in requests) is
    // shown escaped: no escape sequence reaches the terminal, no tab splits the row.
    auto edit =
        store::sqlite::Connection::open(data + "/audit.db", store::sqlite::Connection::Mode::kReadWrite).value();
    auto before = edit->prepare("SELECT purpose FROM audit_entries WHERE seq = 0").value();
    REQUIRE(before.step().value());
    const std::string kept(before.column_text(0));
    before.reset();
    REQUIRE(
        edit->exec("UPDATE audit_entries SET purpose = 'x' || char(27) || '[2K' || char(9) || 'y' WHERE seq = 0").ok());
    out = ctl(std::string("audit search") + conn, &rc);
    CHECK(rc == 0);
    CHECK(out.find("x\\x1b[2K\\ty") != std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
    auto restore = edit->prepare("UPDATE audit_entries SET purpose = ?1 WHERE seq = 0").value();
    restore.bind(1, kept);
    REQUIRE(restore.step().ok());
  }
  out = ctl("audit verify --checkpoint " + work.file("saved-checkpoint.jws") + conn, &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("VERIFIED") != std::string::npos);
  // Without a saved checkpoint: the latest one's signature, with a verdict line like the others.
  out = ctl("audit verify" + conn, &rc);
  CHECK(rc == 0);
  CHECK(out.find("VERIFIED: the hub's latest checkpoint is signed with a key of the JWKS") != std::string::npos);
  // A hub whose certificate the --ca does not issue: said once, not followed by a vaguer line.
  out = ctl("audit verify --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " + pki("auditor.crt") +
                " --key " + pki("auditor.key") + " --ca " + pki("auditor.crt"),
            &rc);
  CHECK(rc == 1);
  CHECK(out.find("answered, but its certificate is not issued by --ca") != std::string::npos);
  CHECK(out.find("cannot fetch") == std::string::npos);
  // A signed answer is not a checkpoint, and is named as such (it was reported as a log that shrank).
  const HttpResult answer = https_request(hub.port(), market, "GET", lookup, "", {{"Accept", "application/jose"}});
  REQUIRE(answer.status == 200);
  work.write("answer.jose", answer.body);
  out = ctl("audit verify --checkpoint " + work.file("answer.jose") + conn, &rc);
  // A wrong file is a usage error (exit 2), found before the hub is asked, not a log that failed.
  CHECK(rc == 2);
  CHECK(out.find("--checkpoint " + work.file("answer.jose") + ": not a checkpoint: its typ is") != std::string::npos);
  CHECK(out.find("NOT VERIFIED") == std::string::npos);
  {
    // The empty tree's checkpoint (a fresh hub's latest) is a prefix of every log: verified, with
    // no proof asked for (the hub refuses one from size 0).
    work.write("empty.jws", https_request(hub.port(), auditor, "GET", "/v1/audit/checkpoint?size=0").body);
    out = ctl("audit verify --checkpoint " + work.file("empty.jws") + conn, &rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("extends the saved checkpoint (size 0)") != std::string::npos);
    // Another hub's checkpoint, signed with the same keys, is named as another log's, as the
    // offline check names it: the proof between them failed, which read as this log edited.
    TempDir other_dir;
    HubProcess other({.policy = kPolicy, .sources_dir = work.file("sources"), .data_dir = other_dir.file("data")});
    work.write("other.jws", https_request(other.port(), auditor, "GET", "/v1/audit/checkpoint?size=0").body);
    out = ctl("audit verify --checkpoint " + work.file("other.jws") + conn, &rc);
    CHECK(rc == 1);
    CHECK(out.find("NOT VERIFIED: the saved checkpoint is from another log (log_id ") != std::string::npos);
  }

  // Stop the hub (a final checkpoint is signed), then verify its data directory offline.
  work.write("jwks.json", https_request(hub.port(), HubProcess::as(""), "GET", "/.well-known/jwks.json").body);
  hub.signal(SIGTERM);
  REQUIRE(hub.wait_exit(std::chrono::seconds(20)) == 0);
  const std::string offline = "audit verify --data-dir " + data + " --jwks " + work.file("jwks.json") +
                              " --checkpoint " + work.file("saved-checkpoint.jws");
  out = ctl(offline, &rc);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("signatures checked") != std::string::npos);
  CHECK(out.find("readable subjects match their HMAC") != std::string::npos);  // the key in the data directory
  CHECK(out.find("consistent with the newest checkpoint the hub stored (meta.db, size ") != std::string::npos);
  {
    // A copy whose stored checkpoints were deleted: meta.db's high-water mark still names the
    // newest, as the hub's start would (it verified before, "0 signed checkpoints match").
    TempDir copy;
    std::filesystem::copy(data, copy.file("data"), std::filesystem::copy_options::recursive);
    auto edit =
        store::sqlite::Connection::open(copy.file("data") + "/audit.db", store::sqlite::Connection::Mode::kReadWrite)
            .value();
    REQUIRE(edit->exec("DELETE FROM audit_checkpoints").ok());
    edit.reset();
    out = ctl("audit verify --data-dir " + copy.file("data") + " --jwks " + work.file("jwks.json"), &rc);
    CHECK(rc == 1);
    CHECK(out.find("(meta.db's high-water mark) that audit.db no longer holds: stored checkpoints were deleted") !=
          std::string::npos);
    // Without meta.db the run says what it could not compare, and that no checkpoint covers the log.
    std::filesystem::remove(copy.file("data") + "/meta.db");
    out = ctl("audit verify --data-dir " + copy.file("data"), &rc);
    CHECK(rc == 0);
    CHECK(out.find("note: meta.db is missing or holds no high-water mark") != std::string::npos);
    CHECK(out.find("note: no stored checkpoint covers any of the ") != std::string::npos);
  }
  {
    // A subject changed to someone else's is named; the readable subject is not in the leaf.
    auto edit =
        store::sqlite::Connection::open(data + "/audit.db", store::sqlite::Connection::Mode::kReadWrite).value();
    REQUIRE(edit->exec("CREATE TEMP TABLE kept AS SELECT seq, subject FROM audit_entries; "
                       "UPDATE audit_entries SET subject = '330102199207090919' WHERE subject IS NOT NULL AND seq = "
                       "(SELECT min(seq) FROM audit_entries WHERE subject IS NOT NULL AND subject <> '')")
                .ok());
    REQUIRE(edit->changes() == 1);
    out = ctl(offline, &rc);
    CHECK(rc == 1);
    CHECK(out.find("its readable subject no longer matches its subject_hmac") != std::string::npos);
    // Another log's key is named as such, not reported as every subject edited.
    work.write("other.key", std::string(64, 'b') + "\n");
    out = ctl(offline + " --hmac-key " + work.file("other.key"), &rc);
    CHECK(rc == 2);
    CHECK(out.find("other.key is not the key this audit log was written with") != std::string::npos);
    CHECK(out.find("NOT VERIFIED") == std::string::npos);
    // So is a file that is no checkpoint at all, with or without the JWKS (it read "NOT VERIFIED:
    // base64url ..." without one, exit 1, as if the log had been edited).
    work.write("hub.yaml", "listen: 127.0.0.1:8443\ndata_dir: var/data\n");
    for (const std::string& jwks : {std::string(), " --jwks " + work.file("jwks.json")}) {
      out = ctl("audit verify --data-dir " + data + jwks + " --checkpoint " + work.file("hub.yaml"), &rc);
      CHECK(rc == 2);
      CHECK(out.find("hub.yaml: not a signed checkpoint (") != std::string::npos);
      CHECK(out.find("NOT VERIFIED") == std::string::npos);
    }
    // Files that are not there are usage errors, found before anything is read.
    CHECK(ctl(offline + " --hmac-key " + work.file("nope.key"), &rc).find("no such file") != std::string::npos);
    CHECK(rc == 2);
    CHECK(ctl("audit verify --data-dir " + data + " --jwks " + work.file("nope.json"), &rc).find("no such file") !=
          std::string::npos);
    CHECK(rc == 2);
    REQUIRE(edit->exec("UPDATE audit_entries SET subject = (SELECT subject FROM kept WHERE kept.seq = "
                       "audit_entries.seq)")
                .ok());
  }

  // Readable subjects removed outside a retention purge (no subject_purge entry names them) are
  // named, though the leaves hold only the HMAC: a review by requester would lose whom those
  // accesses were about. (audit_retention_test verifies a log after a real purge.)
  auto db = store::sqlite::Connection::open(data + "/audit.db", store::sqlite::Connection::Mode::kReadWrite).value();
  // `edit` is named by what the run says, then `undo` makes the log verify again.
  const auto caught = [&](const std::string& edit, const std::string& says, const std::string& undo) {
    CAPTURE(edit);
    REQUIRE(db->exec(edit).ok());
    out = ctl(offline, &rc);
    CHECK(rc == 1);
    CHECK(out.find(says) != std::string::npos);
    REQUIRE(db->exec(undo).ok());
    CHECK(ctl(offline, &rc).rfind("VERIFIED: ", 0) == 0);
    CHECK(rc == 0);
  };
  caught(
      "CREATE TEMP TABLE kept AS SELECT seq, subject, purpose FROM audit_entries; "
      "UPDATE audit_entries SET subject = NULL",
      "its readable subject is gone, but the retention purges the log records",
      "UPDATE audit_entries SET subject = (SELECT subject FROM kept WHERE kept.seq = audit_entries.seq)");
  // Editing an entry is caught, naming it.
  caught("UPDATE audit_entries SET purpose = 'newborn-one-thing-x' WHERE seq = 1",
         "entry 1:", "UPDATE audit_entries SET purpose = (SELECT purpose FROM kept WHERE kept.seq = 1) WHERE seq = 1");
  // Rewriting a row and its stored leaf together is caught by the signed checkpoints.
  // Two entries swapped (each row moved to the other's seq): the first is named.
  const std::string swap =
      "UPDATE audit_entries SET seq = -1 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 3;"
      "UPDATE audit_entries SET seq = 3 WHERE seq = -1";
  caught(swap, "entry 2:", swap);
  // A forged checkpoint (its payload changed, the signature kept) is refused.
  {
    auto st = db->prepare("SELECT tree_size, jws FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1").value();
    REQUIRE(st.step().value());
    const std::int64_t size = st.column_int(0);
    std::string jws(st.column_text(1));
    st.reset();
    const auto dot = jws.find('.');
    const std::string forged_payload =
        "eyJsb2dfaWQiOiJ4IiwidHJlZV9zaXplIjoxLCJyb290X2hhc2giOiJBQUFBIiwidGltZXN0YW1wIjoieCJ9";
    const std::string forged = jws.substr(0, dot + 1) + forged_payload + jws.substr(jws.find('.', dot + 1));
    auto upd = db->prepare("UPDATE audit_checkpoints SET jws = ?1 WHERE tree_size = ?2").value();
    upd.bind(1, forged).bind(2, size);
    REQUIRE(upd.step().ok());
    upd.reset();
    out = ctl(offline, &rc);
    CHECK(rc == 1);
    CHECK(out.find("signature does not verify") != std::string::npos);
    auto back = db->prepare("UPDATE audit_checkpoints SET jws = ?1 WHERE tree_size = ?2").value();
    back.bind(1, jws).bind(2, size);
    REQUIRE(back.step().ok());
  }
  out = ctl(offline, &rc);
  CHECK(out.find("VERIFIED") != std::string::npos);
  CHECK(out.find("tree nodes and") != std::string::npos);
  CHECK(out.find("note: without --checkpoint") == std::string::npos);  // it was given
  CHECK(out.find("the subject index lists every entry's subject") != std::string::npos);
  // A row deleted from the subject index hides the entry from its subject's report: named.
  {
    auto row =
        db->prepare("SELECT bucket, subject_hmac, seq FROM audit_subject_index ORDER BY seq DESC LIMIT 1").value();
    REQUIRE(row.step().value());
    const std::int64_t bucket = row.column_int(0);
    const std::string hmac(row.column_text(1));
    const std::int64_t seq = row.column_int(2);
    row.reset();
    REQUIRE(db->exec("DELETE FROM audit_subject_index WHERE seq = " + std::to_string(seq)).ok());
    out = ctl(offline, &rc);
    CHECK(rc == 1);
    CHECK(out.find("NOT VERIFIED: entry " + std::to_string(seq) + " is missing from the subject index") !=
          std::string::npos);
    auto back = db->prepare("INSERT INTO audit_subject_index (bucket, subject_hmac, seq) VALUES (?1, ?2, ?3)").value();
    back.bind(1, bucket).bind(2, hmac).bind(3, seq);
    REQUIRE(back.step().ok());
  }
  CHECK(ctl(offline, &rc).rfind("VERIFIED: ", 0) == 0);
  // A truncated log, with the checkpoints after the cut removed too: the tree nodes left behind show it.
  const std::string cut = std::to_string(checkpoint.tree_size - 1);
  REQUIRE(db->exec("DELETE FROM audit_checkpoints; DELETE FROM audit_entries WHERE seq >= " + cut).ok());
  out = ctl(offline, &rc);
  CHECK(rc == 1);
  CHECK(out.find("tree nodes are stored beyond the last entry") != std::string::npos);
  // With the nodes cut as well, the saved checkpoint catches it; without one, the subject index
  // does, and with that cut too the log is consistent in itself: the verdict says what it cannot see.
  REQUIRE(db->exec("DELETE FROM merkle_nodes WHERE pos >= " +
                   std::to_string(audit::nodes_before_leaf(checkpoint.tree_size - 1)))
              .ok());
  out = ctl(offline, &rc);
  CHECK(rc == 1);
  CHECK(out.find("saved checkpoint") != std::string::npos);
  // Without a saved checkpoint, meta.db's high-water mark (the newest checkpoint the hub stored)
  // catches it; without meta.db too, the subject index still lists the entries cut.
  out = ctl("audit verify --data-dir " + data + " --jwks " + work.file("jwks.json"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("(meta.db's high-water mark) but the log has only " + cut + " entries") != std::string::npos);
  std::filesystem::rename(data + "/meta.db", work.file("meta.db"));
  out = ctl("audit verify --data-dir " + data + " --jwks " + work.file("jwks.json"), &rc);
  CHECK(rc == 1);
  CHECK(out.find("which is not in the log") != std::string::npos);
  REQUIRE(db->exec("DELETE FROM audit_subject_index WHERE seq >= " + cut + "; UPDATE log_info SET value = '" + cut +
                   "' WHERE key = 'subject_index_upto'")
              .ok());
  out = ctl("audit verify --data-dir " + data + " --jwks " + work.file("jwks.json"), &rc);
  CHECK(rc == 0);
  CHECK(out.find("note: without --checkpoint, entries cut from the end") != std::string::npos);
  CHECK(out.find("note: no stored checkpoint covers any of the " + cut + " entries") != std::string::npos);
  CHECK(out.find("note: meta.db is missing or holds no high-water mark") != std::string::npos);
}

// `n` audited accesses in batches of at most 100 items (each item is an entry of its own).
void audited_items(const HubProcess& hub, int n) {
  const auto market = HubProcess::as("market-regulation");
  while (n > 0) {
    const int items = std::min(n, 100);
    std::string body = R"({"purpose":"food-business-license","items":[)";
    for (int i = 0; i < items; ++i) body += std::string(i ? "," : "") + R"({"dataset":"population","subject":"1"})";
    body += "]}";
    REQUIRE(
        https_request(hub.port(), market, "POST", "/v1/lookups", body, {{"Content-Type", "application/json"}}).status ==
        200);
    n -= items;
  }
}

std::uint64_t tree_size(const HubProcess& hub) {
  const auto r = https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?limit=1");
  REQUIRE(r.status == 200);
  return boost::json::value_to<std::uint64_t>(boost::json::parse(r.body).at("tree_size"));
}

TEST_CASE("audit export: pages follow the hub's cursor, so a line break in a cell cannot end the export early") {
  HubProcess hub;
  // A requester's own text, written to the log as sent: a line that looks like a row with a huge seq.
  const std::string planted = R"({"purpose":"x\r\n99999999,planted","items":[{"dataset":"population","subject":"1"}]})";
  // Put it last on the first page of 1,000, where the export used to take its next cursor from.
  const std::uint64_t before = tree_size(hub);
  REQUIRE(before < 999);
  audited_items(hub, static_cast<int>(999 - before));
  REQUIRE(https_request(hub.port(), HubProcess::as("market-regulation"), "POST", "/v1/lookups", planted,
                        {{"Content-Type", "application/json"}})
              .status == 200);
  audited_items(hub, 20);
  const std::uint64_t size = tree_size(hub);
  REQUIRE(size >= 1020);

  // The API: a full page of a text export says where the next one starts.
  const auto page =
      https_request(hub.port(), HubProcess::as("auditor"), "GET", "/v1/audit/events?format=csv&limit=1000");
  REQUIRE(page.status == 200);
  CHECK(page.headers.count("x-next-cursor") == 1);
  CHECK(page.headers.at("x-next-cursor") == "999");
  const auto last = https_request(hub.port(), HubProcess::as("auditor"), "GET",
                                  "/v1/audit/events?format=jsonl&limit=1000&cursor=999");
  CHECK(last.headers.count("x-next-cursor") == 0);

  // yici-ctl: every entry, the last one included.
  const std::string conn = " --hub https://127.0.0.1:" + std::to_string(hub.port()) + " --cert " + pki("auditor.crt") +
                           " --key " + pki("auditor.key") + " --ca " + pki("ca.crt");
  int rc = -1;
  const std::string csv = ctl("audit search --format csv" + conn, &rc);
  CHECK(rc == 0);
  CHECK(csv.find("\n" + std::to_string(size - 1) + ",") != std::string::npos);
  const std::string jsonl = ctl("audit search --format jsonl" + conn, &rc);
  CHECK(rc == 0);
  CHECK(static_cast<std::uint64_t>(std::count(jsonl.begin(), jsonl.end(), '\n')) >= size);
}

}  // namespace
}  // namespace yici::test
