#include "hub/core/json_unique_keys.h"

#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>

namespace yici {
namespace {

// A SAX handler that only remembers the member names of each open object.
// The names and signatures are basic_parser's.
class UniqueKeys {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);   // NOLINT(readability-identifier-naming)
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);  // NOLINT(readability-identifier-naming)
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);  // NOLINT(readability-identifier-naming)
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);     // NOLINT(readability-identifier-naming)

  std::string repeated;  // the first name seen twice in one object

  bool on_document_begin(boost::system::error_code& /*ec*/) { return true; }
  bool on_document_end(boost::system::error_code& /*ec*/) { return true; }
  bool on_array_begin(boost::system::error_code& /*ec*/) { return true; }
  bool on_array_end(std::size_t /*n*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_object_begin(boost::system::error_code& /*ec*/) {
    open_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    open_.pop_back();
    return true;
  }
  bool on_string_part(boost::json::string_view /*s*/, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    return true;
  }
  bool on_string(boost::json::string_view /*s*/, std::size_t /*n*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_key_part(boost::json::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t /*n*/, boost::system::error_code& ec) {
    key_.append(s.data(), s.size());
    const bool fresh = open_.back().insert(key_).second;
    if (!fresh) {
      repeated = key_;
      ec = boost::json::error::syntax;  // stops the parse; `repeated` says why
    }
    key_.clear();
    return fresh;
  }
  bool on_number_part(boost::json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_int64(std::int64_t /*i*/, boost::json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_uint64(std::uint64_t /*u*/, boost::json::string_view /*s*/, boost::system::error_code& /*ec*/) {
    return true;
  }
  bool on_double(double /*d*/, boost::json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_bool(bool /*b*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_null(boost::system::error_code& /*ec*/) { return true; }
  bool on_comment_part(boost::json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_comment(boost::json::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }

 private:
  std::vector<std::unordered_set<std::string>> open_;
  std::string key_;
};

}  // namespace

Result<boost::json::value> parse_json_unique_keys(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) return Error::invalid("not JSON: " + ec.message());
  // Only a document that parses is walked again for its names.
  boost::json::basic_parser<UniqueKeys> names(boost::json::parse_options{});
  names.write_some(false, text.data(), text.size(), ec);
  if (!names.handler().repeated.empty()) {
    return Error::invalid("\"" + names.handler().repeated + "\" appears twice in one object");
  }
  return value;
}

}  // namespace yici
