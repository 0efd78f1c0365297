#include "http/http.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "core/strings.h"
#include "gtest/gtest.h"
#include "http/access_log.h"
#include "http/metrics.h"
#include "http/parse.h"

namespace herald::http {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

Route MakeRoute(Method m, std::string pattern, std::string tag = "") {
  Route r;
  r.method = m;
  r.pattern = std::move(pattern);
  r.handler = [tag](Request&) { return Response::Text(200, tag); };
  return r;
}

// ---------------------------------------------------------------------------------------------
// Router

TEST(RouterTest, BindsParams) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/api/v1/users/{id}/roles/{role}"));
  Router::Match m = router.Find(Method::kGet, "/api/v1/users/42/roles/editor");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/users/{id}/roles/{role}");
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(m.params.at("role"), "editor");
  EXPECT_FALSE(m.method_not_allowed);
}

TEST(RouterTest, LiteralBeatsParamRegardlessOfOrder) {
  for (bool literal_first : {true, false}) {
    Router router;
    if (literal_first) router.Add(MakeRoute(Method::kGet, "/users/me"));
    router.Add(MakeRoute(Method::kGet, "/users/{id}"));
    if (!literal_first) router.Add(MakeRoute(Method::kGet, "/users/me"));
    Router::Match me = router.Find(Method::kGet, "/users/me");
    ASSERT_NE(me.route, nullptr);
    EXPECT_EQ(me.route->pattern, "/users/me");
    EXPECT_TRUE(me.params.empty());
    Router::Match other = router.Find(Method::kGet, "/users/7");
    ASSERT_NE(other.route, nullptr);
    EXPECT_EQ(other.route->pattern, "/users/{id}");
    EXPECT_EQ(other.params.at("id"), "7");
  }
}

TEST(RouterTest, LeftmostLiteralWins) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/a/{x}/c"));
  router.Add(MakeRoute(Method::kGet, "/a/b/{y}"));
  Router::Match m = router.Find(Method::kGet, "/a/b/c");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/a/b/{y}");
  EXPECT_EQ(m.params.at("y"), "c");
}

// The lookup only visits routes that can match by segment count and third segment; a {param}
// third segment must still be found beside literal ones, whichever was added first, and a path
// known for another method still answers 405.
TEST(RouterTest, ParamThirdSegmentMatchesBesideLiteralOnes) {
  for (bool param_first : {true, false}) {
    Router router;
    if (param_first) router.Add(MakeRoute(Method::kGet, "/api/v1/{kind}/{id}"));
    router.Add(MakeRoute(Method::kGet, "/api/v1/articles/{id}"));
    router.Add(MakeRoute(Method::kPost, "/api/v1/accounts/{id}"));
    router.Add(MakeRoute(Method::kGet, "/api/v1/articles/{id}/comments"));
    if (!param_first) router.Add(MakeRoute(Method::kGet, "/api/v1/{kind}/{id}"));
    Router::Match article = router.Find(Method::kGet, "/api/v1/articles/7");
    ASSERT_NE(article.route, nullptr);
    EXPECT_EQ(article.route->pattern, "/api/v1/articles/{id}");
    Router::Match account = router.Find(Method::kGet, "/api/v1/accounts/7");
    ASSERT_NE(account.route, nullptr);
    EXPECT_EQ(account.route->pattern, "/api/v1/{kind}/{id}");
    EXPECT_EQ(account.params.at("kind"), "accounts");
    Router::Match other = router.Find(Method::kGet, "/api/v1/groups/7");
    ASSERT_NE(other.route, nullptr);
    EXPECT_EQ(other.route->pattern, "/api/v1/{kind}/{id}");
    Router::Match comments = router.Find(Method::kPost, "/api/v1/articles/7/comments");
    EXPECT_EQ(comments.route, nullptr);
    EXPECT_TRUE(comments.method_not_allowed);
    EXPECT_EQ(comments.allow, "GET, HEAD");
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1/articles/7/likes").route, nullptr);
  }
}

