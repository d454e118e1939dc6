// Numbers in admin answers as people read them, and nothing else in the text touched.
#include "hub/core/json_text.h"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace yici {
namespace {

TEST_CASE("json text: doubles are written plainly, and read back as the same values") {
  boost::json::object o;
  o["rate"] = 0.975;
  o["half"] = 1.5;
  o["zero"] = 0.0;
  o["third"] = 1.0 / 3;
  o["tiny"] = 1e-7;
  o["huge"] = 1e21;
  o["negative"] = -0.25;
  o["count"] = 1234567;
  o["big"] = std::int64_t{-9007199254740993};
  const std::string text = to_json_text(o);
  CHECK(text.find("E") == std::string::npos);
  CHECK(text.find(R"("rate":0.975)") != std::string::npos);
  CHECK(text.find(R"("half":1.5)") != std::string::npos);
  CHECK(text.find(R"("zero":0,)") != std::string::npos);
  CHECK(text.find(R"("negative":-0.25)") != std::string::npos);
  CHECK(text.find(R"("count":1234567)") != std::string::npos);
  CHECK(text.find(R"("big":-9007199254740993)") != std::string::npos);  // integers untouched
  const auto back = boost::json::parse(text).as_object();
  for (const auto& [key, value] : o) {
    CAPTURE(key);
    if (value.is_double()) {
      CHECK(back.at(key).to_number<double>() == value.as_double());  // the same double (0 reads back as an integer)
    } else {
      CHECK(back.at(key) == value);
    }
  }
}

TEST_CASE("json text: strings keep numbers, quotes and escapes as they were") {
  boost::json::object o;
  o["message"] = "rate 9.75E-1 \"quoted 1E5\" \\ end";
  o["list"] = boost::json::array{"1E2", 2.5E0, "\\\"", 3};
  const std::string text = to_json_text(o);
  CHECK(boost::json::parse(text) == boost::json::value(o));
  CHECK(text.find(R"(rate 9.75E-1 \"quoted 1E5\")") != std::string::npos);
  CHECK(text.find(R"(["1E2",2.5,"\\\"",3])") != std::string::npos);
  CHECK(plain_numbers(R"({"a":"x\\","b":2E0})") == R"({"a":"x\\","b":2})");
}

TEST_CASE("json text: bytes of another encoding in a string become U+FFFD, so the answer still parses") {
  // A pull error quoting a GBK header read as UTF-8 ("姓名" is D0 D5 C3 FB in GBK).
  const boost::json::value v = boost::json::object{{"last_error", "columns are: \xD0\xD5\xC3\xFB"}, {"rate", 0.5}};
  const std::string text = to_json_text(v);
  boost::system::error_code ec;
  const auto back = boost::json::parse(text, ec);
  REQUIRE_FALSE(ec);
  CHECK(back.at("last_error").as_string() == "columns are: \uFFFD\uFFFD\uFFFD\uFFFD");
  CHECK(text.find("0.5") != std::string::npos);
}

}  // namespace
}  // namespace yici
