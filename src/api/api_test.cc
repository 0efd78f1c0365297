#include "api/api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/json_body.h"
#include "auth/roles.h"
#include "storage/migrations.h"
#include "storage/testing.h"

namespace herald::api {
namespace {

namespace json = boost::json;

http::Request JsonRequest(http::Method m, std::string path, std::string body) {
  http::Request r;
  r.method = m;
  r.path = path;
  r.target = path;
  r.body = std::move(body);
  r.headers.emplace_back("content-type", "application/json");
  r.request_id = "test";
  r.client_address = "127.0.0.1";
  return r;
}

TEST(JsonBodyTest, StrictDecoding) {
  auto ok = JsonBody::ParseText(R"({"a":"x","b":null})", {"a", "b"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok->RequiredString("a", 5), "x");
  EXPECT_FALSE(ok->OptionalString("b", 5)->has_value());
  EXPECT_EQ(ok->RequiredString("b", 5).status().reason(), "missing_field");
  EXPECT_EQ(JsonBody::ParseText(R"({"a":"x","c":1})", {"a"}).status().field(), "c");
  EXPECT_EQ(JsonBody::ParseText(R"({"a":1})", {"a"})->RequiredString("a", 5).status().reason(),
            "invalid_type");
  EXPECT_EQ(JsonBody::ParseText(R"({"a":"你好你好你好"})", {"a"})
                ->RequiredString("a", 5)
                .status()
                .reason(),
            "too_long");
  EXPECT_EQ(*JsonBody::ParseText(R"({"a":"你好你好你"})", {"a"})->RequiredString("a", 5),
            "你好你好你");
  EXPECT_EQ(JsonBody::ParseText("{", {}).status().reason(), "malformed_json");
  EXPECT_EQ(JsonBody::ParseText("[]", {}).status().reason(), "invalid_body");
  EXPECT_EQ(JsonBody::ParseText("\"\xff\"", {}).status().reason(), "invalid_utf8");
  std::string deep(64, '[');
  deep += std::string(64, ']');
  EXPECT_EQ(JsonBody::ParseText(deep, {}).status().reason(), "malformed_json");

  http::Request r = JsonRequest(http::Method::kPost, "/x", "{}");
  r.headers.clear();
  r.headers.emplace_back("content-type", "text/plain");
  EXPECT_EQ(JsonBody::Parse(r, {}).status().reason(), "unsupported_media_type");
  r.headers.clear();
  r.headers.emplace_back("content-type", "application/json; charset=utf-8");
  EXPECT_TRUE(JsonBody::Parse(r, {}).ok());
}

TEST(JsonBodyTest, QueryAndPathDecoding) {
  http::Request r;
  r.query = {{"limit", "20"}, {"cursor", "x"}};
  EXPECT_EQ(CheckQuery(r, {"limit"}).field(), "cursor");
  EXPECT_EQ(**QueryInt(r, "limit", 1, 50), 20);
  EXPECT_EQ(QueryInt(r, "cursor", 0, 5).status().reason(), "invalid_parameter");
  r.query["limit"] = "51";
  EXPECT_EQ(QueryInt(r, "limit", 1, 50).status().field(), "limit");
  r.path_params = {{"id", "42"}};
  EXPECT_EQ(*PathId(r, "id"), 42);
  for (const char* bad : {"0", "-1", "1e3", "", "12345678901234567890", "42 "}) {
    r.path_params["id"] = bad;
    EXPECT_EQ(PathId(r, "id").status().reason(), "invalid_id") << bad;
  }
}

// Every route that declares a permission refuses callers without a session (401) and callers
// whose roles do not grant it (403), before running any handler logic.
class RoutePermissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(storage::Backend::kSqlite);
    ASSERT_TRUE(url.ok());
    db_ = std::move(*storage::OpenDatabase(*url));
    auto migrations = audit::AuditLog::Migrations();
    for (auto& m : auth::AuthService::Migrations()) migrations.push_back(m);
    ASSERT_TRUE(storage::Migrate(*db_, migrations, clock_).ok());
    auth::AuthOptions opts;
    opts.password_profile = crypto::PasswordHashProfile::kMinimum;
    auth_ = std::make_unique<auth::AuthService>(*db_, audit_, clock_, random_,
                                                auth::PiiKeys::Derive(std::string(32, 'k')), opts);
    services_.db = db_.get();
    services_.audit = &audit_;
    services_.auth = auth_.get();
    services_.metrics = &metrics_;
    services_.clock = &clock_;
    router_ = BuildRouter(services_);
    ASSERT_TRUE(auth_->Register("13800138000", "password-123", "", {"t", "c"}).ok());
    reader_token_ = auth_->Login("13800138000", "password-123", {"t", "c"})->token;
  }

  http::Response Call(const http::Route& route, const std::string& token) {
    http::Request r = JsonRequest(route.method, route.pattern, "");
    for (const char* p : {"id", "role"})
      r.path_params[p] = p == std::string("id") ? "1" : "auditor";
    if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
    return route.handler(r);
  }

  FakeClock clock_;
  SeededRandom random_{1};
  audit::AuditLog audit_{clock_};
  http::Metrics metrics_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<auth::AuthService> auth_;
  ApiServices services_;
  http::Router router_;
  std::string reader_token_;
};

TEST_F(RoutePermissionTest, EveryProtectedRouteEnforcesItsPermission) {
  const auto& reader_perms = auth::PermissionsOf(auth::Role::kReader);
  int protected_routes = 0;
  for (const auto& route : router_.routes()) {
    if (route.permission.empty()) continue;
    ++protected_routes;
    http::Response anon = Call(route, "");
    EXPECT_EQ(anon.status, 401) << route.pattern;
    EXPECT_NE(anon.body.find("\"unauthenticated\""), std::string::npos) << anon.body;
    bool reader_may =
        std::find(reader_perms.begin(), reader_perms.end(), route.permission) != reader_perms.end();
    // Routes a reader may use (logout among them) are exercised by the API suite.
    if (!reader_may) {
      http::Response as_reader = Call(route, reader_token_);
      EXPECT_EQ(as_reader.status, 403) << route.pattern;
      auto body = json::parse(as_reader.body);
      EXPECT_EQ(body.at("error").at("code").as_string(), "permission_denied");
    }
  }
  EXPECT_GE(protected_routes, 8);
}

TEST_F(RoutePermissionTest, EveryRouteDeclaresAKnownPermission) {
  auto all = auth::AllPermissions();
  for (const auto& route : router_.routes()) {
    if (route.permission.empty()) continue;
    EXPECT_NE(std::find(all.begin(), all.end(), route.permission), all.end()) << route.pattern;
  }
}

}  // namespace
}  // namespace herald::api
