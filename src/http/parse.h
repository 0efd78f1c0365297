// Request parsing: turning untrusted bytes into an http::Request. The server uses the same
// parser settings and conversion (see internal/request_parser.h); ParseRequest exposes the whole
// path for the fuzzer and tests. Nothing here asserts on input: every malformed byte sequence
// becomes a Status. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "http/http.h"

namespace herald::http {

struct ParseLimits {
  uint32_t header_limit = 16 * 1024;  // request line + headers, bytes
  uint64_t body_limit = 1 << 20;      // decoded body bytes
};

// Parses exactly one HTTP/1.x request from `raw` (trailing bytes after it are ignored) and
// converts it. On success: method, target, path, query, headers (names lower-cased) and body are
// set; path_params, client_address, request_id and route are left empty. Errors:
//   ResourceExhausted "body_too_large"     body over limits.body_limit
//   ResourceExhausted "headers_too_large"  request line + headers over limits.header_limit
//   InvalidArgument "bad_request"          malformed or incomplete request
//   InvalidArgument "invalid_path"         see DecodeTarget
//   InvalidArgument "invalid_query"        see DecodeTarget
Result<Request> ParseRequest(std::string_view raw, const ParseLimits& limits);

// Sets request->path and request->query from a request target ("/a%20b?x=1&y"; absolute-form
// "http://host/a" is accepted too). Path: percent-decoded; InvalidArgument "invalid_path" when
// the target is not origin- or absolute-form, a '%' is not followed by two hex digits, or the
// decoded path is not valid UTF-8 or contains NUL. Query: split on '&', each "key=value" or
// "key", '+' means space, percent-decoded, the last duplicate wins; InvalidArgument
// "invalid_query" on bad percent-encoding, invalid UTF-8 or NUL.
Status DecodeTarget(std::string_view target, Request* request);

}  // namespace herald::http
