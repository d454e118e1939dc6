// JSON text with numbers as people and most parsers expect them. Boost.JSON 1.81 writes every
// non-integer double in scientific notation with a capital E (0.975 as 9.75E-1, 0 as 0E0): valid
// JSON, but an operator reading a reject rate with curl should see 0.975. This serializes with
// Boost.JSON and rewrites each such number outside strings as the shortest text that reads back as
// the same double (std::to_chars): 0.975, 1.5, 0, 1e-07. Bytes in strings that are not UTF-8 (a
// department's error text, a header in another encoding) become U+FFFD (valid_utf8): such answers
// quote outside text, and one bad byte made a whole source listing unreadable.
//
// For answers where a double can appear (admin and quarantine figures); signed answers and audit
// leaves keep their exact bytes and carry no doubles.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace yici {

std::string to_json_text(const boost::json::value& v);

// The rewrite alone, on JSON text (as Boost.JSON writes it: no whitespace between tokens).
std::string plain_numbers(std::string_view json);

}  // namespace yici
