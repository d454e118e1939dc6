// The position a full read resumes after, as SQL adapters write and read it: the key values of the
// last row read, one per primary key column, as a JSON array. An integer part is a JSON number and
// is bound as an integer; a text part is a JSON string and is bound as text. The token is stored
// with each committed batch of a full pull and handed back to the adapter that wrote it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hub/core/result.h"

namespace yici::adapters {

using KeyPart = std::variant<std::int64_t, std::string>;

std::string encode_resume_token(const std::vector<KeyPart>& parts);

// The parts of a token for a key of `key_columns` columns; an error for anything else (a token
// from another key, edited by hand, or cut short). The error does not quote the token.
Result<std::vector<KeyPart>> decode_resume_token(std::string_view token, std::size_t key_columns);

}  // namespace yici::adapters
