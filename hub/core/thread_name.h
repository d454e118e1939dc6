// Names the calling thread, so that `top -H -p $(pidof yici-hub)`, `ps -L` and perf show which
// part of the hub a busy thread belongs to ("io-1", "audit-commit", "pull-2", ...). The main
// thread is never renamed: its name is the process name that ps, pgrep and systemd show.
#pragma once

#include <string>
#include <string_view>

namespace yici {

// Linux keeps 15 bytes of a thread's name and refuses a longer one outright (ERANGE), so longer
// names are cut to 15 bytes. Names are ASCII. Failure to name a thread is ignored: it changes
// nothing but what tools show.
void set_thread_name(std::string_view name);

// The calling thread's name as the kernel holds it ("" if it cannot be read).
std::string current_thread_name();

}  // namespace yici
