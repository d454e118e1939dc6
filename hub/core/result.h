// Result<T> and Status: how everything that can fail on outside input reports it.
//
// An Error carries a machine-readable code (stable, snake_case when rendered), a message a person
// can act on, and optionally where it happened (file:line for configuration). Only true invariants
// throw or abort; config files, requests, rows and third-party calls return errors as values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace yici {

enum class ErrorCode {
  kInvalidArgument,  // bad input from a caller or file
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kCorruption,   // stored data does not verify
  kIo,           // filesystem or network
  kUnavailable,  // dependency down; retry may help
  kInternal,
};

std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Where in a configuration document the problem is, as a key path ("mapping.name",
  // "primary_key[0]"), when known; empty otherwise. The message names it too.
  std::string path = {};

  static Error invalid(std::string msg) { return {ErrorCode::kInvalidArgument, std::move(msg)}; }
  static Error not_found(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
  static Error io(std::string msg) { return {ErrorCode::kIo, std::move(msg)}; }
  static Error corruption(std::string msg) { return {ErrorCode::kCorruption, std::move(msg)}; }
  static Error unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
  static Error internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<T, Error>, "Result<Error> is ambiguous");

  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  // By value, not T&&: `for (auto& e : f().value())` would otherwise iterate a reference into the
  // destroyed temporary Result.
  T value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok().
  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// A Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  static Status ok_status() { return {}; }
  [[nodiscard]] bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  // REQUIRES: !ok().
  [[nodiscard]] const Error& error() const { return *error_; }
  Error&& take_error() { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace yici

// Propagate an error: YICI_TRY(auto x, expr) or YICI_TRY_STATUS(expr). `decl` is a declaration or
// an lvalue, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define YICI_CONCAT_INNER(a, b) a##b
#define YICI_CONCAT(a, b) YICI_CONCAT_INNER(a, b)
#define YICI_TRY_IMPL(tmp, decl, expr)    \
  auto tmp = (expr);                      \
  if (!tmp.ok()) return tmp.take_error(); \
  decl = std::move(tmp).value()
#define YICI_TRY(decl, expr) YICI_TRY_IMPL(YICI_CONCAT(yici_try_, __LINE__), decl, expr)
#define YICI_TRY_STATUS(expr)                                 \
  do {                                                        \
    auto yici_status_ = (expr);                               \
    if (!yici_status_.ok()) return yici_status_.take_error(); \
  } while (false)
// NOLINTEND(bugprone-macro-parentheses)
