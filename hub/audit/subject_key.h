// The key a subject is HMACed under in the audit log (audit_entry.h): the subject as written, with
// the differences that do not change whom it names folded away, so one person's or company's
// entries share one HMAC however a requester wrote the identifier.
//
// A lookup is audited with the subject as asked, and a refused one as written: "110101 19900307
// 1234", "110101-19900307-1234", or the ID with an NBSP, a full-width digit or a lower-case x. A
// subject report must find every one of them from the canonical ID. The forms it could list
// (subject_forms.h) are few; the ways to write spaces and dashes are not, so they are folded here,
// on both sides: when an entry is written and when a search computes the HMACs it looks for.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace yici::audit {

// `subject` with full-width ASCII (U+FF01–U+FF5E) made ASCII, ASCII letters upper-cased, and
// whitespace (Unicode White_Space), invisible characters (U+200B–U+200D, U+2060, U+FEFF, the soft
// hyphen U+00AD), '_' and dashes ('-', U+2010–U+2015, U+2212, U+FE58, U+FE63) dropped. Bytes that
// are not UTF-8 are kept as they are. A canonical ID or credit code ([0-9A-Z]) is its own key.
std::string subject_key(std::string_view subject);

// subject_key(subject) when it differs from `subject`; nullopt when the subject is its own key,
// found without folding anything for a canonical ID or credit code ([0-9A-Z]), which most are.
std::optional<std::string> folded_subject_key(std::string_view subject);

}  // namespace yici::audit
