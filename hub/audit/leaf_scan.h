// Recomputes stored audit entries' leaves from their readable columns, a range of seq at a time,
// and reads the stored tree nodes those leaves complete, for the offline verifier (log_verifier.h). Rows are rendered
// in place from SQLite's column buffers into one reused buffer: no per-row allocation, no JSON parsing (the stored
// `fields` text goes into the leaf as it is, so any edit to it, even one that keeps its meaning, shows).
//
// Thread safety: a LeafScanner has its own read-only connection and is used by one thread at a
// time; several scanners over the same file may run in parallel.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/audit/hash.h"
#include "hub/audit/multiset_digest.h"
#include "hub/core/hmac_sha256.h"
#include "hub/core/result.h"

namespace yici::store::sqlite {
class Connection;
}

namespace yici::audit {

// A row of merkle_nodes (sqlite_node_store.h) as stored: its post-order position and what it names.
struct StoredNode {
  std::uint64_t pos = 0;
  int level = 0;
  std::uint64_t index = 0;
  Hash hash{};
};

// The number of tree nodes that leaves [0, leaf) complete: the post-order position of the first
// node leaf `leaf` completes, its own (postorder_position in sqlite_node_store.h).
std::uint64_t nodes_before_leaf(std::uint64_t leaf);

struct SeqBounds {
  std::int64_t min = 0;
  std::int64_t max = -1;  // max < min: no entries
};

// Entries below `below` that have a subject go into `digest` as (subject_hmac, seq): what the
// subject index must hold (subject_index_check.h).
struct SubjectFold {
  std::uint64_t below = 0;
  MultisetDigest* digest = nullptr;
};

// Readable-subject purges (subject_retention.h) as a range of entries shows them: the entries
// whose readable subject is gone (subject NULL beside a subject_hmac: there was one), as runs of
// seq, and how far the purges that its subject_purge entries record reach. The verifier checks
// that every subject gone lies below what the log records as purged.
struct PurgeFacts {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gone;  // [from, to) runs, ascending
  std::uint64_t recorded_below = 0;                           // one past the last entry a subject_purge entry names

  void add_gone(std::uint64_t seq);
  // Appends the facts of the range after this one.
  void merge(const PurgeFacts& later);
  // The first entry whose subject is gone at or beyond `below`; nullopt when there is none.
  [[nodiscard]] std::optional<std::uint64_t> first_gone_from(std::uint64_t below) const;
};

class LeafScanner {
 public:
  // `subject_key`: the audit HMAC key, or null. With it, an entry's readable subject (where not
  // purged) must match its subject_hmac: the subject is outside the leaf, so without this check
  // a changed subject would pass. Not owned; it must outlive the scanner.
  static Result<std::unique_ptr<LeafScanner>> open(const std::string& audit_db_path,
                                                   const HmacSha256* subject_key = nullptr);
  ~LeafScanner();
  LeafScanner(const LeafScanner&) = delete;
  LeafScanner& operator=(const LeafScanner&) = delete;

  // The lowest and highest stored seq.
  Result<SeqBounds> bounds();

  // Appends the leaves of entries [from, to) to `leaves`, in order, each checked against its
  // stored leaf hash. Stops at the first entry that is missing or whose columns no longer match
  // its leaf, and returns a message naming it; an empty string when the whole range verified.
  // With `subjects`, also folds the range's entries into its digest.
  // With `purges`, also notes the range's purged subjects and recorded purges into it.
  Result<std::string> scan(std::uint64_t from, std::uint64_t to, std::vector<Hash>& leaves,
                           const SubjectFold& subjects = {}, PurgeFacts* purges = nullptr);

  // Appends the stored tree nodes that leaves [from, to) complete (positions
  // [nodes_before_leaf(from), nodes_before_leaf(to))), in position order; the caller compares them
  // with the tree it recomputes. Rows missing from the range are simply absent.
  Status stored_nodes(std::uint64_t from, std::uint64_t to, std::vector<StoredNode>& nodes);

  // The number of stored tree nodes at position `pos` or beyond, and the lowest such position.
  struct Beyond {
    std::uint64_t count = 0;
    std::uint64_t first = 0;
  };
  Result<Beyond> nodes_from(std::uint64_t pos);

 private:
  LeafScanner(std::unique_ptr<store::sqlite::Connection> db, const HmacSha256* subject_key);
  Result<std::optional<std::int64_t>> next_stored_after(std::uint64_t seq);

  std::unique_ptr<store::sqlite::Connection> db_;
  const HmacSha256* subject_key_;
  std::string buffer_;
};

}  // namespace yici::audit
