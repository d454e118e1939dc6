#include "hub/hub.h"

#include "hub/api/status_handlers.h"
#include "hub/core/log.h"
#include "hub/ingest/source_loader.h"
#include "hub/net/server.h"

namespace yici {

Result<std::unique_ptr<Hub>> Hub::create(HubConfig config, const adapters::AdapterRegistry& adapters) {
  std::unique_ptr<Hub> hub(new Hub());
  hub->config_ = std::move(config);
  hub->adapters_ = &adapters;
  YICI_TRY(auto policy, access::Policy::load_file(hub->config_.policy));
  hub->policy_.store(std::move(policy));
  YICI_TRY(hub->stores_, store::Stores::open(hub->config_.data_dir));
  hub->load_sources();
  hub->register_routes();

  net::ServerOptions options{hub->config_.listen, hub->config_.tls, hub->config_.limits, hub->config_.threads};
  Hub* self = hub.get();
  YICI_TRY(hub->server_, net::Server::create(options, [self](api::Request& r) { return self->handle(r); }));
  return hub;
}

Hub::~Hub() = default;

std::uint16_t Hub::port() const { return server_->port(); }

void Hub::register_routes() {
  router_.add("GET", "/healthz", net::Access::kOpen,
              [](const api::Request&, const net::PathParams&) { return api::healthz(); });
  router_.add("GET", "/readyz", net::Access::kOpen, [this](const api::Request&, const net::PathParams&) {
    api::Readiness r;
    r.config_loaded = true;
    r.stores_open = stores_.records != nullptr && stores_.audit != nullptr && stores_.meta != nullptr;
    r.keys_loaded = server_ != nullptr;  // TLS keys; response-signing keys join with the signing module
    r.draining = server_ && server_->draining();
    return api::readyz(r);
  });
  router_.add("GET", "/v1/whoami", net::Access::kAnyPrincipal,
              [](const api::Request& req, const net::PathParams&) { return api::whoami(req); });
}

api::Response Hub::handle(api::Request& request) {
  if (request.peer.has_certificate) {
    auto policy = policy_.load();
    if (const access::Principal* p = policy->by_cert_cn(request.peer.subject_cn)) {
      request.principal = std::shared_ptr<const access::Principal>(policy, p);
    }
  }
  return router_.dispatch(request);
}

void Hub::load_sources() {
  auto loaded = ingest::load_sources_dir(config_.sources_dir, *adapters_);
  for (const auto& e : loaded.errors) {
    log::error("source_skipped", {{"error", e.message}, {"action", "fix the file; the other sources are loaded"}});
  }
  for (const auto& s : loaded.sources) {
    log::info("source_loaded",
              {{"source", s.id}, {"dataset", s.dataset}, {"adapter", s.adapter_type}, {"file", s.origin}});
  }
  sources_ = std::move(loaded.sources);
}

void Hub::reload_policy() {
  auto loaded = access::Policy::load_file(config_.policy);
  if (!loaded) {
    log::error("policy_reload_refused",
               {{"path", config_.policy},
                {"error", loaded.error().message},
                {"action", "the previous policy stays in force; fix the file and send SIGHUP again"}});
    return;
  }
  policy_.store(std::move(*loaded));
  log::info("policy_reloaded", {{"path", config_.policy}});
}

int Hub::run() {
  log::info("hub_started", {{"listen", config_.listen.host + ":" + std::to_string(server_->port())},
                            {"data_dir", config_.data_dir},
                            {"version", YICI_VERSION}});
  server_->run([this] { reload_policy(); });
  log::info("hub_stopped", {});
  return 0;
}

}  // namespace yici
