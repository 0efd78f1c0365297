// Strict request-body and query decoding for the JSON API. Every failure is an InvalidArgument
// with a stable reason and the offending field, so clients get {"error":{"code","field"}}:
//   unsupported_media_type  body present but Content-Type is not application/json (415)
//   invalid_utf8            the body is not valid UTF-8
//   malformed_json          not parseable JSON (or nested deeper than 32)
//   invalid_body            JSON, but not an object
//   unknown_field           a key the endpoint does not accept (field = the key)
//   missing_field           a required key is absent or null
//   invalid_type            a key has the wrong JSON type
//   too_long                a string exceeds its limit in characters
//   unknown_parameter / invalid_parameter   the same for query parameters
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/http.h"

namespace herald::api {

class JsonBody {
 public:
  // Parses the request body. An empty body counts as {} when `allow_empty`.
  static Result<JsonBody> Parse(const http::Request& req,
                                std::initializer_list<std::string_view> allowed_fields,
                                bool allow_empty = false);
  // Same, from raw text (used by the fuzz target).
  static Result<JsonBody> ParseText(std::string_view text,
                                    std::initializer_list<std::string_view> allowed_fields);

  // An element of an array field (e.g. entries[3]) checked like a body; `field` names it in errors.
  static Result<JsonBody> FromValue(const boost::json::value& v,
                                    std::initializer_list<std::string_view> allowed_fields,
                                    const std::string& field);
  // A required (or optional: nullopt when absent/null) string of at most max_chars characters.
  Result<std::string> RequiredString(std::string_view key, size_t max_chars) const;
  Result<std::optional<std::string>> OptionalString(std::string_view key, size_t max_chars) const;
  // An integer in [min, max] (or nullopt when absent/null); invalid_type / out_of_range.
  Result<std::optional<int64_t>> OptionalInt(std::string_view key, int64_t min, int64_t max) const;
  Result<int64_t> RequiredInt(std::string_view key, int64_t min, int64_t max) const;
  // A required array; invalid_type when not an array, too_long over max_items.
  Result<const boost::json::array*> RequiredArray(std::string_view key, size_t max_items) const;
  const boost::json::object& object() const { return obj_; }

 private:
  boost::json::object obj_;
};

// Checks that every query parameter is in `allowed` (unknown_parameter otherwise).
Status CheckQuery(const http::Request& req, std::initializer_list<std::string_view> allowed);
// Query parameter as an integer in [min, max]; nullopt when absent. invalid_parameter otherwise.
Result<std::optional<int64_t>> QueryInt(const http::Request& req, std::string_view key, int64_t min,
                                        int64_t max);
// A path parameter that must be a positive decimal id; InvalidArgument ("invalid_id") otherwise.
Result<int64_t> PathId(const http::Request& req, std::string_view key);

// Serialises a JSON value into a response with the given status.
http::Response JsonResponse(int status, const boost::json::value& body);
// The same for an object, serialised where it is (no copy into a value first).
http::Response JsonResponse(int status, const boost::json::object& body);

}  // namespace herald::api
