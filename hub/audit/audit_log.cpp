#include "hub/audit/audit_log.h"

#include <algorithm>

#include "hub/audit/base64.h"
#include "hub/audit/subject_index.h"
#include "hub/audit/subject_index_merge.h"
#include "hub/audit/subject_key.h"
#include "hub/core/log.h"
#include "hub/core/sha256.h"
#include "hub/core/thread_name.h"
#include "hub/core/time.h"
#include "hub/core/utf8.h"

namespace yici::audit {
namespace {

// Text a request supplied, as the audit log keeps it: at most 256 bytes, with the length it had.
// A refused request's subject or purpose can be anything up to the header limit, and one batch
// could otherwise add a megabyte of it to the log.
std::string bounded(std::string_view text) { return bounded_utf8(text, 256); }

constexpr const char* kInsertEntry =
    "INSERT INTO audit_entries (seq, time, request_id, principal, cert_fingerprint, purpose, action, dataset, "
    "subject, subject_hmac, fields, outcome, http_status, body_sha256, leaf_hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

}  // namespace

AuditLog::AuditLog(store::sqlite::Database& db, const std::string& key, AuditLogOptions options)
    : db_(db), subject_key_(key), options_(std::move(options)), nodes_(db) {}

Result<std::unique_ptr<AuditLog>> AuditLog::open(store::sqlite::Database& db, const std::string& hmac_key,
                                                 AuditLogOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(db, hmac_key, std::move(options)));
  YICI_TRY(log->tree_, MerkleTree::open(log->nodes_));
  // The entries and the tree are written in one transaction: their sizes must agree.
  YICI_TRY(auto* reader, db.reader());
  YICI_TRY(auto count, reader->prepare("SELECT count(*), coalesce(max(seq) + 1, 0) FROM audit_entries"));
  YICI_TRY(const bool row, count.step());
  const auto entries = row ? count.column_int(0) : 0;
  const auto next_seq = row ? count.column_int(1) : 0;
  if (static_cast<std::uint64_t>(entries) != log->tree_->size() || entries != next_seq) {
    return Error::corruption(db.path() + ": the audit log has " + std::to_string(entries) + " entries (next seq " +
                             std::to_string(next_seq) + ") but its tree has " + std::to_string(log->tree_->size()) +
                             " leaves; run yici-ctl audit verify --data-dir on a copy and restore from backup");
  }
  YICI_TRY(auto datasets, reader->prepare("SELECT dataset FROM audit_datasets"));
  while (true) {
    YICI_TRY(const bool more, datasets.step());
    if (!more) break;
    log->datasets_known_.emplace(datasets.column_text(0));
  }
  YICI_TRY(log->subject_index_upto_, subject_index_upto(*reader));
  log->next_index_ = log->tree_->size();
  // A hub started on a full disk is not ready until it can write (it said ready until the first
  // lookup failed).
  if (auto probe = log->probe_write(); !probe.ok()) {
    log->failing_ = true;
    log->last_failure_log_ = std::chrono::steady_clock::now();
    log::error("audit_commit_failed",
               {{"error", probe.error().message},
                {"action",
                 "the audit database takes no writes at start: lookups answer 503 and /readyz reports audit false "
                 "until it does; check disk space and permissions of " +
                     db.path()}});
  }
  log->thread_ = std::thread([raw = log.get()] {
    set_thread_name("audit-commit");
    raw->committer();
  });
  log->merger_ =
      std::make_unique<PeriodicTask>("audit-merge", kSubjectIndexEvery, [raw = log.get()] { raw->merge_subjects(); });
  return log;
}

