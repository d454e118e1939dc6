// yici-bench-audit: the audit log's three figures, with the hub's own code.
//  1. append: T threads append lookup-like entries through AuditLog (group commit, SQLite
//     synchronous=FULL: each answer waits for a durable commit); entries/s.
//  2. verify: the offline verifier (log_verifier.h) over that log: entries/s.
//  3. proof: inclusion-proof latency at --proof-entries leaves. The big tree is built through the
//     same MerkleTree and SQLite node store, from random leaf hashes in 100k-leaf transactions
//     (building it through AuditLog would take the append rate times 10M); proofs are then read
//     from a freshly opened tree, as the hub serves them.
//  4. subject search at the same size: the same file gets a subject index (subject_index.h) of
//     --proof-entries entries over 1M subjects, whole spans merged as the hub merges them, and searches
//     for one subject under 8 subject HMACs (a report over 4 datasets and 2 forms of the number)
//     read it from a freshly opened database, as `GET /v1/audit/events?subject=` does. Before
//     that, the last whole span is merged by the hub's merge steps, each step timed.
// Prints one JSON object for tools/bench/run.py.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>

#include "hub/audit/audit_log.h"
#include "hub/audit/log_verifier.h"
#include "hub/audit/merkle_tree.h"
#include "hub/audit/sqlite_node_store.h"
#include "hub/audit/subject_index.h"
#include "hub/audit/subject_index_merge.h"
#include "hub/store/sqlite/wal_checkpointer.h"
#include "hub/store/stores.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A stand-in for subject k's HMAC in one of 8 datasets and forms: 44 characters like base64 of
// 32 bytes, spread over the key space as real HMACs are.
std::string fake_hmac(std::uint64_t k, int form) {
  std::uint64_t x = k * 8 + static_cast<std::uint64_t>(form) + 0x9E3779B97F4A7C15ULL;
  std::string out;
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  while (out.size() < 43) {
    x ^= x >> 30;  // splitmix64
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    for (int i = 0; i < 10 && out.size() < 43; ++i) out += kAlphabet[(x >> (6 * i)) & 63];
  }
  return out + "=";
}

