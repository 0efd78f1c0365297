#include "web/static_site.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace herald::web {
namespace {

namespace fs = std::filesystem;

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("herald-web-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "assets");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& body) {
    std::ofstream(root_ / rel, std::ios::binary) << body;
  }
  std::shared_ptr<const StaticSite> LoadSite() {
    auto site = StaticSite::Load(root_.string());
    EXPECT_TRUE(site.ok()) << site.status().message();
    return site.ok() ? *site : nullptr;
  }
  static http::Request Get(std::string path) {
    http::Request r;
    r.path = std::move(path);
    r.target = r.path;
    return r;
  }
  static std::string HeaderOf(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  fs::path root_;
};

TEST_F(StaticSiteTest, ServesFilesWithTypesAndCaching) {
  Write("index.html", "<!doctype html><title>H</title>");
  Write("assets/index-abc123.js", "console.log(1)");
  Write("favicon.svg", "<svg/>");
  auto site = LoadSite();
  ASSERT_TRUE(site);
  EXPECT_EQ(site->file_count(), 3u);

  http::Response js = site->Serve(Get("/assets/index-abc123.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(js, "Cache-Control"), "public, max-age=31536000, immutable");

  http::Response svg = site->Serve(Get("/favicon.svg"));
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(HeaderOf(svg, "Cache-Control"), "no-cache");

  http::Response index = site->Serve(Get("/"));
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><title>H</title>");
  EXPECT_EQ(HeaderOf(index, "Cache-Control"), "no-cache");
  EXPECT_EQ(HeaderOf(index, "Content-Security-Policy"), kContentSecurityPolicy);
  EXPECT_NE(HeaderOf(index, "Content-Security-Policy").find("script-src 'self';"),
            std::string::npos);
  EXPECT_EQ(HeaderOf(index, "X-Frame-Options"), "DENY");
}

TEST_F(StaticSiteTest, PagesOfTheAppGetIndexHtmlAndMissingFilesA404) {
  Write("index.html", "app");
  auto site = LoadSite();
  ASSERT_TRUE(site);
  for (const char* page : {"/console", "/console/accounts/3", "/articles/12", "/login"}) {
    http::Response r = site->Serve(Get(page));
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.body, "app") << page;
  }
  http::Response missing = site->Serve(Get("/assets/gone-123.js"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("file_not_found"), std::string::npos);

  // The API's namespace never falls back to the app.
  for (const char* api : {"/api", "/api/v1/nothing", "/api/v1/articles/1/nope"}) {
    http::Response r = site->Serve(Get(api));
    EXPECT_EQ(r.status, 404) << api;
    EXPECT_NE(r.body.find("route_not_found"), std::string::npos) << api;
  }
}

TEST_F(StaticSiteTest, MatchingEtagAnswers304WithoutBody) {
  Write("index.html", "app");
  Write("assets/a-1.css", "body{}");
  auto site = LoadSite();
  ASSERT_TRUE(site);
  http::Response first = site->Serve(Get("/assets/a-1.css"));
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_EQ(etag.size(), 34u);  // quoted 32 hex digits

  http::Request again = Get("/assets/a-1.css");
  again.headers.emplace_back("if-none-match", etag);
  http::Response cached = site->Serve(again);
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(HeaderOf(cached, "ETag"), etag);

  http::Request stale = Get("/assets/a-1.css");
  stale.headers.emplace_back("if-none-match", "\"other\"");
  EXPECT_EQ(site->Serve(stale).status, 200);
}

TEST_F(StaticSiteTest, RootWithoutIndexIsRefused) {
  Write("assets/a.js", "x");
  auto site = StaticSite::Load(root_.string());
  ASSERT_FALSE(site.ok());
  EXPECT_EQ(site.status().reason(), "web_root_missing");
  EXPECT_FALSE(StaticSite::Load((root_ / "nope").string()).ok());
}

TEST_F(StaticSiteTest, FallbackRouteServesThroughTheRouter) {
  Write("index.html", "app");
  auto site = LoadSite();
  ASSERT_TRUE(site);
  http::Router router;
  http::Route api;
  api.pattern = "/api/v1/ping";
  api.handler = [](http::Request&) { return http::Response::Text(200, "pong"); };
  router.Add(api);
  router.SetFallback(site->AsRoute());
  http::Request req = Get("/moderation/reviews/4");
  auto match = router.Find(http::Method::kGet, req.path);
  ASSERT_NE(match.route, nullptr);
  EXPECT_FALSE(match.route->blocking);
  EXPECT_EQ(match.route->handler(req).body, "app");
  http::Request ping = Get("/api/v1/ping");
  EXPECT_EQ(router.Find(http::Method::kGet, ping.path).route->handler(ping).body, "pong");
}

}  // namespace
}  // namespace herald::web
