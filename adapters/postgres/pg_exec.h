// libpq with a bound on waiting. PQexec waits for the server's answer for ever: a department's
// server that stops answering mid-pull (a lock it waits on, a network that drops packets without
// a reset) would hold the pull's slot, and its snapshot on that server, until someone noticed.
// exec_within sends the statement, waits on the connection's socket up to a deadline, and past it
// asks the server to cancel the statement (on a thread of its own: a cancel request opens a new
// connection, which can itself hang on a dead network) and fails; the caller then closes the
// connection, which ends the transaction.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <libpq-fe.h>

#include "hub/core/result.h"

namespace yici::adapters::postgres {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

// libpq's message on one line: its line breaks and tabs as single spaces, none at the end.
std::string trim_message(const char* message);

// Runs one statement with text parameters and returns its (last) result, whatever its status:
// the caller checks PQresultStatus as after PQexecParams. An error when the statement cannot be
// sent, the connection breaks, or no complete answer arrives within `timeout` (then the
// statement is cancelled and the connection must not be used again).
Result<ResultPtr> exec_within(PGconn* conn, const std::string& sql, const std::vector<const char*>& params,
                              std::chrono::milliseconds timeout);

}  // namespace yici::adapters::postgres
