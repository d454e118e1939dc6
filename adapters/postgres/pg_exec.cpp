#include "adapters/postgres/pg_exec.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <thread>

namespace yici::adapters::postgres {
namespace {

// Sends a cancel request for the statement running on `conn`, without waiting for it.
void cancel_in_background(PGconn* conn) {
  PGcancel* cancel = PQgetCancel(conn);
  if (cancel == nullptr) return;
  std::thread([cancel] {
    char error[256];
    PQcancel(cancel, error, sizeof error);
    PQfreeCancel(cancel);
  }).detach();
}

}  // namespace

std::string trim_message(const char* message) {
  // libpq's messages run over several lines ("...: Connection refused\n\tIs the server running
  // ...?\n"): one line, for logs and the JSON answers that carry them.
  std::string m;
  for (const char* p = message != nullptr ? message : ""; *p != '\0'; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r') {
      if (!m.empty() && m.back() != ' ') m += ' ';
    } else {
      m += *p;
    }
  }
  while (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

Result<ResultPtr> exec_within(PGconn* conn, const std::string& sql, const std::vector<const char*>& params,
                              std::chrono::milliseconds timeout) {
  if (PQsendQueryParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr,
                        0) == 0) {
    return Error::unavailable("postgres: cannot send the statement: " + trim_message(PQerrorMessage(conn)));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ResultPtr last;
  while (true) {
    if (PQconsumeInput(conn) == 0) {
      return Error::unavailable("postgres: connection lost: " + trim_message(PQerrorMessage(conn)));
    }
    while (PQisBusy(conn) == 0) {
      PGresult* r = PQgetResult(conn);
      if (r == nullptr) {
        if (!last) return Error::internal("postgres: the server sent no result");
        return last;
      }
      last.reset(r);
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      cancel_in_background(conn);
      const std::string waited = timeout.count() % 1000 == 0 ? std::to_string(timeout.count() / 1000) + " s"
                                                             : std::to_string(timeout.count()) + " ms";
      return Error::unavailable("postgres: no answer from the server within " + waited +
                                " (read_timeout); the statement was cancelled and the connection closed");
    }
    pollfd p{.fd = PQsocket(conn), .events = POLLIN, .revents = 0};
    if (p.fd < 0) return Error::unavailable("postgres: the connection has no socket");
    if (::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000))) < 0 && errno != EINTR) {
      return Error::unavailable(std::string("postgres: waiting for the server: ") + std::strerror(errno));
    }
  }
}

}  // namespace yici::adapters::postgres
