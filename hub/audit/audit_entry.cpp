#include "hub/audit/audit_entry.h"

#include <charconv>
#include <iterator>

#include "hub/audit/base64.h"
#include "hub/schema/text.h"

namespace yici::audit {
namespace {

void add(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":\"";
  schema::append_json_escaped(out, value);
  out += '"';
}

void add_number(std::string& out, std::string_view key, std::int64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  char digits[24];
  const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
  out.append(digits, end);
}

}  // namespace

std::string AuditEntry::fields_json() const {
  std::string out = "[";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ",";
    out += "\"";
    schema::append_json_escaped(out, fields[i]);
    out += "\"";
  }
  out += "]";
  return out;
}

void append_leaf_bytes(std::string& out, const LeafParts& p) {
  out += "{\"v\":1";
  add_number(out, "seq", p.seq);
  add(out, "time", p.time);
  add(out, "request_id", p.request_id);
  add(out, "principal", p.principal);
  add(out, "cert_fingerprint", p.cert_fingerprint);
  add(out, "purpose", p.purpose);
  add(out, "action", p.action);
  add(out, "dataset", p.dataset);
  add(out, "subject_hmac", p.subject_hmac);
  out += ",\"fields\":";
  out += p.fields_json;
  add(out, "outcome", p.outcome);
  add_number(out, "http_status", p.http_status);
  add(out, "body_sha256", p.body_sha256);
  out += '}';
}

std::string AuditEntry::leaf_bytes() const {
  const std::string fields_text = fields_json();
  std::string out;
  out.reserve(256 + fields_text.size());
  append_leaf_bytes(out, {.seq = seq,
                          .time = time,
                          .request_id = request_id,
                          .principal = principal,
                          .cert_fingerprint = cert_fingerprint,
                          .purpose = purpose,
                          .action = action,
                          .dataset = dataset,
                          .subject_hmac = subject_hmac,
                          .fields_json = fields_text,
                          .outcome = outcome,
                          .http_status = http_status,
                          .body_sha256 = body_sha256});
  return out;
}

std::string subject_hmac(const HmacSha256& key, std::string_view dataset, std::string_view subject) {
  const Sha256Digest mac = key.mac({dataset, "\n", subject});
  return base64_encode(std::span<const std::uint8_t>(mac.data(), mac.size()));
}

}  // namespace yici::audit
