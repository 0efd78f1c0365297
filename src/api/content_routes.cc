// Routes of articles (the publish pipeline of issue 4; issue 5 grows them): publish, read,
// delete, the reprint whitelist of originals, near-duplicate clusters and emergency takedowns.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "content/article_service.h"
#include "provenance/provenance_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::value AttributionJson(const std::optional<provenance::Attribution>& a) {
  if (!a) return nullptr;
  return json::object{{"source_account_id", a->source_account_id ? json::value(a->source_account_id)
                                                                 : json::value(nullptr)},
                      {"source_content_id", a->source_content_id},
                      {"source_url", a->source_url},
                      {"copyright_holder", a->copyright_holder}};
}

json::object ArticleJson(const content::Article& a, bool owner_view) {
  json::array reasons;
  for (const auto& r : a.hold_reasons) reasons.push_back(json::value(r));
  json::object o{
      {"id", a.id},
      {"content_id", a.content_id},
      {"url", "/api/v1/article-uids/" + a.content_id.substr(8)},
      {"account_id", a.account_id},
      {"title", a.title},
      {"summary", a.summary},
      {"body", a.body},
      {"body_html", a.body_html},
      {"category", a.category},
      {"original", a.original},
      {"copyright_holder", a.copyright_holder},
      {"attribution", AttributionJson(a.attribution)},
      {"advertising", a.advertising},
      {"ad_label", a.advertising ? json::value("广告 Advertisement") : json::value(nullptr)},
      {"status", a.status},
      {"created_at", Time(a.created_at)},
      {"published_at", OptTimeJson(a.published_at)}};
  if (owner_view) {
    o["reprint_policy"] = a.reprint_policy;
    o["status_reason"] = a.status_reason;
    o["hold_reasons"] = std::move(reasons);
    o["cluster_id"] = a.cluster_id ? json::value(*a.cluster_id) : json::value(nullptr);
    o["removed_at"] = OptTimeJson(a.removed_at);
  }
  return o;
}

json::object ClusterJson(const provenance::ClusterInfo& c) {
  json::array accounts, subjects, contents;
  for (auto a : c.account_ids) accounts.push_back(a);
  for (auto x : c.subject_ids) subjects.push_back(x);
  for (const auto& x : c.content_ids) contents.push_back(json::value(x));
  return json::object{{"id", c.id},
                      {"account_ids", std::move(accounts)},
                      {"subject_ids", std::move(subjects)},
                      {"content_ids", std::move(contents)},
                      {"created_at", Time(c.created_at)},
                      {"updated_at", Time(c.updated_at)}};
}

json::object WhitelistJson(const provenance::WhitelistEntry& e) {
  return json::object{
      {"id", e.id},
      {"owner_account_id", e.owner_account_id},
      {"grantee_account_id", e.grantee_account_id},
      {"content_id", e.content_id.empty() ? json::value(nullptr) : json::value(e.content_id)},
      {"may_modify", e.may_modify},
      {"granted_at", Time(e.granted_at)},
      {"granted_by", e.granted_by}};
}

Result<bool> OptionalBool(const JsonBody& body, std::string_view key) {
  if (!body.object().contains(key) || body.object().at(key).is_null()) return false;
  const auto& v = body.object().at(key);
  if (!v.is_bool()) {
    return InvalidArgument(std::string(key) + " must be true or false", "invalid_type",
                           std::string(key));
  }
  return v.as_bool();
}

// The account, when the caller operates it. PermissionDenied not_account_owner otherwise.
Result<accounts::Account> OwnedAccount(ApiServices& s, const Request& req, const Principal& who) {
  HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
  HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->Get(id));
  if (a.owner_user_id != who.user_id) {
    return PermissionDenied("only the account's operator may do this", "not_account_owner");
  }
  return a;
}

}  // namespace

