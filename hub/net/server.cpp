#include "hub/net/server.h"

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include "hub/api/commit_deferral.h"
#include "hub/api/http.h"
#include "hub/core/ids.h"
#include "hub/core/log.h"
#include "hub/core/log_throttle.h"
#include "hub/core/thread_name.h"
#include "hub/core/utf8.h"
#include "hub/net/peer_address.h"
#include "hub/net/peer_identity.h"
#include "hub/net/peer_recheck.h"
#include "hub/net/tls_context.h"

namespace yici::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Stream = ssl::stream<beast::tcp_stream>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// State of one connection, shared between its coroutine and the drain logic. `idle` is read and
// written only on the connection's strand.
struct Connection {
  Connection(tcp::socket socket, std::shared_ptr<ssl::context> ctx, std::uint64_t generation)
      : tls(std::move(ctx)), stream(std::move(socket), *tls), checked_generation(generation) {}
  std::shared_ptr<ssl::context> tls;  // the context the connection was accepted with: a reload swaps in a new one
  Stream stream;
  bool idle = true;
  // The client certificate was verified against the context of this reload generation, and stays
  // valid until this time (Unix seconds; its chain's expiry, the CRLs' nextUpdate): past either, it
  // is verified again before a request.
  std::uint64_t checked_generation;
  std::int64_t checked_until = 0;
};

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

bool is_quiet_close(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == ssl::error::stream_truncated ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == beast::error::timeout;
}

// Builds the handler's view of a request; an error (the 400's message) when the target is not a
// valid origin-form URI, or when its path or a parameter, percent-decoded, is not UTF-8 or holds a
// control character: such bytes would reach the log, the audit log and the JSON answers that echo
// them (a purpose of %FF made every audit search that covered it unreadable).
Result<api::Request> to_api_request(const http::request<http::string_body>& req) {
  auto parsed = boost::urls::parse_origin_form(req.target());
  if (!parsed) return Error::invalid("request target is not a valid path and query");
  // Routes split the decoded path at '/', so "/v1/admin%2Freload" would be "/v1/admin/reload" here
  // and something else to a proxy or filter in front that reads the raw path: refused, as Apache
  // does by default. No subject, dataset or source id holds a '/'.
  const std::string_view raw_path = parsed->encoded_path();
  if (raw_path.find("%2F") != std::string_view::npos || raw_path.find("%2f") != std::string_view::npos) {
    return Error::invalid("request path holds an encoded slash (%2F); path segments cannot contain '/'");
  }
  api::Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.path = parsed->path();
  if (out.path.empty()) out.path = "/";
  for (auto param : parsed->params()) out.query.emplace_back(param.key, param.value);
  bool printable = is_printable_utf8(out.path);
  for (const auto& [key, value] : out.query)
    printable = printable && is_printable_utf8(key) && is_printable_utf8(value);
  if (!printable) {
    return Error::invalid("request path or query is not UTF-8 text once percent-decoded, or holds a control character");
  }
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = req.body();
  return out;
}

// A handler that threw: logged with the request id, which the 500 names (the answer carries it in
// X-Request-Id too, but a client that prints only the message should still show it).
api::Response handler_failed(const std::string& request_id, const std::exception& e) {
  log::error("handler_failed", {{"request_id", request_id}, {"error", e.what()}});
  return api::error_response(500, "internal",
                             "internal error (request id " + request_id + "); the hub's log has the details");
}

// Names a pool's threads: one task per thread, each held until all have started, so that every
// thread takes exactly one. The tasks share the count with this function through a shared_ptr: a
// task can still be leaving its wait after this function has returned.
void name_pool_threads(asio::thread_pool& pool, std::size_t threads, const std::string& name) {
  struct Naming {
    std::mutex mu;
    std::condition_variable all_named;
    std::size_t named = 0;
  };
  auto naming = std::make_shared<Naming>();
  for (std::size_t i = 0; i < threads; ++i) {
    asio::post(pool, [naming, threads, name] {
      set_thread_name(name);
      std::unique_lock lock(naming->mu);
      if (++naming->named == threads) naming->all_named.notify_all();
      naming->all_named.wait(lock, [&] { return naming->named == threads; });
    });
  }
  std::unique_lock lock(naming->mu);
  naming->all_named.wait(lock, [&] { return naming->named == threads; });
}

