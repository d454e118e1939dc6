// The offline verifier's check of the subject index (subject_index.h) against the entries: a
// subject search must find exactly the entries that carry its HMAC. The index is outside the
// tree, so without this check rows deleted from it would hide accesses from a subject's report
// while the log still verified, and a row moved to another HMAC would show an entry in someone
// else's report.
//
// The rows a search can return (spans below spans_upto, buckets from there up to upto) are read
// once, in one snapshot, into an order-independent digest (multiset_digest.h); the leaf scan folds
// the entries below upto into a digest with the same key. Only when the two differ are the tables
// joined to name the first row that differs (a join per entry: slow, but only for a damaged log).
//
// Thread safety: one thread at a time; the read snapshot lasts as long as the check object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hub/audit/multiset_digest.h"
#include "hub/audit/subject_index.h"
#include "hub/core/result.h"
#include "hub/store/sqlite/connection.h"

namespace yici::audit {

class SubjectIndexCheck {
 public:
  // Opens a read-only connection and a snapshot on `audit_db_path`. nullopt, with the reason in
  // `skipped`, when there is no index to check: a log from before the subject index, or one whose
  // recorded position the hub does not trust (searches then scan the log; subject_index_state).
  static Result<std::unique_ptr<SubjectIndexCheck>> open(const std::string& audit_db_path, std::string& skipped);
  ~SubjectIndexCheck();
  SubjectIndexCheck(const SubjectIndexCheck&) = delete;
  SubjectIndexCheck& operator=(const SubjectIndexCheck&) = delete;

  // Entries [0, indexed_upto()) with a subject must each be in the index once.
  [[nodiscard]] std::int64_t indexed_upto() const { return state_.upto; }

  // The digest of the (subject_hmac, seq) of every index row a search can return.
  Result<MultisetDigest> index_digest(const DigestKey& key);

  // After the digests differ: the first difference, named for an auditor.
  Result<std::string> first_difference();

 private:
  SubjectIndexCheck(std::unique_ptr<store::sqlite::Connection> db, SubjectIndexState state)
      : db_(std::move(db)), state_(state) {}

  std::unique_ptr<store::sqlite::Connection> db_;
  SubjectIndexState state_;
};

}  // namespace yici::audit