void AddContentRoutes(http::Router& router, ApiServices& s) {
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts/{id}/articles", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"title", "summary", "body", "category", "original",
                                             "reprint_policy", "copyright_holder", "attribution",
                                             "advertising"}));
        content::ArticleInput in;
        HERALD_ASSIGN_OR_RETURN(in.title, body.RequiredString("title", 64));
        HERALD_ASSIGN_OR_RETURN(auto summary, body.OptionalString("summary", 120));
        in.summary = summary.value_or("");
        HERALD_ASSIGN_OR_RETURN(in.body, body.RequiredString("body", 50000));
        HERALD_ASSIGN_OR_RETURN(auto category, body.OptionalString("category", 40));
        in.category = category.value_or("");
        HERALD_ASSIGN_OR_RETURN(in.original, OptionalBool(body, "original"));
        HERALD_ASSIGN_OR_RETURN(auto policy, body.OptionalString("reprint_policy", 20));
        in.reprint_policy = policy.value_or("");
        HERALD_ASSIGN_OR_RETURN(auto holder, body.OptionalString("copyright_holder", 100));
        in.copyright_holder = holder.value_or("");
        HERALD_ASSIGN_OR_RETURN(in.advertising, OptionalBool(body, "advertising"));
        if (body.object().contains("attribution") && !body.object().at("attribution").is_null()) {
          HERALD_ASSIGN_OR_RETURN(auto attr,
                                  JsonBody::FromValue(body.object().at("attribution"),
                                                      {"source_account_id", "source_content_id",
                                                       "source_url", "copyright_holder"},
                                                      "attribution"));
          provenance::Attribution a;
          HERALD_ASSIGN_OR_RETURN(auto acc, attr.OptionalInt("source_account_id", 1, INT64_MAX));
          a.source_account_id = acc.value_or(0);
          HERALD_ASSIGN_OR_RETURN(auto cid, attr.OptionalString("source_content_id", 200));
          a.source_content_id = cid.value_or("");
          HERALD_ASSIGN_OR_RETURN(auto url, attr.OptionalString("source_url", 2048));
          a.source_url = url.value_or("");
          HERALD_ASSIGN_OR_RETURN(auto h, attr.OptionalString("copyright_holder", 200));
          a.copyright_holder = h.value_or("");
          in.attribution = a;
        }
        HERALD_ASSIGN_OR_RETURN(auto r, s.articles->Publish(who.user_id, id, in, Meta(req)));
        json::array near;
        for (const auto& n : r.provenance.near) {
          near.push_back(json::object{{"content_id", n.content_id},
                                      {"account_id", n.account_id},
                                      {"similarity", n.similarity},
                                      {"original", n.original}});
        }
        json::object prov{
            {"outcome", r.provenance.outcome},
            {"reason", r.provenance.reason},
            {"near", std::move(near)},
            {"cluster_id",
             r.provenance.cluster ? json::value(r.provenance.cluster->id) : json::value(nullptr)}};
        json::array matches;
        for (const auto& m : r.screening.matches) {
          matches.push_back(json::object{{"term", m.term},
                                         {"category", m.category},
                                         {"action", moderation::ActionName(m.action)}});
        }
        return JsonResponse(
            201,
            json::object{
                {"article", ArticleJson(r.article, true)},
                {"provenance", std::move(prov)},
                {"screening", json::object{{"verdict", moderation::ActionName(r.screening.verdict)},
                                           {"matches", std::move(matches)}}},
                {"review_id", r.review_id ? json::value(*r.review_id) : json::value(nullptr)}});
      },
      s));
  router.Add(Public(
      Method::kGet, "/api/v1/accounts/{id}/articles", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(
            auto list,
            s.articles->ListByAccount(id, false, static_cast<int>(limit.value_or(20)), before));
        json::array out;
        for (const auto& a : list) out.push_back(ArticleJson(a, false));
        return JsonResponse(200, json::object{{"articles", std::move(out)}});
      }));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/accounts/{id}/articles", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(auto account, OwnedAccount(s, req, who));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(
            auto list, s.articles->ListByAccount(account.id, true,
                                                 static_cast<int>(limit.value_or(20)), before));
        json::array out;
        for (const auto& a : list) out.push_back(ArticleJson(a, true));
        return JsonResponse(200, json::object{{"articles", std::move(out)}});
      },
      s));
  router.Add(Public(Method::kGet, "/api/v1/articles/{id}", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
    HERALD_ASSIGN_OR_RETURN(auto a, s.articles->GetPublic(id));
    return JsonResponse(200, json::object{{"article", ArticleJson(a, false)}});
  }));
  router.Add(
      Public(Method::kGet, "/api/v1/article-uids/{uid}", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        auto it = req.path_params.find("uid");
        const std::string uid = it == req.path_params.end() ? "" : it->second;
        HERALD_ASSIGN_OR_RETURN(auto a, s.articles->GetPublicByUid(uid));
        return JsonResponse(200, json::object{{"article", ArticleJson(a, false)}});
      }));
  router.Add(Secured(
      Method::kDelete, "/api/v1/articles/{id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(s.articles->Delete(who.user_id, id, Meta(req)));
        return Response::Json(204, "");
      },
      s));

  // The reprint whitelist of an account's originals (PA-14.2).
  router.Add(Secured(
      Method::kPost, "/api/v1/accounts/{id}/reprint-whitelist", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto account, OwnedAccount(s, req, who));
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"grantee_account_id", "article_id", "may_modify"}));
        HERALD_ASSIGN_OR_RETURN(int64_t grantee,
                                body.RequiredInt("grantee_account_id", 1, INT64_MAX));
        HERALD_RETURN_IF_ERROR(s.accounts->Get(grantee).status());
        HERALD_ASSIGN_OR_RETURN(auto article_id, body.OptionalInt("article_id", 1, INT64_MAX));
        std::string content_id;
        if (article_id) {
          HERALD_ASSIGN_OR_RETURN(auto a, s.articles->Get(*article_id));
          if (a.account_id != account.id) {
            return NotFound("no such original of this account", "original_not_found");
          }
          content_id = a.content_id;
        }
        HERALD_ASSIGN_OR_RETURN(bool may_modify, OptionalBool(body, "may_modify"));
        HERALD_ASSIGN_OR_RETURN(
            auto e, s.provenance->Grant({who.Actor(), req.request_id}, account.id, grantee,
                                        content_id, may_modify));
        return JsonResponse(201, json::object{{"entry", WhitelistJson(e)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/accounts/{id}/reprint-whitelist", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto account, OwnedAccount(s, req, who));
        HERALD_ASSIGN_OR_RETURN(auto list, s.provenance->ListWhitelist(account.id));
        json::array out;
        for (const auto& e : list) out.push_back(WhitelistJson(e));
        return JsonResponse(200, json::object{{"entries", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/accounts/{id}/reprint-whitelist/{entry}",
      auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto account, OwnedAccount(s, req, who));
        HERALD_ASSIGN_OR_RETURN(int64_t entry, PathId(req, "entry"));
        HERALD_RETURN_IF_ERROR(
            s.provenance->Revoke({who.Actor(), req.request_id}, account.id, entry));
        return Response::Json(204, "");
      },
      s));

  // Near-duplicate clusters (PA-18(4)).
  router.Add(Secured(
      Method::kGet, "/api/v1/clusters", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        provenance::ClusterQuery q;
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 500));
        q.limit = static_cast<int>(limit.value_or(50));
        HERALD_ASSIGN_OR_RETURN(q.before_id, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto list, s.provenance->ListClusters(q));
        json::array out;
        for (const auto& c : list) out.push_back(ClusterJson(c));
        return JsonResponse(200, json::object{{"clusters", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/clusters/{id}", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto c, s.provenance->GetCluster(id));
        return JsonResponse(200, json::object{{"cluster", ClusterJson(c)}});
      },
      s));

  // Emergency takedown (PA-6.1): every published article matching a term, or of a cluster.
  router.Add(Secured(
      Method::kPost, "/api/v1/emergency/takedowns", auth::perm::kEmergencyManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"term", "cluster_id", "reason"}));
        HERALD_ASSIGN_OR_RETURN(auto term, body.OptionalString("term", 64));
        HERALD_ASSIGN_OR_RETURN(auto cluster, body.OptionalInt("cluster_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason", 500));
        if (term.has_value() == cluster.has_value()) {
          return InvalidArgument("give either term or cluster_id", "invalid_takedown", "term");
        }
        HERALD_ASSIGN_OR_RETURN(
            int removed,
            term ? s.articles->TakeDownByTerm(who.Actor(), *term, reason, Meta(req))
                 : s.articles->TakeDownCluster(who.Actor(), *cluster, reason, Meta(req)));
        return JsonResponse(200, json::object{{"removed", removed}});
      },
      s));
}

}  // namespace herald::api::internal
