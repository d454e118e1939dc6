// A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, embedded newlines, CRLF or LF,
// a UTF-8 BOM, and GBK/GB18030 input converted to UTF-8 with iconv as it streams. Memory is
// bounded by the longest record (capped), never by the file.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/common/encoding_sniffer.h"
#include "adapters/common/file_confinement.h"
#include "adapters/common/text_encoding.h"
#include "hub/core/result.h"

namespace yici::adapters::csv {

struct CsvOptions {
  Encoding encoding = Encoding::kUtf8;  // kAuto: each file by its content, read before the first record
  char delimiter = ',';
  std::size_t max_record_bytes = std::size_t{4} * 1024 * 1024;  // a longer record is an error, not a memory spike
};

class CsvReader {
 public:
  // Opens through `files` (file_confinement.h): a confined source's file must be inside its directories.
  static Result<std::unique_ptr<CsvReader>> open(const std::string& path, const CsvOptions& options,
                                                 const FileConfinement& files = FileConfinement::none());
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields`; false at end of file. A record that is not valid CSV (a
  // character after a closing quote, a quote never closed, a record over max_record_bytes) is
  // returned with defect() saying why, its fields partial or none, and reading goes on at the next
  // line (after a quote never closed there is none). Errors are for the file itself (unreadable).
  Result<bool> next(std::vector<std::string>& fields);
  // Why the record next() returned last is not valid CSV, for the department (Chinese, without the
  // file and line: record_line() gives it); empty when it is.
  [[nodiscard]] const std::string& defect() const { return defect_; }

  // The encoding the file is read in: the one asked for, or with kAuto the content's (kUtf8 or kGb18030).
  [[nodiscard]] Encoding encoding() const { return options_.encoding; }
  // With kAuto, what the verdict rests on.
  [[nodiscard]] const EncodingSniffer& sniffed() const { return sniffed_; }

  // 1-based line where the last record returned began.
  [[nodiscard]] long record_line() const { return record_line_; }
  // GBK/GB18030 files: byte sequences that are not GBK, each read as U+FFFD (so the normaliser
  // quarantines the row holding it as bad_encoding and the rest of the file is read), and the
  // line of the first.
  [[nodiscard]] long invalid_sequences() const { return invalid_sequences_; }
  [[nodiscard]] long first_invalid_line() const { return first_invalid_line_; }

 private:
  CsvReader() = default;
  Status sniff();            // kAuto: reads the file's start for its encoding, then rewinds
  Result<bool> fill();       // more decoded bytes into buf_; false at EOF
  Result<bool> skip_line();  // past the next '\n'; false at EOF
  std::string defect_;

  std::string path_;
  CsvOptions options_;
  EncodingSniffer sniffed_;
  std::FILE* file_ = nullptr;
  void* iconv_ = nullptr;  // iconv_t when converting
  std::string raw_;        // undecoded bytes carried between reads (incomplete multibyte sequence)
  std::string buf_;        // decoded UTF-8
  std::size_t pos_ = 0;
  bool eof_ = false;
  bool first_ = true;
  long line_ = 1;
  long record_line_ = 0;
  long invalid_sequences_ = 0;
  long first_invalid_line_ = 0;
};

}  // namespace yici::adapters::csv
