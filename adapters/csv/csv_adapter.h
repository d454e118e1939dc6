// The csv adapter: reads a department's CSV exports, UTF-8 or GBK/GB18030, from one file or from
// the files in a directory that match a pattern. Config:
//   type: csv
//   path: /srv/exports/licences          # a file, or a directory
//   pattern: "dzzz_*.csv"                # directory only (fnmatch); default "*.csv"
//   encoding: gbk                        # utf-8 (default), gbk, gb18030, or auto: each file read
//                                        # as UTF-8 or GBK by its content (encoding_sniffer.h)
//   delimiter: ","                       # one character; "\t" for tab
// The first record of each file names the columns. Two synthetic columns exist on every row:
// _file (the file's name) and _file_mtime (RFC 3339 UTC with nanoseconds: the later of its
// modification time and its inode change time, so a file copied in with an old mtime kept, by
// rsync -t, cp -p or unzip, counts from when it arrived). With `cursor: {column: _file_mtime}` a
// pull reads only files changed or arrived at or after the saved cursor, so a file already pulled
// is not pulled again unless it changed (the newest file is re-checked; unchanged rows are
// recognised by content hash and not rewritten). Files are read oldest content (mtime) first, so
// for a key held in several files the newest export's row wins.
#pragma once

#include "adapters/adapter.h"
#include "adapters/csv/csv_reader.h"
#include "adapters/registry.h"

namespace yici::adapters::csv {

struct CsvConfig {
  std::string path;
  std::string pattern = "*.csv";
  CsvOptions options;
};

Result<CsvConfig> parse_csv_config(const YamlDoc& doc, const YAML::Node& block);

class CsvAdapter final : public Adapter {
 public:
  explicit CsvAdapter(CsvConfig config) : config_(std::move(config)) {}
  Result<std::unique_ptr<RowReader>> read(const ReadRequest& request) override;
  Result<std::vector<ColumnInfo>> describe() override;
  [[nodiscard]] std::string describe_target() const override { return "the CSV header of " + config_.path; }
  // Files are read in mtime order, which is not the cursor's order (a file that arrived late with
  // an old mtime): the cursor is committed after the last file.
  [[nodiscard]] bool ordered_by_cursor() const override { return false; }
  [[nodiscard]] Status check_column_name(std::string_view name) const override { return check_text_column_name(name); }
  [[nodiscard]] std::vector<std::string> local_files() const override { return {config_.path}; }

 private:
  CsvConfig config_;
};

class CsvAdapterFactory final : public AdapterFactory {
 public:
  [[nodiscard]] std::string_view name() const override { return "csv"; }
  Result<std::unique_ptr<Adapter>> create(const YamlDoc& doc, const YAML::Node& block) const override;
};

}  // namespace yici::adapters::csv
