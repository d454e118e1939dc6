// The HTTPS server: a listener and one coroutine per connection on a multi-threaded io_context.
//
// The server knows nothing about records or policy: each complete request is handed to a
// RequestHandler (api::Request → api::Response). It owns timeouts, limits, the connection cap,
// request ids, the per-request log line, and graceful shutdown (stop accepting, let in-flight
// requests finish within limits.shutdown_grace, close idle keep-alive connections).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "hub/api/http.h"
#include "hub/core/hub_config.h"
#include "hub/core/result.h"
#include "hub/net/listener.h"
#include "hub/net/tls_context.h"

namespace yici::net {

using RequestHandler = std::function<api::Response(api::Request&)>;

struct ServerOptions {
  ListenAddress listen;
  TlsConfig tls;
  LimitsConfig limits;
  int threads = 0;  // 0: hardware threads
  // The context made from `tls` already (the hub checks its TLS files before it opens the data
  // directory); none: create() makes it.
  std::optional<ServerTls> prepared_tls = {};
  // The socket bound already (the hub binds before it opens the data directory); null: create()
  // binds `listen`.
  std::shared_ptr<Listener> prepared_listener = {};
  // Requests for which this returns true run on the I/O thread with their audit commits deferred
  // (api/commit_deferral.h): handlers that never block except on an audit commit. The others
  // run on the handler pool.
  std::function<bool(const api::Request&)> runs_inline = {};
  // Requests for which this returns true run on a pool of their own: administration, which can
  // wait on a department's database for as long as a probe's timeout, never holds the threads
  // that departments' batch lookups and auditors' queries wait for.
  std::function<bool(const api::Request&)> runs_apart = {};
  // Observers (may be empty): every answered request (with its duration from the last byte read
  // to the answer written), and every failed TLS handshake.
  std::function<void(const api::Request&, int status, double seconds)> on_response = {};
  // The kind of handshake failure: certificate, closed, timeout or protocol.
  std::function<void(std::string_view kind)> on_handshake_failure = {};
  // Requests refused before they reach a handler (oversized body or headers, malformed HTTP, a
  // target that is not a path): the status and the error code sent.
  std::function<void(int status, std::string_view code)> on_rejection = {};
  // A connection closed at once for a limit: "max_connections" or "max_connections_per_address".
  std::function<void(std::string_view limit)> on_connection_refused = {};
};

class Server {
 public:
  // Loads TLS material and binds the listening socket (port 0 picks a free port).
  static Result<std::unique_ptr<Server>> create(const ServerOptions& options, RequestHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] std::uint16_t port() const;

  // Serves until SIGINT/SIGTERM or stop(), then drains. Returns when all threads are done.
  // `on_sighup` is called for SIGHUP (reload), on the pool of runs_apart requests.
  void run(std::function<void()> on_sighup = {});

  // Loads the certificate, key, client CA and CRLs again (renewed files, a new CA bundle, a
  // revocation): connections accepted from now on use them. An open connection keeps its session,
  // but its client certificate is verified again against the new client CA and CRLs at its next
  // request, and a certificate that no longer verifies is refused (403 certificate_refused) and the
  // connection closed. On an error nothing changes. Thread-safe.
  Status reload_tls(const TlsConfig& tls);
  // Connections open now (accepted, not yet closed).
  [[nodiscard]] std::size_t open_connections() const;
  // The CRLs in force (tls.crl_file); none without it.
  [[nodiscard]] std::optional<LoadedCrls> crls() const;

  // Thread-safe; begins the graceful shutdown.
  void stop();
  [[nodiscard]] bool draining() const;
  // After run(): the second stop signal (SIGTERM, SIGINT) that ended the drain at once, or 0.
  [[nodiscard]] int forced_by() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yici::net
