#include "hub/core/json_text.h"

#include <charconv>
#include <system_error>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "hub/core/utf8.h"

namespace yici {
namespace {

bool number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

}  // namespace

std::string plain_numbers(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      out += c;
      continue;
    }
    std::size_t end = i;
    while (end < json.size() && number_char(json[end])) ++end;
    const std::string_view token = json.substr(i, end - i);
    double value = 0;
    const bool exponent = token.find_first_of("eE") != std::string_view::npos;
    const auto parsed = std::from_chars(token.data(), token.data() + token.size(), value);
    char buffer[32];
    const auto written = std::to_chars(std::begin(buffer), std::end(buffer), value);
    if (exponent && parsed.ec == std::errc() && parsed.ptr == token.data() + token.size() &&
        written.ec == std::errc()) {
      out.append(buffer, written.ptr);
    } else {
      out += token;  // an integer, or nothing this could read: as it was
    }
    i = end - 1;
  }
  return out;
}

std::string to_json_text(const boost::json::value& v) { return valid_utf8(plain_numbers(boost::json::serialize(v))); }

}  // namespace yici
