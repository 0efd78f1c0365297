// Shared helpers for the route files (api.cc, identity_routes.cc, account_routes.cc): route
// wrappers that authenticate and check permissions, request metadata, and JSON conversions.
// Internal to the api module.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/json_body.h"

namespace herald::api::internal {

using PublicFn = std::function<Result<http::Response>(http::Request&)>;
using AuthedFn = std::function<Result<http::Response>(http::Request&, const auth::Principal&)>;

// Request id, client address and the optional X-Device-Id header (at most 64 bytes).
auth::RequestMeta Meta(const http::Request& req);
// The token of an `Authorization: Bearer` header; Unauthenticated without one or with another
// scheme (for public routes that also accept a session).
Result<std::string_view> BearerToken(const http::Request& req);
// A route anyone may call.
http::Route Public(http::Method m, std::string pattern, PublicFn fn, bool blocking = true);
// A route that needs a session holding `permission` (401 / 403 otherwise).
http::Route Secured(http::Method m, std::string pattern, std::string_view permission, AuthedFn fn,
                    ApiServices& s);
// For a Secured route open to holders of either of two permissions (the route records the
// weaker one it always checks): PermissionDenied "permission_denied" unless `who` has one.
Status RequireEither(const auth::Principal& who, std::string_view a, std::string_view b);
// Marks a route whose handler hashes or verifies a password.
http::Route Heavy(http::Route r);
// Marks a route whose handler only reads a few rows by key and answers from memory otherwise
// (tens of microseconds on SQLite): on SQLite it runs on the network thread that read the
// request, saving two thread hand-offs per request (measured in docs/benchmarks.md); on
// PostgreSQL, whose reads wait on the network, it stays on the worker pool.
http::Route QuickRead(http::Route r, const ApiServices& s);

boost::json::value Time(Micros t);
// Time(t), or null when absent.
boost::json::value OptTimeJson(const std::optional<Micros>& t);
boost::json::object UserJson(const auth::User& u);
boost::json::object AuditJson(const audit::Entry& e);
Result<auth::Role> PathRole(const http::Request& req);
Result<std::optional<Micros>> QueryTime(const http::Request& req, const std::string& key);
Result<std::string> QueryString(const http::Request& req, const std::string& key, size_t max_bytes);

// Route groups defined in account_routes.cc (issue 3).
void AddIdentityRoutes(http::Router& router, ApiServices& s);
void AddAccountRoutes(http::Router& router, ApiServices& s);
// One sanction as the API shows it; `now` decides its status (report.cc).
boost::json::object SanctionJson(const sanctions::Sanction& s, Micros now);

// Route group defined in moderation_routes.cc (issue 4).
void AddModerationRoutes(http::Router& router, ApiServices& s);
// Route group defined in content_routes.cc (articles; issues 4 and 5).
void AddContentRoutes(http::Router& router, ApiServices& s);
// Route group defined in group_routes.cc (groups, first part).
void AddGroupRoutes(http::Router& router, ApiServices& s);
// Route group defined in social_routes.cc (follows, reads, likes, forwards; issue 5).
void AddSocialRoutes(http::Router& router, ApiServices& s);
// Route group defined in comment_routes.cc (comments on articles; issue 5).
void AddCommentRoutes(http::Router& router, ApiServices& s);
// Route group defined in feed_routes.cc (timeline, latest, search; issue 5).
void AddFeedRoutes(http::Router& router, ApiServices& s);
// Route group defined in credit_routes.cc (credit and grades; issue 6).
void AddCreditRoutes(http::Router& router, ApiServices& s);
// An account's grade as the public account page shows it (credit_routes.cc); null without the
// credit service.
boost::json::value PublicGradeJson(ApiServices& s, int64_t account_id);
// Route group defined in rumour_routes.cc (verdicts, debunks, traces; PA-13.2).
void AddRumourRoutes(http::Router& router, ApiServices& s);
// The rumour label of an article as the API shows it (rumour_routes.cc); the first form is
// null when the article carries none or the service is absent.
boost::json::value RumourLabelJson(const ApiServices& s, int64_t article_id);
// The same in the caller's transaction.
boost::json::value RumourLabelJson(const ApiServices& s, storage::Transaction& tx,
                                   int64_t article_id);
boost::json::object RumourLabelJson(const rumours::Label& l);
// Route group defined in notification_routes.cc (the user's inbox; issue 6).
void AddNotificationRoutes(http::Router& router, ApiServices& s);
// Route group defined in complaint_routes.cc (reports and complaints; issue 6, PA-20).
void AddComplaintRoutes(http::Router& router, ApiServices& s);
// Route group defined in appeal_routes.cc (appeals, the published procedure; issue 6).
void AddAppealRoutes(http::Router& router, ApiServices& s);
// Adds "appeal" to each sanction object of `out` (SanctionJson of `list`, same order): whether
// and until when it can be appealed, and the appeal filed against it if any (appeal_routes.cc).
Status AddAppealStatus(ApiServices& s, const std::vector<sanctions::Sanction>& list,
                       boost::json::array& out);

}  // namespace herald::api::internal
