#include "hub/core/thread_name.h"

#include <string>
#include <thread>

#include <doctest/doctest.h>

namespace yici {
namespace {

std::string name_in_new_thread(const std::string& name) {
  std::string seen;
  std::thread([&] {
    set_thread_name(name);
    seen = current_thread_name();
  }).join();
  return seen;
}

TEST_CASE("a thread takes the name it is given") { CHECK(name_in_new_thread("audit-commit") == "audit-commit"); }

TEST_CASE("a name longer than the kernel keeps is cut to 15 bytes, not refused") {
  // pthread_setname_np refuses 16 bytes or more with ERANGE and leaves the old name.
  CHECK(name_in_new_thread("wal-a-long-database-name") == "wal-a-long-data");
  CHECK(name_in_new_thread("exactly-15-byte") == "exactly-15-byte");
}

TEST_CASE("naming one thread leaves the others as they were") {
  const std::string before = current_thread_name();
  (void)name_in_new_thread("pull-1");
  CHECK(current_thread_name() == before);
}

}  // namespace
}  // namespace yici
