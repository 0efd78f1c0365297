#include "api/json_body.h"

#include <charconv>

#include "core/strings.h"

namespace herald::api {

namespace json = boost::json;

Result<JsonBody> JsonBody::ParseText(std::string_view text,
                                     std::initializer_list<std::string_view> allowed) {
  if (!IsValidUtf8(text)) {
    return InvalidArgument("request body is not valid UTF-8", "invalid_utf8");
  }
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec)
    return InvalidArgument("request body is not valid JSON: " + ec.message(), "malformed_json");
  if (!v.is_object()) return InvalidArgument("request body must be a JSON object", "invalid_body");
  JsonBody body;
  body.obj_ = std::move(v.as_object());
  for (const auto& kv : body.obj_) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) {
      std::string key(kv.key());
      if (!IsValidUtf8(key) || key.size() > 64) key = key.substr(0, 0);
      return InvalidArgument("unknown field '" + key + "'", "unknown_field", key);
    }
  }
  return body;
}

Result<JsonBody> JsonBody::FromValue(const json::value& v,
                                     std::initializer_list<std::string_view> allowed,
                                     const std::string& field) {
  if (!v.is_object()) return InvalidArgument(field + " must be an object", "invalid_type", field);
  JsonBody body;
  body.obj_ = v.as_object();
  for (const auto& kv : body.obj_) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) {
      return InvalidArgument("unknown field in " + field, "unknown_field", field);
    }
  }
  return body;
}

Result<JsonBody> JsonBody::Parse(const http::Request& req,
                                 std::initializer_list<std::string_view> allowed,
                                 bool allow_empty) {
  if (req.body.empty()) {
    if (allow_empty) return ParseText("{}", allowed);
    return InvalidArgument("a JSON object body is required", "malformed_json");
  }
  std::string ct = ToLower(req.Header("content-type"));
  if (ct.substr(0, ct.find(';')) != "application/json") {
    return InvalidArgument("Content-Type must be application/json", "unsupported_media_type");
  }
  return ParseText(req.body, allowed);
}

Result<std::optional<std::string>> JsonBody::OptionalString(std::string_view key,
                                                            size_t max_chars) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return InvalidArgument(std::string(key) + " must be a string", "invalid_type",
                           std::string(key));
  }
  std::string s(it->value().as_string());
  if (Utf8Length(s) > max_chars) {
    return InvalidArgument(
        std::string(key) + " may have at most " + std::to_string(max_chars) + " characters",
        "too_long", std::string(key));
  }
  return std::optional<std::string>(std::move(s));
}

Result<std::string> JsonBody::RequiredString(std::string_view key, size_t max_chars) const {
  HERALD_ASSIGN_OR_RETURN(auto s, OptionalString(key, max_chars));
  if (!s) {
    return InvalidArgument(std::string(key) + " is required", "missing_field", std::string(key));
  }
  return std::move(*s);
}

Result<std::optional<int64_t>> JsonBody::OptionalInt(std::string_view key, int64_t min,
                                                     int64_t max) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) return std::optional<int64_t>();
  const auto& v = it->value();
  int64_t n = 0;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v.as_uint64());
  } else {
    return InvalidArgument(std::string(key) + " must be an integer", "invalid_type",
                           std::string(key));
  }
  if (n < min || n > max) {
    return InvalidArgument(std::string(key) + " must be between " + std::to_string(min) + " and " +
                               std::to_string(max),
                           "out_of_range", std::string(key));
  }
  return std::optional<int64_t>(n);
}

Result<int64_t> JsonBody::RequiredInt(std::string_view key, int64_t min, int64_t max) const {
  HERALD_ASSIGN_OR_RETURN(auto n, OptionalInt(key, min, max));
  if (!n) {
    return InvalidArgument(std::string(key) + " is required", "missing_field", std::string(key));
  }
  return *n;
}

Result<const boost::json::array*> JsonBody::RequiredArray(std::string_view key,
                                                          size_t max_items) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->value().is_null()) {
    return InvalidArgument(std::string(key) + " is required", "missing_field", std::string(key));
  }
  if (!it->value().is_array()) {
    return InvalidArgument(std::string(key) + " must be an array", "invalid_type",
                           std::string(key));
  }
  if (it->value().as_array().size() > max_items) {
    return InvalidArgument(
        std::string(key) + " may have at most " + std::to_string(max_items) + " items", "too_long",
        std::string(key));
  }
  return &it->value().as_array();
}

Status CheckQuery(const http::Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : req.query) {
    bool known = false;
    for (auto a : allowed) known = known || k == a;
    if (!known) {
      std::string key = IsValidUtf8(k) && k.size() <= 64 ? k : std::string();
      return InvalidArgument("unknown query parameter '" + key + "'", "unknown_parameter", key);
    }
  }
  return Status();
}

Result<std::optional<int64_t>> QueryInt(const http::Request& req, std::string_view key, int64_t min,
                                        int64_t max) {
  auto it = req.query.find(std::string(key));
  if (it == req.query.end()) return std::optional<int64_t>();
  int64_t v = 0;
  const std::string& s = it->second;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    return InvalidArgument(std::string(key) + " must be an integer between " + std::to_string(min) +
                               " and " + std::to_string(max),
                           "invalid_parameter", std::string(key));
  }
  return std::optional<int64_t>(v);
}

Result<int64_t> PathId(const http::Request& req, std::string_view key) {
  auto it = req.path_params.find(std::string(key));
  int64_t v = 0;
  if (it != req.path_params.end() && !it->second.empty() && it->second.size() <= 18) {
    const std::string& s = it->second;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size() && v > 0) return v;
  }
  return InvalidArgument(std::string(key) + " must be a positive integer id", "invalid_id",
                         std::string(key));
}

http::Response JsonResponse(int status, const json::value& body) {
  return http::Response::Json(status, json::serialize(body));
}

http::Response JsonResponse(int status, const json::object& body) {
  return http::Response::Json(status, json::serialize(body));
}

}  // namespace herald::api
