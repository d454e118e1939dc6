// How yici-ctl reaches a hub: --hub/--cert/--key/--ca (or YICI_HUB, YICI_CERT, YICI_KEY, YICI_CA),
// --output table|json, and the exit codes every online subcommand shares:
// 0 ok, 1 refused or failed, 2 usage, 3 cannot reach the hub.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/json/fwd.hpp>

#include "hub/core/result.h"
#include "hub/net/https_client.h"

namespace yici::ctl {

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

struct HubFlags {
  std::string hub = "https://127.0.0.1:8443";
  std::string cert;
  std::string key;
  std::string ca;
  std::string output = "table";
  // Per connect, handshake, write and read. 0: the command's own default (kDefaultTimeoutS, or
  // longer where the hub is known to work for a while before it answers).
  int timeout_s = 0;
};

constexpr int kDefaultTimeoutS = 30;

// Adds --hub, --cert, --key, --ca (or YICI_HUB, YICI_CERT, YICI_KEY, YICI_CA), --timeout and
// --output to one command, bound to flags of its own: commands must not share them, or CLI11 fills
// a flag given on the command line from the environment of a sibling command that was not run.
std::shared_ptr<HubFlags> add_hub_flags(CLI::App& command);

// Sends one request; prints errors itself. On success returns the response (any HTTP status).
// `exit_code` is set to 3 when the hub cannot be reached, 2 for bad flags.
std::optional<net::ClientResponse> call_hub(const HubFlags& flags, const std::string& method, const std::string& target,
                                            int& exit_code, const std::string& body = "",
                                            const std::string& content_type = "application/json");

// Prints an error response as "yici-ctl: CODE: message" and returns kExitRefused.
int print_http_error(const net::ClientResponse& response);

// A JSON value as one cell of a tab-separated table for a terminal: a string as it is, null as
// "-", anything else as JSON. Control characters (tab, newline, ESC, …) are written as \t, \n,
// \x1b, …: values such as purposes come from departments, and must neither split a row nor send
// escape sequences to the auditor's terminal.
std::string text(const boost::json::value& v);

}  // namespace yici::ctl