TEST(RouterTest, NoMatch) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/users/{id}"));
  router.Add(MakeRoute(Method::kGet, "/"));
  EXPECT_EQ(router.Find(Method::kGet, "/users").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/users/").route, nullptr);  // a param is never empty
  EXPECT_EQ(router.Find(Method::kGet, "/users/1/x").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/nope").route, nullptr);
  EXPECT_FALSE(router.Find(Method::kGet, "/nope").method_not_allowed);
  EXPECT_NE(router.Find(Method::kGet, "/").route, nullptr);
}

TEST(RouterTest, FallbackAnswersUnmatchedGetAndHeadOnly) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/api/items/{id}", "item"));
  router.Add(MakeRoute(Method::kPost, "/api/items", "create"));
  router.SetFallback(MakeRoute(Method::kGet, "/*", "static"));
  Request req;
  EXPECT_EQ(router.Find(Method::kGet, "/console/accounts/3").route->handler(req).body, "static");
  EXPECT_EQ(router.Find(Method::kHead, "/").route->handler(req).body, "static");
  EXPECT_EQ(router.Find(Method::kGet, "/api/items/3").route->handler(req).body, "item");
  EXPECT_EQ(router.Find(Method::kPost, "/console").route, nullptr);  // only GET and HEAD
  Router::Match m = router.Find(Method::kGet, "/api/items");         // a path of another method
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.method_not_allowed);
}

TEST(RouterTest, MethodNotAllowedListsAllowedMethods) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/items/{id}"));
  router.Add(MakeRoute(Method::kDelete, "/items/{id}"));
  router.Add(MakeRoute(Method::kPost, "/items"));
  Router::Match m = router.Find(Method::kPut, "/items/3");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD, DELETE");
  Router::Match other = router.Find(Method::kOther, "/items");
  EXPECT_TRUE(other.method_not_allowed);
  EXPECT_EQ(other.allow, "POST");
}

TEST(RouterTest, MethodSelectsAmongSamePath) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/x", "get"));
  router.Add(MakeRoute(Method::kPost, "/x", "post"));
  Request req;
  EXPECT_EQ(router.Find(Method::kPost, "/x").route->handler(req).body, "post");
  EXPECT_EQ(router.Find(Method::kGet, "/x").route->handler(req).body, "get");
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router;
  router.Add(MakeRoute(Method::kGet, "/users/{id}", "get"));
  Router::Match m = router.Find(Method::kHead, "/users/5");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, Method::kGet);
  EXPECT_EQ(m.params.at("id"), "5");

  router.Add(MakeRoute(Method::kHead, "/users/{id}", "head"));
  Request req;
  EXPECT_EQ(router.Find(Method::kHead, "/users/5").route->handler(req).body, "head");
}

TEST(RouterTest, MethodFilteredBeforeSpecificity) {
  // A literal route for another method does not hide a matching param route.
  Router router;
  router.Add(MakeRoute(Method::kGet, "/users/{id}"));
  router.Add(MakeRoute(Method::kPost, "/users/me"));
  Router::Match m = router.Find(Method::kGet, "/users/me");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/users/{id}");
}

// ---------------------------------------------------------------------------------------------
// Vocabulary and error mapping

TEST(HttpTest, MethodNames) {
  EXPECT_EQ(MethodName(Method::kGet), "GET");
  EXPECT_EQ(MethodName(Method::kHead), "HEAD");
  EXPECT_EQ(MethodName(Method::kPost), "POST");
  EXPECT_EQ(MethodName(Method::kPut), "PUT");
  EXPECT_EQ(MethodName(Method::kPatch), "PATCH");
  EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
  EXPECT_EQ(MethodName(Method::kOptions), "OPTIONS");
  EXPECT_EQ(MethodName(Method::kOther), "OTHER");
}

