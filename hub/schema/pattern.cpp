#define PCRE2_CODE_UNIT_WIDTH 8
#include "hub/schema/pattern.h"

#include <pcre2.h>

namespace yici::schema {

Result<std::shared_ptr<const Pattern>> Pattern::compile(const std::string& source) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                   PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return Error::invalid("pattern " + source + " does not compile at offset " + std::to_string(offset) + ": " +
                          reinterpret_cast<const char*>(message));
  }
  std::shared_ptr<Pattern> p(new Pattern());
  p->source_ = source;
  p->code_ = code;
  p->jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return std::shared_ptr<const Pattern>(std::move(p));
}

Pattern::~Pattern() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

Pattern::Matcher::Matcher(const Pattern& pattern)
    : pattern_(pattern),
      match_data_(pcre2_match_data_create_from_pattern(static_cast<const pcre2_code*>(pattern.code_), nullptr)) {}

Pattern::Matcher::~Matcher() { pcre2_match_data_free(static_cast<pcre2_match_data*>(match_data_)); }

bool Pattern::Matcher::matches(std::string_view subject) {
  auto* code = static_cast<const pcre2_code*>(pattern_.code_);
  auto* data = static_cast<pcre2_match_data*>(match_data_);
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  // The normaliser has already checked the UTF-8, so PCRE2 need not check it again.
  const int rc = pattern_.jit_ ? pcre2_jit_match(code, s, subject.size(), 0, 0, data, nullptr)
                               : pcre2_match(code, s, subject.size(), 0, PCRE2_NO_UTF_CHECK, data, nullptr);
  return rc >= 0;
}

}  // namespace yici::schema
