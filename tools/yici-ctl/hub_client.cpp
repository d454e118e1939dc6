#include "tools/yici-ctl/hub_client.h"

#include <iostream>

#include <boost/json.hpp>

#include "hub/core/json_text.h"
#include "tools/yici-ctl/client_cert_check.h"

namespace yici::ctl {

std::shared_ptr<HubFlags> add_hub_flags(CLI::App& command) {
  auto shared = std::make_shared<HubFlags>();
  HubFlags& flags = *shared;
  command.add_option("--hub", flags.hub, "hub URL")->envname("YICI_HUB")->capture_default_str();
  command.add_option("--cert", flags.cert, "your client certificate (PEM)")->envname("YICI_CERT");
  command.add_option("--key", flags.key, "its private key (PEM)")->envname("YICI_KEY");
  command.add_option("--ca", flags.ca, "CA that issued the hub's certificate (PEM)")->envname("YICI_CA");
  command
      .add_option("--timeout", flags.timeout_s,
                  "seconds to wait for the hub at each step (connect, handshake, answer); default " +
                      std::to_string(kDefaultTimeoutS) + ", longer for `sources retire`")
      ->envname("YICI_TIMEOUT")
      ->check(CLI::Range(1, 86400));
  command.add_option("--output,-o", flags.output, "table (for people) or json (for scripts)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  return shared;
}

std::optional<net::ClientResponse> call_hub(const HubFlags& flags, const std::string& method, const std::string& target,
                                            int& exit_code, const std::string& body, const std::string& content_type) {
  if (flags.cert.empty() || flags.key.empty()) {
    std::cerr << "yici-ctl: give your client certificate with --cert and --key (or YICI_CERT, YICI_KEY)\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  if (auto problem = client_certificate_problem(flags.cert)) {
    std::cerr << "yici-ctl: " << *problem << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  const int timeout_s = flags.timeout_s > 0 ? flags.timeout_s : kDefaultTimeoutS;
  auto client = net::HttpsClient::create(flags.hub, {flags.ca, flags.cert, flags.key, std::chrono::seconds(timeout_s)});
  if (!client) {
    std::cerr << "yici-ctl: " << client.error().message << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!body.empty()) headers.emplace_back("Content-Type", content_type);
  auto response = (*client)->request(method, target, body, headers);
  if (!response) {
    const std::string& why = response.error().message;
    if (why.find("certificate verify failed") != std::string::npos) {
      // Reached, but its certificate does not chain to the CA given: a wrong --ca, not a hub down.
      std::cerr << "yici-ctl: the hub at " << flags.hub << " answered, but its certificate is not issued by "
                << (flags.ca.empty() ? std::string("a CA this system trusts (give --ca)") : "--ca " + flags.ca)
                << " or does not name that host: " << why << "\n";
      exit_code = kExitRefused;
      return std::nullopt;
    }
    if (why.find(" alert ") != std::string::npos) {
      // The hub ended the handshake with an alert: it refused our certificate (another CA's,
      // revoked, or not for clients). Reached, and refused.
      std::cerr << "yici-ctl: the hub at " << flags.hub << " refused the client certificate " << flags.cert << ": "
                << why
                << "; the hub's log line tls_handshake_failed says why (certificate_problem): the certificate "
                   "expired or revoked, from a CA not in the hub's tls.client_ca, or not for client use, or the "
                   "hub's CRL for that CA (tls.crl_file) expired. A hub that refuses every certificate for a stale "
                   "CRL reloads a new one on SIGHUP (kill -HUP), which needs no certificate\n";
      exit_code = kExitRefused;
      return std::nullopt;
    }
    std::cerr << "yici-ctl: cannot reach the hub at " << flags.hub << ": " << why << " (--timeout " << timeout_s
              << " s per step)\n";
    exit_code = kExitUnreachable;
    return std::nullopt;
  }
  return std::move(*response);
}

int print_http_error(const net::ClientResponse& response) {
  boost::system::error_code ec;
  auto v = boost::json::parse(response.body, ec);
  if (!ec && v.is_object() && v.as_object().contains("error")) {
    const auto& e = v.at("error");
    std::cerr << "yici-ctl: " << e.at("code").as_string().c_str() << ": " << e.at("message").as_string().c_str()
              << " (HTTP " << response.status << ")\n";
  } else {
    std::cerr << "yici-ctl: HTTP " << response.status << "\n";
  }
  return kExitRefused;
}

std::string text(const boost::json::value& v) {
  if (v.is_null()) return "-";
  if (!v.is_string()) return to_json_text(v);  // 0.975, not 9.75E-1
  std::string out;
  for (const char c : v.as_string()) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7F) {
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace yici::ctl
