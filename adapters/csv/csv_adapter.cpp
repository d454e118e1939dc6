#include "adapters/csv/csv_adapter.h"

#include <algorithm>
#include <filesystem>
#include <fnmatch.h>
#include <sys/stat.h>

#include "adapters/common/select_builder.h"
#include "hub/core/log.h"
#include "hub/core/time.h"
#include "hub/core/utf8.h"

namespace yici::adapters::csv {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFileColumn = "_file";
constexpr const char* kMtimeColumn = "_file_mtime";

struct SourceFile {
  fs::path path;
  std::string mtime;    // its content's age: RFC 3339 UTC, nanoseconds, sorts as text
  std::string changed;  // the later of mtime and ctime: when it last changed or arrived (the cursor)
};

std::string time_text(const struct timespec& t) {
  const auto secs = std::chrono::sys_seconds(std::chrono::seconds(t.tv_sec));
  std::string base = format_rfc3339_seconds(std::chrono::time_point_cast<std::chrono::microseconds>(secs));
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09ld", static_cast<long>(t.tv_nsec));
  return base.substr(0, base.size() - 1) + frac + "Z";
}

Result<std::vector<SourceFile>> list_files(const CsvConfig& c) {
  std::vector<SourceFile> out;
  std::error_code ec;
  const fs::file_status status = fs::status(c.path, ec);
  if (ec || !fs::exists(status)) return Error::unavailable("csv source " + c.path + ": no such file or directory");
  std::vector<fs::path> paths;
  if (fs::is_directory(status)) {
    for (fs::directory_iterator it(c.path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file() && fnmatch(c.pattern.c_str(), it->path().filename().c_str(), 0) == 0) {
        paths.push_back(it->path());
      }
    }
    if (ec) return Error::unavailable("csv source " + c.path + ": cannot list: " + ec.message());
  } else {
    paths.emplace_back(c.path);
  }
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return Error::unavailable("csv source " + p.string() + ": cannot stat");
    // A file copied in with its modification time kept (rsync -t, cp -p, unzip, sftp -p) has an
    // old mtime, but its ctime is when it arrived, which no tool sets back: the cursor is the
    // later of the two, so such a file is still read.
    const bool ctime_later =
        std::tie(st.st_ctim.tv_sec, st.st_ctim.tv_nsec) > std::tie(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    out.push_back({p, time_text(st.st_mtim), time_text(ctime_later ? st.st_ctim : st.st_mtim)});
  }
  // Oldest content first, so that for a key held in several files the newest export's row is read last and wins.
  std::sort(out.begin(), out.end(), [](const SourceFile& a, const SourceFile& b) {
    return std::tie(a.mtime, a.path) < std::tie(b.mtime, b.path);
  });
  return out;
}

// For a column not found because the file is in another encoding than the source says: the
// likely cause and its fix. Read as UTF-8, a GBK header is not UTF-8 text; read as GBK, a UTF-8
// header is mojibake, which the file's own bytes show (read again here, on this error path only).
std::string encoding_hint(std::string_view header, const CsvOptions& options, const SourceFile& f,
                          const FileConfinement& files) {
  const char* some =
      "; if some of its files are GBK and some UTF-8, set it to auto, and each file is read by its content)";
  if (options.encoding == Encoding::kUtf8) {
    if (is_valid_utf8(header)) return "";
    return std::string(
               " (the header is not UTF-8 text: if the department exports GBK, set the source's "
               "adapter.encoding to gbk") +
           some;
  }
  if (options.encoding == Encoding::kAuto) return "";
  CsvOptions sniff = options;
  sniff.encoding = Encoding::kAuto;
  auto reader = CsvReader::open(f.path.string(), sniff, files);
  if (!reader || (*reader)->encoding() != Encoding::kUtf8 || (*reader)->sniffed().utf8_sequences() == 0) return "";
  return std::string(
             " (the file is UTF-8 text, not GBK: if the department now exports UTF-8, set the source's "
             "adapter.encoding to utf-8") +
         some;
}

// encoding: auto: which encoding a file is read in, and on what evidence. A file read as UTF-8
// that holds malformed sequences too is a warning: the rows holding them are quarantined
// (bad_encoding). (GBK text always holds some sequences that are also UTF-8, so those say nothing;
// bytes that are not GBK either are counted by the reader and logged as csv_invalid_bytes.)
void log_sniffed(const SourceFile& f, const CsvReader& reader) {
  const EncodingSniffer& s = reader.sniffed();
  const bool utf8 = reader.encoding() == Encoding::kUtf8;
  boost::json::object fields{{"file", f.path.string()},
                             {"encoding", utf8 ? "utf-8" : "gb18030"},
                             {"utf8_sequences", s.utf8_sequences()},
                             {"malformed_sequences", s.malformed_sequences()},
                             {"byte_order_mark", s.byte_order_mark()}};
  if (!utf8 || s.malformed_sequences() == 0) {
    log::info("csv_encoding_detected", std::move(fields));
    return;
  }
  fields["action"] =
      "the file is read as UTF-8, most of its text being UTF-8, but some of its bytes are not: the rows holding "
      "them are quarantined (bad_encoding); ask the department for a clean export";
  log::warn("csv_encoding_mixed", std::move(fields));
}

class CsvRowReader final : public RowReader {
 public:
  CsvRowReader(const CsvConfig& config, FileConfinement confinement, std::vector<SourceFile> files,
               std::vector<std::string> columns, std::vector<int> keys)
      : config_(config),
        confinement_(std::move(confinement)),
        files_(std::move(files)),
        columns_(std::move(columns)),
        keys_(std::move(keys)) {}

