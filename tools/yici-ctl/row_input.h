// Rows for offline commands (yici-ctl normalize): a CSV file (UTF-8 or GBK) or JSON Lines, with
// column names mapped to schema fields either by name or through a mapping file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/core/result.h"

namespace yici::ctl {

struct InputOptions {
  std::string path;
  std::string format;  // "csv" or "jsonl"; empty: from the file extension
  std::string encoding = "utf-8";
  char delimiter = ',';
  std::vector<std::pair<std::string, std::string>> mapping;  // schema field → column; empty: same names
};

struct InputRow {
  long number = 0;                                 // 1-based data row
  long line = 0;                                   // where it starts in the file
  std::vector<std::optional<std::string>> values;  // aligned with RowInput::fields()
  std::string problem;  // non-empty: the row could not be read as a row (wrong column count, bad JSON)
};

class RowInput {
 public:
  virtual ~RowInput() = default;
  // Schema field names, in the order `values` use.
  [[nodiscard]] virtual const std::vector<std::string>& fields() const = 0;
  // Column names present in the input that map to no field (for a warning).
  [[nodiscard]] virtual const std::vector<std::string>& ignored_columns() const = 0;
  // Next row; false at end. An error means the file cannot be read further.
  virtual Result<bool> next(InputRow& row) = 0;
};

Result<std::unique_ptr<RowInput>> open_row_input(const InputOptions& options);

// options.format, or the one the file name implies (.jsonl/.ndjson → jsonl, else csv).
std::string input_format(const InputOptions& options);

// Reads a mapping file: a YAML map of schema field → column name.
Result<std::vector<std::pair<std::string, std::string>>> load_mapping(const std::string& path);

}  // namespace yici::ctl
