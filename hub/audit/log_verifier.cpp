#include "hub/audit/log_verifier.h"

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "hub/audit/base64.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/leaf_scan.h"
#include "hub/audit/sqlite_node_store.h"
#include "hub/audit/subject_index_check.h"
#include "hub/core/thread_name.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {
namespace {

// The RFC 9162 root of a growing list of leaves in O(log n) memory: the complete subtrees of the
// size's binary decomposition, folded right to left. add() reports every node a leaf completes, in
// the order the hub stored them (post-order: the leaf, then each subtree it closes, upwards).
class RootBuilder {
 public:
  template <typename Visit>  // void(int level, std::uint64_t index, const Hash&)
  void add(const Hash& leaf, Visit&& visit) {
    const std::uint64_t j = count_++;
    stack_.push_back({1, leaf});
    visit(0, j, leaf);
    int level = 0;
    while (stack_.size() >= 2 && stack_[stack_.size() - 2].first == stack_.back().first) {
      const auto right = stack_.back();
      stack_.pop_back();
      stack_.back() = {right.first * 2, node_hash(stack_.back().second, right.second)};
      ++level;
      visit(level, j >> level, stack_.back().second);
    }
  }
  [[nodiscard]] Hash root() const {
    if (stack_.empty()) return empty_root();
    Hash h = stack_.back().second;
    for (std::size_t i = stack_.size() - 1; i-- > 0;) h = node_hash(stack_[i].second, h);
    return h;
  }

 private:
  std::uint64_t count_ = 0;
  std::vector<std::pair<std::uint64_t, Hash>> stack_;
};

std::string node_name(int level, std::uint64_t index) {
  const std::uint64_t first = index << level;
  const std::uint64_t last = ((index + 1) << level) - 1;
  return "tree node (" + std::to_string(level) + ", " + std::to_string(index) + ")" +
         (level == 0 ? " (entry " + std::to_string(first) + "'s leaf)"
                     : " (over entries " + std::to_string(first) + " to " + std::to_string(last) + ")");
}

// The log's id from log_info; empty for a log from before that table.
Result<std::string> stored_log_id(store::sqlite::Connection& db) {
  auto st = db.prepare("SELECT value FROM log_info WHERE key = 'log_id'");
  if (!st) return std::string();
  YICI_TRY(const bool row, st->step());
  return row ? std::string(st->column_text(0)) : std::string();
}

struct CheckpointRow {
  Hash root{};
  std::string jws;
};

}  // namespace

