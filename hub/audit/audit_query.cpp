#include "hub/audit/audit_query.h"

#include <algorithm>

#include <boost/json.hpp>

#include "hub/audit/subject_index.h"

namespace yici::audit {
const char* const kAuditEntryColumns =
    "SELECT seq, time, request_id, principal, cert_fingerprint, purpose, action, dataset, subject, subject_hmac, "
    "fields, outcome, http_status, body_sha256, leaf_hash FROM audit_entries";

StoredEntry read_entry_row(const store::sqlite::Statement& st) {
  StoredEntry s;
  AuditEntry& e = s.entry;
  e.seq = st.column_int(0);
  e.time = st.column_text(1);
  e.request_id = st.column_text(2);
  e.principal = st.column_text(3);
  e.cert_fingerprint = st.column_text(4);
  e.purpose = st.column_text(5);
  e.action = st.column_text(6);
  e.dataset = st.column_text(7);
  s.subject_purged = st.column_is_null(8);
  if (!s.subject_purged) e.subject = st.column_text(8);
  e.subject_hmac = st.column_text(9);
  boost::system::error_code ec;
  const boost::json::value fields = boost::json::parse(st.column_text(10), ec);
  if (!ec && fields.is_array()) {
    for (const auto& f : fields.as_array()) {
      if (f.is_string()) e.fields.emplace_back(f.as_string());
    }
  } else {
    e.fields = {"<unreadable fields column>"};  // recomputing the leaf will then fail: tampering shows
  }
  e.outcome = st.column_text(11);
  e.http_status = static_cast<int>(st.column_int(12));
  e.body_sha256 = st.column_text(13);
  const auto blob = st.column_blob(14);
  if (blob.size() == s.stored_leaf.size())
    std::copy(blob.begin(), blob.end(), reinterpret_cast<char*>(s.stored_leaf.data()));
  return s;
}

Result<std::vector<StoredEntry>> search_audit(store::sqlite::Database& db, const AuditQuery& q) {
  if (q.subject_filter && q.subject_hmacs.empty()) return std::vector<StoredEntry>();
  const std::size_t limit = static_cast<std::size_t>(std::max(1, q.limit));
  // By subject: the subject index (subject_index.h) gives candidate entries in seq order, each
  // read by seq with the other filters. Otherwise: the filters over audit_entries from after_seq.
  std::string sql = std::string(kAuditEntryColumns) + (q.subject_filter ? " WHERE seq = ?1" : " WHERE seq > ?1");
  std::vector<std::string> binds;
  const auto add = [&](const char* clause, const std::string& value) {
    if (value.empty()) return;
    binds.push_back(value);
    sql += std::string(" AND ") + clause + " ?" + std::to_string(binds.size() + 1);
  };
  add("principal =", q.principal);
  if (!q.cert_prefix.empty()) {
    sql += " AND principal = ''";
    add(("substr(cert_fingerprint, 1, " + std::to_string(q.cert_prefix.size()) + ") =").c_str(), q.cert_prefix);
  }
  add("dataset =", q.dataset);
  add("purpose =", q.purpose);
  add("action =", q.action);
  add("outcome =", q.outcome);
  add("time >=", q.from);
  add("time <", q.to);
  if (!q.subject_filter) sql += " ORDER BY seq LIMIT " + std::to_string(limit);
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto st, reader->prepare(sql));
  std::vector<StoredEntry> out;
  // Rows of `st` for `seq` (the first bind), appended to `out`.
  const auto read_rows = [&](std::int64_t seq) -> Status {
    st.bind(1, seq);
    for (std::size_t i = 0; i < binds.size(); ++i) st.bind(static_cast<int>(i + 2), binds[i]);
    return st.each_row([&] { out.push_back(read_entry_row(st)); });
  };
  if (!q.subject_filter) {
    YICI_TRY_STATUS(read_rows(q.after_seq));
    return out;
  }
  YICI_TRY_STATUS(for_each_subject_seq(*reader, q.subject_hmacs, q.after_seq, [&](std::int64_t seq) -> Result<bool> {
    YICI_TRY_STATUS(read_rows(seq));
    return out.size() < limit;
  }));
  return out;
}

Result<std::optional<StoredEntry>> read_entry(store::sqlite::Database& db, std::uint64_t seq) {
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto st, reader->prepare(std::string(kAuditEntryColumns) + " WHERE seq = ?1"));
  st.bind(1, static_cast<std::int64_t>(seq));
  YICI_TRY(const bool row, st.step());
  if (!row) return std::optional<StoredEntry>();
  return std::optional<StoredEntry>(read_entry_row(st));
}

Result<std::vector<std::string>> datasets_in_log(store::sqlite::Database& db) {
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto st, reader->prepare("SELECT dataset FROM audit_datasets ORDER BY dataset"));
  std::vector<std::string> out;
  while (true) {
    YICI_TRY(const bool row, st.step());
    if (!row) return out;
    out.emplace_back(st.column_text(0));
  }
}

Status scan_audit(store::sqlite::Database& db, const std::function<Status(const StoredEntry&)>& fn) {
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto st, reader->prepare(std::string(kAuditEntryColumns) + " ORDER BY seq"));
  while (true) {
    YICI_TRY(const bool row, st.step());
    if (!row) return {};
    YICI_TRY_STATUS(fn(read_entry_row(st)));
  }
}

Result<std::uint64_t> stored_entry_count(store::sqlite::Database& db) {
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto* st, reader->cached("SELECT coalesce(max(seq) + 1, 0) FROM audit_entries"));
  YICI_TRY(const bool row, st->step());
  const std::int64_t n = row ? st->column_int(0) : 0;
  st->reset();
  return static_cast<std::uint64_t>(n);
}

}  // namespace yici::audit