AuditLog::~AuditLog() {
  merger_.reset();  // a run in progress finishes its step first
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<std::string> AuditLog::subject_hmacs_of(const std::string& dataset, const std::string& subject) const {
  std::vector<std::string> hmacs{subject_hmac(subject_key_, dataset, subject)};
  if (folded_subject_key(subject)) hmacs.push_back(subject_hmac_as_written(subject_key_, dataset, subject));
  return hmacs;
}

Result<std::string> AuditLog::append(const api::AuditEvent& event,
                                     const std::function<std::string(std::int64_t)>& render) {
  return enqueue({event}, render);
}

Result<std::string> AuditLog::append_many(const std::vector<api::AuditEvent>& events,
                                          const std::function<std::string(std::int64_t)>& render) {
  if (events.empty()) return Error::internal("append_many with no events");
  return enqueue(events, render);
}

Result<std::string> AuditLog::enqueue(const std::vector<api::AuditEvent>& events,
                                      const std::function<std::string(std::int64_t)>& render) {
  auto pending = std::make_unique<Pending>();
  const std::string now = format_rfc3339_micros(now_utc());
  for (const auto& e : events) {  // everything but the index and the body hash, outside the lock
    AuditEntry entry;
    entry.time = e.time.empty() ? now : e.time;
    entry.request_id = e.request_id;
    entry.principal = e.principal;
    entry.cert_fingerprint = e.cert_fingerprint;
    entry.purpose = bounded(e.purpose);
    entry.action = e.action;
    entry.dataset = bounded(e.dataset);
    entry.subject = bounded(e.subject);
    entry.subject_hmac = entry.subject.empty() ? "" : subject_hmac(subject_key_, entry.dataset, entry.subject);
    entry.fields = e.fields;
    entry.outcome = e.outcome;
    entry.http_status = e.http_status;
    pending->entries.push_back(std::move(entry));
  }
  std::future<Status> done = pending->done.get_future();
  api::CommitDeferral* deferral = api::CommitDeferral::current();
  if (deferral != nullptr) {
    pending->deferral = deferral->shared_from_this();
    deferral->expect();
  }
  std::string body;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      if (deferral != nullptr) deferral->done(Error::unavailable("shutting down"));
      return Error::unavailable("the audit log is shutting down");
    }
    const std::uint64_t first = next_index_;
    body = render(static_cast<std::int64_t>(first));
    const std::string digest = sha256_hex(body);
    for (std::size_t i = 0; i < pending->entries.size(); ++i) {
      pending->entries[i].seq = static_cast<std::int64_t>(first + i);
      pending->entries[i].body_sha256 = digest;
    }
    next_index_ += pending->entries.size();
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
  if (deferral != nullptr) return body;  // the server waits for the commit before it answers
  Status status = done.get();
  if (!status.ok()) return status.error();
  return body;
}

void AuditLog::set_checkpoint_policy(CheckpointPolicy policy) {
  auto latest = load_checkpoint(db_, std::nullopt, policy.log_id);
  std::lock_guard lock(mu_);
  if (latest.ok() && *latest) last_checkpoint_size_ = (*latest)->tree_size;
  checkpoints_ = std::move(policy);
  checkpointing_ = true;
  wake_.notify_all();
}

