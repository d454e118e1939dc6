// The offline verifier over real audit databases: the parallel leaf recomputation gives the same
// root however the log is cut into chunks, and every kind of damage is named by its first entry,
// also when it sits in a later chunk or on a chunk boundary.
#include "hub/audit/log_verifier.h"

#include <doctest/doctest.h>

#include "hub/audit/audit_log.h"
#include "hub/audit/base64.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/leaf_scan.h"
#include "hub/audit/reference_tree.h"
#include "hub/audit/sqlite_node_store.h"
#include "hub/sign/base64url.h"
#include "hub/store/sqlite/connection.h"
#include "hub/store/stores.h"
#include "tests/support/temp_dir.h"

namespace yici::audit {
namespace {

using store::sqlite::Connection;

constexpr std::uint64_t kEntries = 2000;

struct Log {
  test::TempDir dir;
  std::string path;
  std::vector<Hash> leaves;  // as stored, in seq order

  explicit Log(std::uint64_t entries) {
    auto stores = store::Stores::open(dir.file("data")).value();
    path = stores.audit->path();
    {
      auto log = AuditLog::open(*stores.audit, std::string(64, 'k')).value();
      std::vector<api::AuditEvent> batch;
      for (std::uint64_t i = 0; i < entries; ++i) {
        api::AuditEvent e;
        e.request_id = "req-" + std::to_string(i);
        e.principal = i % 3 == 0 ? "market-regulation" : "civil-affairs";
        e.cert_fingerprint = "ab:cd";
        e.purpose = "food-business-license";
        e.action = "lookup";
        e.dataset = "population";
        e.subject = "33010619900301" + std::to_string(1000 + i);
        e.fields = {"id_number", "name"};
        if (i % 7 == 0) e.fields.emplace_back("domicile \"address\"\n");  // escaped in the leaf
        e.outcome = "allowed";
        e.http_status = 200;
        batch.push_back(e);
        if (batch.size() == 100 || i + 1 == entries) {
          REQUIRE(log->append_many(batch, [](std::int64_t) { return std::string("{}"); }).ok());
          batch.clear();
        }
      }
    }
    leaves = stored_leaves();
  }

  // A retention purge's entry (hub_audit.cpp writes it after the purge), naming `range`.
  void append_purge_entry(const std::string& range) const {
    auto stores = store::Stores::open(dir.file("data")).value();
    auto log = AuditLog::open(*stores.audit, std::string(64, 'k')).value();
    api::AuditEvent e;
    e.request_id = "purge";
    e.principal = "hub:retention";
    e.action = "subject_purge";
    e.dataset = range;
    e.outcome = "allowed";
    e.http_status = 200;
    REQUIRE(log->append(e, [](std::int64_t) { return std::string("{}"); }).ok());
  }

  // The entries' leaf_hash column, in seq order.
  [[nodiscard]] std::vector<Hash> stored_leaves() const {
    std::vector<Hash> out;
    auto db = open();
    auto st = db->prepare("SELECT leaf_hash FROM audit_entries ORDER BY seq").value();
    while (st.step().value()) {
      Hash h{};
      const auto blob = st.column_blob(0);
      std::copy(blob.begin(), blob.end(), reinterpret_cast<char*>(h.data()));
      out.push_back(h);
    }
    return out;
  }

  [[nodiscard]] std::unique_ptr<Connection> open() const {
    return Connection::open(path, Connection::Mode::kReadWrite).value();
  }
  void exec(const std::string& sql) const { REQUIRE(open()->exec(sql).ok()); }

  // An unsigned checkpoint row (verify without a JWKS reads its payload only).
  void add_checkpoint(std::uint64_t size, const Hash& root) const {
    const std::string payload = checkpoint_payload("test-log", size, root, "2026-11-23T00:00:00Z");
    const std::string jws = sign::base64url_encode(R"({"alg":"ES256","typ":"yici-checkpoint+jws"})") + "." +
                            sign::base64url_encode(payload) + ".c2ln";
    auto db = open();
    auto st =
        db->prepare("INSERT INTO audit_checkpoints (tree_size, root_hash, timestamp, jws) VALUES (?1, ?3, 't', ?2)")
            .value();
    const std::string root_text = hash_to_base64(root);
    st.bind(1, static_cast<std::int64_t>(size)).bind(2, jws).bind(3, root_text);
    REQUIRE(st.run().ok());
  }

