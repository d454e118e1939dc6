#include "adapters/common/resume_token.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace yici::adapters {

std::string encode_resume_token(const std::vector<KeyPart>& parts) {
  boost::json::array a;
  for (const auto& p : parts) {
    if (const auto* i = std::get_if<std::int64_t>(&p)) {
      a.emplace_back(*i);
    } else {
      a.emplace_back(std::get<std::string>(p));
    }
  }
  return boost::json::serialize(a);
}

Result<std::vector<KeyPart>> decode_resume_token(std::string_view token, std::size_t key_columns) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(token, ec);
  // The token's content stays out of the message: it holds key values, often subjects.
  const std::string what = "resume position of " + std::to_string(token.size()) + " bytes";
  if (ec || !v.is_array()) return Error::invalid(what + ": not a JSON array");
  const auto& a = v.get_array();
  if (a.size() != key_columns) {
    return Error::invalid(what + ": " + std::to_string(a.size()) + " key parts, the key has " +
                          std::to_string(key_columns));
  }
  std::vector<KeyPart> out;
  out.reserve(a.size());
  for (const auto& item : a) {
    if (item.is_int64()) {
      out.emplace_back(item.get_int64());
    } else if (item.is_string()) {
      out.emplace_back(std::string(item.get_string()));
    } else {
      return Error::invalid(what + ": a key part is neither an integer nor a string");
    }
  }
  return out;
}

}  // namespace yici::adapters