// Why a handshake failed, for the metric's label and the log: a certificate refused (expired,
// another CA: what an operator alerts on), the peer gone before it finished (a load balancer's TCP
// check, a port scan), no handshake within handshake_timeout, or anything else (an old protocol,
// no shared cipher, not TLS at all).
std::string_view handshake_failure_kind(const boost::system::error_code& ec, long verify_result) {
  if (verify_result != X509_V_OK) return "certificate";
  if (ec == beast::error::timeout) return "timeout";
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
    return "closed";
  }
  return "protocol";
}

struct FramingProblem {
  int status;
  std::string_view code;
  std::string message;
};

// What RFC 9112 makes a server refuse in a request's head, which Beast reads through: a transfer
// coding other than chunked (Beast reads "gzip, chunked" as chunked and "xchunked" as no body,
// and then the body's bytes as the next request), and an HTTP/1.1 request with no Host or two.
std::optional<FramingProblem> framing_problem(const http::request_parser<http::string_body>::value_type& head) {
  const auto codings = head.count(http::field::transfer_encoding);
  if (codings > 1 ||
      (codings == 1 &&
       !beast::iequals(api::trim_ows(std::string_view(head[http::field::transfer_encoding])), "chunked"))) {
    return FramingProblem{501, "unsupported_transfer_encoding",
                          "the only transfer coding accepted is chunked (RFC 9112 section 6.1)"};
  }
  if (head.version() >= 11 && head.count(http::field::host) != 1) {
    return FramingProblem{400, "bad_host", "an HTTP/1.1 request needs exactly one Host header (RFC 9112 section 3.2)"};
  }
  return std::nullopt;
}

}  // namespace

// Handlers that may block (admin changes, probes, exports) run on their own pool and never hold
// an I/O thread. Lookups (ServerOptions::runs_inline) run on the I/O thread and wait for their
// audit commit asynchronously, so concurrent lookups share commits without a thread each; the pool
// covers the rest (batch lookups, audit queries); administration (ServerOptions::runs_apart) has
// a smaller pool of its own, so ten probes of a silent department queue behind each other there
// and leave the department pool alone.
constexpr std::size_t kHandlerThreads = 8;
// At most this many lines of one capped kind per window.
constexpr int kLogBurst = 10;
constexpr std::chrono::seconds kLogWindow{10};
constexpr std::size_t kAdminThreads = 4;

struct Server::Impl {
  ServerOptions options;
  RequestHandler handler;
  asio::thread_pool handler_pool{kHandlerThreads};
  asio::thread_pool admin_pool{kAdminThreads};
  std::mutex tls_mutex;
  std::shared_ptr<ssl::context> tls;             // guarded by tls_mutex; new connections take the current one
  std::optional<LoadedCrls> crls;                // guarded by tls_mutex
  std::atomic<std::uint64_t> tls_generation{0};  // incremented with each reload, after `tls` is swapped
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(ioc)};
  tcp::acceptor acceptor{control};
  asio::signal_set signals{control};
  asio::steady_timer grace_timer{control};
  std::uint16_t port = 0;
  std::atomic<bool> draining{false};
  std::atomic<int> forced_by{0};  // the second stop signal that ended the drain, if one did
  std::atomic<std::size_t> active{0};
  // Lines anyone who can open a connection can cause, each kind capped (log_throttle.h). Refused
  // certificates have a cap of their own: a flood of port probes must not hide an expired
  // department certificate.
  log::Throttle certificate_log{kLogBurst, kLogWindow};
  log::Throttle handshake_log{kLogBurst, kLogWindow};
  log::Throttle refused_log{kLogBurst, kLogWindow};
  log::Throttle accept_log{kLogBurst, kLogWindow};
  std::mutex conns_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> conns;
  std::unordered_map<asio::ip::address, std::size_t> per_address;  // open connections by limit_key (IPv6 by /64)
  std::uint64_t next_conn_id = 1;
  std::function<void()> on_sighup;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(std::shared_ptr<Connection> conn, std::string peer);
  std::shared_ptr<ssl::context> current_tls();
  // Until when a connection's verified certificate stays good without a reload: the earliest
  // notAfter of its chain, or the CRLs' nextUpdate if sooner (Unix seconds; 0: check every time).
  std::int64_t check_horizon(SSL* ssl);
  // The limit a new connection from `address` would exceed ("max_connections",
  // "max_connections_per_address"), or empty. On the control strand, which alone adds connections.
  std::string_view refuse_connection(const asio::ip::address& address);
  // Before each request: a connection whose certificate was verified before the last reload, or
  // has expired since, has it verified again; one that no longer verifies loses its principal.
  void recheck_certificate(Connection& conn, access::PeerIdentity& identity, const std::string& peer);
  asio::awaitable<api::Response> run_inline(api::Request& request);
  asio::awaitable<void> write_error(Connection& conn, unsigned version, int status, std::string_view code,
                                    std::string_view message, const std::string& request_id);
  void wait_signal();
  void begin_drain();
  void maybe_finish();  // on control strand
};

