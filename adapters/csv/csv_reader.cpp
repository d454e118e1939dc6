#include "adapters/csv/csv_reader.h"

#include <cerrno>
#include <cstring>
#include <iconv.h>
#include <unistd.h>

namespace yici::adapters::csv {

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::string& path, const CsvOptions& options,
                                                   const FileConfinement& files) {
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->path_ = path;
  r->options_ = options;
  YICI_TRY(const int fd, files.open_read(path));
  r->file_ = ::fdopen(fd, "rb");
  if (r->file_ == nullptr) {
    ::close(fd);
    return Error::unavailable(path + ": cannot open: " + std::strerror(errno));
  }
  if (options.encoding == Encoding::kAuto) YICI_TRY_STATUS(r->sniff());
  if (r->options_.encoding != Encoding::kUtf8) {
    // A UTF-8 byte-order mark in a file declared GBK: the header would read as "锘縮fzh".
    char bom[3] = {};
    const std::size_t got = std::fread(bom, 1, sizeof bom, r->file_);
    if (got == 3 && std::memcmp(bom, "\xEF\xBB\xBF", 3) == 0) {
      return Error::invalid(path +
                            " starts with a UTF-8 byte-order mark, but the source's encoding is GBK/GB18030: "
                            "set the source's encoding to utf-8, or to auto if only some of its files are UTF-8");
    }
    std::rewind(r->file_);
    // GB18030 is a superset of GBK: decoding GBK files as GB18030 accepts everything GBK encodes.
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1))  // NOLINT(performance-no-int-to-ptr): iconv's error value
      return Error::internal("iconv cannot convert GB18030 to UTF-8");
    r->iconv_ = cd;
  }
  return r;
}

Status CsvReader::sniff() {
  char chunk[64 * 1024];
  while (!sniffed_.settled()) {
    const std::size_t n = std::fread(chunk, 1, sizeof chunk, file_);
    if (n == 0) {
      if (std::ferror(file_)) return Error::io(path_ + ": read error");
      break;
    }
    sniffed_.feed(std::string_view(chunk, n));
  }
  sniffed_.finish();
  if (std::fseek(file_, 0, SEEK_SET) != 0) {
    return Error::invalid(path_ + ": cannot read the file twice (a pipe?), which encoding: auto needs: " +
                          std::strerror(errno) + "; name the file's encoding");
  }
  options_.encoding = sniffed_.verdict();
  return {};
}

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
  if (iconv_ != nullptr) iconv_close(static_cast<iconv_t>(iconv_));
}

Result<bool> CsvReader::fill() {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  char chunk[64 * 1024];
  while (true) {
    std::size_t n = 0;
    if (!eof_) {
      n = std::fread(chunk, 1, sizeof chunk, file_);
      if (n == 0) {
        if (std::ferror(file_)) return Error::io(path_ + ": read error");
        eof_ = true;
      }
    }
    if (iconv_ == nullptr) {
      if (n == 0) return false;
      buf_.append(chunk, n);
      return true;
    }
    raw_.append(chunk, n);
    if (raw_.empty()) return false;
    char* in = raw_.data();
    std::size_t in_left = raw_.size();
    std::string out(in_left * 2 + 16, '\0');
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    const std::size_t rc = iconv(static_cast<iconv_t>(iconv_), &in, &in_left, &out_ptr, &out_left);
    const int err = rc == static_cast<std::size_t>(-1) ? errno : 0;
    const std::size_t produced = out.size() - out_left;
    buf_.append(out.data(), produced);
    raw_.erase(0, raw_.size() - in_left);
    if (produced > 0) return true;  // a bad sequence after good text is met on the next call
    if (err == EILSEQ) {
      // One bad byte becomes U+FFFD and decoding goes on after it: the row holding it is
      // quarantined, not the whole file. No GBK trail byte is a comma, quote or line break, so the
      // CSV structure around it survives.
      if (invalid_sequences_++ == 0) first_invalid_line_ = line_;
      buf_.append("\xEF\xBF\xBD");
      raw_.erase(0, 1);
      return true;
    }
    if (eof_) {
      if (!raw_.empty()) {
        // The file ends inside a character (an export cut short): read as one bad byte, so only
        // the last row is quarantined.
        if (invalid_sequences_++ == 0) first_invalid_line_ = line_;
        buf_.append("\xEF\xBF\xBD");
        raw_.clear();
        return true;
      }
      return false;
    }
  }
}

