#include "tools/yici-ctl/unknown_subcommand.h"

#include <string_view>
#include <vector>

namespace yici::ctl {

std::optional<std::string> unknown_subcommand(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* current = &app;
  std::string path = app.get_name().empty() ? "yici-ctl" : app.get_name();
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    // Past the first option, a word may be that option's value: leave the rest to CLI11.
    if (word.empty() || word.front() == '-') return std::nullopt;
    const std::vector<const CLI::App*> subs = current->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;  // a positional argument of a leaf command
    const CLI::App* next = nullptr;
    std::string names;
    for (const CLI::App* s : subs) {
      if (s->check_name(std::string(word))) next = s;
      names += (names.empty() ? "" : ", ") + s->get_name();
    }
    if (next == nullptr) {
      if (current->get_require_subcommand_min() == 0) return std::nullopt;
      return path + ": no subcommand \"" + std::string(word) + "\"; one of: " + names;
    }
    current = next;
    path += " " + next->get_name();
  }
  return std::nullopt;
}

}  // namespace yici::ctl