  // Changes entry `seq`'s purpose and recomputes its leaf_hash column to match, as an editor who
  // knows the leaf format would (the tree's copy of the leaf still differs: see rebuild_tree).
  void forge_purpose(std::int64_t seq, const std::string& purpose) const {
    auto db = open();
    auto st = db->prepare(
                    "SELECT time, request_id, principal, cert_fingerprint, action, dataset, subject_hmac, "
                    "fields, outcome, http_status, body_sha256 FROM audit_entries WHERE seq = ?1")
                  .value();
    st.bind(1, seq);
    REQUIRE(st.step().value());
    LeafParts parts;
    parts.seq = seq;
    parts.time = st.column_text(0);
    parts.request_id = st.column_text(1);
    parts.principal = st.column_text(2);
    parts.cert_fingerprint = st.column_text(3);
    parts.purpose = purpose;
    parts.action = st.column_text(4);
    parts.dataset = st.column_text(5);
    parts.subject_hmac = st.column_text(6);
    parts.fields_json = st.column_text(7);
    parts.outcome = st.column_text(8);
    parts.http_status = static_cast<int>(st.column_int(9));
    parts.body_sha256 = st.column_text(10);
    std::string bytes;
    append_leaf_bytes(bytes, parts);
    const Hash forged = leaf_hash(bytes);
    auto update = db->prepare("UPDATE audit_entries SET purpose = ?2, leaf_hash = ?1 WHERE seq = ?3").value();
    update.bind_blob(1, std::string_view(reinterpret_cast<const char*>(forged.data()), forged.size()))
        .bind(2, purpose)
        .bind(3, seq);
    REQUIRE_FALSE(update.step().value());
  }

  // Rewrites every merkle_nodes hash to the tree over the entries' stored leaf_hash column, as an
  // editor who knows the tree's layout would after forging entries.
  void rebuild_tree() const {
    const std::vector<Hash> stored = stored_leaves();
    auto db = open();
    auto update = db->prepare("UPDATE merkle_nodes SET hash = ?1 WHERE pos = ?2").value();
    std::int64_t pos = 0;
    const auto put = [&](const Hash& h) {
      update.bind_blob(1, std::string_view(reinterpret_cast<const char*>(h.data()), h.size())).bind(2, pos++);
      REQUIRE_FALSE(update.step().value());
      update.reset();
    };
    std::vector<std::pair<std::uint64_t, Hash>> stack;  // (leaves covered, hash), post-order
    for (const Hash& leaf : stored) {
      stack.emplace_back(1, leaf);
      put(leaf);
      while (stack.size() >= 2 && stack[stack.size() - 2].first == stack.back().first) {
        const auto right = stack.back();
        stack.pop_back();
        stack.back() = {right.first * 2, node_hash(stack.back().second, right.second)};
        put(stack.back().second);
      }
    }
  }

