#include "tests/support/tls_client.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <openssl/ssl.h>

namespace yici::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct TlsConnection::Impl {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<ssl::stream<tcp::socket>> stream;
  boost::beast::flat_buffer buffer;
  std::chrono::milliseconds timeout{10'000};

  // Runs one async operation to completion or until `limit`; on timeout the socket is closed and
  // the result is asio::error::timed_out. Blocking calls with SO_RCVTIMEO do not work under Asio.
  template <typename Start>
  boost::system::error_code run(std::chrono::milliseconds limit, Start start) {
    boost::system::error_code result;
    bool done = false;
    ioc.restart();
    start([&](boost::system::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc.run_for(limit);
    if (!done) {
      boost::system::error_code ignored;
      stream->next_layer().cancel(ignored);
      ioc.restart();
      ioc.run();
      return asio::error::timed_out;
    }
    return result;
  }
};

TlsConnection::TlsConnection(std::uint16_t port, const TlsOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& ctx = impl_->ctx;
  if (!options.ca.empty()) {
    ctx.load_verify_file(options.ca);
    ctx.set_verify_mode(ssl::verify_peer);
  }
  if (!options.client.cert.empty()) {
    ctx.use_certificate_chain_file(options.client.cert);
    ctx.use_private_key_file(options.client.key, ssl::context::pem);
  }
  if (options.max_tls_version != 0) {
    SSL_CTX_set_security_level(ctx.native_handle(), 0);  // let the client even offer old versions
    SSL_CTX_set_min_proto_version(ctx.native_handle(), 0);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), options.max_tls_version);
    SSL_CTX_set_cipher_list(ctx.native_handle(), "ALL:@SECLEVEL=0");
  }
  impl_->stream = std::make_unique<ssl::stream<tcp::socket>>(impl_->ioc, ctx);
  auto& sock = impl_->stream->next_layer();
  impl_->timeout = options.timeout;
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  SSL_set_tlsext_host_name(impl_->stream->native_handle(), "localhost");
  impl_->stream->set_verify_callback(ssl::host_name_verification("localhost"));
  auto ec = impl_->run(impl_->timeout,
                       [&](auto handler) { impl_->stream->async_handshake(ssl::stream_base::client, handler); });
  if (ec) throw std::runtime_error("TLS handshake failed: " + ec.message());
}

TlsConnection::~TlsConnection() {
  boost::system::error_code ec;
  impl_->stream->next_layer().close(ec);
}

void TlsConnection::send_raw(const std::string& bytes) {
  auto ec = impl_->run(impl_->timeout,
                       [&](auto handler) { asio::async_write(*impl_->stream, asio::buffer(bytes), handler); });
  if (ec) throw std::runtime_error("send failed: " + ec.message());
}

std::optional<HttpResult> TlsConnection::read_response(bool to_head) {
  http::response_parser<http::string_body> parser;
  parser.skip(to_head);
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  auto ec = impl_->run(impl_->timeout,
                       [&](auto handler) { http::async_read(*impl_->stream, impl_->buffer, parser, handler); });
  if (ec) return std::nullopt;
  HttpResult r;
  const auto& res = parser.get();
  r.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = res.body();
  return r;
}

bool TlsConnection::closed_by_peer(std::chrono::milliseconds wait) {
  char byte = 0;
  auto ec = impl_->run(wait, [&](auto handler) { impl_->stream->async_read_some(asio::buffer(&byte, 1), handler); });
  if (!ec) return false;                // got data: open
  return ec != asio::error::timed_out;  // EOF, reset, TLS alert: closed
}

HttpResult https_request(std::uint16_t port, const TlsOptions& options, const std::string& method,
                         const std::string& target, const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  TlsConnection conn(port, options);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  conn.send_raw(req);
  auto r = conn.read_response(method == "HEAD");
  if (!r) throw std::runtime_error("no HTTP response for " + method + " " + target);
  return *r;
}

bool wait_for_status(std::uint16_t port, const TlsOptions& options, const std::string& target, int status) {
  for (int i = 0; i < 100; ++i) {
    if (https_request(port, options, "GET", target).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool handshake_succeeds(std::uint16_t port, const TlsOptions& options, std::string* error) {
  // With TLS 1.3 the server judges the client certificate after the client's handshake returns,
  // so success means a full request/response round trip.
  try {
    TlsConnection conn(port, options);
    conn.send_raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    auto r = conn.read_response();
    if (!r) {
      if (error) *error = "connection closed before a response";
      return false;
    }
    return true;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
}

}  // namespace yici::test
