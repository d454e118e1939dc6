#include "hub/audit/audit_entry.h"

#include <doctest/doctest.h>

#include "hub/audit/base64.h"
#include "hub/core/sha256.h"
#include "tests/audit/sample_entry.h"

namespace yici::audit {
namespace {

using test::sample_entry;

// The leaf is what every stored entry's hash and every signed checkpoint commit to: any change
// to its bytes makes every existing log fail verification. These are the bytes, in full.
TEST_CASE("audit entry: the leaf bytes are the canonical JSON, key order fixed, no whitespace") {
  CHECK(sample_entry().leaf_bytes() ==
        R"({"v":1,"seq":41,"time":"2026-11-24T03:20:00.123Z","request_id":"req-1","principal":"market-regulation",)"
        R"("cert_fingerprint":"ab:cd","purpose":"food-business-license","action":"lookup","dataset":"population",)"
        R"("subject_hmac":"c3ViamVjdA==","fields":["id_number","name"],"outcome":"allowed","http_status":200,)"
        R"("body_sha256":"00ff"})");
}

TEST_CASE("audit entry: quotes, backslashes and control characters in any field are escaped in the leaf") {
  AuditEntry e = sample_entry();
  e.seq = -1;  // stored rows are read back as they are, a negative seq included
  e.request_id = "a\"b\\c";
  e.purpose = "line\nbreak\ttab\x01";
  e.outcome = "\x1f";
  e.fields = {"x\"y"};
  e.http_status = 0;
  CHECK(e.leaf_bytes() ==
        R"({"v":1,"seq":-1,"time":"2026-11-24T03:20:00.123Z","request_id":"a\"b\\c","principal":"market-regulation",)"
        R"("cert_fingerprint":"ab:cd","purpose":"line\nbreak\ttab\u0001","action":"lookup","dataset":"population",)"
        R"("subject_hmac":"c3ViamVjdA==","fields":["x\"y"],"outcome":"\u001f","http_status":0,"body_sha256":"00ff"})");
}

TEST_CASE("audit entry: append_leaf_bytes appends after what the buffer holds, escaped or not") {
  const AuditEntry clean = sample_entry();
  AuditEntry dirty = sample_entry();
  dirty.principal = "p\"q";
  for (const AuditEntry* e : {&clean, static_cast<const AuditEntry*>(&dirty)}) {
    const std::string fields = e->fields_json();
    std::string out(1, '\0');
    append_leaf_bytes(out, {.seq = e->seq,
                            .time = e->time,
                            .request_id = e->request_id,
                            .principal = e->principal,
                            .cert_fingerprint = e->cert_fingerprint,
                            .purpose = e->purpose,
                            .action = e->action,
                            .dataset = e->dataset,
                            .subject_hmac = e->subject_hmac,
                            .fields_json = fields,
                            .outcome = e->outcome,
                            .http_status = e->http_status,
                            .body_sha256 = e->body_sha256});
    CHECK(out == std::string(1, '\0') + e->leaf_bytes());
    // RFC 9162: the leaf hash is SHA-256 over 0x00 followed by the leaf's bytes.
    const Hash h = e->leaf();
    const Sha256Digest direct = sha256(out);
    CHECK(std::equal(h.begin(), h.end(), direct.begin(), direct.end()));
  }
}

TEST_CASE("audit entry: subject_hmac_matches agrees with subject_hmac and rejects any other text") {
  const HmacSha256 key(std::string(64, 'k'));
  const std::string mac = subject_hmac(key, "population", "330106199003071234");
  CHECK(mac.size() == 44);
  CHECK(base64_decode(mac).ok());
  CHECK(subject_hmac_matches(key, "population", "330106199003071234", mac));
  CHECK_FALSE(subject_hmac_matches(key, "population", "330106199003071235", mac));
  CHECK_FALSE(subject_hmac_matches(key, "credit", "330106199003071234", mac));
  CHECK_FALSE(subject_hmac_matches(key, "population", "330106199003071234", mac.substr(0, 43)));
  CHECK_FALSE(subject_hmac_matches(key, "population", "330106199003071234", mac + "="));
  CHECK_FALSE(subject_hmac_matches(key, "population", "330106199003071234", ""));
  std::string changed = mac;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  CHECK_FALSE(subject_hmac_matches(key, "population", "330106199003071234", changed));
}

TEST_CASE("audit entry: one subject written in several ways has one HMAC, and entries from before keep matching") {
  const HmacSha256 key(std::string(64, 'k'));
  const std::string canonical = subject_hmac(key, "population", "11010519491231002X");
  const std::string spaced = "110105 19491231-002x";
  CHECK(subject_hmac(key, "population", spaced) == canonical);
  CHECK(subject_hmac(key, "population", "110105194912310021") != canonical);
  CHECK(subject_hmac(key, "credit", spaced) != canonical);
  // An entry written before subjects were keyed carries the HMAC of the subject as written: its
  // readable subject still matches it (the verifier must not report it as edited), and only it.
  const std::string as_written = subject_hmac_as_written(key, "population", spaced);
  CHECK(as_written != canonical);
  CHECK(subject_hmac_as_written(key, "population", "11010519491231002X") == canonical);
  CHECK(subject_hmac_matches(key, "population", spaced, canonical));
  CHECK(subject_hmac_matches(key, "population", spaced, as_written));
  CHECK_FALSE(subject_hmac_matches(key, "population", "110105 19491231-002X", as_written));
  CHECK_FALSE(subject_hmac_matches(key, "population", "11010519491231002X", as_written));
}

}  // namespace
}  // namespace yici::audit