asio::awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || draining) co_return;
      if (std::uint64_t held = 0; accept_log.allow(held)) {
        log::warn("accept_failed", {{"error", ec.message()}, {"not_logged_since_last", held}});
      }
      // Out of file descriptors and the like: back off rather than spin.
      asio::steady_timer pause(control, std::chrono::milliseconds(100));
      co_await pause.async_wait(kTuple);
      continue;
    }
    beast::error_code ep_ec;
    const auto ep = socket.remote_endpoint(ep_ec);
    const asio::ip::address address = limit_key(ep.address());
    const std::string_view full = refuse_connection(address);
    if (!full.empty()) {
      if (options.on_connection_refused) options.on_connection_refused(full);
      if (std::uint64_t held = 0; refused_log.allow(held)) {
        log::warn("connection_refused", {{"reason", std::string(full) + " reached"},
                                         {"address", ep_ec ? std::string("unknown") : limit_key_text(address)},
                                         {full, full == "max_connections" ? options.limits.max_connections
                                                                          : options.limits.max_connections_per_address},
                                         {"not_logged_since_last", held}});
      }
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    std::string peer = ep_ec ? "unknown" : endpoint_text(ep);
    auto executor = socket.get_executor();
    // The generation is read before the context: a reload between the two only makes the
    // connection check its certificate once more than it needs to.
    const std::uint64_t generation = tls_generation.load();
    auto conn = std::make_shared<Connection>(std::move(socket), current_tls(), generation);
    std::uint64_t id = 0;
    {
      std::lock_guard lock(conns_mutex);
      id = next_conn_id++;
      conns.emplace(id, conn);
      ++per_address[address];
    }
    ++active;
    asio::co_spawn(executor, session(std::move(conn), std::move(peer)),
                   [this, id, address](const std::exception_ptr& e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         log::error("session_failed", {{"error", ex.what()}});
                       }
                     }
                     {
                       std::lock_guard lock(conns_mutex);
                       conns.erase(id);
                       if (auto it = per_address.find(address); it != per_address.end() && --it->second == 0)
                         per_address.erase(it);
                     }
                     if (--active == 0 && draining) asio::post(control, [this] { maybe_finish(); });
                   });
  }
}

std::string_view Server::Impl::refuse_connection(const asio::ip::address& address) {
  if (active.load() >= options.limits.max_connections) return "max_connections";
  const std::size_t cap = options.limits.max_connections_per_address;
  if (cap == 0) return {};
  std::lock_guard lock(conns_mutex);
  const auto it = per_address.find(address);
  return it != per_address.end() && it->second >= cap ? "max_connections_per_address" : std::string_view{};
}

std::int64_t Server::Impl::check_horizon(SSL* ssl) {
  std::int64_t until = peer_chain_not_after(ssl).value_or(0);
  std::lock_guard lock(tls_mutex);
  if (crls && crls->next_update_unix && *crls->next_update_unix < until) until = *crls->next_update_unix;
  return until;
}

std::shared_ptr<ssl::context> Server::Impl::current_tls() {
  std::lock_guard lock(tls_mutex);
  return tls;
}

