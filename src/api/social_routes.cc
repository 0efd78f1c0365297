// Routes of what readers do (issue 5, "Readers"; docs/social.md): follows (PA-12.2), reads,
// likes, forwards and their chains. The acting user is always the session's: no body names a
// user, so no route follows (or likes, or forwards) on anyone's behalf.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "social/social_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::value OptInt(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object FollowJson(const social::FollowState& f) {
  return json::object{
      {"account_id", f.account_id}, {"following", f.following}, {"followers", f.followers}};
}

json::object StatsJson(const social::ArticleStats& s) {
  return json::object{{"article_id", s.article_id},
                      {"reads", s.reads},
                      {"likes", s.likes},
                      {"forwards", s.forwards}};
}

json::object ForwardJson(const social::Forward& f) {
  return json::object{{"id", f.id},
                      {"article_id", f.article_id},
                      {"user_id", f.user_id},
                      {"from_forward_id", OptInt(f.from_forward_id)},
                      {"from_user_id", OptInt(f.from_user_id)},
                      {"origin_id", f.origin_id},
                      {"depth", f.depth},
                      {"created_at", Time(f.created_at)}};
}

social::Caller CallerOf(const Request& req, const Principal& who) {
  return social::Caller{who.user_id, who.Has(auth::perm::kAccountsReview), Meta(req)};
}

// Accepts no body, or an empty JSON object (unknown_field for any key, e.g. a user id).
Status EmptyBody(const Request& req) { return JsonBody::Parse(req, {}, true).status(); }

}  // namespace

