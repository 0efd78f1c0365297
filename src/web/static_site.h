// StaticSite: the built web front end (web/dist, from `npm run build` in web/) served by
// `herald serve` itself, so Herald is one process on one port.
//
// Load() reads every regular file under the root into memory once (a build is a few MB); the
// files never change while the server runs (rebuild, then restart). Serve() answers GET and HEAD:
//   - a file of the build by its path ("/assets/index-3f2a.js", "/favicon.svg"; "/" and a path
//     ending in "/" mean its index.html);
//   - any other path whose last segment has no dot ("/console/accounts/3") gets index.html, so
//     the single-page app's own router shows the page (or its "not found" page);
//   - a missing file with an extension: 404 "file_not_found"; a path under /api/: 404
//     "route_not_found", as the API answers for routes that do not exist.
// Headers: Content-Type by extension; ETag (304 for a matching If-None-Match); Cache-Control
// "public, max-age=31536000, immutable" under /assets/ (Vite puts a content hash in those names),
// "no-cache" for everything else; and on every response the strict Content-Security-Policy
// below plus X-Frame-Options DENY and Referrer-Policy same-origin.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/http.h"

namespace herald::web {

// Only the site's own origin: no inline script or style, no eval, no framing, no plugins.
// Images may also be data: and blob: URLs (previews of uploads before they are sent).
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'";

class StaticSite {
 public:
  // Reads the tree under `root`. NotFound "web_root_missing" when `root`/index.html is not
  // there; InvalidArgument "web_root_too_large" beyond 10,000 files or 64 MiB in all.
  static Result<std::shared_ptr<const StaticSite>> Load(const std::string& root);

  http::Response Serve(const http::Request& request) const;

  // A route for Router::SetFallback: GET, pattern "/{static}", cheap (runs on the network
  // thread). The site must outlive the router.
  http::Route AsRoute() const;

  size_t file_count() const { return files_.size(); }
  int64_t total_bytes() const { return total_bytes_; }

 private:
  struct File {
    std::string content_type;
    std::string etag;  // quoted
    std::string body;
    bool immutable = false;
  };
  http::Response Respond(const File& file, const http::Request& request) const;

  std::map<std::string, File, std::less<>> files_;  // by URL path, "/index.html"
  int64_t total_bytes_ = 0;
};

}  // namespace herald::web
