#include "adapters/common/text_encoding.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <iconv.h>

namespace yici::adapters {

Result<Encoding> parse_encoding(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "utf-8" || n == "utf8") return Encoding::kUtf8;
  if (n == "gbk" || n == "cp936" || n == "gb2312") return Encoding::kGbk;
  if (n == "gb18030") return Encoding::kGb18030;
  if (n == "auto") return Encoding::kAuto;
  return Error::invalid("encoding must be utf-8, gbk, gb18030 or auto, got \"" + std::string(name) + "\"");
}

Result<std::string> gb18030_to_utf8(std::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1))  // NOLINT(performance-no-int-to-ptr): iconv's error value
    return Error::internal("iconv cannot convert GB18030 to UTF-8");
  // Each GB18030 character (1, 2 or 4 bytes) is at most 4 bytes of UTF-8; 2 bytes at most 3.
  std::string out(bytes.size() * 2 + 16, '\0');
  // iconv takes non-const pointers but does not write through the input one.
  char* in = const_cast<char*>(bytes.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  std::size_t in_left = bytes.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &dst, &out_left);
  const int err = errno;
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) {
    const auto at = static_cast<std::size_t>(in - bytes.data());
    return Error::invalid(err == EINVAL ? "the text ends inside a GB18030 character"
                                        : "bytes at offset " + std::to_string(at) + " are not GB18030");
  }
  out.resize(out.size() - out_left);
  return out;
}

bool charset_is_gb(std::string_view content_type) {
  std::string lower(content_type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto at = lower.find("charset=");
  if (at == std::string::npos) return false;
  std::string_view value = std::string_view(lower).substr(at + 8);
  if (!value.empty() && value.front() == '"') value.remove_prefix(1);
  const auto encoding = parse_encoding(value.substr(0, value.find_first_of("\"; ")));
  return encoding.ok() && (*encoding == Encoding::kGbk || *encoding == Encoding::kGb18030);
}

}  // namespace yici::adapters
