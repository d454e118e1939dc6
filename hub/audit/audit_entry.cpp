#include "hub/audit/audit_entry.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hub/audit/base64.h"
#include "hub/schema/text.h"

namespace yici::audit {
namespace {

void add(std::string& out, const char* key, const std::string& value) {
  out += ",\"";
  out += key;
  out += "\":\"";
  schema::append_json_escaped(out, value);
  out += "\"";
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

std::string AuditEntry::leaf_bytes() const {
  std::string out = "{\"v\":1,\"seq\":" + std::to_string(seq);
  add(out, "time", time);
  add(out, "request_id", request_id);
  add(out, "principal", principal);
  add(out, "cert_fingerprint", cert_fingerprint);
  add(out, "purpose", purpose);
  add(out, "action", action);
  add(out, "dataset", dataset);
  add(out, "subject_hmac", subject_hmac);
  out += ",\"fields\":" + fields_json();
  add(out, "outcome", outcome);
  out += ",\"http_status\":" + std::to_string(http_status);
  add(out, "body_sha256", body_sha256);
  out += "}";
  return out;
}

std::string subject_hmac(const std::string& key, const std::string& dataset, const std::string& subject) {
  const std::string message = dataset + "\n" + subject;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &len);
  return base64_encode(std::span<const std::uint8_t>(mac, len));
}

}  // namespace yici::audit
