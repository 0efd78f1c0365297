#include "core/status.h"

namespace herald {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kAborted:
      return "aborted";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out = reason();
  out += ": ";
  if (!field_.empty()) {
    out += field_;
    out += ": ";
  }
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.message_ = std::string(context) + ": " + message_;
  return s;
}

Status InvalidArgument(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kInvalidArgument, std::move(m), std::move(r), std::move(f));
}
Status NotFound(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kNotFound, std::move(m), std::move(r), std::move(f));
}
Status AlreadyExists(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kAlreadyExists, std::move(m), std::move(r), std::move(f));
}
Status PermissionDenied(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kPermissionDenied, std::move(m), std::move(r), std::move(f));
}
Status Unauthenticated(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kUnauthenticated, std::move(m), std::move(r), std::move(f));
}
Status FailedPrecondition(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kFailedPrecondition, std::move(m), std::move(r), std::move(f));
}
Status ResourceExhausted(std::string m, std::string r, std::string f) {
  return Status(StatusCode::kResourceExhausted, std::move(m), std::move(r), std::move(f));
}
Status Aborted(std::string m, std::string r) {
  return Status(StatusCode::kAborted, std::move(m), std::move(r));
}
Status Unavailable(std::string m, std::string r) {
  return Status(StatusCode::kUnavailable, std::move(m), std::move(r));
}
Status Internal(std::string m, std::string r) {
  return Status(StatusCode::kInternal, std::move(m), std::move(r));
}

}  // namespace herald
