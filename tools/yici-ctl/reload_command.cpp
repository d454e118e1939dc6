#include "tools/yici-ctl/reload_command.h"

#include <iostream>
#include <memory>

#include <boost/json.hpp>

#include "tools/yici-ctl/hub_client.h"

namespace yici::ctl {

void add_reload_command(CLI::App& app, int& exit_code) {
  CLI::App* reload = app.add_subcommand(
      "reload",
      "reload the hub's access policy, signing keys, TLS certificate, key and client CA, and the source files of "
      "sources_dir (added, changed and removed sources) without a restart (admin certificate); sources registered "
      "through the API are checked against the new policy (resumed: those that load now). Key rotation: in "
      "hub.yaml make the `next` key `active` and the old active key "
      "`retired`, then reload; responses signed earlier still verify because retired keys stay in the JWKS. "
      "Other edits to hub.yaml are listed as needing a restart. Exit 1 if a part was refused (the one in force "
      "stays).");
  const auto reload_flags = add_hub_flags(*reload);
  reload->callback([flags = reload_flags, &exit_code] {
    auto r = call_hub(*flags, "POST", "/v1/admin/reload", exit_code);
    if (!r) return;
    if (r->status != 200 && r->status != 422) {
      exit_code = print_http_error(*r);
      return;
    }
    if (flags->output == "json") {
      std::cout << r->body << "\n";
    } else {
      const auto body = boost::json::parse(r->body);
      const auto& keys = body.at("signing_keys");
      std::cout << "policy:       " << boost::json::value_to<std::string>(body.at("policy")) << "\n";
      if (const auto* warnings = body.as_object().if_contains("policy_warnings"); warnings && warnings->is_array()) {
        for (const auto& w : warnings->as_array()) {
          std::cout << "              warning: " << boost::json::value_to<std::string>(w) << "\n";
        }
      }
      std::cout << "signing keys: " << boost::json::value_to<std::string>(keys.at("status")) << ", active key "
                << boost::json::value_to<std::string>(keys.at("active_kid"))
                << (keys.at("rotated").as_bool() ? " (rotated)" : "") << "\n";
      if (const auto* e = keys.as_object().if_contains("error")) {
        std::cout << "              " << boost::json::value_to<std::string>(*e) << "\n";
      }
      if (const auto* tls = body.as_object().if_contains("tls")) {
        std::cout << "tls:          " << boost::json::value_to<std::string>(tls->at("status"));
        if (const auto* crl = tls->as_object().if_contains("crl")) {
          std::cout << ", CRLs in force: " << crl->at("crls").to_number<std::int64_t>() << ", revoking "
                    << crl->at("revoked").to_number<std::int64_t>();
          if (const auto* next = crl->as_object().if_contains("next_update")) {
            std::cout << ", next update due " << boost::json::value_to<std::string>(*next);
          }
        }
        std::cout << "\n";
        if (const auto* e = tls->as_object().if_contains("error")) {
          std::cout << "              " << boost::json::value_to<std::string>(*e) << "\n";
        }
      }
      if (const auto* sources = body.as_object().if_contains("sources")) {
        std::cout << "sources:      " << boost::json::value_to<std::string>(sources->at("status"));
        for (const char* what : {"added", "changed", "removed", "resumed"}) {
          const auto* ids = sources->as_object().if_contains(what);  // "resumed": absent from older hubs
          if (ids == nullptr || ids->as_array().empty()) continue;
          std::cout << ", " << what;
          for (const auto& id : ids->as_array()) std::cout << " " << boost::json::value_to<std::string>(id);
        }
        std::cout << "\n";
        for (const auto& e : sources->at("errors").as_array()) {
          std::cout << "              " << boost::json::value_to<std::string>(e) << "\n";
        }
      }
      if (const auto* restart = body.as_object().if_contains("needs_restart");
          restart != nullptr && !restart->as_array().empty()) {
        std::cout << "not in force until a restart:";
        for (const auto& n : restart->as_array()) std::cout << " " << boost::json::value_to<std::string>(n);
        std::cout << "\n";
      }
    }
    exit_code = r->status == 200 ? kExitOk : kExitRefused;
  });
}

}  // namespace yici::ctl
