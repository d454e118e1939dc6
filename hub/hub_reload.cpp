// Reloading what may change without a restart: the access policy (checked against schemas and
// matters exactly as at start), the signing keys named in the config file, for rotation, the TLS
// certificate, key and client CA (renewed files), and the source files of sources_dir
// (hub_source_files.cpp). Other edits to hub.yaml are named as needing a restart rather than
// silently ignored.
#include <algorithm>

#include <boost/json.hpp>

#include "hub/audit/audit_actions.h"
#include "hub/audit/checkpoint.h"
#include "hub/core/config_changes.h"
#include "hub/core/dir_fingerprint.h"
#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/hub.h"
#include "hub/net/server.h"
#include "hub/policy_loader.h"

namespace yici {

Result<std::shared_ptr<const sign::KeyRing>> load_key_ring(const std::vector<SigningKeyConfig>& keys) {
  std::vector<sign::KeySpec> specs;
  specs.reserve(keys.size());
  for (const auto& k : keys) {
    specs.push_back({k.file, k.state == "active" ? sign::KeyState::kActive
                             : k.state == "next" ? sign::KeyState::kNext
                                                 : sign::KeyState::kRetired});
  }
  YICI_TRY(auto ring, sign::KeyRing::load(specs));
  return std::shared_ptr<const sign::KeyRing>(std::move(ring));
}

std::string Hub::keys_signing_stored_checkpoints_missing(const sign::KeyRing& ring) const {
  auto kids = audit::stored_checkpoint_kids(*stores_.audit);
  if (!kids)
    return "the stored checkpoints' keys cannot be read (" + kids.error().message + "); the keys in force stay";
  std::string missing;
  const auto& keys = ring.keys();
  for (const auto& entry : *kids) {
    const std::string& kid = entry.first;
    const std::uint64_t count = entry.second;
    if (kid.empty() || std::any_of(keys.begin(), keys.end(), [&](const sign::RingKey& k) { return k.kid == kid; })) {
      continue;
    }
    missing += (missing.empty() ? "" : "; ") + std::string("key ") + kid + " signed " + std::to_string(count) +
               " stored checkpoints";
  }
  if (missing.empty()) return {};
  return "signing.keys no longer holds a key that signed stored checkpoints (" + missing +
         "): without it in the JWKS they cannot be verified. Keep it in signing.keys with state: retired; the keys "
         "in force stay";
}

Hub::ReloadResult Hub::reload(const api::Request& request) {
  ReloadResult result;
  // Schemas and matters are loaded at start only: edited files are named, not reported reloaded.
  const bool matters_changed = yaml_dir_fingerprint(config_.matters_dir) != matters_fingerprint_;
  const bool schemas_changed = yaml_dir_fingerprint(config_.schemas_dir) != schemas_fingerprint_;
  if (auto loaded = load_policy(config_.policy, matters_, schemas_, &result.policy_warnings); loaded) {
    policy_.store(std::move(*loaded));
    log::info("policy_reloaded", {{"path", config_.policy}});
  } else {
    result.policy_error = loaded.error().message;
    if (matters_changed || schemas_changed) {
      result.policy_error += std::string(" (") + (matters_changed ? "matters_dir" : "schemas_dir") +
                             " changed since the hub started, and matters and schemas are loaded at start only: if "
                             "the policy names a new one, restart the hub)";
    }
    log::error("policy_reload_refused",
               {{"path", config_.policy},
                {"error", result.policy_error},
                {"action", "the previous policy stays in force; fix the file and reload again"}});
  }

  auto config = HubConfig::load_file(config_.source_path);
  if (config) {
    if (auto st = apply_overrides(*config, config_.overrides); !st.ok()) config = st.error();
  }
  if (!config) {
    result.tls_error = config.error().message;
  } else {
    if (auto st = server_->reload_tls(config->tls); !st.ok()) {
      result.tls_error = st.error().message;
    } else {
      log::info("tls_reloaded", {{"cert", config->tls.cert}, {"client_ca", config->tls.client_ca}});
    }
    result.needs_restart = settings_needing_restart(config_, *config);
    if (matters_changed) result.needs_restart.emplace_back("matters_dir (its files changed since the hub started)");
    if (schemas_changed) result.needs_restart.emplace_back("schemas_dir (its files changed since the hub started)");
    if (!result.needs_restart.empty()) {
      std::string names;
      for (const auto& n : result.needs_restart) names += (names.empty() ? "" : ", ") + n;
      log::warn("reload_needs_restart",
                {{"config", config_.source_path},
                 {"settings", names},
                 {"action",
                  "these edits (to hub.yaml, or to schema and matter files) are not in force until the "
                  "hub is restarted"}});
    }
  }
  if (!result.tls_error.empty()) {
    log::error(
        "tls_reload_refused",
        {{"config", config_.source_path},
         {"error", result.tls_error},
         {"action", "the certificate and client CA in force stay; fix tls in hub.yaml or the files, and reload"}});
  }

  // After the policy: source files and API-registered sources are checked against the policy now in force.
  result.sources = reload_source_files(request);
  recheck_api_sources(request, result.sources);

  if (signer_ == nullptr) {
    result.keys_error = "the hub started without signing keys; add signing.keys and restart";
    return result;
  }
  const std::string before = signer_->ring()->active().kid;
  result.active_kid = before;
  if (!config) {
    result.keys_error = config.error().message;
  } else if (config->signing_keys.empty()) {
    result.keys_error = config_.source_path + ": signing.keys is empty; the keys in force stay";
  } else if (auto ring = load_key_ring(config->signing_keys); !ring) {
    result.keys_error = ring.error().message;
  } else if (auto dropped = keys_signing_stored_checkpoints_missing(**ring); !dropped.empty()) {
    result.keys_error = dropped;
  } else {
    signer_->rotate(*ring);
    result.active_kid = (*ring)->active().kid;
    result.rotated = result.active_kid != before;
    log::info(result.rotated ? "signing_key_rotated" : "signing_keys_reloaded",
              {{"active_kid", result.active_kid}, {"previous_kid", before}, {"keys", (*ring)->keys().size()}});
  }
  if (!result.keys_error.empty()) {
    log::error("signing_keys_reload_refused",
               {{"config", config_.source_path},
                {"error", result.keys_error},
                {"action", "the keys in force stay; fix signing.keys and reload again"}});
  }
  return result;
}

Hub::ReloadResult Hub::reload_and_audit(const api::Request& request) {
  std::lock_guard lock(reload_mu_);
  // Written before anything changes, as source changes are: a reload on a full disk applied a new
  // policy and answered 200 with no entry at all.
  if (!audit_admin_change(request, audit::action::kReload, "", "requested", 202)) {
    log::error("reload_not_applied",
               {{"by", request.principal ? request.principal->id : std::string()},
                {"action",
                 "the audit log cannot record the reload, so nothing was reloaded: see audit_commit_failed, "
                 "free the disk, and reload again"}});
    ReloadResult refused;
    refused.not_audited = true;
    return refused;
  }
  ReloadResult r = reload(request);
  // A rotation that took effect is an entry of its own, even when the policy part was refused:
  // the log must not say "refused" for a key change that is in force.
  // Its target names the key now active ("key:KID"), as a source change names the source.
  if (r.rotated) audit_admin_change(request, audit::action::kKeyRotation, "key:" + r.active_kid, "allowed", 200);
  audit_admin_change(request, audit::action::kReload, "", r.ok() ? "allowed" : "refused", r.ok() ? 200 : 422);
  return r;
}

void Hub::reload_on_signal() {
  // Audited like POST /v1/admin/reload; the principal names the signal, as no certificate sent it.
  reload_and_audit(internal_request("signal:SIGHUP"));
}

void Hub::register_admin_reload_route() {
  router_.add("POST", "/v1/admin/reload", net::Access::kAdmin, [this](const api::Request& req, const net::PathParams&) {
    log::info("reload_requested", {{"by", req.principal->id}, {"request_id", req.request_id}});
    const ReloadResult r = reload_and_audit(req);
    if (r.not_audited) {
      return api::error_response(503, "audit_unavailable",
                                 "the audit log cannot record this reload, so nothing was reloaded; try again later");
    }
    boost::json::object body;
    body["policy"] = r.policy_error.empty() ? boost::json::value("reloaded") : boost::json::value(r.policy_error);
    if (r.policy_error.empty() && !r.policy_warnings.empty()) {
      boost::json::array warnings;
      for (const auto& w : r.policy_warnings) warnings.emplace_back(w);
      body["policy_warnings"] = std::move(warnings);
    }
    boost::json::object keys;
    keys["status"] = r.keys_error.empty() ? "reloaded" : "refused";
    if (!r.keys_error.empty()) keys["error"] = r.keys_error;
    keys["active_kid"] = r.active_kid;
    keys["rotated"] = r.rotated;
    body["signing_keys"] = std::move(keys);
    boost::json::object tls;
    tls["status"] = r.tls_error.empty() ? "reloaded" : "refused";
    if (!r.tls_error.empty()) tls["error"] = r.tls_error;
    if (const auto crls = server_->crls()) {  // in force: the new ones, or the old ones kept
      boost::json::object crl{{"crls", crls->count}, {"revoked", crls->revoked}};
      if (crls->next_update_unix) {
        crl["next_update"] = format_rfc3339_seconds(SysTime(std::chrono::seconds(*crls->next_update_unix)));
      }
      if (!crls->scoped.empty()) crl["scoped"] = boost::json::value_from(crls->scoped);
      tls["crl"] = std::move(crl);
    }
    body["tls"] = std::move(tls);
    boost::json::array restart;
    for (const auto& n : r.needs_restart) restart.emplace_back(n);
    body["needs_restart"] = std::move(restart);
    const auto list = [](const std::vector<std::string>& items) {
      boost::json::array out;
      for (const auto& i : items) out.emplace_back(i);
      return out;
    };
    body["sources"] = boost::json::object{{"status", r.sources.errors.empty() ? "reloaded" : "refused"},
                                          {"added", list(r.sources.added)},
                                          {"changed", list(r.sources.changed)},
                                          {"removed", list(r.sources.removed)},
                                          {"resumed", list(r.sources.resumed)},
                                          {"errors", list(r.sources.errors)}};
    return api::json_response(r.ok() ? 200 : 422, boost::json::serialize(body));
  });
}

}  // namespace yici
