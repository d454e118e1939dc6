#include "hub/schema/mask.h"

#include <doctest/doctest.h>

namespace yici::schema {
namespace {

TEST_CASE("masking keeps enough to recognise a value, not to learn it") {
  CHECK(mask_value("11010519491231002X") == "110***********002X");
  CHECK(mask_value("13812345678") == "138****5678");
  CHECK(mask_value("张三") == "张*");
  CHECK(mask_value("欧阳娜娜") == "欧**娜");
  CHECK(mask_value("浙江省杭州市西湖区文三路1号") == "浙江省*******三路1号");
  CHECK(mask_value("x") == "*");
  CHECK(mask_value("") == "");
  CHECK(mask_value("\xFF\xFE") == "*");  // invalid bytes: masked, never a crash
}

TEST_CASE("masking a value of megabytes gives a short line, not millions of stars") {
  const std::string huge(6 * 1024 * 1024, 'x');
  const std::string masked = mask_value(huge);
  CHECK(masked == "xxx" + std::string(32, '*') + "…xxxx");
  CHECK(mask_value(std::string(39, 'y')) == "yyy" + std::string(32, '*') + "yyyy");  // 32 hidden: no ellipsis
  CHECK(mask_value(std::string(40, 'y')) == "yyy" + std::string(32, '*') + "…yyyy");
}

}  // namespace
}  // namespace yici::schema
