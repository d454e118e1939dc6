// yici-bench-normalise: rows per second through the population schema's normaliser on one core,
// beside a baseline that only escapes the same values into a JSON object (the floor any
// normaliser pays to produce its output). Prints one JSON object for tools/bench/run.py.
#include <chrono>
#include <cstdio>
#include <random>

#include <CLI/CLI.hpp>

#include "hub/schema/identifiers.h"
#include "hub/schema/normaliser.h"
#include "hub/schema/schema_loader.h"
#include "hub/schema/text.h"

namespace {

using Row = std::vector<std::optional<std::string>>;

// Messy but mostly valid population rows, as a department export has them.
std::vector<Row> make_rows(std::size_t n, std::uint32_t seed) {
  static constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"};
  static constexpr const char* kGiven[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇"};
  static constexpr const char* kDivisions[] = {"330102", "330105", "330106", "330108", "330110", "330212", "330302"};
  static constexpr const char* kEthnicity[] = {"汉族", "汉", "01", "回族", "畲族", "满"};
  std::mt19937 rng(seed);
  std::vector<Row> rows;
  rows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int year = 1940 + static_cast<int>(rng() % 80);
    const int month = 1 + static_cast<int>(rng() % 12);
    const int day = 1 + static_cast<int>(rng() % 28);
    const int seq = static_cast<int>(rng() % 1000);
    char first17[18];
    std::snprintf(first17, sizeof first17, "%s%04d%02d%02d%03d", kDivisions[rng() % 7], year, month, day, seq);
    std::string id = std::string(first17) + yici::schema::resident_id_check_char(first17);
    if (rng() % 50 == 0) id.back() = id.back() == '1' ? '2' : '1';  // ~2% defects
    char birth[32];
    std::snprintf(birth, sizeof birth, rng() % 2 ? "%04d-%02d-%02d" : "%04d年%d月%d日", year, month, day);
    char updated[32];
    std::snprintf(updated, sizeof updated, "2024%02d%02d%02d%02d%02d", month, day, seq % 24, seq % 60, (seq * 7) % 60);
    char phone[16];
    std::snprintf(phone, sizeof phone, "13%09u", static_cast<unsigned>(rng() % 1000000000));
    rows.push_back({id, std::string(kSurnames[rng() % 10]) + kGiven[rng() % 12], seq % 2 ? "男" : "女",
                    std::string(birth), std::string(kEthnicity[rng() % 6]),
                    "浙江省杭州市西湖区文三路" + std::to_string(seq) + "号", std::string(kDivisions[rng() % 7]),
                    std::string(phone), std::string(updated)});
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"yici-bench-normalise: population rows/s through the normaliser on one core, with a baseline"};
  std::string schema_path = "schemas/population.yaml";
  std::size_t rows = 1000000;
  app.add_option("--schema", schema_path, "population schema file");
  app.add_option("--rows", rows, "rows to normalise");
  CLI11_PARSE(app, argc, argv);

  auto loaded = yici::schema::load_schema_file(schema_path);
  if (!loaded.schema) {
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.c_str());
    return 1;
  }
  std::shared_ptr<const yici::schema::Schema> schema(std::move(loaded.schema));
  const std::vector<std::string> fields = {"id_number",         "name",      "gender",
                                           "birth_date",        "ethnicity", "domicile_address",
                                           "domicile_division", "phone",     "updated_at"};
  const auto distinct = make_rows(std::min<std::size_t>(rows, 100000), 20261123);
  yici::schema::Normaliser normaliser(schema);

  std::size_t ok = 0, bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < rows; ++i) {
    const auto r = normaliser.normalise(fields, distinct[i % distinct.size()]);
    ok += r.ok ? 1 : 0;
    bytes += r.fields_json.size();
  }
  const double normalise_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Baseline: the same values escaped into a JSON object, no checking at all.
  std::size_t baseline_bytes = 0;
  const auto t1 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < rows; ++i) {
    const Row& row = distinct[i % distinct.size()];
    std::string out = "{";
    for (std::size_t f = 0; f < fields.size(); ++f) {
      out += "\"" + fields[f] + "\":\"";
      yici::schema::append_json_escaped(out, row[f] ? *row[f] : "");
      out += "\",";
    }
    out.back() = '}';
    baseline_bytes += out.size();
  }
  const double baseline_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();

  std::printf(
      "{\"rows\":%zu,\"ok\":%zu,\"normalise_rows_per_s\":%.0f,\"baseline_json_rows_per_s\":%.0f,"
      "\"ratio_to_baseline\":%.3f,\"output_bytes\":%zu,\"baseline_bytes\":%zu}\n",
      rows, ok, static_cast<double>(rows) / normalise_s, static_cast<double>(rows) / baseline_s,
      baseline_s / normalise_s, bytes, baseline_bytes);
  return 0;
}
