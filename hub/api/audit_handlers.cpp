#include "hub/api/audit_handlers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include <boost/json.hpp>

#include "hub/api/query_params.h"
#include "hub/api/subject_forms.h"
#include "hub/audit/audit_actions.h"
#include "hub/audit/audit_query.h"
#include "hub/audit/base64.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/proof_json.h"
#include "hub/audit/subject_key.h"
#include "hub/core/time.h"

namespace yici::api {
namespace {

// Parses an unsigned query parameter; nullopt when absent; error when malformed.
Result<std::optional<std::uint64_t>> number_param(const Request& r, const char* name) {
  const std::string* text = r.query_param(name);
  if (text == nullptr) return std::optional<std::uint64_t>();
  std::uint64_t v = 0;
  const auto* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  // Sizes, indexes and cursors are SQLite integers: above 2^63 - 1 one would wrap round to a
  // negative seq (a cursor of 2^64 - 1 restarted the listing from entry 0).
  if (ec != std::errc() || ptr != end || text->empty() ||
      v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Error::invalid(std::string(name) + " must be a non-negative integer below 2^63");
  }
  // One spelling per number: "007" would name the same entry or tree as "7" under another text.
  if (text->size() > 1 && text->front() == '0') {
    return Error::invalid(std::string(name) + " must be written without leading zeros");
  }
  return std::optional<std::uint64_t>(v);
}

std::string param(const Request& r, const char* name) {
  const std::string* v = r.query_param(name);
  return v == nullptr ? "" : *v;
}

boost::json::object entry_json(const audit::StoredEntry& s) {
  const audit::AuditEntry& e = s.entry;
  boost::json::object o;
  o["seq"] = e.seq;
  o["time"] = e.time;
  o["request_id"] = e.request_id;
  o["requester"] = e.principal;
  o["cert_fingerprint"] = e.cert_fingerprint;
  o["purpose"] = e.purpose;
  o["action"] = e.action;
  o["dataset"] = e.dataset;
  if (s.subject_purged) {
    o["subject"] = nullptr;
  } else {
    o["subject"] = e.subject;
  }
  boost::json::array fields;
  for (const auto& f : e.fields) fields.emplace_back(f);
  o["fields"] = std::move(fields);
  o["outcome"] = e.outcome;
  o["http_status"] = e.http_status;
  o["body_sha256"] = e.body_sha256;
  // What the Merkle leaf commits to, so a third party can recompute the leaf hash itself.
  o["leaf"] = e.leaf_bytes();
  o["leaf_hash"] = audit::hash_to_base64(e.leaf());
  return o;
}

void csv_cell(std::string& out, const std::string& value) {
  // A cell that a spreadsheet would take for a formula (= + - @, or a tab or CR before one) gets a
  // leading apostrophe, which Excel and LibreOffice show as text: purposes and subjects come from
  // departments, and "=HYPERLINK(...)" in an auditor's export must stay text.
  const bool formula_like = !value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos;
  const std::string v = formula_like ? "'" + value : value;
  if (!formula_like && v.find_first_of(",\"\r\n") == std::string::npos) {
    out += v;
    return;
  }
  out.push_back('"');
  for (const char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string csv_of(const std::vector<audit::StoredEntry>& entries) {
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel then reads UTF-8
  // cert_fingerprint last, so columns read by position before it was added stay where they were;
  // it names who asked when the certificate mapped to no principal (requester empty).
  out +=
      "seq,time,request_id,requester,purpose,action,dataset,subject,fields,outcome,http_status,body_sha256,"
      "cert_fingerprint\r\n";
  for (const auto& s : entries) {
    const auto& e = s.entry;
    std::string fields;
    for (const auto& f : e.fields) fields += (fields.empty() ? "" : " ") + f;
    const std::vector<std::string> cells = {std::to_string(e.seq),
                                            e.time,
                                            e.request_id,
                                            e.principal,
                                            e.purpose,
                                            e.action,
                                            e.dataset,
                                            e.subject,
                                            fields,
                                            e.outcome,
                                            std::to_string(e.http_status),
                                            e.body_sha256,
                                            e.cert_fingerprint};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out.push_back(',');
      csv_cell(out, cells[i]);
    }
    out += "\r\n";
  }
  return out;
}

// 400 for a parameter the route does not take or one given twice (query_params.h); nullopt if none.
std::optional<Response> refuse_params(const Request& request, std::initializer_list<std::string_view> known) {
  if (auto st = check_query_params(request, known); !st.ok()) {
    return error_response(400, "bad_parameter", st.error().message);
  }
  return std::nullopt;
}

Response text_response(int status, std::string content_type, std::string body) {
  Response r = json_response(status, std::move(body));
  r.content_type = std::move(content_type);
  return r;
}

}  // namespace

Response audit_checkpoint(const Request& request, AuditServices& s) {
  if (auto refused = refuse_params(request, {"size"})) return *refused;
  auto size = number_param(request, "size");
  if (!size) return error_response(400, "bad_parameter", size.error().message);
  const std::uint64_t current = s.log->size();
  const std::uint64_t n = size->value_or(current);
  if (n > current) {
    return error_response(400, "out_of_range", "need size <= " + std::to_string(current) + " (the log's size)");
  }
  // A checkpoint the hub signed and stored at that size (every 1,000 entries, every minute when
  // busy, at shutdown) is answered as stored: the same bytes every time.
  auto stored = audit::load_checkpoint(*s.db, n, s.log_id);
  if (!stored) return error_response(503, "audit_unavailable", "the audit log cannot be read; try again later");
  if (*stored) return text_response(200, "application/jose", (*stored)->jws);
  // Any other size is signed now and not stored: a client that asks after each of its lookups
  // gets a checkpoint covering its entry, and the hub keeps no row (and takes no synced write) per
  // request. Stored, they grew the table and the verifier's work by one signature per request.
  auto keys = s.keys ? s.keys() : nullptr;
  if (!keys) return error_response(503, "signing_unavailable", "no signing key is loaded");
  auto root = s.log->tree().root(n);
  if (!root) return error_response(503, "audit_unavailable", root.error().message);
  auto signed_cp = audit::sign_checkpoint(s.log_id, n, *root, *keys);
  if (!signed_cp) return error_response(503, "signing_unavailable", signed_cp.error().message);
  return text_response(200, "application/jose", signed_cp->jws);
}

Response audit_inclusion_proof(const Request& request, AuditServices& s) {
  // The proof carries the entry's leaf: who asked, for what, when. Auditors see every entry and a
  // department its own; an administrator none (as for /v1/audit/events).
  if (request.principal->kind != access::PrincipalKind::kAuditor &&
      request.principal->kind != access::PrincipalKind::kDepartment) {
    return error_response(403, "auditor_only",
                          "inclusion proofs carry the entry's leaf: they are for auditors, and for departments "
                          "for the entries of their own requests");
  }
  if (auto refused = refuse_params(request, {"index", "size"})) return *refused;
  auto index = number_param(request, "index");
  auto size = number_param(request, "size");
  if (!index || !size) return error_response(400, "bad_parameter", (!index ? index : size).error().message);
  if (!*index) return error_response(400, "bad_parameter", "index is required");
  const std::uint64_t n = size->value_or(s.log->size());
  if (**index >= n || n > s.log->size()) {
    return error_response(400, "out_of_range", "need index < size <= " + std::to_string(s.log->size()));
  }
  auto entry = audit::read_entry(*s.db, **index);
  if (!entry || !*entry) return error_response(503, "audit_unavailable", "the audit log cannot be read");
  if (request.principal->kind == access::PrincipalKind::kDepartment &&
      (*entry)->entry.principal != request.principal->id) {
    return error_response(403, "not_your_entry", "a department may prove only the entries of its own requests");
  }
  auto leaf = s.log->tree().leaf(**index);
  auto path = s.log->tree().inclusion_proof(**index, n);
  if (!leaf || !path) return error_response(503, "audit_unavailable", "the audit tree cannot be read");
  // The entry's leaf bytes, rendered from its stored columns: the caller checks they hash to
  // leaf_hash and that they are its request (its request id, the SHA-256 of the body it received),
  // so the proof shows that its own access is in the log, not just that some leaf is. Stored
  // columns edited since show as a leaf that does not hash to leaf_hash.
  boost::json::object body = audit::to_json(audit::InclusionProof{**index, n, *leaf, std::move(*path)});
  body["leaf"] = (*entry)->entry.leaf_bytes();
  return json_response(200, boost::json::serialize(body));
}

Response audit_consistency_proof(const Request& request, AuditServices& s) {
  if (auto refused = refuse_params(request, {"from", "to"})) return *refused;
  auto from = number_param(request, "from");
  auto to = number_param(request, "to");
  if (!from || !to) return error_response(400, "bad_parameter", (!from ? from : to).error().message);
  if (!*from) return error_response(400, "bad_parameter", "from is required");
  // RFC 9162 2.1.4 proves consistency between sizes 0 < from <= to: the empty tree has no root to
  // be consistent with.
  if (**from == 0) return error_response(400, "out_of_range", "from must be at least 1 (the empty tree has no root)");
  const std::uint64_t n = to->value_or(s.log->size());
  if (**from > n || n > s.log->size()) {
    return error_response(400, "out_of_range", "need from <= to <= " + std::to_string(s.log->size()));
  }
  auto path = s.log->tree().consistency_proof(**from, n);
  if (!path) return error_response(503, "audit_unavailable", "the audit tree cannot be read");
  return json_response(200, audit::render(audit::ConsistencyProof{**from, n, std::move(*path)}));
}

namespace {

// The HMACs a subject's entries may carry: each form it may have been written in (subject_forms.h)
// under each dataset it may have been asked in: the configured datasets and matters, and every
// dataset the log holds entries for (one since removed from the configuration, say).
Result<std::vector<std::string>> subject_hmacs(AuditServices& s, const std::string& subject,
                                               const std::string& only_dataset) {
  std::vector<std::string> datasets;
  if (!only_dataset.empty()) {
    datasets.push_back(only_dataset);
  } else {
    datasets = s.datasets;
    auto logged = audit::datasets_in_log(*s.db);
    if (!logged) return Error::unavailable("the audit log cannot be read");
    for (auto& d : *logged) {
      if (std::find(datasets.begin(), datasets.end(), d) == datasets.end()) datasets.push_back(std::move(d));
    }
  }
  // The canonical forms of the subject as typed and of its key: "110101 19900307 123x" is no ID,
  // but its key is one, whose other forms (the 15-digit one, say) the search covers too.
  std::vector<std::string> canonical;
  if (s.canonical_subjects) {
    for (const auto& typed : {subject, audit::subject_key(subject)}) {
      for (auto& c : s.canonical_subjects(typed)) {
        if (std::find(canonical.begin(), canonical.end(), c) == canonical.end()) canonical.push_back(std::move(c));
      }
    }
  }
  const auto forms = subject_search_forms(subject, canonical);
  std::vector<std::string> hmacs;
  hmacs.reserve(forms.size() * datasets.size());
  for (const auto& d : datasets) {
    for (const auto& f : forms) {
      for (auto& h : s.log->subject_hmacs_of(d, f)) {
        if (std::find(hmacs.begin(), hmacs.end(), h) == hmacs.end()) hmacs.push_back(std::move(h));
      }
    }
  }
  return hmacs;
}

// `subject_route`: the subject report, whose subject is in the path (subject= and dataset= are
// the events search's).
Result<audit::AuditQuery> query_of(const Request& request, AuditServices& s, int default_limit,
                                   bool subject_route = false) {
  // An unknown filter (say `principal=` for `requester=`) must not quietly list everything, nor a
  // repeated one quietly mean its first value.
  YICI_TRY_STATUS(subject_route
                      ? check_query_params(request, {"requester", "purpose", "action", "outcome", "from", "to", "limit",
                                                     "cursor", "format", "proofs"})
                      : check_query_params(request, {"requester", "purpose", "action", "outcome", "from", "to",
                                                     "subject", "dataset", "limit", "cursor", "format", "proofs"}));
  for (const auto& [name, value] : request.query) {
    // Nor a filter given empty (`subject=` from an unset variable): it read as no filter at all.
    if (value.empty()) return Error::invalid(name + " is empty; leave it out to not filter by it");
  }
  if (const std::string* proofs = request.query_param("proofs"); proofs && *proofs != "true" && *proofs != "false") {
    return Error::invalid("proofs must be true or false");
  }
  if (const std::string* f = request.query_param("format"); f && *f != "json" && *f != "jsonl" && *f != "csv") {
    return Error::invalid("format must be json, jsonl or csv");
  }
  audit::AuditQuery q;
  q.principal = param(request, "requester");
  // A certificate that mapped to no principal has no requester; searches show it as cert:<the
  // start of its fingerprint>, and that finds its entries.
  if (q.principal.starts_with("cert:")) {
    std::string hex = q.principal.substr(5);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::tolower(c); });
    if (hex.size() < 4 || hex.size() > 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Error::invalid(
          "requester cert:... takes the start of a certificate's SHA-256 fingerprint in hex, 4 to 64 digits, as "
          "searches show a certificate that mapped to no principal");
    }
    q.principal.clear();
    q.cert_prefix = std::move(hex);
  }
  q.dataset = param(request, "dataset");  // with or without a subject (it was read only with one)
  q.purpose = param(request, "purpose");
  q.action = param(request, "action");
  // An action the hub never writes (`lookups`) would answer "no such accesses".
  if (!q.action.empty() && !audit::action::known(q.action)) {
    return Error::invalid("action \"" + q.action + "\" is not one the hub writes; one of: " + audit::action::list());
  }
  q.outcome = param(request, "outcome");
  // Stored times are UTC with microseconds (2026-11-22T08:30:00.123456Z) and compared as text:
  // a bound in another zone or form is turned into that form first, and refused if it is none.
  for (auto [name, bound] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    if (const std::string* text = request.query_param(name)) {
      auto t = parse_rfc3339(*text);
      if (!t) return Error::invalid(std::string(name) + ": " + t.error().message);
      *bound = format_rfc3339_micros(*t);
    }
  }
  // Both in the same form (UTC, microseconds), so they compare as text. An empty answer to
  // bounds given the wrong way round would read as "no such accesses".
  if (!q.from.empty() && !q.to.empty() && q.from > q.to) {
    return Error::invalid("from (" + q.from + ") is after to (" + q.to + "): swap them");
  }
  if (const std::string* subject = request.query_param("subject")) {
    q.subject_filter = true;
    YICI_TRY(q.subject_hmacs, subject_hmacs(s, *subject, param(request, "dataset")));
  }
  YICI_TRY(auto limit, number_param(request, "limit"));
  if (limit && (*limit < 1 || *limit > 1000)) return Error::invalid("limit must be 1 to 1000");
  q.limit = limit ? static_cast<int>(*limit) : default_limit;
  YICI_TRY(auto cursor, number_param(request, "cursor"));
  if (cursor) q.after_seq = static_cast<std::int64_t>(*cursor);
  return q;
}

// A bad parameter is the caller's (400); a log that cannot be read is the hub's (503).
Response query_error(const Error& e) {
  if (e.code == ErrorCode::kUnavailable) return error_response(503, "audit_unavailable", e.message);
  return error_response(400, "bad_parameter", e.message);
}

Response entries_response(const Request& request, AuditServices& s, const audit::AuditQuery& q,
                          const std::vector<audit::StoredEntry>& entries) {
  const std::string format = param(request, "format");
  const bool more = static_cast<int>(entries.size()) == q.limit && !entries.empty();
  // Text exports carry no body field for it: the cursor of the next page is a header, so an
  // export of more than one page is never mistaken for the whole log.
  const auto with_next = [&](Response r) {
    if (more) r.headers.emplace_back("X-Next-Cursor", std::to_string(entries.back().entry.seq));
    return r;
  };
  // A requester filter that matched nothing and names no principal: an empty answer would read
  // as "no accesses" when the name is mistyped. A former principal is not in the policy either,
  // so this is a note beside the answer, not a refusal.
  std::string note;
  if (entries.empty() && !q.principal.empty() && q.after_seq < 0 && s.requester_note) {
    note = s.requester_note(q.principal);
  }
  const auto noted = [&](Response r) {
    if (!note.empty()) r.headers.emplace_back("X-Yici-Note", note);
    return r;
  };
  if (format == "csv") return noted(with_next(text_response(200, "text/csv; charset=utf-8", csv_of(entries))));
  const bool proofs = param(request, "proofs") == "true";
  const std::uint64_t size = s.log->size();
  // Each entry, with its inclusion proof against the current size when asked for.
  const auto render = [&](const audit::StoredEntry& e) {
    boost::json::object o = entry_json(e);
    if (proofs) {
      const auto seq = static_cast<std::uint64_t>(e.entry.seq);
      auto leaf = s.log->tree().leaf(seq);
      auto path = s.log->tree().inclusion_proof(seq, size);
      if (leaf && path) o["inclusion_proof"] = audit::to_json(audit::InclusionProof{seq, size, *leaf, *path});
    }
    return o;
  };
  if (format == "jsonl") {
    std::string out;
    for (const auto& e : entries) out += boost::json::serialize(render(e)) + "\n";
    return noted(with_next(text_response(200, "application/x-ndjson", std::move(out))));
  }
  boost::json::array items;
  for (const auto& e : entries) items.push_back(render(e));
  boost::json::object body;
  body["items"] = std::move(items);
  body["tree_size"] = size;
  if (more) body["next_cursor"] = std::to_string(entries.back().entry.seq);
  if (!note.empty()) body["note"] = note;
  return noted(json_response(200, boost::json::serialize(body)));
}

}  // namespace

