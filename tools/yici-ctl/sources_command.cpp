#include "tools/yici-ctl/sources_command.h"

#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include <boost/json.hpp>

#include "tools/yici-ctl/hub_client.h"
#include "tools/yici-ctl/source_writes_command.h"

namespace yici::ctl {
namespace {

// ", pulling for 3m12s" while a pull runs: a pull stuck on a silent department shows here.
std::string pulling_for(const boost::json::object& health) {
  const auto* ms = health.if_contains("running_for_ms");
  if (ms == nullptr || !ms->is_int64()) return "";
  const std::int64_t s = ms->as_int64() / 1000;
  return ", pulling for " + (s >= 60 ? std::to_string(s / 60) + "m" : std::string()) + std::to_string(s % 60) + "s";
}

// A full pull stopped partway (a hub too old to say counts as no).
bool full_pull_unfinished(const boost::json::object& source) {
  const auto* v = source.if_contains("full_pull_unfinished");
  return v != nullptr && v->is_bool() && v->as_bool();
}

void print_row(const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::cout << std::left << std::setw(static_cast<int>(widths[i] + 2)) << cells[i];
  }
  std::cout << "\n";
}

// One entry of a quarantine by reason: ROWS, FIELD ("(row)" for a row-level problem), CODE.
std::string reason_row(const boost::json::value& r) {
  return text(r.at("rows")) + "\t" + (r.at("field").is_null() ? "(row)" : text(r.at("field"))) + "\t" +
         text(r.at("code"));
}

// One page of a source's quarantine, or nullopt with exit_code set (the error printed).
std::optional<boost::json::object> quarantine_page(const HubFlags& flags, const std::string& target, int& exit_code) {
  auto r = call_hub(flags, "GET", target, exit_code);
  if (!r) return std::nullopt;
  if (r->status != 200) {
    exit_code = print_http_error(*r);
    return std::nullopt;
  }
  return boost::json::parse(r->body).as_object();
}

void print_sources_table(const boost::json::array& sources) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "DATASET", "ADAPTER", "MANAGED", "HEALTH", "RECORDS", "LAST PULL", "READ", "REJECTED", "QUARANTINED"}};
  for (const auto& s : sources) {
    const auto& pulls = s.at("recent_pulls").as_array();
    std::string last = "never", read = "-", rejected = "-";
    if (!pulls.empty()) {
      last = text(pulls[0].at("finished_at"));
      read = text(pulls[0].at("rows_read"));
      rejected = text(pulls[0].at("rejected"));
    }
    std::string health = text(s.at("health").at("state")) + pulling_for(s.at("health").as_object());
    if (full_pull_unfinished(s.as_object())) health += " (full pull unfinished)";
    std::string managed = text(s.at("managed_by"));
    if (const auto* v = s.as_object().if_contains("version")) managed += " v" + text(*v);
    rows.push_back({text(s.at("id")), text(s.at("dataset")), text(s.at("adapter")), managed, health,
                    text(s.at("records")), last, read, rejected, text(s.at("quarantined"))});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  for (const auto& r : rows) print_row(r, widths);
}

