// yici-ctl schema check FILE…: lint schema files offline.
#include <iostream>
#include <memory>

#include "hub/schema/schema_loader.h"
#include "tools/yici-ctl/hub_client.h"
#include "tools/yici-ctl/schema_commands.h"

namespace yici::ctl {

void add_schema_command(CLI::App& app, int& exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* schema = app.add_subcommand("schema", "offline: dataset schema files");
  schema->require_subcommand(1);
  CLI::App* check = schema->add_subcommand(
      "check",
      "lint schema files: unknown keys, wrong types, duplicate fields, unknown code lists, rules naming missing "
      "fields, patterns that do not compile. Prints file:line: message for each problem; exit 1 if any.");
  check->add_option("files", *files, "schema files")->required();
  check->callback([files, &exit_code] {
    int bad = 0;
    for (const auto& f : *files) {
      const schema::SchemaLoad loaded = schema::load_schema_file(f);
      if (!loaded.schema) {
        ++bad;
        for (const auto& p : loaded.problems) std::cerr << p << "\n";
        continue;
      }
      const auto& s = *loaded.schema;
      std::cout << f << ": ok (" << s.dataset << " v" << s.version << ", " << s.fields.size() << " fields, "
                << s.code_lists.size() << " code lists, " << s.rules.size() << " rules)\n";
    }
    exit_code = bad == 0 ? kExitOk : kExitRefused;
  });
}

}  // namespace yici::ctl
