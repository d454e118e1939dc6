#include "tools/yici-ctl/source_writes_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>

#include "hub/ingest/source_definition.h"

namespace yici::ctl {
namespace {

constexpr int kRetireTimeoutS = 600;  // `sources retire` withdraws every record before it answers

// Reads a definition file ("-" for stdin); sets exit code 2 when it cannot.
std::optional<std::string> read_definition(const std::string& path, int& exit_code) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::cerr << "yici-ctl: " << path << " is a directory; give one source definition file (YAML or .json)\n";
      exit_code = kExitUsage;
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (in) buf << in.rdbuf();
    if (!in.is_open() || in.bad()) {
      std::cerr << "yici-ctl: cannot read " << path << ": " << std::strerror(errno) << "\n";
      exit_code = kExitUsage;
      return std::nullopt;
    }
  }
  std::string body = buf.str();
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    std::cerr << "yici-ctl: " << (path == "-" ? "standard input" : path)
              << " is empty; a source definition is expected\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  return body;
}

std::string content_type_of(const std::string& path) {
  return path.size() > 5 && path.substr(path.size() - 5) == ".json" ? "application/json" : "application/yaml";
}

// 422: one line per problem, "source ID: path: message", then what to do.
int print_refusal(const net::ClientResponse& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error") || !v.at("error").as_object().contains("problems")) {
    return print_http_error(r);
  }
  const auto& e = v.at("error").as_object();
  const std::string id = e.contains("source") ? text(e.at("source")) : "(definition)";
  for (const auto& p : e.at("problems").as_array()) {
    const std::string path = text(p.at("path"));
    std::cerr << "source " << id << ": " << (path.empty() ? "" : path + ": ") << text(p.at("message")) << "\n";
  }
  std::cerr << "yici-ctl: refused, nothing was saved; fix the definition and run the command again\n";
  return kExitRefused;
}

void print_preview(const boost::json::object& body) {
  if (!body.contains("preview")) return;
  const auto& p = body.at("preview").as_object();
  const auto sampled = p.at("rows_sampled").to_number<double>();
  std::cout << "sample of " << text(p.at("rows_sampled")) << " rows: " << text(p.at("accepted")) << " accepted";
  if (sampled > 0) {
    std::ostringstream rate;
    rate.precision(1);
    rate << std::fixed << 100.0 * p.at("accepted").to_number<double>() / sampled;
    std::cout << " (" << rate.str() << "%)";
  }
  std::cout << ", " << text(p.at("rejected")) << " rejected\n";
  for (const auto& r : p.at("top_reasons").as_array()) {
    const std::string field = text(r.at("field"));
    std::cout << "  " << (field.empty() ? "(row)" : field) << "  " << text(r.at("code")) << "  x" << text(r.at("count"))
              << "  " << text(r.at("message")) << "\n";
    for (const auto& s : r.at("samples").as_array()) std::cout << "      e.g. " << boost::json::serialize(s) << "\n";
  }
}

// POST or PUT a definition; prints the preview, or each problem.
void submit(const HubFlags& flags, const std::string& method, const std::string& target, const std::string& file,
            bool dry_run, int& exit_code) {
  auto body = read_definition(file, exit_code);
  if (!body) return;
  auto r = call_hub(flags, method, target + (dry_run ? "?dry_run=true" : ""), exit_code, *body, content_type_of(file));
  if (!r) return;
  if (r->status == 422) {
    exit_code = print_refusal(*r);
    return;
  }
  if (r->status != 200 && r->status != 201) {
    exit_code = print_http_error(*r);
    return;
  }
  if (flags.output == "json") {
    std::cout << r->body << "\n";
    return;
  }
  const auto v = boost::json::parse(r->body);
  const auto& o = v.as_object();
  const std::string id = text(o.at("id"));
  if (dry_run) {
    std::cout << "source " << id << ": definition valid, connection ok (dry run: nothing saved)\n";
  } else if (const auto* same = o.if_contains("unchanged"); same != nullptr && same->is_bool() && same->as_bool()) {
    std::cout << "source " << id << " unchanged: version " << text(o.at("version"))
              << " is this definition already (nothing saved, no pull started)\n";
  } else {
    std::cout << "source " << id << " saved as version " << text(o.at("version"))
              << (o.at("enabled").as_bool() ? "; a full pull has started" : " (disabled)") << "\n";
  }
  print_preview(o);
  if (!dry_run) std::cout << "see: yici-ctl sources show " << id << "\n";
}

// A POST/DELETE without a body whose answer is printed as a sentence (or the JSON).
void simple(const HubFlags& flags, const std::string& method, const std::string& target, const std::string& done,
            int& exit_code) {
  auto r = call_hub(flags, method, target, exit_code);
  if (!r) return;
  if (r->status != 200) {
    exit_code = print_http_error(*r);
    return;
  }
  std::cout << (flags.output == "json" ? r->body : done) << "\n";
}

}  // namespace