void print_source(const boost::json::object& s) {
  std::cout << "source      " << text(s.at("id")) << "  (";
  if (const auto* file = s.if_contains("file")) {
    std::cout << "file-managed: " << text(*file);
  } else {
    std::cout << "registered through the API, version " << text(s.at("version")) << ", by " << text(s.at("updated_by"))
              << " at " << text(s.at("updated_at"));
  }
  std::cout << ")\n";
  std::cout << "enabled     " << (s.at("enabled").as_bool() ? "yes" : "no") << "\n";
  std::cout << "department  " << text(s.at("department")) << "\n";
  std::cout << "dataset     " << text(s.at("dataset")) << " via " << text(s.at("adapter")) << "\n";
  const auto& h = s.at("health").as_object();
  std::cout << "health      " << text(h.at("state")) << pulling_for(h);
  if (h.at("state") == "failing" && h.contains("since")) {
    std::cout << " since " << text(h.at("since")) << " (" << text(h.at("consecutive_failures")) << " failures in a row";
    std::cout << (h.contains("last_success") ? ", last success " + text(h.at("last_success")) : ", never succeeded")
              << ")";
  }
  if (h.contains("last_error")) {
    // The API keeps the latest failure after a recovery too; said as such, not as the state's reason.
    const bool recovered = h.at("state") == "ok";
    std::cout << (recovered ? " (recovered from: " : ": ") << text(h.at("last_error")) << (recovered ? ")" : "");
  }
  if (h.contains("next_run_at")) std::cout << "; next pull " << text(h.at("next_run_at"));
  std::cout << "\nrecords     " << text(s.at("records")) << " current\n";
  if (full_pull_unfinished(s)) {
    std::cout << "full pull   stopped partway: the records above may be only part of the source; the next\n"
                 "            pull goes on after the last committed batch\n";
  }
  if (s.at("reject_rate").is_number()) {
    std::cout << "reject rate " << 100.0 * s.at("reject_rate").to_number<double>() << "% of the last pull's rows\n";
  }
  std::cout << "quarantined " << text(s.at("quarantined")) << " rows\n";
  if (const auto* reasons = s.if_contains("quarantine_by_reason"); reasons != nullptr && reasons->is_array()) {
    // A row with two problems is under each: the lines may add up to more than the rows.
    for (const auto& r : reasons->as_array()) {
      std::cout << "  " << reason_row(r) << "\n";
    }
  }
  std::cout << "mapping    ";
  for (const auto& kv : s.at("mapping").as_object()) std::cout << " " << kv.key() << "←" << text(kv.value());
  std::cout << "\nrecent pulls:\n";
  for (const auto& p : s.at("recent_pulls").as_array()) {
    std::cout << "  " << text(p.at("finished_at")) << "  " << text(p.at("mode"));
    if (p.at("mode") == "reconcile") {
      std::cout << "  listed " << text(p.at("rows_read")) << " keys";
    } else {
      std::cout << "  read " << text(p.at("rows_read")) << ", +" << text(p.at("inserted")) << " ~"
                << text(p.at("updated")) << " =" << text(p.at("unchanged")) << " rejected " << text(p.at("rejected"));
      if (p.as_object().contains("duplicates") && p.at("duplicates") != 0) {
        std::cout << " repeated keys " << text(p.at("duplicates"));
      }
    }
    if (p.as_object().contains("error")) std::cout << "  ERROR: " << text(p.at("error"));
    std::cout << "\n";
    if (const auto* warnings = p.as_object().if_contains("warnings"); warnings != nullptr && warnings->is_array()) {
      for (const auto& w : warnings->as_array()) std::cout << "    WARNING: " << text(w) << "\n";
    }
  }
}

// GET `target`; on 200 prints the JSON as is (--output json) or through `print_table`.
template <typename Print>
void show_json(const HubFlags& flags, const std::string& target, int& exit_code, Print print_table) {
  auto r = call_hub(flags, "GET", target, exit_code);
  if (!r) return;
  if (r->status != 200) {
    exit_code = print_http_error(*r);
    return;
  }
  if (flags.output == "json") {
    std::cout << r->body << "\n";
    return;
  }
  print_table(boost::json::parse(r->body));
}

}  // namespace

