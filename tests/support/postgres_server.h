// A real PostgreSQL 15 server for tests: initdb + pg_ctl in a temporary directory, on a free
// loopback port, run as a non-root user (the `postgres` system user when the tests run as root),
// with password (SCRAM) authentication. Stopped and removed when the object goes away.
#pragma once

#include <cstdint>
#include <string>

namespace yici::test {

class PostgresServer {
 public:
  static constexpr const char* kUser = "yici_test";
  static constexpr const char* kPassword = "s3cret-Test-Pw";

  PostgresServer();  // throws std::runtime_error with the server log on failure
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  // libpq connection string without the password.
  [[nodiscard]] std::string dsn(const std::string& dbname = "postgres") const;
  // Runs SQL (several statements allowed) as the superuser; throws on error.
  void exec(const std::string& sql, const std::string& dbname = "postgres") const { (void)query(sql, dbname); }
  // Runs SQL as the superuser and returns the first column of the first row ("" without one).
  [[nodiscard]] std::string query(const std::string& sql, const std::string& dbname = "postgres") const;

  void stop();
  void start();

 private:
  std::string dir_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

}  // namespace yici::test
