// Identifiers the hub makes: request ids (random, 128 bits, hex) and validation of ids that
// clients send, so that nothing a client sends can break a log line.
#pragma once

#include <string>
#include <string_view>

namespace yici {

// 32 lowercase hex characters from a per-thread generator seeded by the OS CSPRNG.
std::string new_request_id();

// A client's X-Request-Id is echoed only if it is 1–128 characters of [A-Za-z0-9._:-].
bool is_acceptable_request_id(std::string_view id);

}  // namespace yici
