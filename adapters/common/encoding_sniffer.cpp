#include "adapters/common/encoding_sniffer.h"

#include "hub/core/utf8.h"

namespace yici::adapters {

void EncodingSniffer::feed(std::string_view bytes) {
  std::string joined;
  if (!held_.empty()) {
    // A chunk rarely ends inside a sequence more than once per read; the copy is a few microseconds.
    joined = std::move(held_) + std::string(bytes);
    held_.clear();
    bytes = joined;
  }
  if (!started_ && !bytes.empty()) {
    if (bytes.size() < 3 && std::string_view("\xEF\xBB\xBF").substr(0, bytes.size()) == bytes) {
      held_.assign(bytes);  // perhaps the start of a byte-order mark
      return;
    }
    started_ = true;
    bom_ = bytes.substr(0, 3) == "\xEF\xBB\xBF";
  }
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (i + utf8_sequence_length(b) > bytes.size()) {  // cut by the end of this piece: wait for more
      held_.assign(bytes.substr(i));
      return;
    }
    if (decode_utf8(bytes, i) == kInvalidCodePoint) {
      ++malformed_;
    } else {
      ++utf8_;
    }
  }
}

void EncodingSniffer::finish() {
  if (!started_ && !held_.empty()) {  // text shorter than a byte-order mark
    std::string rest = std::move(held_);
    held_.clear();
    started_ = true;
    feed(rest);
  }
  // A sequence cut by the end of the text: its lead byte is malformed, and so is each byte after
  // it (a continuation byte read on its own).
  malformed_ += static_cast<std::int64_t>(held_.size());
  held_.clear();
}

Encoding EncodingSniffer::verdict() const {
  if (bom_ || malformed_ == 0) return Encoding::kUtf8;
  return utf8_ >= 10 * malformed_ ? Encoding::kUtf8 : Encoding::kGb18030;
}

Encoding sniff_encoding(std::string_view text) {
  EncodingSniffer sniffer;
  sniffer.feed(text);
  sniffer.finish();
  return sniffer.verdict();
}

}  // namespace yici::adapters