void add_sources_command(CLI::App& app, int& exit_code) {
  auto id = std::make_shared<std::string>();
  CLI::App* sources = app.add_subcommand("sources", "a hub's data sources (admin certificate)");
  sources->require_subcommand(1);
  add_source_write_commands(*sources, exit_code);

  CLI::App* list = sources->add_subcommand("list", "every source with health and its last pull");
  const auto list_flags = add_hub_flags(*list);
  list->callback([flags = list_flags, &exit_code] {
    show_json(*flags, "/v1/admin/sources", exit_code,
              [](const boost::json::value& v) { print_sources_table(v.at("sources").as_array()); });
  });

  CLI::App* show = sources->add_subcommand("show", "one source: definition, health, recent pulls");
  const auto show_flags = add_hub_flags(*show);
  add_source_id(show, *id);
  show->callback([flags = show_flags, id, &exit_code] {
    show_json(*flags, "/v1/admin/sources/" + *id, exit_code,
              [](const boost::json::value& v) { print_source(v.as_object()); });
  });

  CLI::App* quarantine = sources->add_subcommand(
      "quarantine",
      "a source's rejected rows with the reasons (sensitive values masked); follows pages to the end. An "
      "administrator's certificate reads any source's, a department's certificate its own sources'");
  const auto quarantine_flags = add_hub_flags(*quarantine);
  add_source_id(quarantine, *id);
  auto by_reason = std::make_shared<bool>(false);
  quarantine->add_flag("--by-reason", *by_reason,
                       "only how many rows are in quarantine and the commonest reasons (ROWS, FIELD, CODE), most "
                       "first; a row with two problems counts under each");
  quarantine->callback([flags = quarantine_flags, id, by_reason, &exit_code] {
    if (*by_reason) {
      const auto found = quarantine_page(*flags, "/v1/sources/" + *id + "/quarantine?limit=1", exit_code);
      if (!found) return;
      const auto& page = *found;
      if (flags->output == "json") {
        std::cout << boost::json::serialize(boost::json::object{{"source", page.at("source")},
                                                                {"total", page.at("total")},
                                                                {"by_reason", page.at("by_reason")}})
                  << "\n";
        return;
      }
      std::cout << "quarantined " << text(page.at("total")) << " rows\nROWS\tFIELD\tCODE\n";
      for (const auto& reason : page.at("by_reason").as_array()) {
        std::cout << reason_row(reason) << "\n";
      }
      return;
    }
    std::string target = "/v1/sources/" + *id + "/quarantine?limit=1000";
    bool header = false;
    bool first_item = true;
    // --output json: one JSON array of every entry, written as the pages come.
    if (flags->output == "json") std::cout << "[";
    while (!target.empty()) {
      const auto found = quarantine_page(*flags, target, exit_code);
      if (!found) return;
      const auto& page = *found;
      if (flags->output == "json") {
        for (const auto& item : page.at("items").as_array()) {
          std::cout << (first_item ? "\n" : ",\n") << boost::json::serialize(item);
          first_item = false;
        }
      } else {
        if (!header) std::cout << "KEY\tPLACE\tFIELD\tCODE\tMESSAGE\n";
        header = true;
        for (const auto& item : page.at("items").as_array()) {
          const auto* place = item.as_object().if_contains("place");
          for (const auto& e : item.at("errors").as_array()) {
            std::cout << text(item.at("source_key")) << "\t" << (place != nullptr ? text(*place) : "-") << "\t"
                      << text(e.at("field")) << "\t" << text(e.at("code")) << "\t" << text(e.at("message")) << "\n";
          }
        }
      }
      const auto* next = page.if_contains("next");
      target = next != nullptr && next->is_string() ? std::string(next->as_string()) : "";
    }
    if (flags->output == "json") std::cout << (first_item ? "]\n" : "\n]\n");
  });

  CLI::App* pull = sources->add_subcommand("pull", "pull a source now");
  const auto pull_flags = add_hub_flags(*pull);
  add_source_id(pull, *id);
  pull->callback([flags = pull_flags, id, &exit_code] {
    auto r = call_hub(*flags, "POST", "/v1/admin/sources/" + *id + "/pull", exit_code);
    if (!r) return;
    if (r->status != 202) {
      exit_code = print_http_error(*r);
      return;
    }
    std::cout << (flags->output == "json" ? r->body : "pull of " + *id + " started; see: yici-ctl sources show " + *id)
              << "\n";
  });
}

}  // namespace yici::ctl
