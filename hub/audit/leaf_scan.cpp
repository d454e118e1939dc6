#include "hub/audit/leaf_scan.h"

#include <algorithm>

#include "hub/audit/audit_actions.h"
#include "hub/audit/audit_entry.h"
#include "hub/audit/sqlite_node_store.h"
#include "hub/audit/subject_retention.h"
#include "hub/core/sha256.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {
namespace {

using store::sqlite::Connection;

constexpr const char* kRangeSql =
    "SELECT seq, time, request_id, principal, cert_fingerprint, purpose, action, dataset, subject_hmac, fields, "
    "outcome, http_status, body_sha256, leaf_hash, subject FROM audit_entries WHERE seq >= ?1 AND seq < ?2 ORDER BY "
    "seq";

std::string missing(std::uint64_t seq, const std::optional<std::int64_t>& next) {
  std::string out = "entry " + std::to_string(seq) + " is missing";
  if (next) out += " (next stored entry is " + std::to_string(*next) + ")";
  return out;
}

// The one integer a MIN/MAX query returns; nullopt when it is NULL (no rows matched).
Result<std::optional<std::int64_t>> single_int(store::sqlite::Statement& st) {
  YICI_TRY(const bool row, st.step());
  std::optional<std::int64_t> value;
  if (row && !st.column_is_null(0)) value = st.column_int(0);
  st.reset();
  return value;
}

}  // namespace

void PurgeFacts::add_gone(std::uint64_t seq) {
  if (!gone.empty() && gone.back().second == seq) {
    ++gone.back().second;
  } else {
    gone.emplace_back(seq, seq + 1);
  }
}

void PurgeFacts::merge(const PurgeFacts& later) {
  for (const auto& [from, to] : later.gone) {
    if (!gone.empty() && gone.back().second == from) {
      gone.back().second = to;
    } else {
      gone.emplace_back(from, to);
    }
  }
  recorded_below = std::max(recorded_below, later.recorded_below);
}

std::optional<std::uint64_t> PurgeFacts::first_gone_from(std::uint64_t below) const {
  for (const auto& [from, to] : gone) {
    if (to > below) return std::max(from, below);
  }
  return std::nullopt;
}

std::uint64_t nodes_before_leaf(std::uint64_t leaf) { return postorder_position({.level = 0, .index = leaf}); }

LeafScanner::LeafScanner(std::unique_ptr<Connection> db, const HmacSha256* subject_key)
    : db_(std::move(db)), subject_key_(subject_key) {
  buffer_.reserve(1024);
}

LeafScanner::~LeafScanner() = default;

Result<std::unique_ptr<LeafScanner>> LeafScanner::open(const std::string& audit_db_path,
                                                       const HmacSha256* subject_key) {
  YICI_TRY(auto db, Connection::open(audit_db_path, Connection::Mode::kReadOnly));
  // Read pages through a memory map rather than a copy per page read (a scan reads every page once).
  YICI_TRY_STATUS(db->exec("PRAGMA mmap_size = 1073741824"));
  return std::unique_ptr<LeafScanner>(new LeafScanner(std::move(db), subject_key));
}

Result<SeqBounds> LeafScanner::bounds() {
  SeqBounds b;
  // Two queries: SQLite answers a lone min() or max() of the rowid from the b-tree's ends.
  YICI_TRY(auto* lo, db_->cached("SELECT min(seq) FROM audit_entries"));
  YICI_TRY(const auto min, single_int(*lo));
  if (!min) return b;
  YICI_TRY(auto* hi, db_->cached("SELECT max(seq) FROM audit_entries"));
  YICI_TRY(const auto max, single_int(*hi));
  b.min = *min;
  b.max = max.value_or(-1);
  return b;
}

Result<std::optional<std::int64_t>> LeafScanner::next_stored_after(std::uint64_t seq) {
  YICI_TRY(auto* st, db_->cached("SELECT min(seq) FROM audit_entries WHERE seq > ?1"));
  st->bind(1, static_cast<std::int64_t>(seq));
  return single_int(*st);
}

