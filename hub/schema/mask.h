// Masking of sensitive values for quarantine views, logs and exports: enough left to recognise
// a value one already knows, not enough to learn it. "11010519491231002X" → "110***********002X",
// "13812345678" → "138****5678", "张三" → "张*", "欧阳娜娜" → "欧**娜". At most 32 stars, then "…".
#pragma once

#include <string>
#include <string_view>

namespace yici::schema {

std::string mask_value(std::string_view utf8);

}  // namespace yici::schema