Status AuditLog::probe_write() {
  return db_.with_writer([](store::sqlite::Connection& w) -> Status {
    return w.exec(
        "INSERT INTO log_info (key, value) VALUES ('write_probe', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  });
}

void AuditLog::recover_if_writable() {
  if (!probe_write().ok()) return;
  failing_ = false;
  log::info("audit_commit_recovered", {{"commits_failed", failed_commits_}, {"found_by", "write_probe"}});
  failed_commits_ = 0;
}

void AuditLog::maybe_checkpoint(bool force) {
  CheckpointPolicy policy;
  {
    std::lock_guard lock(mu_);
    if (!checkpointing_) return;
    policy = checkpoints_;
  }
  const std::uint64_t size = tree_->size();
  if (size == last_checkpoint_size_) return;
  const bool due = force || size - last_checkpoint_size_ >= policy.every ||
                   std::chrono::steady_clock::now() - last_checkpoint_at_ >= policy.interval;
  if (!due) return;
  const auto keys = policy.keys ? policy.keys() : nullptr;
  if (!keys) return;
  auto root = tree_->root(size);
  if (!root) return;
  auto cp = sign_checkpoint(policy.log_id, size, *root, *keys);
  if (cp.ok()) {
    if (auto st = store_checkpoint(db_, *cp); !st.ok()) {
      log::error("audit_checkpoint_failed", {{"tree_size", size}, {"error", st.error().message}});
      return;
    }
    last_checkpoint_size_ = size;
    last_checkpoint_at_ = std::chrono::steady_clock::now();
    if (policy.on_stored) policy.on_stored(*cp);
    // Base64, as the API, checkpoints and yici-ctl show roots.
    log::info("audit_checkpoint", {{"tree_size", size}, {"root_hash", hash_to_base64(*root)}});
  } else {
    log::error("audit_checkpoint_failed", {{"tree_size", size}, {"error", cp.error().message}});
  }
}

void AuditLog::maybe_index_subjects(bool all) {
  const auto size = static_cast<std::int64_t>(tree_->size());
  const auto now = std::chrono::steady_clock::now();
  if (size <= subject_index_upto_) return;
  if (!all && static_cast<std::uint64_t>(size - subject_index_upto_) < kSubjectIndexLag &&
      now - subject_indexed_at_ < kSubjectIndexEvery) {
    return;
  }
  subject_indexed_at_ = now;
  do {
    auto upto = db_.with_writer([&](store::sqlite::Connection& w) { return index_subjects(w, size); });
    if (!upto.ok() && upto.error().code == ErrorCode::kUnavailable) return;  // locked by another process: later
    if (!upto.ok()) {
      // Searches still find every entry (the tail is scanned), only slower; tried again at the
      // next commit.
      if (subject_index_failures_.failed(now)) {
        log::error("audit_subject_index_failed",
                   {{"error", upto.error().message},
                    {"indexed_upto", subject_index_upto_},
                    {"entries", size},
                    {"failures", subject_index_failures_.count},
                    {"action",
                     "subject searches scan the entries not yet indexed and grow slower; lookups are not "
                     "affected. Check disk space and permissions of " +
                         db_.path()}});
      }
      return;
    }
    if (const auto ended = subject_index_failures_.succeeded(); ended > 0) {
      log::info("audit_subject_index_recovered", {{"failures", ended}, {"indexed_upto", *upto}});
    }
    subject_index_upto_ = *upto;
  } while (all && subject_index_upto_ < size);
}

void AuditLog::merge_subjects() {
  // A step holds the audit writer about a millisecond; paced as subject_index_merge.h says.
  const auto until = std::chrono::steady_clock::now() + kSubjectMergeRun;
  while (std::chrono::steady_clock::now() < until) {
    auto step = db_.with_writer([](store::sqlite::Connection& w) { return merge_subject_step(w); });
    if (!step.ok()) {
      if (step.error().code == ErrorCode::kUnavailable) return;  // locked by another process: next run
      // Searches stay complete (they read the buckets not merged), only slower.
      if (merge_failures_.failed(std::chrono::steady_clock::now())) {
        log::error("audit_subject_merge_failed",
                   {{"error", step.error().message},
                    {"failures", merge_failures_.count},
                    {"action",
                     "subject searches read the index bucket by bucket and grow slower; lookups are not affected. "
                     "Check disk space and permissions of " +
                         db_.path()}});
      }
      return;
    }
    if (const auto ended = merge_failures_.succeeded(); ended > 0) {
      log::info("audit_subject_merge_recovered", {{"failures", ended}});
    }
    if (!*step) return;  // nothing left to merge
    std::this_thread::sleep_for(kSubjectMergePause);
  }
}

void AuditLog::committer() {
  while (true) {
    std::vector<std::unique_ptr<Pending>> group;
    {
      std::unique_lock lock(mu_);
      auto interval = checkpointing_ ? checkpoints_.interval : std::chrono::milliseconds(60'000);
      if (subject_index_behind()) interval = std::min<std::chrono::milliseconds>(interval, kSubjectIndexEvery);
      // While commits fail, look again every few seconds whether writes are taken.
      if (failing_.load()) interval = std::min<std::chrono::milliseconds>(interval, kWriteProbeEvery);
      if (!wake_.wait_for(lock, interval, [&] { return stopping_ || !queue_.empty(); })) {
        lock.unlock();
        if (failing_.load()) recover_if_writable();
        maybe_index_subjects(false);
        maybe_checkpoint(false);  // quiet for a while: sign what has accumulated
        continue;
      }
      if (queue_.empty()) {  // stopping, and everything queued is written
        lock.unlock();
        maybe_index_subjects(true);
        maybe_checkpoint(true);
        return;
      }
      std::size_t n = 0;
      while (!queue_.empty() && (group.empty() || n + queue_.front()->entries.size() <= options_.max_group)) {
        n += queue_.front()->entries.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const auto started = std::chrono::steady_clock::now();
    Status status = write(group);
    if (status.ok()) {
      if (options_.on_commit) {
        options_.on_commit(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
      if (failing_.exchange(false)) {
        log::info("audit_commit_recovered", {{"commits_failed", failed_commits_}});
        failed_commits_ = 0;
      }
      for (auto& p : group) p->complete(Status());  // after the flag: a caller sees it cleared
      maybe_index_subjects(false);
      maybe_checkpoint(false);
      continue;
    }
    // Entries queued meanwhile were numbered after this group: they fail with it, and numbering
    // restarts at the committed size, so the log never has a gap.
    std::deque<std::unique_ptr<Pending>> after;
    {
      std::lock_guard lock(mu_);
      after.swap(queue_);
      next_index_ = tree_->size();
    }
    // Logged when commits start failing and then once a minute with a count: one line per refused
    // lookup would fill the same full disk faster.
    ++failed_commits_;
    ++commit_failures_;
    const auto now = std::chrono::steady_clock::now();
    if (!failing_.exchange(true) || now - last_failure_log_ >= std::chrono::minutes(1)) {
      last_failure_log_ = now;
      log::error("audit_commit_failed",
                 {{"error", status.error().message},
                  {"entries_refused", group.size() + after.size()},
                  {"commits_failed", failed_commits_},
                  {"action",
                   "lookups answer 503 and /readyz reports audit false until the audit database is writable "
                   "again; check disk space and permissions of " +
                       db_.path()}});
    }
    const Error error = Error::unavailable("the audit log could not record this access: " + status.error().message);
    for (auto& p : group) p->complete(error);
    for (auto& p : after) p->complete(error);
  }
}

Status AuditLog::write(std::vector<std::unique_ptr<Pending>>& group) {
  CommitTimes times{.asked = std::chrono::steady_clock::now()};
  Status status = db_.with_writer([&](store::sqlite::Connection& w) -> Status {
    times.locked = std::chrono::steady_clock::now();
    if (fail_for_test_.load()) return Error::io("simulated audit write failure");
    YICI_TRY(auto tx, store::sqlite::Transaction::begin(w));
    times.begun = std::chrono::steady_clock::now();
    YICI_TRY(store::sqlite::Statement * insert, w.cached(kInsertEntry));
    std::vector<Hash> leaves;
    for (const auto& p : group) {
      for (const AuditEntry& e : p->entries) {
        const Hash leaf = e.leaf();
        leaves.push_back(leaf);
        const std::string fields = e.fields_json();
        insert->bind(1, e.seq).bind(2, e.time).bind(3, e.request_id).bind(4, e.principal);
        insert->bind(5, e.cert_fingerprint).bind(6, e.purpose).bind(7, e.action).bind(8, e.dataset);
        insert->bind(9, e.subject).bind(10, e.subject_hmac).bind(11, fields).bind(12, e.outcome);
        insert->bind(13, static_cast<std::int64_t>(e.http_status)).bind(14, e.body_sha256);
        insert->bind_blob(15, std::string_view(reinterpret_cast<const char*>(leaf.data()), leaf.size()));
        auto stepped = insert->step();
        insert->reset();
        if (!stepped.ok()) return stepped.error();
      }
    }
    std::vector<std::string> new_datasets;
    for (const auto& p : group) {
      for (const AuditEntry& e : p->entries) {
        if (datasets_known_.contains(e.dataset) ||
            std::find(new_datasets.begin(), new_datasets.end(), e.dataset) != new_datasets.end()) {
          continue;
        }
        YICI_TRY(store::sqlite::Statement * add,
                 w.cached("INSERT OR IGNORE INTO audit_datasets (dataset) VALUES (?1)"));
        add->bind(1, e.dataset);
        YICI_TRY_STATUS(add->run());
        new_datasets.push_back(e.dataset);
      }
    }
    PendingAppend pending = tree_->prepare_append(leaves);
    YICI_TRY_STATUS(SqliteNodeWriter(w).put(pending.nodes));
    times.written = std::chrono::steady_clock::now();
    YICI_TRY_STATUS(tx.commit());
    times.committed = std::chrono::steady_clock::now();
    for (auto& d : new_datasets) datasets_known_.insert(std::move(d));
    YICI_TRY_STATUS(tree_->commit_append(pending));
    commits_.fetch_add(1);
    entries_written_.fetch_add(leaves.size());
    return {};
  });
  if (status.ok()) {
    std::size_t entries = 0;
    for (const auto& p : group) entries += p->entries.size();
    note_if_slow(times, entries);
  }
  return status;
}

void AuditLog::note_if_slow(const CommitTimes& t, std::size_t entries) {
  if (t.committed - t.asked < options_.slow_commit) return;
  std::uint64_t held_back = 0;
  if (!slow_log_.allow(held_back)) return;
  // Whole milliseconds: the line is about tenths of a second, and reads as numbers, not 1.25E2.
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  log::warn("audit_commit_slow",
            {{"total_ms", ms(t.committed - t.asked)},
             {"writer_wait_ms", ms(t.locked - t.asked)},
             {"begin_ms", ms(t.begun - t.locked)},
             {"write_ms", ms(t.written - t.begun)},
             {"commit_ms", ms(t.committed - t.written)},
             {"entries", entries},
             {"slow_commits", held_back + 1},
             {"action",
              "every lookup answered meanwhile waited for this commit. writer_wait: the hub's WAL checkpointer "
              "or a subject index step held the audit writer; begin: another process held " +
                  db_.path() +
                  " locked; commit: the disk's fsync was slow (check the volume's latency and other I/O on "
                  "it)"}});
}

}  // namespace yici::audit
