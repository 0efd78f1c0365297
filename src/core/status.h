// Status and Result<T>: the one error type at Herald's module boundaries.
//
// A Status has a canonical code (which decides the HTTP status in exactly one place,
// api/http error mapping), a stable machine-readable reason (the "code" clients see in
// {"error":{"code",...}}, e.g. "phone_taken"), a human message, and optionally the name of
// the request field at fault. Reasons are part of the public API: never rename one.
//
// Result<T> holds either a T or a non-OK Status. Use HERALD_RETURN_IF_ERROR and
// HERALD_ASSIGN_OR_RETURN to propagate. Both types are cheap to move and thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace herald {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed; retrying the same will fail
  kNotFound,            // the named thing does not exist (or the caller may not know it does)
  kAlreadyExists,       // a create collided with an existing thing
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no valid session
  kFailedPrecondition,  // the system is not in a state that allows this
  kResourceExhausted,   // a limit or quota (rate limit, body size) was hit
  kAborted,             // a concurrency conflict; retrying may succeed
  kUnavailable,         // a dependency is down; retrying later may succeed
  kInternal,            // a bug or broken invariant; never the caller's fault
};

// Returns the snake_case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string reason = {}, std::string field = {})
      : code_(code),
        message_(std::move(message)),
        reason_(std::move(reason)),
        field_(std::move(field)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The stable machine-readable reason; falls back to the code's name when none was given.
  std::string reason() const {
    return reason_.empty() ? std::string(StatusCodeName(code_)) : reason_;
  }
  const std::string& field() const { return field_; }

  // "invalid_argument: phone: not a mobile number" — for logs and CLI output.
  std::string ToString() const;

  // Returns a copy with the given message prefixed by `context: `.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
  std::string field_;
};

// Convenience constructors, mirroring the codes.
Status InvalidArgument(std::string message, std::string reason = {}, std::string field = {});
Status NotFound(std::string message, std::string reason = {}, std::string field = {});
Status AlreadyExists(std::string message, std::string reason = {}, std::string field = {});
Status PermissionDenied(std::string message, std::string reason = {}, std::string field = {});
Status Unauthenticated(std::string message, std::string reason = {}, std::string field = {});
Status FailedPrecondition(std::string message, std::string reason = {}, std::string field = {});
Status ResourceExhausted(std::string message, std::string reason = {}, std::string field = {});
Status Aborted(std::string message, std::string reason = {});
Status Unavailable(std::string message, std::string reason = {});
Status Internal(std::string message, std::string reason = {});

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; an OK status when this holds a value.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace herald

#define HERALD_CONCAT_INNER_(a, b) a##b
#define HERALD_CONCAT_(a, b) HERALD_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define HERALD_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::herald::Status herald_status_ = (expr);        \
    if (!herald_status_.ok()) return herald_status_; \
  } while (0)

// `lhs = value of expr` or return its status. lhs may be a declaration: `auto x`.
#define HERALD_ASSIGN_OR_RETURN(lhs, expr) \
  HERALD_ASSIGN_OR_RETURN_IMPL_(HERALD_CONCAT_(herald_result_, __LINE__), lhs, expr)
#define HERALD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
