#include "hub/audit/audit_entry.h"

#include <array>
#include <charconv>
#include <cstring>
#include <iterator>
#include <tuple>

#include "hub/audit/base64.h"
#include "hub/audit/subject_key.h"
#include "hub/schema/text.h"

namespace yici::audit {
namespace {

// The leaf as a sequence of pieces: JSON punctuation and keys as they are, values escaped where
// `escape` says. One list gives both ways of writing it (append_leaf_bytes).
struct Piece {
  std::string_view text;
  bool escape = false;
};

// HMAC-SHA256(key, dataset "\n" subject): what subject_hmac encodes (of the subject's key) and
// subject_hmac_matches compares.
Sha256Digest subject_mac(const HmacSha256& key, std::string_view dataset, std::string_view subject) {
  return key.mac({dataset, "\n", subject});
}

std::string encode(const Sha256Digest& mac) {
  return base64_encode(std::span<const std::uint8_t>(mac.data(), mac.size()));
}

bool mac_is(const Sha256Digest& mac, std::string_view stored) {
  constexpr std::size_t kSize = base64_encoded_size(std::tuple_size_v<Sha256Digest>);
  if (stored.size() != kSize) return false;
  char text[kSize];
  base64_encode_to(mac, text);
  return std::string_view(text, kSize) == stored;
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
  char seq[24];
  char status[24];
  const std::string_view seq_text(seq, std::to_chars(std::begin(seq), std::end(seq), p.seq).ptr - seq);
  const std::string_view status_text(status,
                                     std::to_chars(std::begin(status), std::end(status), p.http_status).ptr - status);
  const std::array<Piece, 27> pieces = {{
      {R"({"v":1,"seq":)"},
      {seq_text},
      {R"(,"time":")"},
      {p.time, true},
      {R"(","request_id":")"},
      {p.request_id, true},
      {R"(","principal":")"},
      {p.principal, true},
      {R"(","cert_fingerprint":")"},
      {p.cert_fingerprint, true},
      {R"(","purpose":")"},
      {p.purpose, true},
      {R"(","action":")"},
      {p.action, true},
      {R"(","dataset":")"},
      {p.dataset, true},
      {R"(","subject_hmac":")"},
      {p.subject_hmac, true},
      {R"(","fields":)"},
      {p.fields_json},  // already JSON
      {R"(,"outcome":")"},
      {p.outcome, true},
      {R"(","http_status":)"},
      {status_text},
      {R"(,"body_sha256":")"},
      {p.body_sha256, true},
      {R"("})"},
  }};
  // Nearly every entry has nothing to escape: its exact size is then known, and the pieces are
  // copied into place with no capacity check per piece.
  std::size_t size = 0;
  bool escape_free = true;
  for (const Piece& piece : pieces) {
    size += piece.text.size();
    if (piece.escape && escape_free) escape_free = schema::json_escape_free(piece.text);
  }
  if (!escape_free) {
    for (const Piece& piece : pieces) {
      if (piece.escape) {
        schema::append_json_escaped(out, piece.text);
      } else {
        out += piece.text;
      }
    }
    return;
  }
  std::size_t at = out.size();
  out.resize(at + size);
  for (const Piece& piece : pieces) {
    std::memcpy(out.data() + at, piece.text.data(), piece.text.size());
    at += piece.text.size();
  }
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
  const auto folded = folded_subject_key(subject);
  return encode(subject_mac(key, dataset, folded ? std::string_view(*folded) : subject));
}

std::string subject_hmac_as_written(const HmacSha256& key, std::string_view dataset, std::string_view subject) {
  return encode(subject_mac(key, dataset, subject));
}

bool subject_hmac_matches(const HmacSha256& key, std::string_view dataset, std::string_view subject,
                          std::string_view stored) {
  const auto folded = folded_subject_key(subject);
  if (mac_is(subject_mac(key, dataset, folded ? std::string_view(*folded) : subject), stored)) return true;
  return folded && mac_is(subject_mac(key, dataset, subject), stored);
}

}  // namespace yici::audit
