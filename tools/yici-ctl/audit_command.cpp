#include "tools/yici-ctl/audit_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <boost/json.hpp>
#include <boost/url.hpp>

#include "hub/audit/audit_actions.h"
#include "hub/audit/base64.h"
#include "hub/audit/checkpoint.h"
#include "hub/audit/hash.h"
#include "hub/audit/hmac_key_check.h"
#include "hub/audit/log_verifier.h"
#include "hub/audit/proof_json.h"
#include "hub/audit/proof_verify.h"
#include "hub/sign/base64url.h"
#include "hub/sign/key_ring.h"
#include "hub/store/sqlite/connection.h"
#include "tools/yici-ctl/hub_client.h"

namespace yici::ctl {
namespace {

struct SearchFlags {
  std::string subject, dataset, requester, from, to, purpose, action, outcome, format = "table";
};

struct VerifyFlags {
  std::string checkpoint;
  std::string data_dir;
  std::string jwks;
  std::string hmac_key;
};

// A file named on the command line that is not there is a usage error (exit 2), found before
// anything is read or the hub is asked.
bool missing_file(const std::string& flag, const std::string& path) {
  if (path.empty() || path.rfind("https://", 0) == 0 || std::filesystem::exists(path)) return false;
  std::cerr << "yici-ctl audit verify: " << flag << " " << path << ": no such file\n";
  return true;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The --checkpoint file, read; nullopt (and a usage error printed) when it is not a checkpoint at
// all (hub.yaml, a saved answer): a wrong file is the caller's mistake, not a log that failed.
std::optional<std::string> read_saved_checkpoint(const std::string& path) {
  std::string text = read_text(path);
  if (auto read = audit::read_checkpoint_unverified(text); !read) {
    std::cerr << "yici-ctl audit verify: --checkpoint " << path << ": " << read.error().message << "\n";
    return std::nullopt;
  }
  return text;
}

std::string query_string(const SearchFlags& f) {
  boost::urls::url u("/v1/audit/events");
  auto params = u.params();
  const std::pair<const char*, const std::string*> all[] = {
      {"subject", &f.subject}, {"dataset", &f.dataset}, {"requester", &f.requester}, {"from", &f.from},
      {"to", &f.to},           {"purpose", &f.purpose}, {"action", &f.action},       {"outcome", &f.outcome}};
  for (const auto& [k, v] : all) {
    if (!v->empty()) params.append({k, *v});
  }
  return std::string(u.buffer());
}

int search(const HubFlags& hub, const SearchFlags& f) {
  int exit_code = kExitOk;
  const std::string format = f.format == "table" ? "json" : f.format;
  std::string cursor;
  bool first_page = true;
  while (true) {
    std::string target = query_string(f);
    target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("format=") + format + "&limit=1000";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto r = call_hub(hub, "GET", target, exit_code);
    if (!r) return exit_code;
    if (r->status != 200) return print_http_error(*r);
    // The hub's note on a requester that matched nothing (a mistyped id, a display name).
    if (const std::string* note = r->header("x-yici-note"); note != nullptr && !f.requester.empty()) {
      std::cerr << "note: --requester " << f.requester << ": " << *note << "\n";
    }
    if (format == "csv" || format == "jsonl") {
      std::string body = r->body;
      if (format == "csv" && !first_page) {  // one header (and BOM) for the whole export
        const auto nl = body.find("\r\n");
        body = nl == std::string::npos ? "" : body.substr(nl + 2);
      }
      std::cout << body;
      // The next page's cursor is a header of the hub's, never read from the rows: a cell can
      // hold a line break and anything after it (a purpose is the requester's text).
      const std::string* next = r->header("x-next-cursor");
      if (next == nullptr) return kExitOk;
      if (next->empty() || next->find_first_not_of("0123456789") != std::string::npos) {
        std::cerr << "yici-ctl: the hub sent a next-page cursor that is not a number: the export is incomplete\n";
        return kExitRefused;
      }
      cursor = *next;
    } else {
      const auto body = boost::json::parse(r->body).as_object();
      if (first_page) std::cout << "SEQ\tTIME\tREQUESTER\tACTION\tPURPOSE\tDATASET\tSUBJECT\tOUTCOME\tSTATUS\n";
      for (const auto& item : body.at("items").as_array()) {
        const auto& o = item.as_object();
        const auto s = [&](const char* k) { return text(o.at(k)); };
        // A certificate whose CN maps to no principal has no requester: the certificate is named
        // by the start of its fingerprint instead of an empty column.
        std::string requester = s("requester");
        if (requester.empty() && o.contains("cert_fingerprint")) {
          const std::string fingerprint = s("cert_fingerprint");
          requester = fingerprint.empty() ? "-" : "cert:" + fingerprint.substr(0, 16);
        }
        std::cout << s("seq") << "\t" << s("time") << "\t" << requester << "\t" << s("action") << "\t" << s("purpose")
                  << "\t" << s("dataset") << "\t" << s("subject") << "\t" << s("outcome") << "\t" << s("http_status")
                  << "\n";
      }
      const auto* next = body.if_contains("next_cursor");
      if (next == nullptr || !next->is_string()) return kExitOk;
      cursor = std::string(next->as_string());
    }
    first_page = false;
  }
}

Result<std::string> fetch_jwks(const HubFlags& hub, const std::string& arg, int& exit_code) {
  if (!arg.empty() && arg.rfind("https://", 0) != 0) {
    if (!std::filesystem::exists(arg)) return Error::invalid("--jwks " + arg + ": no such file");
    return read_text(arg);
  }
  auto r = call_hub(hub, "GET", "/.well-known/jwks.json", exit_code);
  if (!r) return Error::unavailable("");  // call_hub said why (a refused certificate, no hub there)
  if (r->status != 200) return Error::unavailable("cannot fetch the hub's JWKS: HTTP " + std::to_string(r->status));
  return r->body;
}

int verify_offline(const VerifyFlags& f, const HubFlags& hub) {
  if (missing_file("--jwks", f.jwks) || missing_file("--checkpoint", f.checkpoint) ||
      missing_file("--hmac-key", f.hmac_key)) {
    return kExitUsage;
  }
  std::optional<sign::Jwks> jwks;
  if (!f.jwks.empty()) {
    int exit_code = kExitOk;
    auto text = fetch_jwks(hub, f.jwks, exit_code);
    if (!text) {
      if (!text.error().message.empty()) std::cerr << "yici-ctl audit verify: " << text.error().message << "\n";
      return exit_code == kExitOk ? kExitRefused : exit_code;
    }
    auto parsed = sign::Jwks::parse(*text);
    if (!parsed) {
      std::cerr << "yici-ctl audit verify: the JWKS does not parse: " << parsed.error().message << "\n";
      return kExitRefused;
    }
    jwks = std::move(*parsed);
  }
  const std::string db = (std::filesystem::path(f.data_dir) / "audit.db").string();
  if (!std::filesystem::exists(db)) {
    std::cerr << "yici-ctl audit verify: " << db << " does not exist (is --data-dir a hub's data_dir?)\n";
    return kExitUsage;
  }
  std::optional<std::string> saved;
  if (!f.checkpoint.empty()) {
    saved = read_saved_checkpoint(f.checkpoint);
    if (!saved) return kExitUsage;
  }
  // The subject HMAC key: given, or the one the hub keeps in its data directory.
  audit::VerifyOptions options;
  const std::string key_file =
      !f.hmac_key.empty() ? f.hmac_key : (std::filesystem::path(f.data_dir) / "audit-hmac.key").string();
  if (std::filesystem::exists(key_file)) {
    std::string key = read_text(key_file);
    if (key.size() < 32) {
      std::cerr << "yici-ctl audit verify: " << key_file << ": not an audit HMAC key (too short)\n";
      return kExitUsage;
    }
    // The wrong key makes every readable subject look edited: say so instead (the hub refuses to
    // start with such a key for the same reason).
    auto conn = store::sqlite::Connection::open(db, store::sqlite::Connection::Mode::kReadOnly);
    auto matches = conn ? audit::hmac_key_matches_check_value(**conn, key) : Result<std::optional<bool>>(conn.error());
    if (!matches) {
      std::cerr << "yici-ctl audit verify: " << db << ": " << matches.error().message << "\n";
      return kExitRefused;
    }
    if (matches->has_value() && !**matches) {
      std::cerr << "yici-ctl audit verify: " << key_file
                << " is not the key this audit log was written with (its check value in audit.db differs): give "
                   "this log's audit-hmac.key with --hmac-key, or leave it out to verify without checking readable "
                   "subjects\n";
      return kExitUsage;
    }
    options.subject_key = std::move(key);
  }
  // meta.db's high-water mark: the newest checkpoint the hub stored, kept outside audit.db.
  const std::string meta = (std::filesystem::path(f.data_dir) / "meta.db").string();
  if (std::filesystem::exists(meta)) {
    auto conn = store::sqlite::Connection::open(meta, store::sqlite::Connection::Mode::kReadOnly);
    auto mark = conn ? audit::load_high_water(**conn) : Result<std::optional<audit::HighWater>>(conn.error());
    if (!mark) {
      std::cerr << "yici-ctl audit verify: " << meta << ": " << mark.error().message << "\n";
      return kExitRefused;
    }
    options.high_water = std::move(*mark);
  }
  auto report = audit::verify_audit_db(db, jwks ? &*jwks : nullptr, saved, options);
  if (!report) {
    std::cerr << "yici-ctl audit verify: " << report.error().message << "\n";
    return kExitRefused;
  }
  if (!report->problem.empty()) {
    std::cout << "NOT VERIFIED: " << report->problem << "\n";
    return kExitRefused;
  }
  std::cout << "VERIFIED: " << (report->log_id.empty() ? "" : "log " + report->log_id + ", ") << report->entries
            << " entries, root " << audit::hash_to_base64(report->root) << ", " << report->nodes << " tree nodes and "
            << report->checkpoints << " signed checkpoints match"
            << (report->signatures_checked ? " (signatures checked with the JWKS)"
                                           : " (signatures NOT checked: give --jwks)")
            << (saved ? ", consistent with the saved checkpoint" : "")
            << (report->high_water_checked ? ", consistent with the newest checkpoint the hub stored (meta.db, size " +
                                                 std::to_string(options.high_water->tree_size) + ")"
                                           : std::string())
            << (report->subjects_checked ? ", readable subjects match their HMAC"
                                         : ", readable subjects NOT checked (no audit-hmac.key in the data directory: "
                                           "give --hmac-key)")
            << (report->subject_index_checked ? ", the subject index lists every entry's subject (" +
                                                    std::to_string(report->subject_index_rows) + " rows)"
                                              : std::string())
            << "\n";
  if (!report->subject_index_skipped.empty()) {
    std::cout << "note: the subject index was not checked: " << report->subject_index_skipped << "\n";
  }
  if (report->checkpoints_other_log > 0) {
    std::cout << "note: " << report->checkpoints_other_log << " stored checkpoints are signed for another log_id "
              << "(the first at size " << report->first_other_log_size << ": " << report->first_other_log_id
              << "; this log is " << report->log_id
              << "); their roots match these entries. A hub from before 2026-11-24 whose hub.db was restored "
                 "changed its id this way; otherwise they were copied in from another log\n";
  }
  // What a clean run cannot vouch for, said where the auditor reads the verdict.
  if (report->entries > 0 && report->last_checkpoint == 0) {
    // A hub signs a checkpoint at every clean stop and every minute while busy: a log with none
    // had them deleted, or was written without signing keys.
    std::cout << "note: no stored checkpoint covers any of the " << report->entries
              << " entries: a hub with signing keys stores one every audit.checkpoint_every entries, every "
                 "checkpoint_interval while busy and at every clean stop, so this log's checkpoints were deleted, it "
                 "was written without signing keys, or its hub is running and has not stored its first yet; "
                 "nothing here is covered by a signature\n";
  } else if (report->entries > report->last_checkpoint) {
    std::cout << "note: " << report->entries - report->last_checkpoint
              << " entries after the last signed checkpoint (size " << report->last_checkpoint
              << ") are not covered by any signature (a hub stopped without its closing checkpoint, or entries "
                 "added to the database)\n";
  }
  if (!report->high_water_checked) {
    std::cout << "note: meta.db "
              << (options.high_water ? "holds a high-water mark of another log"
                                     : "is missing or holds no high-water mark")
              << ": not compared with the newest checkpoint the hub stored\n";
  }
  if (!saved) {
    std::cout << "note: without --checkpoint, entries cut from the end together with their checkpoints and tree "
                 "nodes cannot be told from a shorter log; keep checkpoints outside the hub (GET /v1/audit/checkpoint) "
                 "and verify against the latest one you kept\n";
  }
  return kExitOk;
}

int verify_online(const VerifyFlags& f, const HubFlags& hub) {
  if (missing_file("--jwks", f.jwks) || missing_file("--checkpoint", f.checkpoint)) return kExitUsage;
  std::optional<std::string> saved_text;
  if (!f.checkpoint.empty()) {
    saved_text = read_saved_checkpoint(f.checkpoint);
    if (!saved_text) return kExitUsage;
  }
  int exit_code = kExitOk;
  auto jwks_text = fetch_jwks(hub, f.jwks, exit_code);
  if (!jwks_text) {
    if (!jwks_text.error().message.empty()) {
      std::cerr << "yici-ctl audit verify: " << jwks_text.error().message << "\n";
    }
    return exit_code == kExitOk ? kExitRefused : exit_code;
  }
  auto jwks = sign::Jwks::parse(*jwks_text);
  if (!jwks) {
    std::cerr << "yici-ctl audit verify: the JWKS does not parse\n";
    return kExitRefused;
  }
  auto r = call_hub(hub, "GET", "/v1/audit/checkpoint", exit_code);
  if (!r) return exit_code;
  if (r->status != 200) return print_http_error(*r);
  const auto latest_checked = audit::verify_checkpoint(*jwks, r->body);
  if (!latest_checked) {
    std::cout << "NOT VERIFIED: the hub's latest checkpoint: " << latest_checked.error().message << "\n";
    return kExitRefused;
  }
  const audit::Checkpoint& latest = latest_checked->checkpoint;
  std::cout << "latest checkpoint: size " << latest.tree_size << ", root " << audit::hash_to_base64(latest.root)
            << ", signed by " << latest_checked->kid << " at " << latest.timestamp << "\n";
  if (f.checkpoint.empty()) {
    std::cout << "VERIFIED: the hub's latest checkpoint is signed with a key of the JWKS (give --checkpoint with one "
                 "saved earlier to check that the log only grew since; keep this one: GET /v1/audit/checkpoint)\n";
    return kExitOk;
  }
  const auto saved_checked = audit::verify_checkpoint(*jwks, *saved_text);
  if (!saved_checked) {
    std::cout << "NOT VERIFIED: the saved checkpoint: " << saved_checked.error().message << "\n";
    return kExitRefused;
  }
  const audit::Checkpoint& saved = saved_checked->checkpoint;
  // Named as what it is, as the offline check names it: a proof between two logs can only fail,
  // which read as this log having been edited.
  if (saved.log_id != latest.log_id) {
    std::cout << "NOT VERIFIED: the saved checkpoint is from another log (log_id " << saved.log_id
              << "; this hub's log is " << latest.log_id << ")\n";
    return kExitRefused;
  }
  // The empty tree is a prefix of every tree: nothing to prove (the hub refuses a proof from 0),
  // only that the saved root is the empty tree's.
  if (saved.tree_size == 0) {
    if (saved.root != audit::empty_root()) {
      std::cout << "NOT VERIFIED: the saved checkpoint has size 0 but its root is not the empty tree's\n";
      return kExitRefused;
    }
    std::cout << "VERIFIED: the log at size " << latest.tree_size << " extends the saved checkpoint (size 0)\n";
    return kExitOk;
  }
  if (saved.tree_size > latest.tree_size) {
    std::cout << "NOT VERIFIED: the saved checkpoint is larger than the hub's latest: the log shrank\n";
    return kExitRefused;
  }
  r = call_hub(
      hub, "GET",
      "/v1/audit/proof/consistency?from=" + std::to_string(saved.tree_size) + "&to=" + std::to_string(latest.tree_size),
      exit_code);
  if (!r) return exit_code;
  if (r->status != 200) return print_http_error(*r);
  auto proof = audit::parse_consistency_proof(r->body);
  if (!proof) {
    std::cout << "NOT VERIFIED: the consistency proof does not parse\n";
    return kExitRefused;
  }
  if (auto st = audit::verify_consistency(saved.tree_size, latest.tree_size, proof->path, saved.root, latest.root);
      !st.ok()) {
    std::cout << "NOT VERIFIED: the log is not consistent with the saved checkpoint (size " << saved.tree_size
              << "): " << st.error().message << "\n";
    return kExitRefused;
  }
  std::cout << "VERIFIED: the log at size " << latest.tree_size << " extends the saved checkpoint (size "
            << saved.tree_size << ")\n";
  return kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  CLI::App* audit = app.add_subcommand("audit", "the tamper-evident audit log (auditor certificate)");
  audit->require_subcommand(1);

  auto sf = std::make_shared<SearchFlags>();
  CLI::App* search_cmd = audit->add_subcommand(
      "search", "online: audit entries matching every filter given, oldest first (follows pages to the end)");
  const auto hub = add_hub_flags(*search_cmd);
  // A filter given empty (an unset shell variable) would otherwise be no filter: every entry.
  const CLI::Validator non_empty(
      [](std::string& v) { return v.empty() ? std::string("is empty; leave the flag out to not filter by it") : ""; },
      "", "NON_EMPTY");
  search_cmd->add_option("--subject", sf->subject, "a resident ID or credit code")->check(non_empty);
  search_cmd->add_option("--dataset", sf->dataset, "only this dataset (population, …, or matter:CODE for bundles)")
      ->check(non_empty);
  search_cmd->add_option("--requester", sf->requester, "principal id, e.g. market-regulation")->check(non_empty);
  search_cmd->add_option("--from", sf->from, "RFC 3339 time, inclusive (e.g. 2026-11-01T00:00:00Z)")->check(non_empty);
  search_cmd->add_option("--to", sf->to, "RFC 3339 time, exclusive")->check(non_empty);
  search_cmd->add_option("--purpose", sf->purpose, "matter code")->check(non_empty);
  search_cmd->add_option("--action", sf->action, yici::audit::action::list())
      ->check(
          CLI::IsMember(std::vector<std::string>(yici::audit::action::kAll.begin(), yici::audit::action::kAll.end())));
  search_cmd->add_option("--outcome", sf->outcome, "allowed, or a refusal code such as purpose_not_granted")
      ->check(non_empty);
  search_cmd->add_option("--format", sf->format, "table (default), jsonl, or csv (UTF-8 with BOM, for Excel)")
      ->check(CLI::IsMember({"table", "jsonl", "csv"}));
  search_cmd->callback([hub, sf, &exit_code] {
    SearchFlags f = *sf;
    if (hub->output == "json" && f.format == "csv") {
      std::cerr << "yici-ctl audit search: --output json and --format csv ask for two formats: give one (--output "
                   "json writes JSON lines, as --format jsonl does)\n";
      exit_code = kExitUsage;
      return;
    }
    if (hub->output == "json" && f.format == "table") f.format = "jsonl";  // --output json: one entry per line
    exit_code = search(*hub, f);
  });

  auto vf = std::make_shared<VerifyFlags>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "offline with --data-dir: recompute every entry's leaf and the tree, check every stored checkpoint's root "
      "(and signature with --jwks), and a saved --checkpoint; online: verify the hub's latest signed checkpoint and "
      "its consistency with a saved --checkpoint. Exit 1 naming the first bad entry or checkpoint.");
  const auto vhub = add_hub_flags(*verify);
  // Its verdict is one line and notes, for people and for exit codes: no JSON form to list.
  verify->get_option("--output")->group("");
  verify->add_option("--data-dir", vf->data_dir, "a hub's data_dir (works on a stopped hub or a copy)");
  verify->add_option("--checkpoint", vf->checkpoint, "a checkpoint JWS saved earlier (GET /v1/audit/checkpoint)");
  verify->add_option("--jwks", vf->jwks, "the hub's JWKS file (default online: fetched from the hub)");
  verify->add_option("--hmac-key", vf->hmac_key,
                     "offline: the audit HMAC key file, to check readable subjects against their HMAC (default: "
                     "audit-hmac.key in --data-dir, when there)");
  verify->callback([vf, vhub, &exit_code] {
    if (vhub->output == "json") {
      std::cerr << "yici-ctl audit verify: prints its verdict (VERIFIED or NOT VERIFIED) and notes, and exits 0 "
                   "or 1; it has no JSON output\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = vf->data_dir.empty() ? verify_online(*vf, *vhub) : verify_offline(*vf, *vhub);
  });
}

}  // namespace yici::ctl