Result<VerifyReport> verify_audit_db(const std::string& path, const sign::Jwks* jwks,
                                     const std::optional<std::string>& saved_checkpoint_jws,
                                     const VerifyOptions& options) {
  using store::sqlite::Connection;
  YICI_TRY(auto db, Connection::open(path, Connection::Mode::kReadOnly));
  {
    // An empty file, another database, or not a database at all: named as such, not as a missing
    // table ("sqlite prepare: no such table: audit_checkpoints").
    auto tables = db->prepare(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_entries', 'audit_checkpoints')");
    bool found = false;
    if (tables.ok()) {
      auto row = tables->step();
      found = row.ok() && *row && tables->column_int(0) == 2;
    }
    if (!found) {
      return Error::invalid(path + " is not a Yici audit log (no audit_entries and audit_checkpoints tables" +
                            (tables.ok() ? std::string(")") : ": " + tables.error().message + ")"));
    }
  }
  VerifyReport report;
  report.signatures_checked = jwks != nullptr;
  YICI_TRY(report.log_id, stored_log_id(*db));
  std::set<std::string> checkpoint_log_ids;  // every log id the stored checkpoints were signed for

  // Checkpoints to meet on the way: size → claimed root (after checking the signature).
  std::map<std::uint64_t, CheckpointRow> checkpoints;
  const auto check_signed = [&](const std::string& jws, const std::string& what) -> Result<Checkpoint> {
    if (jwks != nullptr) {
      auto verified = verify_checkpoint(*jwks, jws);
      if (!verified) return Error::corruption(what + ": " + verified.error().message);
      return std::move(verified->checkpoint);
    }
    auto read = read_checkpoint_unverified(jws);
    if (!read) return Error::corruption(what + ": " + read.error().message);
    return read;
  };
  {
    YICI_TRY(auto st, db->prepare("SELECT tree_size, jws, root_hash FROM audit_checkpoints ORDER BY tree_size"));
    while (true) {
      YICI_TRY(const bool row, st.step());
      if (!row) break;
      const auto size = static_cast<std::uint64_t>(st.column_int(0));
      const std::string jws(st.column_text(1));
      auto cp = check_signed(jws, "checkpoint at size " + std::to_string(size));
      if (!cp) {
        report.problem = cp.error().message;
        return report;
      }
      if (cp->tree_size != size) {
        report.problem = "checkpoint at size " + std::to_string(size) + ": its signed payload says size " +
                         std::to_string(cp->tree_size);
        return report;
      }
      // The hub reads the root from this column (the latest checkpoint at start, for instance).
      if (st.column_text(2) != hash_to_base64(cp->root)) {
        report.problem = "checkpoint at size " + std::to_string(size) +
                         ": its root_hash column differs from the root in its signed payload (edited)";
        return report;
      }
      checkpoints[size] = {cp->root, jws};
      checkpoint_log_ids.insert(cp->log_id);
      if (!report.log_id.empty() && cp->log_id != report.log_id && report.checkpoints_other_log++ == 0) {
        report.first_other_log_size = size;
        report.first_other_log_id = cp->log_id;
      }
    }
  }
  std::optional<Checkpoint> saved;
  if (saved_checkpoint_jws) {
    auto cp = check_signed(*saved_checkpoint_jws, "the saved checkpoint");
    if (!cp) {
      report.problem = cp.error().message;
      return report;
    }
    // A checkpoint from another hub's log says nothing about this one: name that, rather than
    // report entries "changed after it was signed". One of this log's own earlier ids is fine (the
    // id could change before it was kept in log_info).
    if (!report.log_id.empty() && cp->log_id != report.log_id && !checkpoint_log_ids.contains(cp->log_id)) {
      report.problem = "the saved checkpoint is from another log (log_id " + cp->log_id + "; this log is " +
                       report.log_id + ", and none of its checkpoints names " + cp->log_id +
                       "): verify it against the hub that signed it";
      return report;
    }
    saved = *cp;
  }

  RootBuilder builder;
  // The largest size whose signed root matched the entries: entries below it are as they were
  // signed, so a later mismatch is in an entry from here on.
  // The mark counts only for this log (a log without log_info is an old hub's: no mark is its).
  const std::optional<HighWater> mark =
      options.high_water && !report.log_id.empty() && options.high_water->log_id == report.log_id ? options.high_water
                                                                                                  : std::nullopt;
  std::uint64_t matched_size = 0;
  const auto rewritten_range = [&](std::uint64_t size) {
    return matched_size + 1 == size
               ? "entry " + std::to_string(size - 1)
               : "an entry from " + std::to_string(matched_size) + " to " + std::to_string(size - 1);
  };
  // Called after every leaf; the root (a fold of up to log2(size) node hashes) is computed only
  // at the sizes a checkpoint names.
  const auto check_at = [&](std::uint64_t size) {
    const auto it = checkpoints.find(size);
    const bool at_saved = saved && saved->tree_size == size;
    const bool at_mark = mark && mark->tree_size == size;
    if (it == checkpoints.end() && !at_saved && !at_mark) return;
    const Hash root = builder.root();
    if (it != checkpoints.end()) {
      ++report.checkpoints;
      if (it->second.root != root) {
        report.problem = "checkpoint at size " + std::to_string(size) +
                         ": signed root differs from the root recomputed from the entries: " + rewritten_range(size) +
                         " was changed after it was signed" +
                         (matched_size > 0 ? " (the checkpoint at size " + std::to_string(matched_size) + " matched)"
                                           : std::string());
        return;
      }
    }
    if (at_saved && saved->root != root) {
      report.problem = "the saved checkpoint (size " + std::to_string(size) +
                       ") is not consistent with this log: " + rewritten_range(size) +
                       " was changed after it was signed";
      return;
    }
    if (at_mark && mark->root != root) {
      report.problem =
          "the newest checkpoint the hub stored (size " + std::to_string(size) +
          ", kept in meta.db as the high-water mark) is not consistent with this log: " + rewritten_range(size) +
          " was changed after it was signed";
      return;
    }
    matched_size = size;
  };
  check_at(0);

  // Leaves are recomputed in parallel, chunk by chunk, each worker with its own connection; this
  // thread folds one round of chunks into the tree while the workers hash the next round.
  const unsigned threads =
      options.threads != 0 ? options.threads : std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
  const std::uint64_t chunk = std::max<std::uint64_t>(options.chunk, 1);
  std::optional<HmacSha256> subject_key;
  if (options.subject_key) subject_key.emplace(*options.subject_key);
  report.subjects_checked = subject_key.has_value();
  // The subject index: its snapshot is taken before the log's bounds are read, so every entry it
  // covers is scanned. Its rows are folded on a thread of their own while the leaves are scanned.
  const DigestKey digest_key = DigestKey::random();
  std::unique_ptr<SubjectIndexCheck> index_check;
  if (options.check_subject_index) {
    YICI_TRY(index_check, SubjectIndexCheck::open(path, report.subject_index_skipped));
  }
  const std::uint64_t indexed_upto =
      index_check ? static_cast<std::uint64_t>(std::max<std::int64_t>(0, index_check->indexed_upto())) : 0;
  std::future<Result<MultisetDigest>> index_digest;
  if (index_check) {
    index_digest = std::async(std::launch::async, [check = index_check.get(), &digest_key] {
      set_thread_name("audit-verify");
      return check->index_digest(digest_key);
    });
  }
  MultisetDigest entry_subjects(digest_key);
  std::vector<std::unique_ptr<LeafScanner>> scanners;
  for (unsigned i = 0; i < threads; ++i) {
    YICI_TRY(auto scanner, LeafScanner::open(path, subject_key ? &*subject_key : nullptr));
    scanners.push_back(std::move(scanner));
  }
  YICI_TRY(const SeqBounds bounds, scanners.front()->bounds());
  std::uint64_t expected = 0;
  if (bounds.max >= bounds.min && bounds.min < 0) {
    report.problem = "an entry is stored at seq " + std::to_string(bounds.min) + ", outside the log (seq starts at 0)";
  }
  const std::uint64_t end = bounds.max >= 0 ? static_cast<std::uint64_t>(bounds.max) + 1 : 0;

  struct Chunk {
    std::vector<Hash> leaves;
    std::vector<StoredNode> nodes;  // the stored tree nodes these leaves complete
    Result<std::string> problem = std::string();
    std::optional<MultisetDigest> subjects;  // the chunk's entries below indexed_upto
    PurgeFacts purges;
  };
  PurgeFacts purges;  // over the chunks folded so far
  const auto launch = [&](LeafScanner* scanner, std::uint64_t from) {
    const std::uint64_t to = std::min(end, from + chunk);
    const bool fold = index_check != nullptr && from < indexed_upto;
    return std::async(std::launch::async, [scanner, from, to, fold, indexed_upto, &digest_key] {
      set_thread_name("audit-verify");
      Chunk c;
      c.leaves.reserve(to - from);
      if (fold) c.subjects.emplace(digest_key);
      c.problem =
          scanner->scan(from, to, c.leaves,
                        fold ? SubjectFold{.below = indexed_upto, .digest = &*c.subjects} : SubjectFold{}, &c.purges);
      if (c.problem) {  // the nodes of the leaves recomputed (up to a problem entry, if any)
        const std::uint64_t recomputed = from + c.leaves.size();
        c.nodes.reserve(2 * (recomputed - from));
        if (auto read = scanner->stored_nodes(from, recomputed, c.nodes); !read.ok()) c.problem = read.error();
      }
      return c;
    });
  };
  // A window of chunks in flight, one per scanner. This thread folds the oldest into the tree as
  // soon as it is done and hands its scanner the next chunk, so no worker waits for the others to
  // finish a round, and what is left once the scans end is the fold of one chunk, not a round's.
  struct InFlight {
    std::future<Chunk> chunk;
    LeafScanner* scanner;
  };
  std::deque<InFlight> window;
  std::uint64_t next_from = 0;
  for (auto& scanner : scanners) {
    if (!report.problem.empty() || next_from >= end) break;
    window.push_back({launch(scanner.get(), next_from), scanner.get()});
    next_from += chunk;
  }
  while (!window.empty() && report.problem.empty()) {
    Chunk c = window.front().chunk.get();
    LeafScanner* const scanner = window.front().scanner;
    window.pop_front();
    if (next_from < end) {  // the scanner is free again: start its next chunk before folding this one
      window.push_back({launch(scanner, next_from), scanner});
      next_from += chunk;
    }
    if (!c.problem) return c.problem.error();
    // The hub serves proofs from the stored nodes, not from the entries: each must be the node
    // recomputed here, at the position the tree put it.
    std::size_t next_node = 0;
    const auto compare_node = [&](int level, std::uint64_t index, const Hash& hash) {
      if (!report.problem.empty()) return;
      const std::uint64_t pos = postorder_position({.level = level, .index = index});
      if (next_node == c.nodes.size() || c.nodes[next_node].pos != pos) {
        report.problem = node_name(level, index) + " is missing from merkle_nodes (position " + std::to_string(pos) +
                         "): the hub cannot prove entries under it";
        return;
      }
      const StoredNode& stored = c.nodes[next_node++];
      if (stored.level != level || stored.index != index) {
        report.problem = "merkle_nodes position " + std::to_string(pos) + " should hold " + node_name(level, index) +
                         " but names (" + std::to_string(stored.level) + ", " + std::to_string(stored.index) +
                         ") (edited)";
      } else if (stored.hash != hash && level == 0) {
        report.problem = "entry " + std::to_string(index) +
                         ": the leaf recomputed from its columns differs from the tree's copy in merkle_nodes: the "
                         "entry was edited together with its leaf_hash column, or the tree node was";
      } else if (stored.hash != hash) {
        report.problem = node_name(level, index) +
                         " in merkle_nodes differs from the one recomputed from the entries (edited): "
                         "proofs the hub serves through it do not verify";
      }
      ++report.nodes;
    };
    for (const Hash& leaf : c.leaves) {
      builder.add(leaf, compare_node);
      if (!report.problem.empty()) break;
      ++expected;
      check_at(expected);
      if (!report.problem.empty()) break;
    }
    if (report.problem.empty() && !c.problem->empty()) report.problem = *c.problem;
    if (!report.problem.empty()) break;
    if (c.subjects) entry_subjects.merge(*c.subjects);
    purges.merge(c.purges);
  }
  report.entries = expected;
  report.root = builder.root();
  if (report.problem.empty()) {
    // Nodes past the last entry: the tree claims entries the log no longer holds (entries cut from
    // the end with their checkpoints, but not their nodes).
    YICI_TRY(const auto beyond, scanners.front()->nodes_from(nodes_before_leaf(expected)));
    if (beyond.count > 0) {
      report.problem = std::to_string(beyond.count) + " tree nodes are stored beyond the last entry (" +
                       std::to_string(expected) + " entries; first at merkle_nodes position " +
                       std::to_string(beyond.first) + "): entries were deleted from the end";
    }
  }
  report.last_checkpoint = checkpoints.empty() ? 0 : checkpoints.rbegin()->first;
  if (report.problem.empty() && !checkpoints.empty() && checkpoints.rbegin()->first > expected) {
    report.problem = "checkpoint at size " + std::to_string(checkpoints.rbegin()->first) + " but only " +
                     std::to_string(expected) + " entries: entries were deleted from the end";
  }
  if (report.problem.empty() && saved && saved->tree_size > expected) {
    report.problem = "the saved checkpoint has size " + std::to_string(saved->tree_size) + " but the log only " +
                     std::to_string(expected) + " entries: entries were deleted";
  }
  // Readable subjects go only by retention purges, as a prefix of the log, each recorded by a
  // subject_purge entry (in the tree): a subject gone beyond what they record was removed some
  // other way, which hides whom those accesses were about from a review by requester.
  if (report.problem.empty()) {
    if (const auto first = purges.first_gone_from(purges.recorded_below)) {
      report.problem = "entry " + std::to_string(*first) +
                       ": its readable subject is gone, but the retention purges the log records (subject_purge "
                       "entries) reach " +
                       (purges.recorded_below == 0 ? std::string("no entry")
                                                   : "only up to entry " + std::to_string(purges.recorded_below - 1)) +
                       ": it was removed outside a purge (or by a purge the hub stopped before recording, which it "
                       "records at its next start)";
    }
  }
  if (report.problem.empty() && mark) {
    if (mark->tree_size > expected) {
      report.problem = "the hub stored a checkpoint at size " + std::to_string(mark->tree_size) +
                       " (meta.db's high-water mark) but the log has only " + std::to_string(expected) +
                       " entries: entries were deleted, or audit.db is an older copy";
    } else if (mark->tree_size > 0 && !checkpoints.contains(mark->tree_size)) {
      report.problem = "the hub stored a checkpoint at size " + std::to_string(mark->tree_size) +
                       " (meta.db's high-water mark) that audit.db no longer holds: stored checkpoints were deleted";
    } else {
      report.high_water_checked = true;
    }
  }
  if (index_digest.valid()) {
    auto indexed = index_digest.get();
    if (!indexed) return indexed.error();
    if (report.problem.empty() && !(*indexed == entry_subjects)) {
      YICI_TRY(report.problem, index_check->first_difference());
    }
    report.subject_index_checked = report.problem.empty();
    report.subject_index_rows = indexed->count();
  }
  return report;
}

}  // namespace yici::audit