void AddSocialRoutes(http::Router& router, ApiServices& s) {
  // --- follows (PA-12.2) ---
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts/{id}/follow", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(EmptyBody(req));
        HERALD_ASSIGN_OR_RETURN(auto f, s.social->Follow(who.user_id, id, Meta(req)));
        return JsonResponse(200, json::object{{"follow", FollowJson(f)}});
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/accounts/{id}/follow", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto f, s.social->Unfollow(who.user_id, id, Meta(req)));
        return JsonResponse(200, json::object{{"follow", FollowJson(f)}});
      },
      s));
  router.Add(Public(Method::kGet, "/api/v1/accounts/{id}/followers/count",
                    [&s](Request& req) -> Result<Response> {
                      HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
                      HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
                      HERALD_ASSIGN_OR_RETURN(int64_t n, s.social->FollowerCount(id));
                      return JsonResponse(200, json::object{{"account_id", id}, {"followers", n}});
                    }));
  router.Add(Secured(
      Method::kGet, "/api/v1/accounts/{id}/follow-events", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before", "since", "until"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        social::EventQuery q;
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 500));
        q.limit = static_cast<int>(limit.value_or(50));
        HERALD_ASSIGN_OR_RETURN(q.before_id, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(q.since, QueryTime(req, "since"));
        HERALD_ASSIGN_OR_RETURN(q.until, QueryTime(req, "until"));
        HERALD_ASSIGN_OR_RETURN(auto events, s.social->FollowEvents(CallerOf(req, who), id, q));
        json::array out;
        for (const auto& e : events) {
          out.push_back(json::object{
              {"id", e.id},
              {"kind", e.kind},
              {"followers_after", e.followers_after},
              {"time", Time(e.time)},
              {"user_id", OptInt(e.user_id)},
              {"request_id", e.user_id ? json::value(e.request_id) : json::value(nullptr)}});
        }
        json::value next = nullptr;
        if (static_cast<int>(events.size()) == q.limit) next = events.back().id;
        return JsonResponse(200, json::object{{"account_id", id},
                                              {"events", std::move(out)},
                                              {"next_before", std::move(next)}});
      },
      s));
  // Followers and reads per day (China Standard Time) for the operator's chart; staff who read
  // accounts (accounts.review or subjects.read) may see any account's.
  router.Add(Secured(
      Method::kGet, "/api/v1/accounts/{id}/stats", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"days"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto days, QueryInt(req, "days", 1, 366));
        social::Caller caller = CallerOf(req, who);
        caller.staff_read =
            who.Has(auth::perm::kAccountsReview) || who.Has(auth::perm::kSubjectsRead);
        HERALD_ASSIGN_OR_RETURN(
            auto list, s.social->AccountDays(caller, id, static_cast<int>(days.value_or(30))));
        json::array out;
        for (const auto& d : list) {
          // The day's date: ReadDay counts days since 1970-01-01 in UTC+8.
          out.push_back(json::object{{"date", FormatRfc3339(d.day * kMicrosPerDay).substr(0, 10)},
                                     {"follows", d.follows},
                                     {"unfollows", d.unfollows},
                                     {"net_followers", d.net_followers},
                                     {"followers", d.followers},
                                     {"reads", d.reads}});
        }
        return JsonResponse(
            200,
            json::object{{"account_id", id}, {"time_zone", "UTC+8"}, {"days", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/follows", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        const int n = static_cast<int>(limit.value_or(20));
        HERALD_ASSIGN_OR_RETURN(auto list, s.social->Following(who.user_id, n, before));
        json::array out;
        for (const auto& f : list) {
          out.push_back(json::object{{"follow_id", f.follow_id},
                                     {"account", json::object{{"id", f.account_id},
                                                              {"name", f.account_name},
                                                              {"status", f.account_status},
                                                              {"category", f.account_category}}},
                                     {"followed_at", Time(f.followed_at)}});
        }
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == n) next = list.back().follow_id;
        return JsonResponse(
            200, json::object{{"follows", std::move(out)}, {"next_before", std::move(next)}});
      },
      s));

  // --- reads ---
  // Public: with a session the reader is its user; without one, an anonymous visitor
  // fingerprinted by address and User-Agent (hashed, never stored). A token that is sent must be
  // valid (401 otherwise), so a reader is never silently counted as someone else.
  router.Add(
      Public(Method::kPost, "/api/v1/articles/{id}/read", [&s](Request& req) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(EmptyBody(req));
        social::Reader reader;
        if (!req.Header("authorization").empty()) {
          HERALD_ASSIGN_OR_RETURN(std::string_view token, BearerToken(req));
          HERALD_ASSIGN_OR_RETURN(auto who, s.auth->Authenticate(token));
          reader.user_id = who.user_id;
        } else {
          reader.client = req.client_address;
          reader.user_agent = std::string(req.Header("user-agent"));
        }
        HERALD_ASSIGN_OR_RETURN(auto r, s.social->RecordRead(id, reader));
        json::object stats = StatsJson(r.stats);
        if (reader.user_id) {
          HERALD_ASSIGN_OR_RETURN(bool liked, s.social->HasLiked(*reader.user_id, id));
          stats["liked"] = liked;
        }
        Response res =
            JsonResponse(200, json::object{{"counted", r.counted}, {"stats", std::move(stats)}});
        if (reader.user_id) res.user_id = *reader.user_id;
        return res;
      }));
  router.Add(
      Public(Method::kGet, "/api/v1/articles/{id}/stats", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto st, s.social->Stats(id));
        json::object stats = StatsJson(st);
        // With a session: whether its user likes the article (the like button's state). A token
        // that is sent must be valid, as for reads.
        if (!req.Header("authorization").empty()) {
          HERALD_ASSIGN_OR_RETURN(std::string_view token, BearerToken(req));
          HERALD_ASSIGN_OR_RETURN(auto who, s.auth->Authenticate(token));
          HERALD_ASSIGN_OR_RETURN(bool liked, s.social->HasLiked(who.user_id, id));
          stats["liked"] = liked;
        }
        return JsonResponse(200, json::object{{"stats", std::move(stats)}});
      }));

  // --- likes ---
  router.Add(Secured(
      Method::kPost, "/api/v1/articles/{id}/like", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(EmptyBody(req));
        HERALD_ASSIGN_OR_RETURN(auto st, s.social->Like(who.user_id, id));
        return JsonResponse(200, json::object{{"liked", true}, {"stats", StatsJson(st)}});
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/articles/{id}/like", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto st, s.social->Unlike(who.user_id, id));
        return JsonResponse(200, json::object{{"liked", false}, {"stats", StatsJson(st)}});
      },
      s));

  // --- forwards ---
  router.Add(Secured(
      Method::kPost, "/api/v1/articles/{id}/forwards", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"from_forward_id"}, true));
        HERALD_ASSIGN_OR_RETURN(auto from, body.OptionalInt("from_forward_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto f, s.social->ForwardArticle(who.user_id, id, from, Meta(req)));
        return JsonResponse(201, json::object{{"forward", ForwardJson(f)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/forwards/{id}/chain", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"max_hops"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto max_hops, QueryInt(req, "max_hops", 1, 10000));
        HERALD_ASSIGN_OR_RETURN(auto chain,
                                s.social->TraceChain(CallerOf(req, who), id,
                                                     static_cast<int>(max_hops.value_or(1000))));
        json::array hops;
        for (const auto& f : chain.hops) hops.push_back(ForwardJson(f));
        return JsonResponse(200, json::object{{"forward_id", id},
                                              {"hops", std::move(hops)},
                                              {"complete", chain.complete},
                                              {"origin", ForwardJson(chain.origin)}});
      },
      s));
}

}  // namespace herald::api::internal
