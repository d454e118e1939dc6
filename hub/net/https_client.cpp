#include "hub/net/https_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <openssl/err.h>

#include "hub/core/version.h"

namespace yici::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

const std::string* ClientResponse::header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lowercase_name) return &v;
  }
  return nullptr;
}

struct HttpsClient::Impl {
  std::string host;
  std::string port;
  std::string host_header;  // host, and the port unless 443
  std::string base_path;    // the URL's path without its trailing '/', put before every target
  ClientOptions options;
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<ssl::stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;

  // Runs queued operations to completion; the tcp_stream's expiry bounds each one.
  void run() {
    ioc.restart();
    ioc.run();
  }

  Status connect() {
    stream = std::make_unique<ssl::stream<beast::tcp_stream>>(ioc, ctx);
    buffer.clear();
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return Error::unavailable("cannot resolve " + host + ": " + ec.message());
    auto& lowest = beast::get_lowest_layer(*stream);
    lowest.expires_after(options.timeout);
    lowest.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) return Error::unavailable("cannot connect to " + host + ":" + port + ": " + ec.message());
    if (!SSL_set_tlsext_host_name(stream->native_handle(), host.c_str())) {
      return Error::internal("cannot set TLS server name");
    }
    stream->set_verify_mode(ssl::verify_peer);
    stream->set_verify_callback(ssl::host_name_verification(host));
    lowest.expires_after(options.timeout);
    stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run();
    if (ec) return Error::unavailable("TLS handshake with " + host + ":" + port + " failed: " + ec.message());
    return {};
  }

  Result<ClientResponse> exchange(http::request<http::string_body>& req, bool* retryable) {
    *retryable = false;
    beast::error_code ec;
    auto& lowest = beast::get_lowest_layer(*stream);
    lowest.expires_after(options.timeout);
    http::async_write(*stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      *retryable = true;  // the server may have closed an idle keep-alive connection
      return Error::io("sending request: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{256} * 1024 * 1024);
    lowest.expires_after(options.timeout);
    std::size_t got = 0;
    http::async_read(*stream, buffer, parser, [&](beast::error_code e, std::size_t n) {
      ec = e;
      got = n;
    });
    run();
    if (ec) {
      *retryable = got == 0 && (ec == http::error::end_of_stream || ec == asio::error::eof ||
                                ec == asio::error::connection_reset || ec == ssl::error::stream_truncated);
      return Error::io("reading response: " + ec.message());
    }
    auto res = parser.release();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

const std::string& HttpsClient::host() const { return impl_->host; }

Result<std::unique_ptr<HttpsClient>> HttpsClient::create(std::string_view base_url, const ClientOptions& options) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url) return Error::invalid("bad URL \"" + std::string(base_url) + "\": expected https://host[:port]");
  if (url->scheme() != "https")
    return Error::invalid("URL must start with https:// (got \"" + std::string(base_url) + "\")");
  if (url->has_query() || url->has_fragment()) {
    return Error::invalid("URL \"" + std::string(base_url) +
                          "\" has a query or fragment: give https://host[:port][/path]");
  }
  auto impl = std::make_unique<Impl>();
  impl->host = url->host();
  impl->port = url->has_port() ? std::string(url->port()) : "443";
  // The Host header names the port unless it is https's own (RFC 9110 7.2): a proxy in front of
  // the hub may route by it.
  impl->host_header = std::string(url->encoded_host_and_port());
  if (!url->has_port() || impl->port == "443") impl->host_header = std::string(url->encoded_host());
  if (impl->host.size() > 2 && impl->host.front() == '[') impl->host = impl->host.substr(1, impl->host.size() - 2);
  // A path (a hub behind a proxy at https://gateway/yici) is put before every request's target.
  impl->base_path = std::string(url->encoded_path());
  while (!impl->base_path.empty() && impl->base_path.back() == '/') impl->base_path.pop_back();
  impl->options = options;
  beast::error_code ec;
  SSL_CTX_set_min_proto_version(impl->ctx.native_handle(), TLS1_2_VERSION);
  if (!options.ca_pem.empty()) {
    impl->ctx.add_certificate_authority(asio::buffer(options.ca_pem), ec);
  } else if (options.ca.empty()) {
    impl->ctx.set_default_verify_paths(ec);
  } else {
    impl->ctx.load_verify_file(options.ca, ec);
  }
  if (ec) return Error::invalid("CA file " + options.ca + ": " + ec.message());
  if (!options.cert_pem.empty()) {
    impl->ctx.use_certificate_chain(asio::buffer(options.cert_pem), ec);
    if (ec) return Error::invalid("certificate " + options.cert + ": " + ec.message());
    impl->ctx.use_private_key(asio::buffer(options.key_pem), ssl::context::pem, ec);
    if (ec) return Error::invalid("key " + options.key + ": " + ec.message());
  } else if (!options.cert.empty()) {
    impl->ctx.use_certificate_chain_file(options.cert, ec);
    if (ec) return Error::invalid("certificate " + options.cert + ": " + ec.message());
    impl->ctx.use_private_key_file(options.key, ssl::context::pem, ec);
    if (ec) return Error::invalid("key " + options.key + ": " + ec.message());
  }
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

Result<ClientResponse> HttpsClient::request(std::string_view method, std::string_view target, std::string_view body,
                                            const std::vector<std::pair<std::string, std::string>>& headers) {
  Impl& s = *impl_;
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(s.base_path.empty() ? std::string(target) : s.base_path + std::string(target));
  req.version(11);
  req.set(http::field::host, s.host_header);
  req.set(http::field::user_agent, std::string("yici/") + version());
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  req.prepare_payload();
  req.keep_alive(true);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !s.stream;
    if (fresh) YICI_TRY_STATUS(s.connect());
    bool retryable = false;
    auto r = s.exchange(req, &retryable);
    if (r.ok()) return r;
    s.stream.reset();
    if (fresh || !retryable) return r;  // only a reused connection gets a second try
  }
  return Error::io("request failed");
}

}  // namespace yici::net