Result<std::string> LeafScanner::scan(std::uint64_t from, std::uint64_t to, std::vector<Hash>& leaves,
                                      const SubjectFold& subjects, PurgeFacts* purges) {
  YICI_TRY(auto* st, db_->cached(kRangeSql));
  st->bind(1, static_cast<std::int64_t>(from)).bind(2, static_cast<std::int64_t>(to));
  std::uint64_t expected = from;
  std::string problem;
  while (true) {
    auto row = st->step();
    if (!row) {
      st->reset();
      return row.error();
    }
    if (!*row) break;
    const auto seq = static_cast<std::uint64_t>(st->column_int(0));
    if (seq != expected) {
      problem = missing(expected, static_cast<std::int64_t>(seq));
      break;
    }
    // Each column is fetched once: a fetch is a statement-level call, and a row has 15 of them.
    const std::string_view action = st->column_text(6);
    const std::string_view dataset = st->column_text(7);
    const std::string_view subject_hmac = st->column_text(8);
    const std::string_view outcome = st->column_text(10);
    buffer_.assign(1, '\0');  // RFC 9162's leaf prefix, so that one SHA-256 pass gives the leaf hash
    append_leaf_bytes(buffer_, {.seq = static_cast<std::int64_t>(seq),
                                .time = st->column_text(1),
                                .request_id = st->column_text(2),
                                .principal = st->column_text(3),
                                .cert_fingerprint = st->column_text(4),
                                .purpose = st->column_text(5),
                                .action = action,
                                .dataset = dataset,
                                .subject_hmac = subject_hmac,
                                .fields_json = st->column_text(9),
                                .outcome = outcome,
                                .http_status = static_cast<int>(st->column_int(11)),
                                .body_sha256 = st->column_text(12)});
    const Hash leaf = sha256(buffer_);
    const std::string_view stored = st->column_blob(13);
    if (stored.size() != leaf.size() ||
        !std::equal(leaf.begin(), leaf.end(), stored.begin(), stored.end(),
                    [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); })) {
      problem = "entry " + std::to_string(seq) + ": its columns no longer match its leaf (edited)";
      break;
    }
    const bool subject_gone = st->column_is_null(14);
    if (subject_key_ != nullptr && !subject_gone) {
      const std::string_view subject = st->column_text(14);
      if (!subject.empty() && !subject_hmac_matches(*subject_key_, dataset, subject, subject_hmac)) {
        problem = "entry " + std::to_string(seq) +
                  ": its readable subject no longer matches its subject_hmac (the subject was edited)";
        break;
      }
    }
    if (purges != nullptr) {
      if (subject_gone && !subject_hmac.empty()) purges->add_gone(seq);
      if (action == action::kSubjectPurge && outcome == "allowed") {
        if (const auto end = purge_range_end(dataset)) {
          purges->recorded_below = std::max(purges->recorded_below, *end);
        }
      }
    }
    if (subjects.digest != nullptr && seq < subjects.below && !subject_hmac.empty()) {
      subjects.digest->add(subject_hmac, seq);
    }
    leaves.push_back(leaf);
    ++expected;
  }
  st->reset();
  if (problem.empty() && expected < to) {
    YICI_TRY(auto next, next_stored_after(expected));
    problem = missing(expected, next);
  }
  return problem;
}

Status LeafScanner::stored_nodes(std::uint64_t from, std::uint64_t to, std::vector<StoredNode>& nodes) {
  // Prepared per call (once per chunk of thousands of leaves): no cached statement to reset on error.
  YICI_TRY(auto st, db_->prepare("SELECT pos, level, idx, hash FROM merkle_nodes WHERE pos >= ?1 AND pos < ?2 "
                                 "ORDER BY pos"));
  st.bind(1, static_cast<std::int64_t>(nodes_before_leaf(from)))
      .bind(2, static_cast<std::int64_t>(nodes_before_leaf(to)));
  while (true) {
    YICI_TRY(const bool row, st.step());
    if (!row) return {};
    StoredNode n{.pos = static_cast<std::uint64_t>(st.column_int(0)),
                 .level = static_cast<int>(st.column_int(1)),
                 .index = static_cast<std::uint64_t>(st.column_int(2))};
    const std::string_view blob = st.column_blob(3);  // 32 bytes: the table's CHECK
    std::copy_n(blob.begin(), std::min(blob.size(), n.hash.size()), reinterpret_cast<char*>(n.hash.data()));
    nodes.push_back(n);
  }
}

Result<LeafScanner::Beyond> LeafScanner::nodes_from(std::uint64_t pos) {
  YICI_TRY(auto* st, db_->cached("SELECT count(*), min(pos) FROM merkle_nodes WHERE pos >= ?1"));
  st->bind(1, static_cast<std::int64_t>(pos));
  YICI_TRY(const bool row, st->step());
  Beyond b;
  if (row) {
    b.count = static_cast<std::uint64_t>(st->column_int(0));
    if (!st->column_is_null(1)) b.first = static_cast<std::uint64_t>(st->column_int(1));
  }
  st->reset();
  return b;
}

}  // namespace yici::audit
