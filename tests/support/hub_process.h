// Runs the real yici-hub binary for integration tests: writes a config into a temporary
// directory, starts the process on a free loopback port, waits until it is ready, and stops it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>

#include "tests/support/temp_dir.h"
#include "tests/support/tls_client.h"

namespace yici::test {

struct HubOptions {
  std::string extra_config;  // YAML appended to the generated hub.yaml (e.g. "limits: {...}\n")
  std::string policy;        // policy.yaml text; default: the test policy below
  std::string sources_dir;   // default: an empty directory in the hub's temp dir
  std::string data_dir;      // default: a directory in the hub's temp dir (give one to restart on the same data)
  std::string crl_file;      // tls.crl_file; default: none
  std::string listen_host = "127.0.0.1";  // "::" for a dual-stack listener
  std::string client_ca;                  // tls.client_ca; default: the test PKI's CA
};

// Principals: market-regulation, public-security (departments), admin, auditor.
// human-resources has a valid certificate but is deliberately not in the policy.
extern const char* const kTestPolicy;

class HubProcess {
 public:
  explicit HubProcess(const HubOptions& options = {});
  ~HubProcess();  // SIGKILL if still running
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const TempDir& dir() const { return dir_; }
  [[nodiscard]] std::string log() const;  // stdout+stderr so far

  // Connection options for a principal's certificate ("" for none).
  [[nodiscard]] static TlsOptions as(const std::string& principal);

  void signal(int signo) const;
  // Waits for exit; returns the exit status, or -1 on timeout / abnormal end.
  int wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// Runs a command line through /bin/sh; returns exit status and captures stdout+stderr.
int run_command(const std::string& command, std::string* output = nullptr);

// Runs `yici-ctl ARGS` against the hub on `port` as `principal` (its test certificate, the test CA);
// returns the exit status and captures stdout+stderr.
int run_ctl(std::uint16_t port, const std::string& principal, const std::string& args, std::string* output = nullptr);

std::uint16_t free_port();

}  // namespace yici::test
