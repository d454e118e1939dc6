// libpq's messages made fit for a log line and a JSON answer.
#include "adapters/postgres/pg_exec.h"

#include <doctest/doctest.h>

namespace yici::adapters::postgres {
namespace {

TEST_CASE("pg messages: libpq's lines and tabs become one line") {
  CHECK(trim_message("connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server "
                     "running on that host and accepting TCP/IP connections?\n") ==
        "connection to server at \"127.0.0.1\", port 1 failed: Connection refused Is the server running on that host "
        "and accepting TCP/IP connections?");
  CHECK(trim_message("ERROR:  relation \"x\" does not exist\nLINE 1: SELECT\r\n") ==
        "ERROR:  relation \"x\" does not exist LINE 1: SELECT");
  CHECK(trim_message(nullptr).empty());
  CHECK(trim_message("\n\t \n").empty());
}

}  // namespace
}  // namespace yici::adapters::postgres
