// Whole-buffer GB18030 (a superset of GBK and GB2312) to UTF-8, for answers that arrive in one
// piece, such as a REST page. Strict: a byte sequence that is not GB18030 is an error naming its
// offset, never a replacement character, because a page's text may be a key.
#pragma once

#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici::adapters {

Result<std::string> gb18030_to_utf8(std::string_view bytes);

// Whether a Content-Type's charset parameter (any case, quoted or not) names GBK, GB2312 or
// GB18030.
bool charset_is_gb(std::string_view content_type);

}  // namespace yici::adapters