void Server::Impl::recheck_certificate(Connection& conn, access::PeerIdentity& identity, const std::string& peer) {
  if (!identity.has_certificate || identity.certificate_refused) return;
  const std::uint64_t generation = tls_generation.load();
  const std::int64_t now = std::time(nullptr);
  if (generation == conn.checked_generation && now < conn.checked_until) return;
  SSL* native = conn.stream.native_handle();
  const auto context = current_tls();
  if (const auto reason = peer_no_longer_verifies(native, context->native_handle())) {
    if (std::uint64_t held = 0; certificate_log.allow(held)) {
      log::warn("client_certificate_refused",
                {{"peer", peer},
                 {"client_cn", bounded_utf8(identity.subject_cn, 128)},
                 {"certificate_problem", *reason},
                 {"fingerprint_sha256", identity.fingerprint_sha256},
                 {"action",
                  "the connection is closed after this request's 403; the client must connect again "
                  "with a certificate that verifies"},
                 {"not_logged_since_last", held}});
    }
    identity.problem = "the client certificate this connection began with no longer verifies (" + *reason +
                       "); connect again with a current certificate";
    identity.certificate_refused = true;  // keeps its CN: the audit entry of the refusal names who it was
    return;
  }
  conn.checked_generation = generation;
  conn.checked_until = check_horizon(native);
}

asio::awaitable<void> Server::Impl::write_error(Connection& conn, unsigned version, int status, std::string_view code,
                                                std::string_view message, const std::string& request_id) {
  if (options.on_rejection) options.on_rejection(status, code);
  const api::Response r = api::error_response(status, code, message);
  http::response<http::string_body> res{static_cast<http::status>(status), version ? version : 11};
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Request-Id", request_id);
  res.keep_alive(false);
  res.body() = r.body;
  res.prepare_payload();
  auto& lowest = beast::get_lowest_layer(conn.stream);
  lowest.expires_after(options.limits.write_timeout);
  auto [ec, n] = co_await http::async_write(conn.stream, res, kTuple);
  if (ec) co_return;
  // Lingering close: the client may still be sending the rest of what we refused. Closing with
  // unread data would reset the connection and could destroy our answer before it is read, so
  // read and discard for a short, bounded while (as nginx's lingering_close does).
  lowest.expires_after(std::chrono::seconds(1));
  constexpr std::size_t kScratchBytes = std::size_t{16} * 1024;
  std::array<char, kScratchBytes> scratch{};
  std::size_t discarded = 0;
  while (discarded < std::size_t{4} * 1024 * 1024) {
    auto [read_ec, got] = co_await conn.stream.async_read_some(asio::buffer(scratch), kTuple);
    if (read_ec) break;
    discarded += got;
  }
}

// Runs the handler on this I/O thread with audit commits deferred, then waits for them without
// holding the thread: the group commit's fsync is shared by every request waiting on it.
asio::awaitable<api::Response> Server::Impl::run_inline(api::Request& request) {
  auto deferral = std::make_shared<api::CommitDeferral>();
  api::Response response;
  {
    api::CommitDeferral::Scope scope(deferral.get());
    try {
      response = handler(request);
    } catch (const std::exception& e) {
      response = handler_failed(request.request_id, e);
    }
  }
  if (deferral->pending()) {
    // The wake-up is posted to this coroutine's strand, so it runs only after the wait has begun.
    auto executor = co_await asio::this_coro::executor;
    auto wait = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
    deferral->when_done([wait, executor] { asio::post(executor, [wait] { wait->cancel(); }); });
    co_await wait->async_wait(kTuple);
  }
  if (deferral->failed()) {
    response =
        api::error_response(503, "audit_unavailable", "the audit log cannot record this access; try again later");
  }
  co_return response;
}

