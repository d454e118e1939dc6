// The text encodings department data arrives in: UTF-8, and GBK or its superset GB18030 (GB2312
// is a subset of GBK). The CSV reader converts as it streams; answers that arrive in one piece,
// such as a REST page, are converted whole here. Strict: a byte sequence that is not GB18030 is
// an error naming its offset, never a replacement character, because a page's text may be a key.
#pragma once

#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici::adapters {

// kAuto: each file (or page) read as UTF-8 or GB18030 by its content (encoding_sniffer.h).
enum class Encoding { kUtf8, kGbk, kGb18030, kAuto };

// "utf-8" or "utf8", "gbk", "cp936" or "gb2312" (read as GBK), "gb18030", "auto"; any case.
Result<Encoding> parse_encoding(std::string_view name);

Result<std::string> gb18030_to_utf8(std::string_view bytes);

// Whether a Content-Type's charset parameter (any case, quoted or not) names GBK or GB18030 (any
// name parse_encoding takes for them).
bool charset_is_gb(std::string_view content_type);

}  // namespace yici::adapters
