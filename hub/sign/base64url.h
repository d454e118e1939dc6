// Base64url without padding (RFC 4648 §5, as JWS uses it) and standard base64 (RFC 4648 §4).
// Decoding is strict: padding, characters outside the alphabet and non-zero trailing bits are
// errors, so one signature has exactly one encoding.
#pragma once

#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici::sign {

std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace yici::sign