asio::awaitable<void> Server::Impl::session(std::shared_ptr<Connection> conn, std::string peer) {
  auto& stream = conn->stream;
  auto& lowest = beast::get_lowest_layer(stream);
  const LimitsConfig& limits = options.limits;

  lowest.expires_after(limits.handshake_timeout);
  auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
  if (hs_ec) {
    // Refused certificates (expired, foreign CA), old protocol versions and port scans end here.
    // What the certificate check said, and whose certificate it was, so that an operator can
    // tell an expired department certificate from a stranger (a department's CN is no secret).
    SSL* native = stream.native_handle();
    const long verify = SSL_get_verify_result(native);
    const std::string_view kind = handshake_failure_kind(hs_ec, verify);
    if (options.on_handshake_failure) options.on_handshake_failure(kind);
    std::uint64_t held = 0;
    if (!(kind == "certificate" ? certificate_log : handshake_log).allow(held)) co_return;
    boost::json::object fields{{"peer", peer}, {"kind", kind}, {"reason", hs_ec.message()}};
    if (verify != X509_V_OK) fields["certificate_problem"] = X509_verify_cert_error_string(verify);
    if (verify == X509_V_ERR_UNABLE_TO_GET_CRL) {
      // Every CA of the chain must have its CRL in crl_file, and the hub checks CRLs only for the
      // CAs in client_ca: an intermediate the client sends but client_ca lacks has none.
      fields["action"] =
          "a CA in this client's chain has no CRL in tls.crl_file: if the client sends an intermediate CA that "
          "tls.client_ca does not hold, add that intermediate to client_ca and its CRL to crl_file, then reload";
    } else if (verify == X509_V_ERR_DIFFERENT_CRL_SCOPE) {
      // A CRL naming an issuing distribution point covers only certificates naming that point.
      fields["action"] =
          "the CRL in tls.crl_file of a CA in this client's chain names an issuing distribution point (the "
          "tls_crl_loaded log line and the reload answer list it), and this certificate's CRL distribution points do "
          "not name it, so no CRL covers the certificate: have the CA issue certificates that name the point its "
          "CRLs name, or give the hub a CRL of that CA that names none";
    }
    if (const std::string cn = refused_client_cn(native); !cn.empty()) fields["client_cn"] = cn;
    fields["not_logged_since_last"] = held;
    log::info("tls_handshake_failed", std::move(fields));
    co_return;
  }
  access::PeerIdentity identity = peer_identity(stream.native_handle());
  conn->checked_until = check_horizon(stream.native_handle());

  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
    parser.body_limit(limits.body_bytes);
    conn->idle = buffer.size() == 0;
    if (draining && conn->idle) break;
    if (conn->idle) {
      // Wait for the first bytes of the next request under the idle timeout; a drain cancels
      // this wait. Once bytes arrive the whole request must come within read_timeout.
      lowest.expires_after(limits.idle_timeout);
      auto [idle_ec, n] = co_await stream.async_read_some(buffer.prepare(std::size_t{16} * 1024), kTuple);
      if (idle_ec) break;
      buffer.commit(n);
    }
    conn->idle = false;
    lowest.expires_after(limits.read_timeout);
    auto [read_ec, read_n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    (void)read_n;
    if (!read_ec) {
      if (const auto problem = framing_problem(parser.get())) {
        log::info("request_rejected", {{"peer", peer}, {"status", problem->status}, {"reason", problem->message}});
        co_await write_error(*conn, parser.get().version(), problem->status, problem->code, problem->message,
                             new_request_id());
        break;
      }
    }
    if (!read_ec && !parser.is_done()) {
      // A client that sent "Expect: 100-continue" waits for this before it sends the body (.NET's
      // HttpClient does for every POST; curl for large ones): without it each waits out its own
      // timeout, or for ever.
      const auto expect = parser.get()[http::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        auto [continue_ec, continue_n] = co_await http::async_write(stream, go_on, kTuple);
        (void)continue_n;
        read_ec = continue_ec;
      }
      if (!read_ec) {
        auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, kTuple);
        (void)body_n;
        read_ec = body_ec;
      }
    }
    const std::string request_id = new_request_id();
    if (read_ec) {
      if (read_ec == http::error::body_limit) {
        log::info("request_rejected", {{"peer", peer}, {"request_id", request_id}, {"status", 413}});
        co_await write_error(*conn, 11, 413, "body_too_large",
                             "request body exceeds " + std::to_string(limits.body_bytes) + " bytes", request_id);
      } else if (read_ec == http::error::header_limit && parser.get().target().empty()) {
        // The parser never got past the request line (it fills in the target once the line is
        // whole): the line alone is over the limit, its target too long (RFC 9110 15.5.15).
        log::info("request_rejected", {{"peer", peer}, {"request_id", request_id}, {"status", 414}});
        co_await write_error(*conn, 11, 414, "target_too_long",
                             "the request line exceeds " + std::to_string(limits.header_bytes) + " bytes", request_id);
      } else if (read_ec == http::error::header_limit) {
        log::info("request_rejected", {{"peer", peer}, {"request_id", request_id}, {"status", 431}});
        co_await write_error(*conn, 11, 431, "headers_too_large",
                             "request headers exceed " + std::to_string(limits.header_bytes) + " bytes", request_id);
      } else if (is_http_parse_error(read_ec) && read_ec != http::error::partial_message) {
        log::info("request_rejected",
                  {{"peer", peer}, {"request_id", request_id}, {"status", 400}, {"reason", read_ec.message()}});
        co_await write_error(*conn, 11, 400, "malformed_request", "malformed HTTP request: " + read_ec.message(),
                             request_id);
      } else if (read_ec == beast::error::timeout) {
        log::info("request_timeout", {{"peer", peer}, {"after_ms", limits.read_timeout.count()}});
      } else if (!is_quiet_close(read_ec)) {
        log::info("request_aborted", {{"peer", peer}, {"reason", read_ec.message()}});
      }
      break;
    }

    const auto begin = std::chrono::steady_clock::now();
    recheck_certificate(*conn, identity, peer);
    http::request<http::string_body> req = parser.release();
    auto api_req = to_api_request(req);
    api::Response response;
    std::string principal_id;
    if (!api_req) {
      response = api::error_response(400, "bad_target", api_req.error().message);
      if (options.on_rejection) options.on_rejection(400, "bad_target");
    } else {
      const std::string* client_id = api_req->header("x-request-id");
      api_req->request_id = client_id && is_acceptable_request_id(*client_id) ? *client_id : request_id;
      api_req->peer = identity;
      if (options.runs_inline && options.runs_inline(*api_req)) {
        response = co_await run_inline(*api_req);
      } else {
        response = co_await asio::co_spawn(
            options.runs_apart && options.runs_apart(*api_req) ? admin_pool : handler_pool,
            [&]() -> asio::awaitable<api::Response> {
              try {
                co_return handler(*api_req);
              } catch (const std::exception& e) {
                co_return handler_failed(api_req->request_id, e);
              }
            },
            asio::use_awaitable);
      }
      if (api_req->principal) principal_id = api_req->principal->id;
    }
    const std::string& rid = api_req ? api_req->request_id : request_id;

    http::response<http::string_body> res{static_cast<http::status>(response.status), req.version()};
    res.set(http::field::content_type, response.content_type);
    res.set(http::field::cache_control, "no-store");
    res.set("X-Request-Id", rid);
    for (const auto& [name, value] : response.headers) res.set(name, value);
    const bool keep_alive = req.keep_alive() && !response.close && !draining && !identity.certificate_refused;
    res.keep_alive(keep_alive);
    res.body() = std::move(response.body);
    res.prepare_payload();
    const std::size_t body_size = res.body().size();
    // A HEAD answer carries the GET answer's headers, its Content-Length included, and no body.
    if (req.method() == http::verb::head) res.body().clear();

    lowest.expires_after(limits.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, res, kTuple);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begin).count();
    // The route pattern, not the path: paths carry subjects (ID numbers), which stay out of logs.
    if (log::enabled(log::Level::kInfo)) {
      const std::string route = api_req && !api_req->route.empty() ? api_req->route : "unmatched";
      log::info("request",
                {{"request_id", rid},
                 {"principal", principal_id.empty() ? boost::json::value(nullptr) : boost::json::value(principal_id)},
                 {"method", std::string(req.method_string().substr(0, 32))},
                 {"route", route},
                 {"status", response.status},
                 {"bytes", body_size},
                 {"us", micros},
                 {"peer", peer}});
    }
    if (options.on_response && api_req) {
      options.on_response(*api_req, response.status, static_cast<double>(micros) / 1e6);
    }
    if (write_ec || !keep_alive) break;
  }
  // Best effort close_notify, bounded in time.
  lowest.expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(kTuple);
  beast::error_code ignored;
  lowest.socket().close(ignored);
}