int fail(const std::string& what) {
  std::fprintf(stderr, "yici-bench-audit: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"yici-bench-audit: audit append, verification and inclusion-proof figures"};
  std::string dir;
  std::uint64_t entries = 100000;
  int threads = 16;
  std::uint64_t proof_entries = 10'000'000;
  int proofs = 1000;
  int searches = 20;
  bool keep = false;
  app.add_option("--dir", dir, "scratch directory (removed first)")->required();
  app.add_option("--entries", entries, "entries to append")->capture_default_str();
  app.add_option("--threads", threads, "appending threads")->capture_default_str();
  app.add_option("--proof-entries", proof_entries, "leaves in the tree proofs are taken from")->capture_default_str();
  app.add_option("--proofs", proofs, "inclusion proofs to time")->capture_default_str();
  app.add_option("--searches", searches, "subject searches to time")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_flag("--keep", keep, "keep the scratch directory (its data/ is a data_dir for `yici-ctl audit verify`)");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::remove_all(dir);

  // 1. Append.
  double append_s = 0;
  std::string audit_db;
  {
    auto stores = yici::store::Stores::open(dir + "/data");
    if (!stores) return fail(stores.error().message);
    audit_db = stores->audit->path();
    auto log = yici::audit::AuditLog::open(*stores->audit, std::string(64, 'k'));
    if (!log) return fail(log.error().message);
    std::atomic<std::uint64_t> next{0};
    std::atomic<bool> failed{false};
    const auto start = Clock::now();
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        yici::api::AuditEvent e;
        e.principal = "market-regulation";
        e.cert_fingerprint = "ab:cd:ef";
        e.purpose = "food-business-license";
        e.action = "lookup";
        e.dataset = "population";
        e.fields = {"id_number", "name", "gender"};
        e.outcome = "allowed";
        e.http_status = 200;
        for (std::uint64_t i = next++; i < entries; i = next++) {
          e.request_id = "bench-" + std::to_string(i);
          e.subject = "3301061990030" + std::to_string(10000 + i % 90000);
          auto r = (*log)->append(
              e, [](std::int64_t index) { return R"({"audit_index":)" + std::to_string(index) + R"(,"records":[]})"; });
          if (!r) failed = true;
        }
      });
    }
    for (auto& w : workers) w.join();
    append_s = since(start);
    if (failed) return fail("an append failed");
  }

  // 2. Verify, offline, as `yici-ctl audit verify --data-dir` does (page cache warm from the
  // appends): the median of three runs, as a short measurement on a shared machine is noisy.
  std::vector<double> verify_runs;
  std::uint64_t verified = 0;
  for (int run = 0; run < 3; ++run) {
    const auto vstart = Clock::now();
    // With the subject key, as yici-ctl does when the data directory holds audit-hmac.key.
    auto report = yici::audit::verify_audit_db(audit_db, nullptr, std::nullopt, {.subject_key = std::string(64, 'k')});
    verify_runs.push_back(since(vstart));
    if (!report) return fail(report.error().message);
    if (!report->problem.empty()) return fail("verification failed: " + report->problem);
    if (!report->subjects_checked) return fail("subjects were not checked");
    verified = report->entries;
  }
  std::sort(verify_runs.begin(), verify_runs.end());
  const double verify_s = verify_runs[1];

  // 3. A tree of proof_entries leaves, then proofs from a freshly opened tree.
  const std::string tree_db = dir + "/tree.db";
  constexpr std::uint64_t kSearchSubjects = 1'000'000;
  std::vector<std::uint32_t> subject_entries(kSearchSubjects);  // entries per subject, to check searches
  double build_s = 0;
  {
    auto db = yici::store::sqlite::Database::open(tree_db, yici::audit::kMerkleMigrations);
    if (!db) return fail(db.error().message);
    yici::audit::SqliteNodeStore store(**db);
    auto tree = yici::audit::MerkleTree::open(store);
    if (!tree) return fail(tree.error().message);
    // What a subject search reads besides the index: log_info and the (here empty) entries.
    const std::string schema = std::string("CREATE TABLE log_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);") +
                               yici::audit::kAuditEntryMigration + yici::audit::kSubjectIndexMigration +
                               yici::audit::kSubjectSpansMigration;
    constexpr std::int64_t kSpan = std::int64_t{1} << yici::audit::kSubjectSpanShift;
    // The last whole span is left in buckets: merging it is timed below.
    const std::int64_t spans_end =
        std::max<std::int64_t>(0, (static_cast<std::int64_t>(proof_entries) & ~(kSpan - 1)) - kSpan);
    if (auto st = (*db)->with_writer([&](auto& w) { return w.exec(schema); }); !st.ok())
      return fail(st.error().message);
    std::mt19937_64 rng(42);
    std::vector<yici::audit::Hash> leaves;
    std::vector<std::pair<std::string, std::int64_t>> subjects;  // (hmac, seq) of one batch, in key order
    const auto bstart = Clock::now();
    for (std::uint64_t done = 0; done < proof_entries;) {
      const std::uint64_t n = std::min<std::uint64_t>(100000, proof_entries - done);
      leaves.resize(n);
      for (auto& h : leaves) {
        for (std::size_t i = 0; i < h.size(); i += 8) {
          const std::uint64_t r = rng();
          std::memcpy(h.data() + i, &r, 8);
        }
      }
      subjects.clear();
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t k = rng() % kSearchSubjects;
        subject_entries[k]++;
        subjects.emplace_back(fake_hmac(k, 0), static_cast<std::int64_t>(done + i));
      }
      auto st = (*db)->with_writer([&](yici::store::sqlite::Connection& w) -> yici::Status {
        YICI_TRY(auto tx, yici::store::sqlite::Transaction::begin(w));
        yici::audit::PendingAppend pending = (*tree)->prepare_append(leaves);
        YICI_TRY_STATUS(yici::audit::SqliteNodeWriter(w).put(pending.nodes));
        // Entries of whole spans in the spans, the rest in buckets: the index as the hub's
        // merger leaves it (subject_index_merge.h).
        YICI_TRY(auto* add_to_bucket,
                 w.cached("INSERT INTO audit_subject_index (bucket, subject_hmac, seq) VALUES (?1, ?2, ?3)"));
        YICI_TRY(auto* add_to_span,
                 w.cached("INSERT INTO audit_subject_spans (span, subject_hmac, seq) VALUES (?1, ?2, ?3)"));
        for (const auto& [hmac, seq] : subjects) {
          auto* add = seq < spans_end ? add_to_span : add_to_bucket;
          const int shift = seq < spans_end ? yici::audit::kSubjectSpanShift : yici::audit::kSubjectBucketShift;
          add->bind(1, seq >> shift).bind(2, hmac).bind(3, seq);
          YICI_TRY_STATUS(add->run());
          add->reset();
        }
        YICI_TRY_STATUS(yici::audit::save_log_info(w, "subject_index_upto", static_cast<std::int64_t>(done + n)));
        YICI_TRY_STATUS(yici::audit::save_log_info(
            w, "subject_spans_upto", std::min(spans_end, static_cast<std::int64_t>(done + n)) & ~(kSpan - 1)));
        YICI_TRY_STATUS(tx.commit());
        return (*tree)->commit_append(pending);
      });
      if (!st.ok()) return fail(st.error().message);
      done += n;
    }
    build_s = since(bstart);
  }
  // The last whole span merged by the hub's own steps, each timed: a step holds the audit writer,
  // so its duration is how long a group commit can wait behind it.
  std::vector<double> merge_step_ms;
  {
    auto db = yici::store::sqlite::Database::open(tree_db, yici::audit::kMerkleMigrations);
    if (!db) return fail(db.error().message);
    // As the hub runs it: the log checkpointed on a thread of its own, not inside the steps, and
    // the steps paced as the audit log's merger paces them.
    auto checkpoints = yici::store::sqlite::WalCheckpointer::start(**db);
    if (!checkpoints) return fail(checkpoints.error().message);
    for (bool more = true; more;) {
      const auto run_until = Clock::now() + yici::audit::kSubjectMergeRun;
      while (Clock::now() < run_until) {
        const auto t = Clock::now();
        auto step = (*db)->with_writer([](auto& w) { return yici::audit::merge_subject_step(w); });
        if (!step) return fail(step.error().message);
        more = *step;
        if (!more) break;
        merge_step_ms.push_back(since(t) * 1000);
        std::this_thread::sleep_for(yici::audit::kSubjectMergePause);
      }
      if (more) std::this_thread::sleep_for(yici::audit::kSubjectIndexEvery);
    }
  }
  double merge_total_ms = 0;
  for (const double m : merge_step_ms) merge_total_ms += m;
  if (merge_step_ms.empty()) merge_step_ms.push_back(0);  // fewer entries than two spans
  std::vector<double> ms;
  std::vector<double> search_ms;
  std::uint64_t proof_size = 0;
  {
    auto db = yici::store::sqlite::Database::open(tree_db, yici::audit::kMerkleMigrations);
    if (!db) return fail(db.error().message);
    yici::audit::SqliteNodeStore store(**db);
    auto tree = yici::audit::MerkleTree::open(store);
    if (!tree) return fail(tree.error().message);
    proof_size = (*tree)->size();
    std::mt19937_64 rng(7);
    for (int i = 0; i < proofs; ++i) {
      const std::uint64_t index = rng() % proof_size;
      const auto t = Clock::now();
      auto path = (*tree)->inclusion_proof(index, proof_size);
      ms.push_back(since(t) * 1000);
      if (!path) return fail(path.error().message);
    }
    auto reader = (*db)->reader();
    if (!reader) return fail(reader.error().message);
    for (int i = 0; i < searches; ++i) {
      const std::uint64_t k = rng() % kSearchSubjects;
      constexpr int kForms = 8;
      std::vector<std::string> hmacs;
      hmacs.reserve(kForms);
      for (int form = 0; form < kForms; ++form) hmacs.push_back(fake_hmac(k, form));
      std::uint64_t found = 0;
      const auto t = Clock::now();
      auto st = yici::audit::for_each_subject_seq(**reader, hmacs, -1, [&](std::int64_t) -> yici::Result<bool> {
        ++found;
        return true;
      });
      search_ms.push_back(since(t) * 1000);
      if (!st.ok()) return fail(st.error().message);
      if (found != subject_entries[k]) {
        return fail("subject search found " + std::to_string(found) + " entries of " +
                    std::to_string(subject_entries[k]));
      }
    }
  }
  const auto pct = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  std::printf(
      "{\"append_entries\":%llu,\"append_threads\":%d,\"append_per_s\":%.1f,\"verify_entries_per_s\":%.1f,"
      "\"proof_tree_size\":%llu,\"proof_tree_build_s\":%.1f,\"proof_ms\":%.4f,\"proof_p99_ms\":%.4f,"
      "\"subject_search_ms\":%.3f,\"subject_search_max_ms\":%.3f,\"subject_merge_steps\":%zu,"
      "\"subject_merge_ms\":%.1f,\"subject_merge_step_p99_ms\":%.3f,\"subject_merge_step_max_ms\":%.3f}\n",
      static_cast<unsigned long long>(entries), threads, static_cast<double>(entries) / append_s,
      static_cast<double>(verified) / verify_s, static_cast<unsigned long long>(proof_size), build_s, pct(ms, 0.5),
      pct(ms, 0.99), pct(search_ms, 0.5), pct(search_ms, 1.0), merge_step_ms.size(), merge_total_ms,
      pct(merge_step_ms, 0.99), pct(merge_step_ms, 1.0));
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
