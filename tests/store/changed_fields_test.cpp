#include "hub/store/changed_fields.h"

#include <doctest/doctest.h>

namespace yici::store {
namespace {

TEST_CASE("changed fields: the names whose values differ, in name order, a field added or removed counted") {
  CHECK(changed_fields(R"({"name":"张三","phone":"1"})", R"({"name":"张三","phone":"1"})") == "[]");
  CHECK(changed_fields(R"({"phone":"1","name":"张三"})", R"({"name":"张三","phone":"2"})") == R"(["phone"])");
  CHECK(changed_fields(R"({"z":1,"a":1})", R"({"a":2,"z":2})") == R"(["a","z"])");
  CHECK(changed_fields(R"({"name":"a"})", R"({"name":"a","phone":"1"})") == R"(["phone"])");
  CHECK(changed_fields(R"({"name":"a","phone":"1"})", R"({"name":"a"})") == R"(["phone"])");
  CHECK(changed_fields(R"({"phone":null})", R"({})") == R"(["phone"])");  // null is a value
  CHECK(changed_fields(R"({"phone":"1"})", R"({"phone":1})") == R"(["phone"])");
}

TEST_CASE("changed fields: values compared as an answer writes them, nested ones whole") {
  CHECK(changed_fields(R"({"n":1})", R"({"n":1.0})") == R"(["n"])");    // written 1 and 1E0
  CHECK(changed_fields(R"({"n":1.0})", R"({"n":1.00})") == "[]");       // both 1E0
  CHECK(changed_fields(R"({"s":"\u5f20"})", R"({"s":"张"})") == "[]");  // one string, two spellings
  CHECK(changed_fields(R"({"o":{"a":1,"b":2}})", R"({"o":{"a":1,"b":3}})") == R"(["o"])");
  CHECK(changed_fields(R"({"l":[1,2]})", R"({"l":[2,1]})") == R"(["l"])");
  CHECK(changed_fields(R"({"o":{"a":1,"b":2}})", R"({"o":{"b":2,"a":1}})") == R"(["o"])");  // written in another order
  CHECK(changed_fields(R"({"n":0.0})", R"({"n":-0.0})") == R"(["n"])");
  CHECK(changed_fields(R"({"s":"1","t":true})", R"({"s":1,"t":"true"})") == R"(["s","t"])");
}

TEST_CASE("changed fields: text that is not a JSON object has no fields") {
  CHECK(changed_fields("not json", R"({"b":1,"a":1})") == R"(["a","b"])");
  CHECK(changed_fields(R"({"a":1})", "[1,2]") == R"(["a"])");
  CHECK(changed_fields("", "") == "[]");
  CHECK(changed_fields(R"({"a":1})", R"({"a":1)") == R"(["a"])");  // cut short
}

TEST_CASE("changed fields: names_any matches whole names only") {
  const std::string list = changed_fields(R"({})", R"({"name":1,"phone":1,"address":1})");
  REQUIRE(list == R"(["address","name","phone"])");
  CHECK(names_any(list, {"address"}));  // first
  CHECK(names_any(list, {"name"}));     // middle
  CHECK(names_any(list, {"phone"}));    // last
  CHECK(names_any(list, {"gender", "phone"}));
  CHECK_FALSE(names_any(list, {"gender"}));
  CHECK_FALSE(names_any(list, {"nam", "ame", "addres", "hone"}));  // parts of names
  CHECK_FALSE(names_any(R"(["name_en","first_name"])", {"name"}));
  CHECK_FALSE(names_any("[]", {"name"}));
  CHECK_FALSE(names_any(list, {}));
  CHECK(names_any(R"(["name"])", {"name"}));
}

TEST_CASE("changed fields: names_any is not fooled by names with quotes, nor matches names outside the schema's form") {
  // A key holding quotes and commas serializes escaped: no element "name" in it.
  const std::string odd = changed_fields("{}", R"({"x\",\"name\",\"y":1})");
  CHECK_FALSE(names_any(odd, {"name"}));
  CHECK_FALSE(names_any(R"(["a,\"name\"]"])", {"name"}));
  CHECK_FALSE(names_any(R"(["Name"])", {"Name"}));  // not [a-z][a-z0-9_]*
  CHECK_FALSE(names_any(R"([""])", {""}));
  CHECK_FALSE(names_any(R"(["a\"b"])", {"a\"b"}));
}

}  // namespace
}  // namespace yici::store