void Server::Impl::wait_signal() {
  signals.async_wait([this](const beast::error_code& ec, int signo) {
    if (ec) return;  // cancelled at the end of a drain
    if (signo == SIGHUP) {
      log::info("signal", {{"signal", "SIGHUP"}, {"action", "reload"}});
      // On a handler thread: a reload may wait for a source's pull to stop, which must not hold
      // an I/O thread.
      if (on_sighup) asio::post(admin_pool, on_sighup);
      wait_signal();
      return;
    }
    if (draining) {
      log::warn("signal",
                {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}, {"action", "second stop signal: stopping now"}});
      forced_by = signo;
      ioc.stop();
      return;
    }
    log::info("signal", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}, {"action", "graceful shutdown"}});
    begin_drain();
    wait_signal();
  });
}

void Server::Impl::begin_drain() {
  bool expected = false;
  if (!draining.compare_exchange_strong(expected, true)) return;
  log::info("shutdown_started",
            {{"open_connections", active.load()}, {"grace_ms", options.limits.shutdown_grace.count()}});
  asio::post(control, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    grace_timer.expires_after(options.limits.shutdown_grace);
    grace_timer.async_wait([this](const beast::error_code& ec) {
      if (ec) return;
      log::warn("shutdown_grace_expired", {{"open_connections", active.load()}});
      ioc.stop();
    });
    maybe_finish();
  });
  std::lock_guard lock(conns_mutex);
  for (auto& [id, weak] : conns) {
    if (auto conn = weak.lock()) {
      asio::post(conn->stream.get_executor(), [conn] {
        if (conn->idle) beast::get_lowest_layer(conn->stream).cancel();
      });
    }
  }
}

