#include "hub/admin/source_probe.h"

#include <algorithm>
#include <future>
#include <map>
#include <thread>

#include "hub/admin/source_masking.h"
#include "hub/core/thread_name.h"
#include "hub/core/utf8.h"
#include "hub/schema/normaliser.h"

namespace yici::admin {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Checks one named column against the source's columns; SQLite matches names case-insensitively.
void check_column(const ingest::SourceDefinition& source, const std::vector<std::string>& have, const std::string& path,
                  const std::string& column, std::vector<SourceProblem>& out) {
  const bool fold = source.adapter_type == "sqlite";
  std::string near;
  for (const auto& c : have) {
    if (c == column || (fold && lower(c) == lower(column))) return;
    if (lower(c) == lower(column)) near = c;
  }
  std::string list;
  for (const auto& c : have) list += (list.empty() ? "" : ", ") + c;
  std::string message = "column \"" + column + "\" not found in " + source.adapter->describe_target();
  if (!near.empty()) message += " (did you mean \"" + near + "\"? names are case-sensitive here)";
  message += "; columns are: " + (list.empty() ? std::string("(none)") : valid_utf8(list));
  if (!is_valid_utf8(list)) {
    message +=
        " (the names are not UTF-8 text: is the source in another encoding? CSV sources take "
        "adapter.encoding: gbk, or auto when some of their files are GBK and some UTF-8)";
  }
  out.push_back({path, message});
}

ProbeResult run_probe(const ingest::SourceDefinition& source, const schema::Schema& schema, const ProbeOptions& options,
                      const std::shared_ptr<const schema::Schema>& schema_ptr) {
  ProbeResult result;
  auto described = source.adapter->describe();
  if (!described) {
    result.problems.push_back({"adapter", "cannot read the source: " + described.error().message});
    return result;
  }
  for (const auto& c : *described) result.columns.push_back(c.name);
  for (const auto& [field, column] : source.mapping) {
    check_column(source, result.columns, "mapping." + field, column, result.problems);
  }
  for (std::size_t i = 0; i < source.primary_key.size(); ++i) {
    check_column(source, result.columns, "primary_key[" + std::to_string(i) + "]", source.primary_key[i],
                 result.problems);
  }
  if (source.cursor) check_column(source, result.columns, "cursor.column", source.cursor->column, result.problems);
  if (source.status) check_column(source, result.columns, "status.column", source.status->column, result.problems);
  if (!result.problems.empty()) return result;

  adapters::ReadRequest request;
  request.columns = source.columns_to_read();
  request.primary_key = source.primary_key;
  request.statement_timeout = options.timeout;  // stopped at the source when the probe gives up
  auto reader = source.adapter->read(request);
  if (!reader) {
    result.problems.push_back({"adapter", "cannot read rows: " + reader.error().message});
    return result;
  }
  std::vector<std::string> fields;
  std::vector<std::size_t> positions;
  for (const auto& [field, column] : source.mapping) {
    fields.push_back(field);
    positions.push_back(static_cast<std::size_t>(std::find(request.columns.begin(), request.columns.end(), column) -
                                                 request.columns.begin()));
  }
  const std::set<std::string> sensitive = sensitive_columns(source, &schema);
  schema::Normaliser normaliser(schema_ptr);
  std::map<std::pair<std::string, std::string>, RejectReason> reasons;
  std::vector<std::optional<std::string>> values(fields.size());
  adapters::Row row;
  QualityPreview& preview = result.preview;
  while (preview.rows_sampled < static_cast<std::int64_t>(options.sample_rows)) {
    auto more = (*reader)->next(row);
    if (!more) {
      result.problems.push_back({"adapter", "reading a sample failed: " + more.error().message});
      return result;
    }
    if (!*more) break;
    ++preview.rows_sampled;
    if (!row.defect.empty()) {
      // A line with more or fewer fields than the header: the pull quarantines it as it stands
      // (pull_job.cpp), so the preview counts it the same way, with every value masked.
      ++preview.rejected;
      RejectReason& r = reasons[{"", "bad_row"}];
      if (r.count++ == 0) {
        r.code = "bad_row";
        r.message = row.defect;
      }
      if (r.samples.size() < 2)
        r.samples.push_back(masked_row(request.columns, row.values, all_columns(request.columns)));
      continue;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) values[i] = row.values[positions[i]];
    const ingest::NormalisedRow out = normaliser.normalise(fields, values);
    if (out.ok) {
      ++preview.accepted;
      continue;
    }
    ++preview.rejected;
    for (const auto& p : normaliser.last_problems()) {
      if (p.severity != schema::Severity::kReject) continue;
      const std::string field = p.field == schema::Problem::kRowLevel ? "" : schema.fields[p.field].name;
      RejectReason& r = reasons[{field, std::string(p.code)}];
      if (r.count++ == 0) {
        r.field = field;
        r.code = std::string(p.code);
        r.message = p.message;
      }
      if (r.samples.size() < 2) r.samples.push_back(masked_row(request.columns, row.values, sensitive));
    }
  }
  for (auto& [key, r] : reasons) preview.top_reasons.push_back(std::move(r));
  std::stable_sort(preview.top_reasons.begin(), preview.top_reasons.end(),
                   [](const RejectReason& a, const RejectReason& b) { return a.count > b.count; });
  if (preview.top_reasons.size() > 5) preview.top_reasons.resize(5);
  return result;
}

}  // namespace

ProbeResult probe_source(const ingest::SourceDefinition& source, const std::shared_ptr<const schema::Schema>& schema,
                         const ProbeOptions& options) {
  auto promise = std::make_shared<std::promise<ProbeResult>>();
  std::future<ProbeResult> future = promise->get_future();
  // The thread owns copies of everything it touches, so a timed-out probe can finish on its own.
  std::thread([source, schema, options, promise] {
    set_thread_name("source-probe");
    promise->set_value(run_probe(source, *schema, options, schema));
  }).detach();
  if (future.wait_for(options.timeout) != std::future_status::ready) {
    ProbeResult timed_out;
    timed_out.problems.push_back(
        {"adapter", "no answer from the source within " + std::to_string(options.timeout.count() / 1000) +
                        " s (connection test and sample read); check the address and that the database is up"});
    return timed_out;
  }
  return future.get();
}

boost::json::object preview_json(const QualityPreview& p) {
  boost::json::array reasons;
  for (const auto& r : p.top_reasons) {
    boost::json::array samples;
    for (const auto& s : r.samples) samples.push_back(s);
    reasons.push_back(boost::json::object{{"field", r.field},
                                          {"code", r.code},
                                          {"message", r.message},
                                          {"count", r.count},
                                          {"samples", std::move(samples)}});
  }
  const double rate = p.rows_sampled == 0 ? 0.0 : static_cast<double>(p.accepted) / static_cast<double>(p.rows_sampled);
  return boost::json::object{{"rows_sampled", p.rows_sampled},
                             {"accepted", p.accepted},
                             {"rejected", p.rejected},
                             {"accept_rate", rate},
                             {"top_reasons", std::move(reasons)}};
}

}  // namespace yici::admin
