// Tells UTF-8 from GBK/GB18030 by content, for a source whose files (or pages) do not all come in
// one encoding (`encoding: auto`): a department that moved its export tool to UTF-8 while older GBK
// exports still lie in the same directory, or one office exporting each way.
//
// The evidence is the multibyte sequences met: in UTF-8 text nearly every non-ASCII sequence is
// well-formed UTF-8; in GBK text most are not (a Chinese character in GBK is a lead byte 0x81–0xFE
// and a trail byte, and only about one in eight such pairs happens to form UTF-8). So text is read
// as UTF-8 when at most one sequence in eleven is malformed, else as GB18030 (GBK's superset). A
// UTF-8 file with a few corrupt bytes stays UTF-8, and only the rows holding them are quarantined
// (bad_encoding), never the whole file read as mojibake. Text without any non-ASCII byte is UTF-8
// (it reads the same either way).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/common/text_encoding.h"

namespace yici::adapters {

class EncodingSniffer {
 public:
  // Multibyte sequences after which the verdict is settled: more text would not change it.
  static constexpr std::int64_t kEnough = 4096;

  // The next bytes of the text; a sequence cut at the end is kept for the next call.
  void feed(std::string_view bytes);
  // The end of the text: a sequence still cut there is malformed.
  void finish();
  // Whether enough has been seen to stop reading (kEnough sequences, or a UTF-8 byte-order mark).
  [[nodiscard]] bool settled() const { return bom_ || utf8_ + malformed_ >= kEnough; }

  // kUtf8 or kGb18030.
  [[nodiscard]] Encoding verdict() const;
  [[nodiscard]] std::int64_t utf8_sequences() const { return utf8_; }
  [[nodiscard]] std::int64_t malformed_sequences() const { return malformed_; }
  [[nodiscard]] bool byte_order_mark() const { return bom_; }

 private:
  std::string held_;  // a sequence cut at the end of the last feed
  bool started_ = false;
  bool bom_ = false;
  std::int64_t utf8_ = 0;
  std::int64_t malformed_ = 0;
};

// The verdict on text that arrives whole (a REST page).
Encoding sniff_encoding(std::string_view text);

}  // namespace yici::adapters