Result<bool> CsvReader::skip_line() {
  while (true) {
    if (pos_ >= buf_.size()) {
      YICI_TRY(const bool more, fill());
      if (!more) return false;
    }
    const char c = buf_[pos_++];
    if (c == '\n') {
      ++line_;
      return true;
    }
  }
}

Result<bool> CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  defect_.clear();
  std::string field;
  bool in_quotes = false;
  bool field_started = false;  // distinguishes an empty last line from a record with one empty field
  bool after_quote = false;    // just closed a quoted section
  // Past the size limit: the record is read on to its end, quotes and all, but nothing is kept,
  // so a long quoted field spanning lines is not taken for records of its own.
  bool discarding = false;
  std::size_t record_bytes = 0;
  record_line_ = line_;
  auto need = [&]() -> Result<bool> {
    if (pos_ < buf_.size()) return true;
    return fill();
  };
  while (true) {
    YICI_TRY(bool more, need());
    if (!more) {
      if (in_quotes) {
        // Everything after the opening quote is one field: nothing here can be trusted.
        defect_ = "开始的引号字段直到文件末尾都未闭合，自该行起的内容未能读入；请修正后重新导出";
        fields.clear();
        return true;
      }
      if (discarding) return true;
      if (!field_started && fields.empty()) return false;
      fields.push_back(std::move(field));
      return true;
    }
    if (first_) {
      first_ = false;
      if (buf_.size() - pos_ >= 3 && buf_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) pos_ += 3;
      continue;
    }
    const char c = buf_[pos_++];
    if (!discarding && ++record_bytes > options_.max_record_bytes) {
      // Not kept (it would be a memory spike, and a quarantine entry of megabytes); the record is
      // still read to its end, so the rest of the file is read as it was written.
      defect_ = "开始的记录超过 " + std::to_string(options_.max_record_bytes) +
                " 字节（多半是未闭合的引号），未能读入；请修正后重新导出";
      discarding = true;
      fields.clear();
      field.clear();
      field.shrink_to_fit();
    }
    if (in_quotes) {
      if (c == '"') {
        YICI_TRY(bool more2, need());
        if (more2 && buf_[pos_] == '"') {
          if (!discarding) field += '"';
          ++pos_;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line_;
        if (!discarding) field += c;
      }
      continue;
    }
    if (c == options_.delimiter) {
      if (!discarding) fields.push_back(std::move(field));
      field.clear();
      field_started = true;
      after_quote = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r') {
        YICI_TRY(bool more2, need());
        if (more2 && buf_[pos_] == '\n') ++pos_;
      }
      ++line_;
      if (discarding) return true;
      if (!field_started && fields.empty() && field.empty()) {  // blank line: skip
        record_line_ = line_;
        record_bytes = 0;
        continue;
      }
      fields.push_back(std::move(field));
      return true;
    } else if (c == '"' && field.empty() && !after_quote) {
      in_quotes = true;
      field_started = true;
    } else if (after_quote) {
      if (discarding) {  // already spoilt by its size: read on to the end of its line
        YICI_TRY_STATUS(skip_line());
        return true;
      }
      // "陈某" ,1: the row is handed on as a defect and reading goes on at the next line.
      defect_ = "引号括起的字段在右引号后还有字符（如 \"陈某\" ,）；请修正该行后重新导出";
      fields.push_back(std::move(field));
      YICI_TRY_STATUS(skip_line());
      return true;
    } else {
      if (!discarding) field += c;
      field_started = true;
    }
  }
}

}  // namespace yici::adapters::csv