TEST(HttpTest, HeaderLookupIsCaseInsensitive) {
  Request req;
  req.headers = {{"content-type", "application/json"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(req.Header("Content-Type"), "application/json");
  EXPECT_EQ(req.Header("X-A"), "1");
  EXPECT_EQ(req.Header("missing"), "");
}

TEST(HttpTest, ResponseFactories) {
  Response j = Response::Json(201, "{}");
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_EQ(j.body, "{}");
  Response t = Response::Text(200, "hi");
  EXPECT_EQ(t.content_type, "text/plain");
  Response m = Response::Text(200, "x 1\n", "text/plain; version=0.0.4");
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4");
}

json::object ParseErrorBody(const Response& r) {
  json::value v = json::parse(r.body);
  return v.as_object().at("error").as_object();
}

TEST(HttpTest, ErrorResponseForEachCode) {
  struct Case {
    Status status;
    int http;
    std::string code;
  };
  const Case cases[] = {
      {InvalidArgument("bad phone", "invalid_phone", "phone"), 400, "invalid_phone"},
      {NotFound("no such user"), 404, "not_found"},
      {AlreadyExists("taken", "phone_taken", "phone"), 409, "phone_taken"},
      {PermissionDenied("nope"), 403, "permission_denied"},
      {Unauthenticated("log in"), 401, "unauthenticated"},
      {FailedPrecondition("state"), 409, "failed_precondition"},
      {ResourceExhausted("slow down", "rate_limited"), 429, "rate_limited"},
      {ResourceExhausted("too big", "body_too_large"), 413, "body_too_large"},
      {ResourceExhausted("too many headers", "headers_too_large"), 431, "headers_too_large"},
      {InvalidArgument("no", "method_not_allowed"), 405, "method_not_allowed"},
      {Aborted("conflict"), 409, "aborted"},
      {Unavailable("db down"), 503, "unavailable"},
      {Internal("bug"), 500, "internal"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    Response r = ErrorResponse(c.status);
    EXPECT_EQ(r.status, c.http);
    EXPECT_EQ(r.content_type, "application/json");
    json::object error = ParseErrorBody(r);
    EXPECT_EQ(error.size(), 3u);
    EXPECT_EQ(error.at("code").as_string(), c.code);
    EXPECT_EQ(error.at("message").as_string(), c.status.message());
    if (c.status.field().empty()) {
      EXPECT_TRUE(error.at("field").is_null());
    } else {
      EXPECT_EQ(error.at("field").as_string(), c.status.field());
    }
    bool has_www_authenticate = false;
    for (const auto& [name, value] : r.headers) {
      if (name == "WWW-Authenticate") {
        has_www_authenticate = true;
        EXPECT_EQ(value, "Bearer");
      }
    }
    EXPECT_EQ(has_www_authenticate, c.http == 401);
  }
  EXPECT_EQ(HttpStatusFor(StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
}

TEST(HttpTest, ErrorResponseEscapesContent) {
  Response r = ErrorResponse(
      InvalidArgument("quote \" backslash \\ newline \n ctl \x01 bad \xff", "x", "f\"ield"));
  json::object error = ParseErrorBody(r);
  EXPECT_EQ(error.at("message").as_string(),
            "quote \" backslash \\ newline \n ctl \x01 bad \xEF\xBF\xBD");
  EXPECT_EQ(error.at("field").as_string(), "f\"ield");
}

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(ParseTest, ConvertsARequest) {
  auto r = ParseRequest(
      "POST /api/v1/users/J%C3%B6rg?x=a%20b&y=1+2&flag&x=last HTTP/1.1\r\n"
      "Host: example\r\nContent-Type: application/json\r\nX-Custom: Value\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}",
      ParseLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, Method::kPost);
  EXPECT_EQ(r->target, "/api/v1/users/J%C3%B6rg?x=a%20b&y=1+2&flag&x=last");
  EXPECT_EQ(r->path, "/api/v1/users/J\xC3\xB6rg");
  EXPECT_EQ(r->query.at("x"), "last");
  EXPECT_EQ(r->query.at("y"), "1 2");
  EXPECT_EQ(r->query.at("flag"), "");
  EXPECT_EQ(r->body, "{\"a\":1}");
  EXPECT_EQ(r->Header("x-custom"), "Value");
  for (const auto& [name, value] : r->headers) EXPECT_EQ(name, ToLower(name));
}

TEST(ParseTest, ChunkedBody) {
  auto r = ParseRequest(
      "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
      ParseLimits{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, Method::kPut);
  EXPECT_EQ(r->body, "abcde");
}

TEST(ParseTest, TargetForms) {
  Request req;
  ASSERT_TRUE(DecodeTarget("http://example.com/a%2Fb?q=1", &req).ok());
  EXPECT_EQ(req.path, "/a/b");
  EXPECT_EQ(req.query.at("q"), "1");
  ASSERT_TRUE(DecodeTarget("HTTPS://example.com", &req).ok());
  EXPECT_EQ(req.path, "/");
  EXPECT_TRUE(req.query.empty());
  ASSERT_TRUE(DecodeTarget("http://example.com?z=2", &req).ok());
  EXPECT_EQ(req.path, "/");
  EXPECT_EQ(req.query.at("z"), "2");
  ASSERT_TRUE(DecodeTarget("*", &req).ok());
  EXPECT_EQ(req.path, "*");
  ASSERT_TRUE(DecodeTarget("/a+b?&&k=v&", &req).ok());
  EXPECT_EQ(req.path, "/a+b");  // '+' is literal in a path
  EXPECT_EQ(req.query.size(), 1u);
}

TEST(ParseTest, RejectsBadTargets) {
  Request req;
  for (const char* target :
       {"/%zz", "/%4", "/%", "/%C3", "/a%00b", "/%ED%A0%80", "relative", "", "?x=1"}) {
    SCOPED_TRACE(target);
    Status st = DecodeTarget(target, &req);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(st.reason(), "invalid_path");
  }
  for (const char* target : {"/?a=%zz", "/?a=%C3", "/?%FF=1", "/?a=%00", "/?a=%"}) {
    SCOPED_TRACE(target);
    Status st = DecodeTarget(target, &req);
    EXPECT_EQ(st.reason(), "invalid_query");
  }
}

TEST(ParseTest, ProtocolErrors) {
  ParseLimits limits;
  limits.body_limit = 10;
  limits.header_limit = 1024;
  auto big_body = ParseRequest("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n01234567890", limits);
  EXPECT_EQ(big_body.status().reason(), "body_too_large");
  EXPECT_EQ(ErrorResponse(big_body.status()).status, 413);
  auto big_chunked = ParseRequest(
      "POST / HTTP/1.1\r\nTransfer-Encoding: "
      "chunked\r\n\r\n8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n",
      limits);
  EXPECT_EQ(big_chunked.status().reason(), "body_too_large");
  auto big_headers =
      ParseRequest("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", limits);
  EXPECT_EQ(big_headers.status().reason(), "headers_too_large");
  EXPECT_EQ(ErrorResponse(big_headers.status()).status, 431);
  for (std::string raw : {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /\r\n\r\n",
                          "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", ""}) {
    SCOPED_TRACE(raw);
    auto r = ParseRequest(raw, limits);
    EXPECT_EQ(r.status().reason(), "bad_request");
    EXPECT_EQ(ErrorResponse(r.status()).status, 400);
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics

TEST(MetricsTest, RendersCountersAndHistogram) {
  Metrics metrics;
  metrics.Record("GET", "/users/{id}", 200, 0.0007);
  metrics.Record("GET", "/users/{id}", 200, 0.003);
  metrics.Record("POST", "/users/{id}", 404, 10);
  metrics.Record("GET", "unmatched", 404, 0.0001);
  std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE herald_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("herald_http_requests_total{method=\"GET\",route=\"/users/{id}\","
                      "status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_requests_total{method=\"POST\",route=\"/users/{id}\","
                      "status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE herald_http_request_duration_seconds histogram\n"),
            std::string::npos);
  const std::string b = "herald_http_request_duration_seconds_bucket{route=\"/users/{id}\",le=";
  EXPECT_NE(text.find(b + "\"0.0005\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find(b + "\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find(b + "\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find(b + "\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find(b + "\"5\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find(b + "\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_sum{route=\"/users/{id}\"} 10.0037"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_count{route=\"/users/{id}\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_count{route=\"unmatched\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics metrics;
  metrics.Record("GET", "/a\"b\\c\nd|e", 200, 0.01);
  std::string text = metrics.Render();
  EXPECT_NE(text.find("route=\"/a\\\"b\\\\c\\nd|e\",status=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("_count{route=\"/a\\\"b\\\\c\\nd|e\"} 1\n"), std::string::npos);
}

TEST(MetricsTest, AppendsCollectors) {
  Metrics metrics;
  metrics.AddCollector([] { return std::string("# TYPE x gauge\nx 1\n"); });
  metrics.AddCollector([] { return std::string("y 2"); });
  std::string text = metrics.Render();
  EXPECT_NE(text.find("# TYPE x gauge\nx 1\ny 2\n"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Access log

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "herald_http_test_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> RotatedFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name != "access.log") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

AccessLogEntry SampleEntry(Micros time) {
  AccessLogEntry e;
  e.time = time;
  e.request_id = "0123456789abcdef";
  e.user_id = 42;
  e.method = "GET";
  e.route = "/users/{id}";
  e.path = "/users/7";
  e.status = 200;
  e.latency_ms = 1.5;
  e.client = "127.0.0.1";
  e.bytes = 17;
  return e;
}

TEST(AccessLogTest, LineIsJsonWithKeysInOrder) {
  AccessLogEntry e = SampleEntry(1767225600LL * kMicrosPerSecond + 123456);
  e.path = "/evil\"\\\n\x01\xff/J\xC3\xB6rg";
  std::string line = AccessLog::FormatLine(e);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  json::object o = json::parse(line).as_object();
  const char* keys[] = {"time", "request_id", "user_id",    "method", "route",
                        "path", "status",     "latency_ms", "client", "bytes"};
  ASSERT_EQ(o.size(), std::size(keys));
  size_t i = 0;
  for (const auto& kv : o) EXPECT_EQ(kv.key(), keys[i++]);
  EXPECT_EQ(o.at("time").as_string(), "2026-01-01T00:00:00.123456Z");
  EXPECT_EQ(o.at("user_id").as_int64(), 42);
  EXPECT_EQ(o.at("path").as_string(), "/evil\"\\\n\x01\xEF\xBF\xBD/J\xC3\xB6rg");
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_DOUBLE_EQ(o.at("latency_ms").to_number<double>(), 1.5);
  EXPECT_EQ(o.at("bytes").as_int64(), 17);
}

TEST(AccessLogTest, WritesAndFlushes) {
  TempDir dir;
  FakeClock clock;
  auto log = AccessLog::Open(dir.path() + "/logs", 1 << 20, 180, clock);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  (*log)->Write(SampleEntry(clock.Now()));
  (*log)->Write(SampleEntry(clock.Now()));
  (*log)->Flush();
  auto lines = ReadLines(dir.path() + "/logs/access.log");
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) EXPECT_NO_THROW(json::parse(line));
}

TEST(AccessLogTest, RotatesBySize) {
  TempDir dir;
  FakeClock clock;
  const size_t line_size = AccessLog::FormatLine(SampleEntry(clock.Now())).size();
  auto log = AccessLog::Open(dir.path(), static_cast<int64_t>(line_size * 3), 180, clock);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 7; ++i) {
    (*log)->Write(SampleEntry(clock.Now()));
    clock.Advance(kMicrosPerSecond);
  }
  (*log)->Flush();
  // 7 lines, 3 per file: two rotated files of three lines, one live line.
  std::vector<std::string> rotated = RotatedFiles(dir.path());
  ASSERT_EQ(rotated.size(), 2u);
  EXPECT_EQ(rotated[0], "access-20260101T000003.log");
  EXPECT_EQ(rotated[1], "access-20260101T000006.log");
  EXPECT_EQ(ReadLines(dir.path() + "/" + rotated[0]).size(), 3u);
  EXPECT_EQ(ReadLines(dir.path() + "/" + rotated[1]).size(), 3u);
  EXPECT_EQ(ReadLines(dir.path() + "/access.log").size(), 1u);
}

TEST(AccessLogTest, RotatedNameGetsCounterWhenTaken) {
  TempDir dir;
  FakeClock clock;
  const size_t line_size = AccessLog::FormatLine(SampleEntry(clock.Now())).size();
  auto log = AccessLog::Open(dir.path(), static_cast<int64_t>(line_size), 180, clock);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 4; ++i) (*log)->Write(SampleEntry(clock.Now()));  // same second
  (*log)->Flush();
  std::vector<std::string> rotated = RotatedFiles(dir.path());
  ASSERT_EQ(rotated.size(), 3u);
  EXPECT_EQ(rotated[0], "access-20260101T000000-1.log");
  EXPECT_EQ(rotated[1], "access-20260101T000000-2.log");
  EXPECT_EQ(rotated[2], "access-20260101T000000.log");
}

TEST(AccessLogTest, RotatesWhenTheUtcDayChanges) {
  TempDir dir;
  FakeClock clock(1767225600LL * kMicrosPerSecond + 23 * kMicrosPerHour);  // 2026-01-01T23:00Z
  auto log = AccessLog::Open(dir.path(), 1 << 20, 180, clock);
  ASSERT_TRUE(log.ok());
  (*log)->Write(SampleEntry(clock.Now()));
  clock.Advance(30 * kMicrosPerMinute);
  (*log)->Write(SampleEntry(clock.Now()));
  EXPECT_TRUE(RotatedFiles(dir.path()).empty());
  clock.Advance(45 * kMicrosPerMinute);  // 2026-01-02T00:15Z
  (*log)->Write(SampleEntry(clock.Now()));
  (*log)->Flush();
  std::vector<std::string> rotated = RotatedFiles(dir.path());
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_EQ(rotated[0], "access-20260102T001500.log");
  EXPECT_EQ(ReadLines(dir.path() + "/" + rotated[0]).size(), 2u);
  EXPECT_EQ(ReadLines(dir.path() + "/access.log").size(), 1u);
}

void SetMtime(const std::string& path, Micros t) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(t / kMicrosPerSecond);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

void Touch(const std::string& path) { std::ofstream(path) << "{}\n"; }

TEST(AccessLogTest, PruneKeepsFilesYoungerThanRetention) {
  TempDir dir;
  FakeClock clock;
  auto log = AccessLog::Open(dir.path(), 1 << 20, 180, clock);
  ASSERT_TRUE(log.ok());
  const Micros now = clock.Now();
  const std::string d = dir.path() + "/";
  Touch(d + "access-20250101T000000.log");
  SetMtime(d + "access-20250101T000000.log", now - 181 * kMicrosPerDay);  // expired
  Touch(d + "access-20250601T000000-1.log");
  SetMtime(d + "access-20250601T000000-1.log", now - 400 * kMicrosPerDay);  // expired
  Touch(d + "access-20250702T000000.log");
  SetMtime(d + "access-20250702T000000.log", now - 179 * kMicrosPerDay);  // kept
  Touch(d + "access-20250703T000000.log");
  SetMtime(d + "access-20250703T000000.log", now - 180 * kMicrosPerDay);  // exactly: kept
  Touch(d + "unrelated.txt");
  SetMtime(d + "unrelated.txt", now - 1000 * kMicrosPerDay);  // not ours: kept
  SetMtime(d + "access.log", now - 1000 * kMicrosPerDay);     // live: kept

  EXPECT_EQ((*log)->Prune(), 2);
  EXPECT_FALSE(fs::exists(d + "access-20250101T000000.log"));
  EXPECT_FALSE(fs::exists(d + "access-20250601T000000-1.log"));
  EXPECT_TRUE(fs::exists(d + "access-20250702T000000.log"));
  EXPECT_TRUE(fs::exists(d + "access-20250703T000000.log"));
  EXPECT_TRUE(fs::exists(d + "unrelated.txt"));
  EXPECT_TRUE(fs::exists(d + "access.log"));
  EXPECT_EQ((*log)->Prune(), 0);

  // Time passes (by the injected clock): the 179-day-old file expires too.
  clock.Advance(2 * kMicrosPerDay);
  EXPECT_EQ((*log)->Prune(), 2);
  EXPECT_TRUE(fs::exists(d + "access.log"));
}

TEST(AccessLogTest, RetentionNeverBelow180Days) {
  TempDir dir;
  FakeClock clock;
  auto log = AccessLog::Open(dir.path(), 1 << 20, 7, clock);
  ASSERT_TRUE(log.ok());
  const std::string old = dir.path() + "/access-20250901T000000.log";
  Touch(old);
  SetMtime(old, clock.Now() - 100 * kMicrosPerDay);
  EXPECT_EQ((*log)->Prune(), 0);
  EXPECT_TRUE(fs::exists(old));

  auto longer = AccessLog::Open(dir.path(), 1 << 20, 365, clock);
  ASSERT_TRUE(longer.ok());
  SetMtime(old, clock.Now() - 200 * kMicrosPerDay);
  EXPECT_EQ((*longer)->Prune(), 0);
  EXPECT_EQ((*log)->Prune(), 1);
}

}  // namespace
}  // namespace herald::http
