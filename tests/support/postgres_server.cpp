#include "tests/support/postgres_server.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

#include <libpq-fe.h>

#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace yici::test {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

// Prefix that runs a command as a non-root user when we are root (initdb refuses root).
std::string as_db_user() { return geteuid() == 0 ? "runuser -u postgres -- " : ""; }

void run(const std::string& cmd, const std::string& what) {
  std::string out;
  if (run_command(cmd, &out) != 0) throw std::runtime_error(what + " failed: " + cmd + "\n" + out);
}

}  // namespace

PostgresServer::PostgresServer() {
  std::string pattern = "/tmp/yici-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (geteuid() == 0) run("chown postgres: " + dir_, "chown");
  const std::string pwfile = dir_ + "/pw";
  run(as_db_user() + "sh -c 'umask 077; printf %s " + std::string(kPassword) + " > " + pwfile + "'", "write pwfile");
  run(as_db_user() + kBin + "/initdb -D " + dir_ + "/data -U " + kUser + " --auth=scram-sha-256 --pwfile=" + pwfile +
          " -E UTF8 --no-locale --no-sync",
      "initdb");
  start();
}

void PostgresServer::start() {
  const bool restart = port_ != 0;  // a restart keeps its port so existing DSNs stay valid
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!restart) port_ = free_port();
    std::string out;
    const std::string cmd = as_db_user() + kBin + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 30 " +
                            "-o \"-p " + std::to_string(port_) + " -k " + dir_ +
                            " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start";
    if (run_command(cmd, &out) == 0) {
      running_ = true;
      return;
    }
    if (read_file(dir_ + "/server.log").find("could not bind") == std::string::npos) {
      throw std::runtime_error("pg_ctl start failed:\n" + out + "\n" + read_file(dir_ + "/server.log"));
    }
  }
  throw std::runtime_error("pg_ctl: no free port");
}

void PostgresServer::stop() {
  if (!running_) return;
  run_command(as_db_user() + kBin + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop");
  running_ = false;
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PostgresServer::dsn(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname + " user=" + kUser;
}

std::string PostgresServer::query(const std::string& sql, const std::string& dbname) const {
  const std::string conninfo = dsn(dbname) + " password=" + kPassword;
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("connect: " + msg);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(r);
  std::string msg = PQerrorMessage(conn);
  std::string first = status == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error("exec: " + msg + "\n" + sql);
  return first;
}

}  // namespace yici::test
