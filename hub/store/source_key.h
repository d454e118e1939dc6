// A source row's key as the store compares it. Departments export one key in several spellings:
// full-width digits in one CSV export and ASCII in the next, a lower-case x at the end of a
// resident ID, a trailing space from a fixed-width column. Compared as sent, each spelling was a
// record of its own, so one person became two current records of one source. Keys are compared
// after folding those differences away.
#pragma once

#include <string>
#include <string_view>

namespace yici::store {

// The canonical form of a key (parts of a composite key separated by '\x1f', as
// adapters::make_row_key joins them), each part cleaned as a schema's `halfwidth` and `upper`
// transforms clean a value (schema/text.h):
// - full-width ASCII forms (U+FF01..U+FF5E) as ASCII, U+3000 as a space, invisible characters
//   (U+FEFF, zero-width spaces) dropped;
// - ASCII letters in upper case;
// - without leading or trailing spaces (ASCII, U+3000, U+00A0), tabs or line breaks.
// Anything else (Chinese text, other scripts, inner spaces) is kept as it is; a part that is not
// UTF-8 or holds a control character is only trimmed and upper-cased. Idempotent.
std::string canonical_source_key(std::string_view key);

// Whether a canonical key of `parts` parts has one empty (NULL, empty or only spaces at the source):
// such a row cannot be told from others.
bool key_part_missing(std::string_view canonical_key, std::size_t parts);

}  // namespace yici::store
