// A field's `pattern`, compiled once with PCRE2 (UTF mode, JIT where available) and matched
// against the whole cleaned value. Compiled code is shared; match data is per normaliser.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hub/core/result.h"

namespace yici::schema {

class Pattern {
 public:
  // Errors carry PCRE2's message and the offset in the pattern.
  static Result<std::shared_ptr<const Pattern>> compile(const std::string& source);
  ~Pattern();
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  [[nodiscard]] const std::string& source() const { return source_; }

  // Per-thread state for matching (PCRE2 match data).
  class Matcher {
   public:
    explicit Matcher(const Pattern& pattern);
    ~Matcher();
    Matcher(const Matcher&) = delete;
    Matcher& operator=(const Matcher&) = delete;
    // True when the whole of `subject` matches.
    bool matches(std::string_view subject);

   private:
    const Pattern& pattern_;
    void* match_data_ = nullptr;
  };

 private:
  Pattern() = default;
  std::string source_;
  void* code_ = nullptr;  // pcre2_code*
  bool jit_ = false;
};

}  // namespace yici::schema
