#include "hub/core/yaml_reader.h"

#include <doctest/doctest.h>

namespace yici {
namespace {

TEST_CASE("yaml limits: an alias bomb is refused quickly") {
  // Nine levels of nine-fold aliases: 9^9 nodes if expanded.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 9; ++j) text += ", " + prev;
    text += "]\n";
  }
  auto r = YamlDoc::parse(text, "bomb.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("document too large") != std::string::npos);
}

TEST_CASE("yaml limits: deep nesting and oversized input are refused") {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto r = YamlDoc::parse(deep, "deep.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("nesting deeper than") != std::string::npos);

  YamlLimits small;
  small.max_bytes = 10;
  auto big = YamlDoc::parse("key: a long value\n", "big.yaml", small);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message.find("larger than 10 bytes") != std::string::npos);
}

TEST_CASE("yaml reader: typed accessors report the offending line") {
  auto doc = YamlDoc::parse("a: 1\nb: [x]\nc: yes\nd: 5m\n", "t.yaml");
  REQUIRE(doc.ok());
  const auto& root = doc->root();
  CHECK(doc->optional_int(root, "a", 0, 10)->value() == 1);
  auto out_of_range = doc->optional_int(root, "a", 2, 10);
  REQUIRE_FALSE(out_of_range.ok());
  CHECK(out_of_range.error().message.rfind("t.yaml:1:", 0) == 0);
  auto not_string = doc->optional_string(root, "b");
  REQUIRE_FALSE(not_string.ok());
  CHECK(not_string.error().message.rfind("t.yaml:2:", 0) == 0);
  CHECK_FALSE(doc->optional_bool(root, "c").ok());  // only true/false, not YAML 1.1 "yes"
  CHECK(doc->optional_duration(root, "d")->value() == std::chrono::minutes(5));
  CHECK_FALSE(doc->optional_string(root, "missing")->has_value());
}

TEST_CASE("yaml reader: an empty file is named as such, not as line 0") {
  auto doc = YamlDoc::parse("", "empty.yaml");
  REQUIRE(doc.ok());
  const auto st = doc->expect_map(doc->root(), {"a"}, "hub configuration");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "empty.yaml: hub configuration must be a mapping (the file is empty)");
}

TEST_CASE("yaml reader: a second document is refused with its line, not left unread") {
  auto two = YamlDoc::parse("grants:\n  - a\n---\ngrants:\n  - b\n", "policy.yaml");
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().message.rfind("policy.yaml:4: a second YAML document", 0) == 0);
  // A leading ---, and a trailing one with nothing after it, are one document.
  auto leading = YamlDoc::parse("---\na: 1\n", "x.yaml");
  REQUIRE(leading.ok());
  CHECK(leading->root()["a"].as<int>() == 1);
  CHECK(YamlDoc::parse("a: 1\n---\n", "x.yaml").ok());
  CHECK(YamlDoc::parse("a: 1\n...\n", "x.yaml").ok());
}

TEST_CASE("durations") {
  CHECK(parse_duration("500ms").value() == std::chrono::milliseconds(500));
  CHECK(parse_duration("10s").value() == std::chrono::seconds(10));
  CHECK(parse_duration("2d").value() == std::chrono::hours(48));
  CHECK_FALSE(parse_duration("10").ok());
  CHECK_FALSE(parse_duration("s").ok());
  CHECK_FALSE(parse_duration("-5s").ok());
  CHECK_FALSE(parse_duration("5 s").ok());
  CHECK_FALSE(parse_duration("99999999999999999d").ok());
}

}  // namespace
}  // namespace yici
