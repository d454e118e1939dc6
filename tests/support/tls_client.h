// A small blocking TLS client for integration tests: real sockets, real handshakes, and the
// ability to send malformed or slow bytes that a well-behaved client library would refuse to.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace yici::test {

struct ClientCert {
  std::string cert;  // empty: no client certificate
  std::string key;
};

struct TlsOptions {
  ClientCert client;
  std::string ca;           // CA to verify the hub with
  int max_tls_version = 0;  // e.g. TLS1_1_VERSION to test refusal; 0: library default
  std::chrono::milliseconds timeout{10'000};
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

class TlsConnection {
 public:
  // Connects and handshakes; throws std::runtime_error with the reason on failure.
  TlsConnection(std::uint16_t port, const TlsOptions& options);
  ~TlsConnection();

  void send_raw(const std::string& bytes);
  // Reads one HTTP response; nullopt if the server closed the connection first. An answer to HEAD
  // has headers only (its Content-Length is the GET answer's): say so, or the read waits for a body.
  std::optional<HttpResult> read_response(bool to_head = false);
  // true if the server has closed the connection (reads EOF or an error within `wait`).
  bool closed_by_peer(std::chrono::milliseconds wait);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
HttpResult https_request(std::uint16_t port, const TlsOptions& options, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

// GETs `target` until it answers `status` (a SIGHUP reload taking effect, say), for about 5 s;
// true if it did.
bool wait_for_status(std::uint16_t port, const TlsOptions& options, const std::string& target, int status);

// true when a TLS handshake with these options succeeds (and a request can be sent).
bool handshake_succeeds(std::uint16_t port, const TlsOptions& options, std::string* error = nullptr);

}  // namespace yici::test