  [[nodiscard]] VerifyReport verify(unsigned threads, std::uint64_t chunk) const {
    return verify_audit_db(path, nullptr, std::nullopt, {.threads = threads, .chunk = chunk}).value();
  }
  [[nodiscard]] VerifyReport verify_with_key(const std::string& key) const {
    return verify_audit_db(path, nullptr, std::nullopt, {.threads = 3, .chunk = 100, .subject_key = key}).value();
  }
};

Hash root_of_first(const std::vector<Hash>& leaves, std::uint64_t n) {
  return reference::root(std::span<const Hash>(leaves.data(), n));
}

TEST_CASE("log verifier: the same root however the work is split, equal to the reference tree's") {
  const Log log(kEntries);
  REQUIRE(log.leaves.size() == kEntries);
  const Hash expected = reference::root(log.leaves);
  log.add_checkpoint(777, root_of_first(log.leaves, 777));  // inside a chunk for every split below
  log.add_checkpoint(kEntries, expected);
  struct Split {
    unsigned threads;
    std::uint64_t chunk;
  };
  for (const Split s : {Split{1, 1U << 20}, Split{2, 7}, Split{3, 64}, Split{8, 1000}, Split{2, kEntries}}) {
    INFO("threads " << s.threads << ", chunk " << s.chunk);
    const auto r = log.verify(s.threads, s.chunk);
    CHECK(r.problem.empty());
    CHECK(r.entries == kEntries);
    CHECK(r.checkpoints == 2);
    CHECK(r.last_checkpoint == kEntries);
    CHECK(r.root == expected);
    CHECK(r.nodes == nodes_before_leaf(kEntries));  // every stored node compared
  }
}

TEST_CASE("log verifier: an empty log verifies with the empty root") {
  const Log log(0);
  const auto r = log.verify(2, 16);
  CHECK(r.problem.empty());
  CHECK(r.entries == 0);
  CHECK(r.root == empty_root());
}

TEST_CASE("log verifier: a file that is no audit log is named as such") {
  test::TempDir dir;
  dir.write("empty.db", "");
  dir.write("garbage.db", "not a database at all, but longer than a header would be........................");
  {
    auto other = store::sqlite::Connection::open(dir.file("other.db"), store::sqlite::Connection::Mode::kReadWrite);
    REQUIRE(other.ok());
    REQUIRE((*other)->exec("CREATE TABLE person (sfzh TEXT)").ok());
  }
  for (const char* name : {"empty.db", "garbage.db", "other.db"}) {
    CAPTURE(name);
    const auto r = verify_audit_db(dir.file(name), nullptr, std::nullopt, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(dir.file(name) + " is not a Yici audit log") == 0);
  }
}

TEST_CASE("log verifier: a checkpoint whose root differs stops verification at its size") {
  const Log log(kEntries);
  Hash wrong = root_of_first(log.leaves, 1333);
  wrong[0] ^= 1;
  log.add_checkpoint(1333, wrong);
  const auto r = log.verify(2, 64);
  CHECK(r.problem.find("checkpoint at size 1333") != std::string::npos);
  CHECK(r.entries == 1333);
}

TEST_CASE("log verifier: an entry edited with its leaf hash recomputed is placed between two checkpoints") {
  const Log log(kEntries);
  log.add_checkpoint(500, root_of_first(log.leaves, 500));
  log.add_checkpoint(1333, root_of_first(log.leaves, 1333));
  REQUIRE(log.verify(2, 64).problem.empty());
  // Entry 800's purpose changed and its leaf_hash recomputed to match: the row agrees with its own
  // leaf hash, so only the tree (the signed root at 1333) shows the edit, and the checkpoint at
  // 500 bounds where it happened.
  log.forge_purpose(800, "newborn-one-thing");
  // The tree's stored copy of the leaf still differs, naming the entry.
  CHECK(log.verify(2, 64).problem ==
        "entry 800: the leaf recomputed from its columns differs from the tree's copy in merkle_nodes: the entry was "
        "edited together with its leaf_hash column, or the tree node was");
  // Rewrite the stored tree too: only the signed root shows the edit, and the checkpoint at 500
  // bounds where it happened.
  log.rebuild_tree();
  const auto r = log.verify(2, 64);
  CHECK(r.problem ==
        "checkpoint at size 1333: signed root differs from the root recomputed from the entries: an entry from 500 "
        "to 1332 was changed after it was signed (the checkpoint at size 500 matched)");
  CHECK(r.entries == 1333);
}

TEST_CASE("log verifier: a checkpoint's root_hash column edited away from its signed root is named") {
  const Log log(kEntries);
  log.add_checkpoint(1000, root_of_first(log.leaves, 1000));
  CHECK(log.verify(2, 64).problem.empty());
  Hash other = root_of_first(log.leaves, 999);
  log.exec("UPDATE audit_checkpoints SET root_hash = '" + hash_to_base64(other) + "' WHERE tree_size = 1000");
  CHECK(log.verify(2, 64).problem ==
        "checkpoint at size 1000: its root_hash column differs from the root in its signed payload (edited)");
}

TEST_CASE("log verifier: missing entries are named, in a later chunk and across a whole chunk") {
  const Log log(kEntries);
  SUBCASE("one entry inside a chunk") {
    log.exec("DELETE FROM audit_entries WHERE seq = 1500");
    const auto r = log.verify(2, 64);
    CHECK(r.problem == "entry 1500 is missing (next stored entry is 1501)");
    CHECK(r.entries == 1500);
    CHECK(r.root == root_of_first(log.leaves, 1500));
  }
  SUBCASE("a whole chunk, boundary to boundary") {
    log.exec("DELETE FROM audit_entries WHERE seq >= 1536 AND seq < 1600");
    const auto r = log.verify(2, 64);
    CHECK(r.problem == "entry 1536 is missing (next stored entry is 1600)");
    CHECK(r.entries == 1536);
  }
  SUBCASE("the first entry") {
    log.exec("DELETE FROM audit_entries WHERE seq = 0");
    CHECK(log.verify(3, 100).problem == "entry 0 is missing (next stored entry is 1)");
  }
  SUBCASE("a row moved below zero") {
    log.exec("UPDATE audit_entries SET seq = -5 WHERE seq = 10");
    const auto r = log.verify(2, 64);
    CHECK(r.problem.find("seq -5") != std::string::npos);
    CHECK(r.entries == 0);
  }
}

TEST_CASE("log verifier: an edited column is caught, even an edit that keeps the JSON's meaning") {
  const Log log(kEntries);
  SUBCASE("the fields array re-spaced in the last entry") {
    log.exec(R"(UPDATE audit_entries SET fields = replace(fields, '","', '", "') WHERE seq = 1999)");
    const auto r = log.verify(2, 64);
    CHECK(r.problem == "entry 1999: its columns no longer match its leaf (edited)");
    CHECK(r.entries == 1999);
  }
  SUBCASE("a purpose changed, and a later entry deleted: the first problem is named") {
    log.exec("UPDATE audit_entries SET purpose = 'newborn-one-thing' WHERE seq = 1200");
    log.exec("DELETE FROM audit_entries WHERE seq = 1900");
    CHECK(log.verify(4, 50).problem == "entry 1200: its columns no longer match its leaf (edited)");
  }
  SUBCASE("a purged subject is not an edit, a subject gone beyond the purges recorded is") {
    log.exec("UPDATE audit_entries SET subject = NULL WHERE seq < 1500");
    // Nothing in the log records a purge: the leaves and the tree are intact, the subjects are not.
    CHECK(log.verify(2, 64).problem ==
          "entry 0: its readable subject is gone, but the retention purges the log records (subject_purge entries) "
          "reach no entry: it was removed outside a purge (or by a purge the hub stopped before recording, which it "
          "records at its next start)");
    // The retention purge's own entry names entries 0-1199: the rest were removed some other way.
    log.append_purge_entry("entries 0-1199 before 2026-11-01T00:00:00.000000Z");
    auto r = log.verify(4, 50);
    CHECK(r.problem.rfind("entry 1200: its readable subject is gone", 0) == 0);
    CHECK(r.problem.find("reach only up to entry 1199") != std::string::npos);
    // A later purge covering them: clean, with the key too (nothing readable to check there).
    log.append_purge_entry("entries 1200-1499 before 2026-11-02T00:00:00.000000Z");
    r = log.verify(2, 64);
    CHECK(r.problem.empty());
    CHECK(r.entries == kEntries + 2);
    CHECK(log.verify_with_key(std::string(64, 'k')).problem.empty());
  }
}

TEST_CASE("log verifier: with the HMAC key, a subject changed to another person's is caught") {
  const Log log(kEntries);
  const std::string key(64, 'k');  // the key Log's entries were written with
  const auto clean = log.verify_with_key(key);
  CHECK(clean.problem.empty());
  CHECK(clean.subjects_checked);
  CHECK_FALSE(log.verify(2, 64).subjects_checked);
  // The readable subject is outside the leaf: without the key the change passes.
  log.exec("UPDATE audit_entries SET subject = '330102199207090919' WHERE seq = 1234");
  CHECK(log.verify(2, 64).problem.empty());
  const auto r = log.verify_with_key(key);
  CHECK(r.problem == "entry 1234: its readable subject no longer matches its subject_hmac (the subject was edited)");
  CHECK(r.entries == 1234);
  // The wrong key calls the first entry with a subject edited: that key is not this log's.
  CHECK(log.verify_with_key(std::string(64, 'x')).problem.rfind("entry 0: its readable subject", 0) == 0);
}

}  // namespace
}  // namespace yici::audit

