#include "tests/support/hub_process.h"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/support/test_pki.h"

extern char** environ;

namespace yici::test {

const char* const kTestPolicy = R"(principals:
  - {id: market-regulation, kind: department, name: 市场监督管理局, cert_cn: market-regulation}
  - {id: public-security, kind: department, name: 公安厅, cert_cn: public-security}
  - {id: admin, kind: admin, cert_cn: admin}
  - {id: auditor, kind: auditor, cert_cn: auditor}
grants:
  - principal: market-regulation
    dataset: population
    fields: [id_number, name]
    purposes: [food-business-license]
)";

std::uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

int run_ctl(std::uint16_t port, const std::string& principal, const std::string& args, std::string* output) {
  return run_command(std::string(YICI_BINARY_DIR) + "/yici-ctl " + args +
                         " --hub https://127.0.0.1:" + std::to_string(port) + " --cert " + pki(principal + ".crt") +
                         " --key " + pki(principal + ".key") + " --ca " + pki("ca.crt"),
                     output);
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

HubProcess::HubProcess(const HubOptions& options) {
  dir_.write("policy.yaml", options.policy.empty() ? kTestPolicy : options.policy);
  std::string config = "data_dir: " + (options.data_dir.empty() ? dir_.file("data") : options.data_dir) + "\n" +
                       "policy: " + dir_.file("policy.yaml") + "\n" +
                       "sources_dir: " + (options.sources_dir.empty() ? dir_.file("sources") : options.sources_dir) +
                       "\n" + "tls:\n  cert: " + pki("hub.crt") + "\n  key: " + pki("hub.key") +
                       "\n  client_ca: " + (options.client_ca.empty() ? pki("ca.crt") : options.client_ca) + "\n" +
                       (options.crl_file.empty() ? "" : "  crl_file: " + options.crl_file + "\n") + "threads: 2\n" +
                       "signing:\n  keys:\n    - {file: " + pki("signing/active.key") +
                       ", state: active}\n    - {file: " + pki("signing/next.key") + ", state: next}\n" +
                       options.extra_config;
  dir_.write("hub.yaml", config);
  const std::string binary = std::string(YICI_BINARY_DIR) + "/yici-hub";
  const std::string log = dir_.file("hub.log");

  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    const std::string host =
        options.listen_host.find(':') == std::string::npos ? options.listen_host : "[" + options.listen_host + "]";
    const std::string listen = host + ":" + std::to_string(port_);
    const std::string config_path = dir_.file("hub.yaml");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // setpriv (util-linux) execs the hub with a parent-death signal: if a test crashes, its hub
    // dies with it instead of lingering on a port. The pid is the hub's (setpriv execs in place).
    std::vector<std::string> args = {binary, "--config", config_path, "--listen", listen};
    if (::access("/usr/bin/setpriv", X_OK) == 0) {
      args.insert(args.begin(), {"/usr/bin/setpriv", "--pdeathsig", "KILL"});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + binary);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!running()) break;
      if (handshake_succeeds(port_, as(""))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (running()) {
      ::kill(pid_, SIGKILL);
      wait_exit(std::chrono::seconds(5));
    }
    // A port race loses to another process: try another port. Anything else is a real failure.
    if (this->log().find("cannot listen") == std::string::npos) break;
  }
  throw std::runtime_error("yici-hub did not become ready; log:\n" + this->log());
}

HubProcess::~HubProcess() {
  if (pid_ > 0 && running()) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
  }
}

std::string HubProcess::log() const { return read_file(dir_.file("hub.log")); }

TlsOptions HubProcess::as(const std::string& principal) {
  TlsOptions o;
  o.ca = pki("ca.crt");
  if (!principal.empty()) o.client = {pki(principal + ".crt"), pki(principal + ".key")};
  return o;
}

void HubProcess::signal(int signo) const { ::kill(pid_, signo); }

bool HubProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return false;
  }
  return r == 0;
}

int HubProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return exit_status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace yici::test