void Server::Impl::maybe_finish() {
  if (!draining || active.load() != 0) return;
  grace_timer.cancel();
  beast::error_code ignored;
  signals.cancel(ignored);
  log::info("shutdown_complete", {});
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Status Server::reload_tls(const TlsConfig& tls) {
  YICI_TRY(auto made, make_server_tls_context(tls));
  {
    std::lock_guard lock(impl_->tls_mutex);
    impl_->tls = std::move(made.context);
    impl_->crls = made.crls;
  }
  ++impl_->tls_generation;
  return {};
}

std::size_t Server::open_connections() const { return impl_->active.load(); }

std::optional<LoadedCrls> Server::crls() const {
  std::lock_guard lock(impl_->tls_mutex);
  return impl_->crls;
}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::create(const ServerOptions& options, RequestHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  if (options.prepared_tls) {
    impl->tls = options.prepared_tls->context;
    impl->crls = options.prepared_tls->crls;
  } else {
    YICI_TRY(auto made, make_server_tls_context(options.tls));
    impl->tls = std::move(made.context);
    impl->crls = made.crls;
  }
  impl->options.prepared_tls.reset();
  name_pool_threads(impl->handler_pool, kHandlerThreads, "handler");
  name_pool_threads(impl->admin_pool, kAdminThreads, "admin");

  std::shared_ptr<Listener> listener = options.prepared_listener;
  impl->options.prepared_listener.reset();
  if (!listener) {
    YICI_TRY(auto bound, Listener::bind(options.listen));
    listener = std::make_shared<Listener>(std::move(bound));
  }
  beast::error_code ec;
  auto& acceptor = impl->acceptor;
  const int fd = listener->release();
  acceptor.assign(listener->v6() ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    return Error::io("cannot listen on " + options.listen.to_string() + ": " + ec.message());
  }
  impl->port = listener->port();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const { return impl_->port; }
bool Server::draining() const { return impl_->draining; }
int Server::forced_by() const { return impl_->forced_by; }

void Server::run(std::function<void()> on_sighup) {
  Impl& s = *impl_;
  s.on_sighup = std::move(on_sighup);
  std::signal(SIGPIPE, SIG_IGN);
  s.signals.add(SIGINT);
  s.signals.add(SIGTERM);
  s.signals.add(SIGHUP);
  asio::post(s.control, [&s] { s.wait_signal(); });
  asio::co_spawn(s.control, s.accept_loop(), asio::detached);

  int n = s.options.threads > 0 ? s.options.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n - 1));
  for (int i = 1; i < n; ++i) {
    threads.emplace_back([&s, i] {
      set_thread_name("io-" + std::to_string(i));  // the main thread, keeping the process name, is the first
      s.ioc.run();
    });
  }
  s.ioc.run();
  for (auto& t : threads) t.join();
  s.handler_pool.join();
  s.admin_pool.join();
}

void Server::stop() { impl_->begin_drain(); }

}  // namespace yici::net
