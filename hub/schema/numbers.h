// Numbers as departments write them: "5,000,000", "500万元", "1.5亿元", "人民币500万元". Decimals
// are handled as digit strings, never through binary floating point, so yuan amounts stay exact.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace yici::schema {

enum class NumberFault {
  kNone,
  kNotANumber,
  kForeignCurrency,  // money in 美元, 港币, … (named in `currency`)
  kOutOfRange,       // does not fit an int64 (integers)
};

struct NumberParse {
  NumberFault fault = NumberFault::kNone;
  std::string_view currency;  // kForeignCurrency: the currency as written
};

// Integer with optional sign and thousands separators. Expects half-width text.
NumberParse parse_integer(std::string_view text, std::int64_t& out);

// Decimal in canonical form into `out`: optional '-', no leading zeros, no trailing fraction zeros,
// no exponent ("5000000", "1234.5", "-0.25"). With `money`, accepts 元/人民币/RMB/CNY/¥ and the
// multipliers 万 (10⁴) and 亿 (10⁸), and refuses foreign currencies.
NumberParse parse_decimal(std::string_view text, bool money, std::string& out);

// Compares two canonical decimals (as parse_decimal writes them): <0, 0, >0.
int compare_decimal(std::string_view a, std::string_view b);

}  // namespace yici::schema