namespace yici::audit {
namespace {

TEST_CASE("log verifier: an edited, renamed or missing tree node is named, whatever the split") {
  // Node (3, 101) covers entries 808 to 815; the hub would serve inclusion proofs through it.
  const auto pos = static_cast<std::int64_t>(postorder_position({.level = 3, .index = 101}));
  struct Split {
    unsigned threads;
    std::uint64_t chunk;
  };
  for (const Split s : {Split{1, 1U << 20}, Split{3, 100}, Split{2, 64}}) {
    INFO("threads " << s.threads << ", chunk " << s.chunk);
    const Log log(kEntries);
    REQUIRE(log.verify(s.threads, s.chunk).problem.empty());
    log.exec("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE pos = " + std::to_string(pos));
    CHECK(log.verify(s.threads, s.chunk).problem ==
          "tree node (3, 101) (over entries 808 to 815) in merkle_nodes differs from the one recomputed from the "
          "entries (edited): proofs the hub serves through it do not verify");
    log.exec("UPDATE merkle_nodes SET hash = randomblob(32), idx = 102 WHERE pos = " + std::to_string(pos));
    CHECK(log.verify(s.threads, s.chunk).problem ==
          "merkle_nodes position " + std::to_string(pos) +
              " should hold tree node (3, 101) (over entries 808 to 815) but names (3, 102) (edited)");
    log.exec("DELETE FROM merkle_nodes WHERE pos = " + std::to_string(pos));
    CHECK(log.verify(s.threads, s.chunk).problem ==
          "tree node (3, 101) (over entries 808 to 815) is missing from merkle_nodes (position " + std::to_string(pos) +
              "): the hub cannot prove entries under it");
  }
}

TEST_CASE(
    "log verifier: a cut from the end shows by the tree nodes it leaves, and only a saved checkpoint shows a clean "
    "one") {
  const Log log(kEntries);
  log.add_checkpoint(1000, root_of_first(log.leaves, 1000));
  log.add_checkpoint(kEntries, reference::root(log.leaves));
  log.exec("DELETE FROM audit_entries WHERE seq >= 1500");
  log.exec("DELETE FROM audit_checkpoints WHERE tree_size > 1500");
  CHECK(log.verify(2, 64).problem ==
        std::to_string(nodes_before_leaf(kEntries) - nodes_before_leaf(1500)) +
            " tree nodes are stored beyond the last entry (1500 entries; first at merkle_nodes position " +
            std::to_string(nodes_before_leaf(1500)) + "): entries were deleted from the end");
  // The nodes cut too: the subject index still lists the entries cut.
  log.exec("DELETE FROM merkle_nodes WHERE pos >= " + std::to_string(nodes_before_leaf(1500)));
  CHECK(log.verify(2, 64).problem ==
        "audit_subject_index (the index from entry 0 to 2000) lists entry 1500, which is not in the log (edited, or "
        "entries were deleted)");
  // The index cut as well: consistent in itself, so it verifies (the CLI says what it cannot see).
  log.exec(
      "DELETE FROM audit_subject_index WHERE seq >= 1500; "
      "UPDATE log_info SET value = '1500' WHERE key = 'subject_index_upto'");
  const auto r = log.verify(2, 64);
  CHECK(r.problem.empty());
  CHECK(r.entries == 1500);
  CHECK(r.last_checkpoint == 1000);
  // With the checkpoint an auditor saved at 2000, the cut shows.
  const std::string payload = checkpoint_payload("test-log", kEntries, reference::root(log.leaves), "t");
  const std::string saved = sign::base64url_encode(R"({"alg":"ES256","typ":"yici-checkpoint+jws"})") + "." +
                            sign::base64url_encode(payload) + ".c2ln";
  const auto with_saved = verify_audit_db(log.path, nullptr, saved, {.threads = 2, .chunk = 64}).value();
  CHECK(with_saved.problem == "the saved checkpoint has size 2000 but the log only 1500 entries: entries were deleted");
}

std::string unsigned_jws(const std::string& log_id, std::uint64_t size, const Hash& root) {
  return sign::base64url_encode(R"({"alg":"ES256","typ":"yici-checkpoint+jws"})") + "." +
         sign::base64url_encode(checkpoint_payload(log_id, size, root, "t")) + ".c2ln";
}

TEST_CASE("log verifier: checkpoints signed for another log are counted, a saved one from another log refused") {
  const Log log(kEntries);
  log.add_checkpoint(1000, root_of_first(log.leaves, 1000));  // signed for "test-log"
  log.add_checkpoint(kEntries, reference::root(log.leaves));
  const Hash root = reference::root(log.leaves);

  // log_info names the hub's instance id, not test-log: both checkpoints are another log's.
  auto r = log.verify(2, 64);
  REQUIRE(r.problem.empty());
  CHECK_FALSE(r.log_id.empty());
  CHECK(r.checkpoints_other_log == 2);
  CHECK(r.first_other_log_size == 1000);
  CHECK(r.first_other_log_id == "test-log");
  // A saved checkpoint naming an id one of the log's own checkpoints carries is accepted.
  r = verify_audit_db(log.path, nullptr, unsigned_jws("test-log", kEntries, root), {.threads = 2, .chunk = 64}).value();
  CHECK(r.problem.empty());
  // One from a log none of them names is refused by name, though its size and root match.
  r = verify_audit_db(log.path, nullptr, unsigned_jws("other-hub", kEntries, root), {.threads = 2, .chunk = 64})
          .value();
  CHECK(r.problem == "the saved checkpoint is from another log (log_id other-hub; this log is " + r.log_id +
                         ", and none of its checkpoints names other-hub): verify it against the hub that signed it");

  // With log_info naming test-log, nothing is another log's.
  log.exec("UPDATE log_info SET value = 'test-log' WHERE key = 'log_id'");
  r = log.verify(2, 64);
  CHECK(r.problem.empty());
  CHECK(r.log_id == "test-log");
  CHECK(r.checkpoints_other_log == 0);
  // A log from before log_info held the id: nothing to compare with, nothing refused.
  log.exec("DELETE FROM log_info WHERE key = 'log_id'");
  r = verify_audit_db(log.path, nullptr, unsigned_jws("other-hub", kEntries, root), {.threads = 2, .chunk = 64})
          .value();
  CHECK(r.problem.empty());
  CHECK(r.log_id.empty());
}

}  // namespace
TEST_CASE("log verifier: meta.db's high-water mark catches a rewrite that also deleted the stored checkpoints") {
  const Log log(kEntries);
  const Hash at_1000 = root_of_first(log.leaves, 1000);
  log.add_checkpoint(1000, at_1000);
  const std::string log_id = log.verify(2, 64).log_id;
  REQUIRE_FALSE(log_id.empty());
  const auto verify = [&](const HighWater& mark) {
    return verify_audit_db(log.path, nullptr, std::nullopt, {.threads = 2, .chunk = 64, .high_water = mark}).value();
  };
  const HighWater mark{log_id, 1000, at_1000, "t"};
  auto r = verify(mark);
  CHECK(r.problem.empty());
  CHECK(r.high_water_checked);
  // A mark of another log (a log begun anew) is no claim on this one.
  r = verify({"another-log", 1000, root_of_first(log.leaves, 999), "t"});
  CHECK(r.problem.empty());
  CHECK_FALSE(r.high_water_checked);
  // A mark beyond the log: entries were cut from the end with their checkpoints and nodes.
  CHECK(verify({log_id, 2500, at_1000, "t"}).problem ==
        "the hub stored a checkpoint at size 2500 (meta.db's high-water mark) but the log has only 2000 entries: "
        "entries were deleted, or audit.db is an older copy");

  // Entry 10 rewritten with its leaf and the tree above it, and the checkpoints deleted: in itself
  // the log is consistent (it verified before the mark was kept); the mark names the rewrite.
  log.forge_purpose(10, "newborn-one-thing");
  log.rebuild_tree();
  log.exec("DELETE FROM audit_checkpoints");
  CHECK(log.verify(2, 64).problem.empty());
  CHECK(verify(mark).problem ==
        "the newest checkpoint the hub stored (size 1000, kept in meta.db as the high-water mark) is not consistent "
        "with this log: an entry from 0 to 999 was changed after it was signed");
  // With the entries intact, the deleted checkpoint itself is named.
  const Log intact(kEntries);
  const std::string intact_id = intact.verify(2, 64).log_id;
  intact.add_checkpoint(1000, root_of_first(intact.leaves, 1000));
  intact.exec("DELETE FROM audit_checkpoints");
  CHECK(verify_audit_db(intact.path, nullptr, std::nullopt,
                        {.threads = 2,
                         .chunk = 64,
                         .high_water = HighWater{intact_id, 1000, root_of_first(intact.leaves, 1000), "t"}})
            .value()
            .problem ==
        "the hub stored a checkpoint at size 1000 (meta.db's high-water mark) that audit.db no longer "
        "holds: stored checkpoints were deleted");
}

}  // namespace yici::audit
