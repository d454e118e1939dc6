// yici-ctl normalize --schema FILE --input FILE [--format csv|jsonl] [--encoding utf-8|gbk|auto]
//                    [--mapping FILE] [--delimiter C] [--today YYYY-MM-DD]
//
// Writes one JSON line per input row to stdout, {"row":N,"line":L,"ok":true,"record":{…}} or
// {"row":N,"line":L,"ok":false,"errors":[…]}, and a summary to stderr. Exit 0 whenever it ran,
// even with rejected rows; 1 when it could not (bad schema, unreadable input); 2 usage.
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "hub/schema/normaliser.h"
#include "hub/schema/schema_loader.h"
#include "hub/schema/text.h"
#include "tools/yici-ctl/hub_client.h"
#include "tools/yici-ctl/row_input.h"
#include "tools/yici-ctl/schema_commands.h"

namespace yici::ctl {
namespace {

struct NormalizeFlags {
  std::string schema;
  InputOptions input;
  std::string mapping;
  std::string delimiter = ",";
  std::string today;
};

struct Tally {
  long rows = 0, ok = 0, warned = 0, rejected = 0;
  std::map<std::string, long> codes;  // "field code" → count, for the summary
};

void count_codes(Tally& t, const std::string& json) {
  // The problem lists are ours, with a fixed shape: pick out field and code without a parser.
  std::size_t at = 0;
  while ((at = json.find("{\"field\":", at)) != std::string::npos) {
    at += 9;
    std::string field = "(row)";
    if (json[at] == '"') field = json.substr(at + 1, json.find('"', at + 1) - at - 1);
    const std::size_t c = json.find("\"code\":\"", at) + 8;
    ++t.codes[field + " " + json.substr(c, json.find('"', c) - c)];
  }
}

int run(const NormalizeFlags& flags) {
  schema::SchemaLoad loaded = schema::load_schema_file(flags.schema);
  if (!loaded.schema) {
    for (const auto& p : loaded.problems) std::cerr << p << "\n";
    std::cerr << "yici-ctl normalize: the schema has problems (see above); nothing was normalised\n";
    return kExitRefused;
  }
  std::shared_ptr<const schema::Schema> schema(std::move(loaded.schema));
  schema::NormaliserOptions options;
  if (!flags.today.empty()) {
    schema::CivilDate d;
    if (schema::parse_date(flags.today, d) != schema::DateParse::kOk) {
      std::cerr << "yici-ctl normalize: --today must be a date such as 2026-06-01\n";
      return kExitUsage;
    }
    options.today = d;
  }
  InputOptions input = flags.input;
  const bool tab = flags.delimiter == "\\t";
  if (!tab && (flags.delimiter.size() != 1 || flags.delimiter[0] == '"' || flags.delimiter[0] == '\n' ||
               flags.delimiter[0] == '\r')) {
    std::cerr << "yici-ctl normalize: --delimiter must be one character, not a quote or a line break\n";
    return kExitUsage;
  }
  input.delimiter = tab ? '\t' : flags.delimiter[0];
  if (!flags.mapping.empty()) {
    auto mapping = load_mapping(flags.mapping);
    if (!mapping) {
      std::cerr << "yici-ctl normalize: " << mapping.error().message << "\n";
      return kExitRefused;
    }
    input.mapping = std::move(*mapping);
    for (const auto& [field, column] : input.mapping) {
      if (!schema->field_index(field)) {
        std::cerr << "yici-ctl normalize: " << flags.mapping << ": " << field << " is not a field of schema "
                  << schema->dataset << "\n";
        return kExitRefused;
      }
    }
  }
  auto in = open_row_input(input);
  if (!in) {
    std::cerr << "yici-ctl normalize: " << in.error().message << "\n";
    return kExitRefused;
  }
  RowInput& rows = **in;
  if (input.mapping.empty() && input_format(input) == "csv") {
    std::size_t matched = 0;
    for (const auto& f : rows.fields()) {
      if (schema->field_index(f)) {
        ++matched;
      } else {
        std::cerr << "yici-ctl normalize: column \"" << f << "\" is not a field of schema " << schema->dataset
                  << "; ignored (use --mapping to map columns to fields)\n";
      }
    }
    if (matched == 0) {
      std::cerr << "yici-ctl normalize: no column of " << input.path << " names a field of schema " << schema->dataset
                << "; give a --mapping file (schema field: column)\n";
      return kExitRefused;
    }
  }
  for (const auto& c : rows.ignored_columns()) {
    std::cerr << "yici-ctl normalize: column \"" << c << "\" is not in the mapping; ignored\n";
  }

  schema::Normaliser normaliser(schema, options);
  Tally tally;
  InputRow row;
  std::string out;
  out.reserve(1 << 16);
  const auto flush = [&out] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  while (true) {
    auto more = rows.next(row);
    if (!more) {
      flush();
      std::fflush(stdout);
      std::cerr << "yici-ctl normalize: " << more.error().message << " (after " << tally.rows << " rows)\n";
      return kExitRefused;
    }
    if (!*more) break;
    ++tally.rows;
    out += "{\"row\":" + std::to_string(row.number) + ",\"line\":" + std::to_string(row.line);
    if (!row.problem.empty()) {
      std::string errors = "[{\"field\":null,\"code\":\"bad_row\",\"message\":\"";
      schema::append_json_escaped(errors, row.problem);
      errors += "\"}]";
      out += ",\"ok\":false,\"errors\":" + errors + "}\n";
      ++tally.rejected;
      count_codes(tally, errors);
    } else {
      const ingest::NormalisedRow r = normaliser.normalise(rows.fields(), row.values);
      if (r.ok) {
        ++tally.ok;
        out += ",\"ok\":true,\"record\":" + r.fields_json;
        if (!r.warnings_json.empty() && r.warnings_json != "[]") {
          ++tally.warned;
          out += ",\"warnings\":" + r.warnings_json;
          count_codes(tally, r.warnings_json);
        }
        out += "}\n";
      } else {
        ++tally.rejected;
        out += ",\"ok\":false,\"errors\":" + r.errors_json + "}\n";
        count_codes(tally, r.errors_json);
      }
    }
    if (out.size() > (1 << 16)) flush();
  }
  flush();
  std::fflush(stdout);
  std::cerr << "yici-ctl normalize: " << tally.rows << " rows: " << tally.ok << " ok (" << tally.warned
            << " with warnings), " << tally.rejected << " rejected\n";
  for (const auto& [key, n] : tally.codes) std::cerr << "  " << key << ": " << n << "\n";
  return kExitOk;
}

}  // namespace

void add_normalize_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<NormalizeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "normalize",
      "offline: run a schema's normaliser over a CSV or JSON Lines file; one JSON line per row on stdout "
      "({\"row\":N,\"ok\":true,\"record\":{…}} or {\"row\":N,\"ok\":false,\"errors\":[…]}), a summary on stderr. "
      "Exit 0 even when rows are rejected; 1 when it could not run.");
  cmd->add_option("--schema", flags->schema, "schema file (schemas/*.yaml)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--input", flags->input.path, "input file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", flags->input.format, "csv or jsonl (default: from the extension; .jsonl → jsonl)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_option("--encoding", flags->input.encoding,
                  "CSV encoding: utf-8, gbk, gb18030, or auto (UTF-8 or GBK by the file's content)")
      ->check(CLI::IsMember({"utf-8", "utf8", "gbk", "gb18030", "auto", "UTF-8", "GBK", "GB18030"}));
  cmd->add_option("--mapping", flags->mapping,
                  "YAML map of schema field → column, when the columns are the department's own names")
      ->check(CLI::ExistingFile);
  cmd->add_option("--delimiter", flags->delimiter, "CSV delimiter (default ,; \\t for tab)");
  cmd->add_option("--today", flags->today,
                  "the date expiry and future-date checks compare against (default: today in China Standard Time)");
  cmd->callback([flags, &exit_code] { exit_code = run(*flags); });
}

}  // namespace yici::ctl
