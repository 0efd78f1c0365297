#include "web/static_site.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

#include "core/crypto.h"

namespace herald::web {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFiles = 10'000;
constexpr int64_t kMaxTotalBytes = 64LL << 20;

std::string ContentTypeFor(std::string_view path) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  auto it = kTypes.find(path.substr(dot));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool LastSegmentHasDot(std::string_view path) {
  const size_t slash = path.rfind('/');
  return path.substr(slash == std::string_view::npos ? 0 : slash + 1).find('.') !=
         std::string_view::npos;
}

void AddSecurityHeaders(http::Response& r) {
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
}

}  // namespace

Result<std::shared_ptr<const StaticSite>> StaticSite::Load(const std::string& root) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(root) / "index.html", ec)) {
    return NotFound("web root " + root + " has no index.html (build it: cd web && npm run build)",
                    "web_root_missing");
  }
  auto site = std::make_shared<StaticSite>();
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (site->files_.size() >= kMaxFiles) {
      return InvalidArgument("web root " + root + " has too many files", "web_root_too_large");
    }
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) return Unavailable("cannot read " + it->path().string(), "web_root_unreadable");
    File file;
    file.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    site->total_bytes_ += static_cast<int64_t>(file.body.size());
    if (site->total_bytes_ > kMaxTotalBytes) {
      return InvalidArgument("web root " + root + " is larger than 64 MiB", "web_root_too_large");
    }
    const std::string url = "/" + fs::relative(it->path(), root, ec).generic_string();
    file.content_type = ContentTypeFor(url);
    file.etag = "\"" + crypto::Sha256Hex(file.body).substr(0, 32) + "\"";
    file.immutable = url.rfind("/assets/", 0) == 0;
    site->files_.emplace(url, std::move(file));
  }
  if (ec) return Unavailable("cannot list " + root + ": " + ec.message(), "web_root_unreadable");
  return std::shared_ptr<const StaticSite>(std::move(site));
}

http::Response StaticSite::Respond(const File& file, const http::Request& request) const {
  http::Response r;
  r.headers.emplace_back("ETag", file.etag);
  r.headers.emplace_back("Cache-Control",
                         file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  AddSecurityHeaders(r);
  if (request.Header("if-none-match") == file.etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.status = 200;
  r.content_type = file.content_type;
  r.body = file.body;
  return r;
}

http::Response StaticSite::Serve(const http::Request& request) const {
  std::string_view path = request.path;
  if (path == "/api" || path.rfind("/api/", 0) == 0) {
    return http::ErrorResponse(NotFound("no route for " + request.path, "route_not_found"));
  }
  std::string key(path.empty() ? "/" : path);
  if (key.back() == '/') key += "index.html";
  if (auto it = files_.find(key); it != files_.end()) return Respond(it->second, request);
  if (!LastSegmentHasDot(path)) return Respond(files_.at("/index.html"), request);
  http::Response r = http::ErrorResponse(NotFound("no file " + request.path, "file_not_found"));
  AddSecurityHeaders(r);
  return r;
}

http::Route StaticSite::AsRoute() const {
  http::Route route;
  route.method = http::Method::kGet;
  route.pattern = "/{static}";
  route.blocking = false;
  route.handler = [this](http::Request& request) { return Serve(request); };
  return route;
}

}  // namespace herald::web
