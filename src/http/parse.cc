#include "http/parse.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "core/strings.h"
#include "http/internal/request_parser.h"

namespace herald::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the percent-decoded `in` to `out`; false on a '%' without two hex digits after it.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->reserve(out->size() + in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool CleanText(std::string_view s) {
  return s.find('\0') == std::string_view::npos && IsValidUtf8(s);
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

Status InvalidPath() { return InvalidArgument("invalid request path", "invalid_path"); }
Status InvalidQuery() { return InvalidArgument("invalid query string", "invalid_query"); }

}  // namespace

Status DecodeTarget(std::string_view target, Request* request) {
  // absolute-form (RFC 9112 3.2.2): drop the scheme and the authority.
  bool absolute = false;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (StartsWithIgnoreCase(target, scheme)) {
      target.remove_prefix(scheme.size());
      size_t end = target.find_first_of("/?");
      target.remove_prefix(end == std::string_view::npos ? target.size() : end);
      absolute = true;
      break;
    }
  }
  std::string_view raw_path = target;
  std::string_view raw_query;
  size_t q = target.find('?');
  if (q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    raw_query = target.substr(q + 1);
  }
  std::string path;
  if (absolute && raw_path.empty()) {
    path = "/";
  } else if (!absolute && target == "*") {
    path = "*";  // asterisk-form (OPTIONS *); no route matches it
  } else {
    if (raw_path.empty() || raw_path.front() != '/') return InvalidPath();
    if (!PercentDecode(raw_path, /*plus_is_space=*/false, &path) || !CleanText(path)) {
      return InvalidPath();
    }
  }

  std::map<std::string, std::string> query;
  size_t start = 0;
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&', start);
    std::string_view pair = raw_query.substr(
        start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key, value;
      if (!PercentDecode(pair.substr(0, eq), true, &key) ||
          (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) ||
          !CleanText(key) || !CleanText(value)) {
        return InvalidQuery();
      }
      query[std::move(key)] = std::move(value);
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  request->path = std::move(path);
  request->query = std::move(query);
  return Status();
}

Result<Request> ParseRequest(std::string_view raw, const ParseLimits& limits) {
  internal::BeastParser parser;
  internal::ConfigureParser(parser, limits);
  boost::system::error_code ec;
  size_t consumed = 0;
  while (!parser.is_done()) {
    size_t n =
        parser.put(boost::asio::const_buffer(raw.data() + consumed, raw.size() - consumed), ec);
    consumed += n;
    if (ec == boost::beast::http::error::need_more) break;
    if (ec) return internal::ParseErrorStatus(ec, limits);
    if (n == 0 || consumed == raw.size()) break;
  }
  if (!parser.is_done()) return InvalidArgument("incomplete request", "bad_request");
  internal::BeastRequest message = parser.release();
  return internal::ConvertRequest(message);
}

namespace internal {

void ConfigureParser(BeastParser& parser, const ParseLimits& limits) {
  parser.header_limit(limits.header_limit);
  parser.body_limit(limits.body_limit);
  parser.eager(true);
}

Status ParseErrorStatus(const boost::system::error_code& ec, const ParseLimits& limits) {
  namespace bhttp = boost::beast::http;
  if (ec == bhttp::error::body_limit) {
    return ResourceExhausted("request body exceeds " + std::to_string(limits.body_limit) + " bytes",
                             "body_too_large");
  }
  if (ec == bhttp::error::header_limit) {
    return ResourceExhausted(
        "request headers exceed " + std::to_string(limits.header_limit) + " bytes",
        "headers_too_large");
  }
  return InvalidArgument("malformed request: " + ec.message(), "bad_request");
}

Method MethodFromBeast(const BeastRequest& message) {
  namespace bhttp = boost::beast::http;
  switch (message.method()) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

Result<Request> ConvertRequest(BeastRequest& message) {
  Request request;
  request.method = MethodFromBeast(message);
  request.target = std::string(message.target());
  HERALD_RETURN_IF_ERROR(DecodeTarget(request.target, &request));
  for (const auto& field : message.base()) {
    request.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

}  // namespace internal

}  // namespace herald::http