std::string requester_note(const std::vector<access::Principal>& principals, std::string_view requester) {
  // The hub's own requesters (hub:restart, signal:SIGHUP) hold a colon; principal ids cannot.
  if (requester.find(':') != std::string_view::npos) return {};
  // An id first: another principal's display name or CN may equal it.
  if (std::any_of(principals.begin(), principals.end(), [&](const auto& p) { return p.id == requester; })) return {};
  std::string ids;
  for (const auto& p : principals) {
    if (p.name == requester || p.cert_cn == requester) {
      return "no principal has this id; it is the name or certificate CN of principal " + p.id + ": search by the id";
    }
    if (ids.size() < 200) {
      ids += (ids.empty() ? "" : ", ") + p.id;
    } else if (!ids.ends_with("...")) {
      ids += ", ...";
    }
  }
  return "no principal of the current policy has this id (a former principal's entries are still found); ids: " + ids;
}

Response audit_events(const Request& request, AuditServices& s) {
  const std::string format = param(request, "format");
  auto q = query_of(request, s, format.empty() || format == "json" ? 100 : 1000);
  if (!q) return query_error(q.error());
  auto entries = audit::search_audit(*s.db, *q);
  if (!entries) return error_response(503, "audit_unavailable", "the audit log cannot be read");
  return entries_response(request, s, *q, *entries);
}

Response audit_subject_report(const Request& request, const std::string& subject, AuditServices& s) {
  auto q = query_of(request, s, 1000, true);
  if (!q) return query_error(q.error());
  q->subject_filter = true;
  auto hmacs = subject_hmacs(s, subject, "");
  if (!hmacs) return query_error(hmacs.error());
  q->subject_hmacs = std::move(*hmacs);
  auto entries = audit::search_audit(*s.db, *q);
  if (!entries) return error_response(503, "audit_unavailable", "the audit log cannot be read");
  return entries_response(request, s, *q, *entries);
}

}  // namespace yici::api