  Result<bool> next(Row& row) override {
    while (true) {
      if (!reader_) {
        if (file_index_ >= files_.size()) return false;
        YICI_TRY_STATUS(open_file(files_[file_index_]));
        if (!reader_) continue;  // an empty file, skipped
      }
      YICI_TRY(bool more, reader_->next(fields_));
      if (!more) {
        if (reader_->invalid_sequences() > 0) {
          log::warn("csv_invalid_bytes",
                    {{"file", files_[file_index_].path.string()},
                     {"sequences", reader_->invalid_sequences()},
                     {"first_line", reader_->first_invalid_line()},
                     {"encoding", "gbk"},
                     {"action",
                      "rows holding bytes that are not GBK were quarantined (bad_encoding); ask the department "
                      "for a clean export, or check the source's encoding setting (auto reads each file of a "
                      "directory by its content, when some are UTF-8)"}});
        }
        if (bad_rows_ > 0) {
          log::warn("csv_bad_rows", {{"file", files_[file_index_].path.string()},
                                     {"rows", bad_rows_},
                                     {"first_line", first_bad_line_},
                                     {"action",
                                      "rows that are not valid CSV (a field count that differs from the header, a "
                                      "character after a closing quote, a quote never closed, a record over the size "
                                      "limit) were quarantined (bad_row) and the rest of the file was read; ask the "
                                      "department to quote fields holding commas, quotes or line breaks"}});
        }
        bad_rows_ = 0;
        reader_.reset();
        ++file_index_;
        continue;
      }
      const SourceFile& f = files_[file_index_];
      row.values.resize(columns_.size());
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        const int src = positions_[i];
        if (src == -1) {
          row.values[i] = f.path.filename().string();
        } else if (src == -2) {
          row.values[i] = f.changed;
        } else if (static_cast<std::size_t>(src) >= fields_.size() || fields_[static_cast<std::size_t>(src)].empty()) {
          row.values[i].reset();
        } else {
          row.values[i] = fields_[static_cast<std::size_t>(src)];
        }
      }
      row.defect.clear();
      row.file = file_name_;
      row.line = reader_->record_line();
      if (fields_.size() != header_.size() || !reader_->defect().empty()) {
        // Usually a comma or line break the export did not quote, or a stray quote. The row is
        // quarantined where it stands and the rest of the file is read; its fields may be shifted,
        // so its key is not trusted: it is filed under its place in the file.
        const long line = reader_->record_line();
        if (bad_rows_++ == 0) first_bad_line_ = line;
        row.key = "bad_row " + f.path.filename().string() + ":" + std::to_string(line);
        row.defect = f.path.filename().string() + " 第 " + std::to_string(line) + " 行" +
                     (!reader_->defect().empty() ? reader_->defect()
                                                 : "有 " + std::to_string(fields_.size()) + " 个字段，表头有 " +
                                                       std::to_string(header_.size()) +
                                                       " 个：多半是导出时未加引号的逗号或换行；请修正该行后重新导出");
        return true;
      }
      row.key = make_row_key(row.values, keys_);
      return true;
    }
  }

 private:
  Status open_file(const SourceFile& f) {
    YICI_TRY(reader_, CsvReader::open(f.path.string(), config_.options, confinement_));
    file_name_ = f.path.filename().string();
    if (config_.options.encoding == Encoding::kAuto) log_sniffed(f, *reader_);
    YICI_TRY(bool has_header, reader_->next(header_));
    if (!has_header) {
      // Nothing, or only a byte-order mark or blank lines: no header, no rows. Skipped, not an error:
      // an export job that ran with nothing to export, or a file still being copied in (read again
      // once it changes).
      log::warn("csv_empty_file",
                {{"file", f.path.string()},
                 {"action",
                  "the file has no header line and was skipped; if the department meant to send rows, ask for "
                  "the export again"}});
      reader_.reset();
      ++file_index_;
      return {};
    }
    positions_.assign(columns_.size(), 0);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i] == kFileColumn) {
        positions_[i] = -1;
      } else if (columns_[i] == kMtimeColumn) {
        positions_[i] = -2;
      } else {
        auto it = std::find(header_.begin(), header_.end(), columns_[i]);
        if (it == header_.end()) {
          std::string known;
          for (const auto& h : header_) known += (known.empty() ? "" : ", ") + h;
          return Error::invalid(f.path.string() + ": column \"" + columns_[i] + "\" not found; columns are: " +
                                valid_utf8(known) + encoding_hint(known, config_.options, f, confinement_));
        }
        positions_[i] = static_cast<int>(it - header_.begin());
      }
    }
    return {};
  }

  const CsvConfig& config_;
  FileConfinement confinement_;
  std::vector<SourceFile> files_;
  std::vector<std::string> columns_;
  std::vector<int> keys_;
  std::size_t file_index_ = 0;
  std::unique_ptr<CsvReader> reader_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
  std::vector<int> positions_;
  std::string file_name_;      // the current file's name (Row::file)
  std::int64_t bad_rows_ = 0;  // in the current file
  long first_bad_line_ = 0;
};

}  // namespace

