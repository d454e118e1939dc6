// A small HTTPS client with client certificates, for yici-ctl, yici-verify (JWKS by URL), the
// REST adapter and the benchmark's tools. One keep-alive connection, reopened when the server
// closed it; every operation has a timeout. Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/core/result.h"

namespace yici::net {

struct ClientOptions {
  std::string ca;    // PEM CA bundle to verify the server with; empty: the system's default paths
  std::string cert;  // client certificate (PEM), optional
  std::string key;   // its private key (PEM)
  std::chrono::milliseconds timeout{10'000};  // per connect, handshake, write and read
  // The same three as PEM text, read by the caller (a confined source reads them itself, so that
  // what it checked is what is used); each, when not empty, is used instead of its file.
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  [[nodiscard]] const std::string* header(std::string_view lowercase_name) const;
};

class HttpsClient {
 public:
  // `base_url`: https://host[:port][/path]; a path is put before every request's target (a hub
  // behind a proxy under a path). Loads the certificates now.
  static Result<std::unique_ptr<HttpsClient>> create(std::string_view base_url, const ClientOptions& options);
  ~HttpsClient();

  // Errors: kUnavailable when the server cannot be reached or the TLS handshake fails (with the
  // reason), kIo for a broken exchange. Any HTTP status is a successful Result.
  Result<ClientResponse> request(std::string_view method, std::string_view target, std::string_view body = {},
                                 const std::vector<std::pair<std::string, std::string>>& headers = {});

  [[nodiscard]] const std::string& host() const;

 private:
  struct Impl;
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace yici::net
