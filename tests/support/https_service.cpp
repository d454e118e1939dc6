#include "tests/support/https_service.h"

#include "tests/support/test_pki.h"

namespace yici::test {

HttpsService::HttpsService(Handler handler) {
  net::ServerOptions options;
  options.listen = {"127.0.0.1", 0};
  options.tls = {pki("hub.crt"), pki("hub.key"), pki("ca.crt"), "1.2"};
  options.threads = 1;
  server_ = net::Server::create(options, std::move(handler)).value();
  thread_ = std::thread([this] { server_->run(); });
}

HttpsService::~HttpsService() {
  server_->stop();
  thread_.join();
}

std::string HttpsService::base() const { return "https://localhost:" + std::to_string(server_->port()); }

}  // namespace yici::test
