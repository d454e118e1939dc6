#include "hub/audit/hmac_key_check.h"

#include "hub/audit/audit_entry.h"
#include "hub/core/hmac_sha256.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {
namespace {

constexpr const char* kCheckKey = "hmac_key_check";

Error wrong_key(const std::string& key_path, const std::string& evidence) {
  return Error::invalid(key_path + " is not the key this audit log was written with (" + evidence +
                        "): restore the matching audit-hmac.key from the backup of this data directory. With "
                        "another key every earlier subject would be unsearchable, and audit verify would report "
                        "those entries as edited");
}

std::string check_value(const HmacSha256& hmac) {
  const auto digest = hmac.mac({"yici audit hmac key check"});
  return to_hex(digest.data(), digest.size());
}

}  // namespace

Result<std::optional<bool>> hmac_key_matches_check_value(store::sqlite::Connection& audit_db, const std::string& key) {
  YICI_TRY(auto stored, audit_db.prepare("SELECT value FROM log_info WHERE key = ?1"));
  stored.bind(1, kCheckKey);
  YICI_TRY(const bool has_check, stored.step());
  if (!has_check) return std::optional<bool>();
  return std::optional<bool>(stored.column_text(0) == check_value(HmacSha256(key)));
}

Status check_hmac_key_matches_log(store::sqlite::Database& audit_db, const std::string& key,
                                  const std::string& key_path) {
  const HmacSha256 hmac(key);
  const std::string check = check_value(hmac);
  return audit_db.with_writer([&](store::sqlite::Connection& w) -> Status {
    YICI_TRY(const auto matches, hmac_key_matches_check_value(w, key));
    if (matches) {
      if (!*matches) return wrong_key(key_path, "its check value in audit.db differs");
      return {};
    }
    YICI_TRY(auto first, w.prepare("SELECT seq, dataset, subject, subject_hmac FROM audit_entries WHERE subject IS "
                                   "NOT NULL AND subject <> '' ORDER BY seq LIMIT 1"));
    YICI_TRY(const bool has_subject, first.step());
    if (has_subject && !subject_hmac_matches(hmac, first.column_text(1), first.column_text(2), first.column_text(3))) {
      return wrong_key(key_path, "entry " + std::to_string(first.column_int(0)) +
                                     "'s subject does not give its subject_hmac; if the key is right, that entry was "
                                     "edited: run yici-ctl audit verify");
    }
    first.reset();
    YICI_TRY(auto save, w.prepare("INSERT INTO log_info (key, value) VALUES (?1, ?2)"));
    save.bind(1, kCheckKey).bind(2, check);
    return save.run();
  });
}

}  // namespace yici::audit