void add_source_write_commands(CLI::App& sources, int& exit_code) {
  auto id = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  auto keep = std::make_shared<bool>(false);

  CLI::App* add = sources.add_subcommand(
      "add",
      "register a new source from a definition file (YAML or .json, the format of the README's section \"Sources\": "
      "id, department, dataset, adapter, primary_key, cursor, mapping, schedule). The hub checks it, connects to the "
      "source, runs a sample through the schema and shows the accept rate; refused definitions are listed key by key "
      "and nothing is saved");
  const auto add_flags = add_hub_flags(*add);
  add->add_option("file", *file, "definition file, or - for stdin")->required();
  add->add_flag("--dry-run", *dry_run, "check and preview only; save nothing");
  add->callback([flags = add_flags, file, dry_run, &exit_code] {
    submit(*flags, "POST", "/v1/admin/sources", *file, *dry_run, exit_code);
  });

  CLI::App* update = sources.add_subcommand(
      "update",
      "replace a source's definition (a new version; the previous ones are kept); the next pull re-reads "
      "everything");
  const auto update_flags = add_hub_flags(*update);
  add_source_id(update, *id);
  update->add_option("file", *file, "definition file, or - for stdin")->required();
  update->add_flag("--dry-run", *dry_run, "check and preview only; save nothing");
  update->callback([flags = update_flags, id, file, dry_run, &exit_code] {
    submit(*flags, "PUT", "/v1/admin/sources/" + *id, *file, *dry_run, exit_code);
  });

  CLI::App* enable = sources.add_subcommand("enable", "resume a disabled source's pulls (the first at once)");
  const auto enable_flags = add_hub_flags(*enable);
  add_source_id(enable, *id);
  enable->callback([flags = enable_flags, id, &exit_code] {
    simple(*flags, "POST", "/v1/admin/sources/" + *id + "/enable", "source " + *id + " enabled", exit_code);
  });

  CLI::App* disable =
      sources.add_subcommand("disable", "stop a source's pulls; its records stay served until it is retired");
  const auto disable_flags = add_hub_flags(*disable);
  add_source_id(disable, *id);
  disable->callback([flags = disable_flags, id, &exit_code] {
    simple(*flags, "POST", "/v1/admin/sources/" + *id + "/disable", "source " + *id + " disabled", exit_code);
  });

  CLI::App* retire =
      sources.add_subcommand("retire",
                             "remove a source: its records are withdrawn (no longer served) unless --keep-records; its "
                             "definitions stay readable with `versions`");
  retire->alias("delete");
  const auto retire_flags = add_hub_flags(*retire);
  add_source_id(retire, *id);
  retire->add_flag("--keep-records", *keep, "keep serving the records it pulled");
  retire->callback([flags = retire_flags, id, keep, &exit_code] {
    // Withdrawing the records happens before the hub answers: about 15 s per million records on the bench machine.
    HubFlags patient = *flags;
    if (patient.timeout_s == 0) patient.timeout_s = kRetireTimeoutS;
    auto r = call_hub(patient, "DELETE", "/v1/admin/sources/" + *id + (*keep ? "?keep_records=true" : ""), exit_code);
    if (!r) return;
    if (r->status != 200) {
      exit_code = print_http_error(*r);
      return;
    }
    if (flags->output == "json") {
      std::cout << r->body << "\n";
      return;
    }
    const auto v = boost::json::parse(r->body);
    std::cout << "source " << *id << " retired; "
              << (*keep ? "its records are kept" : text(v.at("records_withdrawn")) + " records withdrawn") << "\n";
  });

  CLI::App* versions = sources.add_subcommand("versions", "every change to a source registered through the API");
  const auto versions_flags = add_hub_flags(*versions);
  add_source_id(versions, *id);
  versions->callback([flags = versions_flags, id, &exit_code] {
    auto r = call_hub(*flags, "GET", "/v1/admin/sources/" + *id + "/versions", exit_code);
    if (!r) return;
    if (r->status != 200) {
      exit_code = print_http_error(*r);
      return;
    }
    if (flags->output == "json") {
      std::cout << r->body << "\n";
      return;
    }
    const auto v = boost::json::parse(r->body);
    std::cout << "VERSION\tACTION\tAT\tBY\n";
    for (const auto& c : v.at("changes").as_array()) {
      std::cout << text(c.at("version")) << "\t" << text(c.at("action")) << "\t" << text(c.at("changed_at")) << "\t"
                << text(c.at("changed_by")) << "\n";
    }
  });
}

CLI::Option* add_source_id(CLI::App* command, std::string& id) {
  return command->add_option("id", id, "source id ([a-z0-9-]+)")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& value) {
            return ingest::is_valid_source_id(value)
                       ? std::string()
                       : "\"" + value + "\" is no source id: ids are [a-z0-9-]+, at most 64";
          },
          "ID"));
}

}  // namespace yici::ctl