Result<CsvConfig> parse_csv_config(const YamlDoc& doc, const YAML::Node& block) {
  YICI_TRY_STATUS(doc.expect_map(block, {"type", "path", "pattern", "encoding", "delimiter"}, "csv adapter"));
  CsvConfig c;
  YICI_TRY(c.path, doc.required_string(block, "path"));
  YICI_TRY(auto pattern, doc.optional_string(block, "pattern"));
  if (pattern) c.pattern = *pattern;
  YICI_TRY(auto encoding, doc.optional_string(block, "encoding"));
  if (encoding) {
    auto e = parse_encoding(*encoding);
    if (!e) return doc.error_at(block["encoding"], "adapter.encoding: " + e.error().message);
    c.options.encoding = *e;
  }
  YICI_TRY(auto delimiter, doc.optional_string(block, "delimiter"));
  if (delimiter) {
    if (*delimiter == "\\t" || *delimiter == "\t") {
      c.options.delimiter = '\t';
    } else if (delimiter->size() == 1 && (*delimiter)[0] != '"' && (*delimiter)[0] != '\n') {
      c.options.delimiter = (*delimiter)[0];
    } else {
      return doc.error_at(block["delimiter"], "adapter.delimiter must be one character (not a quote or newline)");
    }
  }
  return c;
}

Result<std::unique_ptr<Adapter>> CsvAdapterFactory::create(const YamlDoc& doc, const YAML::Node& block) const {
  YICI_TRY(auto config, parse_csv_config(doc, block));
  return std::unique_ptr<Adapter>(std::make_unique<CsvAdapter>(std::move(config)));
}

Result<std::unique_ptr<RowReader>> CsvAdapter::read(const ReadRequest& request) {
  YICI_TRY(auto keys, key_indices(request));
  YICI_TRY(auto found, list_files(config_));
  if (request.cursor_from) {
    if (request.cursor_column != kMtimeColumn) {
      return Error::invalid("csv sources support incremental pulls only with cursor column _file_mtime");
    }
    // The files that arrived or changed since the cursor, and with them every file whose content is
    // newer than the oldest of those: an older export delivered again (cp -p, rsync -t) is read
    // first, and the newer exports after it again, so that for each key the newest content still
    // wins as in a full pull (a licence revoked in a newer export stays revoked). Rows read again
    // unchanged leave their records as they were (the store judges keys repeated in one pull).
    std::optional<std::string> oldest_arrived;
    for (const auto& f : found) {
      if (f.changed >= *request.cursor_from && (!oldest_arrived || f.mtime < *oldest_arrived)) oldest_arrived = f.mtime;
    }
    std::size_t again = 0;
    std::erase_if(found, [&](const SourceFile& f) {
      if (f.changed >= *request.cursor_from) return false;
      const bool newer_content = oldest_arrived && f.mtime >= *oldest_arrived;
      again += newer_content ? 1 : 0;
      return !newer_content;
    });
    if (again > 0) {
      log::info("csv_older_export_arrived",
                {{"path", config_.path},
                 {"files_read_again", again},
                 {"reason",
                  "a file arrived whose content is older than files already read; those newer files are read "
                  "again after it, so that their rows still win"}});
    }
  }
  return std::unique_ptr<RowReader>(
      std::make_unique<CsvRowReader>(config_, files(), std::move(found), request.columns, std::move(keys)));
}

Result<std::vector<ColumnInfo>> CsvAdapter::describe() {
  YICI_TRY(auto found, list_files(config_));
  std::vector<ColumnInfo> out;
  // The newest file's header that there is: an empty newest file (an export with nothing in it)
  // does not hide the columns of the others.
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    YICI_TRY(auto reader, CsvReader::open(it->path.string(), config_.options, files()));
    std::vector<std::string> header;
    YICI_TRY(bool has, reader->next(header));
    if (has) {
      for (auto& h : header) out.push_back({std::move(h), "text"});
      break;
    }
  }
  out.push_back({kFileColumn, "text"});
  out.push_back({kMtimeColumn, "timestamp"});
  return out;
}

}  // namespace yici::adapters::csv
