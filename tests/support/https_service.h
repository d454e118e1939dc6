// A department's HTTPS service for adapter tests: the hub's own server code on a free loopback
// port, with the dev PKI's server certificate (CN localhost), one thread, answering with the
// test's handler. The handler runs on the server's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "hub/api/http.h"
#include "hub/net/server.h"

namespace yici::test {

class HttpsService {
 public:
  using Handler = std::function<api::Response(api::Request&)>;
  explicit HttpsService(Handler handler);  // listening once constructed
  ~HttpsService();
  HttpsService(const HttpsService&) = delete;
  HttpsService& operator=(const HttpsService&) = delete;

  // https://localhost:PORT, the name the certificate carries.
  [[nodiscard]] std::string base() const;

 private:
  std::unique_ptr<net::Server> server_;
  std::thread thread_;
};

}  // namespace yici::test
