// Routes of articles (the publish pipeline of issue 4; issue 5 grows them): publish, read,
// delete, the reprint whitelist of originals, near-duplicate clusters and emergency takedowns.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "content/article_service.h"
#include "content/markdown.h"
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

json::array TagsJson(const std::vector<std::string>& tags) {
  json::array out;
  for (const auto& t : tags) out.push_back(json::value(t));
  return out;
}

json::object ArticleJson(const content::Article& a, bool owner_view, json::storage_ptr sp = {}) {
  json::array reasons(sp);
  for (const auto& r : a.hold_reasons) reasons.push_back(json::value(r));
  json::object o(
      {{"id", a.id},
       {"content_id", a.content_id},
       {"url", "/api/v1/article-uids/" + a.content_id.substr(8)},
       {"account_id", a.account_id},
       {"title", a.title},
       {"summary", a.summary},
       {"body_html", a.body_html},
       {"category", a.category},
       {"original", a.original},
       {"copyright_holder", a.copyright_holder},
       {"attribution", AttributionJson(a.attribution)},
       {"advertising", a.advertising},
       {"ad_label", a.advertising ? json::value("广告 Advertisement") : json::value(nullptr)},
       {"status", a.status},
       {"created_at", Time(a.created_at)},
       {"published_at", OptTimeJson(a.published_at)},
       {"cover_url", a.cover_media_id.empty() ? json::value(nullptr)
                                              : json::value("/api/v1/media/" + a.cover_media_id)},
       {"tags", TagsJson(a.tags)},
       {"version", a.version},
       {"updated_at", Time(a.version_at)}},
      sp);
  if (owner_view) {
    // The Markdown as written is the operator's, for editing; readers get the rendered HTML.
    o["body"] = a.body;
    o["cover_media_id"] =
        a.cover_media_id.empty() ? json::value(nullptr) : json::value(a.cover_media_id);
    o["draft_id"] = a.draft_id ? json::value(*a.draft_id) : json::value(nullptr);
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

Result<std::vector<std::string>> ParseTags(const JsonBody& body) {
  std::vector<std::string> out;
  if (!body.object().contains("tags") || body.object().at("tags").is_null()) return out;
  const auto& v = body.object().at("tags");
  if (!v.is_array()) {
    return InvalidArgument("tags must be an array of strings", "invalid_type", "tags");
  }
  if (v.as_array().size() > 10) {
    return InvalidArgument("at most 10 tags", "too_many_tags", "tags");
  }
  for (const auto& t : v.as_array()) {
    if (!t.is_string() || t.as_string().size() > 200) {
      return InvalidArgument("each tag must be a string of at most 20 characters", "invalid_tag",
                             "tags");
    }
    out.emplace_back(t.as_string());
  }
  return out;
}

// A cover must be an uploaded image (POST /api/v1/media).
Status CheckCover(ApiServices& s, const std::string& id) {
  if (id.empty()) return Status();
  HERALD_RETURN_IF_ERROR(content::ArticleService::CheckCoverId(id));
  auto m = s.media->Get(id);
  if (!m.ok() && m.status().code() == StatusCode::kNotFound) {
    return NotFound("no such image; upload it with POST /api/v1/media first", "media_not_found",
                    "cover_media_id");
  }
  return m.status();
}

Result<content::ArticleInput> ParseArticleInput(ApiServices& s, const JsonBody& body) {
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
    HERALD_ASSIGN_OR_RETURN(
        auto attr, JsonBody::FromValue(
                       body.object().at("attribution"),
                       {"source_account_id", "source_content_id", "source_url", "copyright_holder"},
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
  HERALD_ASSIGN_OR_RETURN(auto cover, body.OptionalString("cover_media_id", 64));
  in.cover_media_id = cover.value_or("");
  HERALD_RETURN_IF_ERROR(CheckCover(s, in.cover_media_id));
  HERALD_ASSIGN_OR_RETURN(in.tags, ParseTags(body));
  return in;
}

// The request body of a publish (`with_category`) or of a draft: the article's fields only.
Result<content::ArticleInput> ArticleInputOf(ApiServices& s, const Request& req,
                                             bool with_category) {
  auto parsed = with_category
                    ? JsonBody::Parse(req, {"title", "summary", "body", "category", "original",
                                            "reprint_policy", "copyright_holder", "attribution",
                                            "advertising", "cover_media_id", "tags"})
                    : JsonBody::Parse(req, {"title", "summary", "body", "original",
                                            "reprint_policy", "copyright_holder", "attribution",
                                            "advertising", "cover_media_id", "tags"});
  if (!parsed.ok()) return parsed.status();
  return ParseArticleInput(s, *parsed);
}

json::object PublishResultJson(const content::PublishResult& r) {
  json::array near;
  for (const auto& n : r.provenance.near) {
    near.push_back(json::object{{"content_id", n.content_id},
                                {"account_id", n.account_id},
                                {"similarity", n.similarity},
                                {"original", n.original}});
  }
  json::object prov{{"outcome", r.provenance.outcome},
                    {"reason", r.provenance.reason},
                    {"near", std::move(near)},
                    {"cluster_id", r.provenance.cluster ? json::value(r.provenance.cluster->id)
                                                        : json::value(nullptr)}};
  json::array matches;
  for (const auto& m : r.screening.matches) {
    matches.push_back(json::object{
        {"term", m.term}, {"category", m.category}, {"action", moderation::ActionName(m.action)}});
  }
  return json::object{
      {"article", ArticleJson(r.article, true)},
      {"provenance", std::move(prov)},
      {"screening", json::object{{"verdict", moderation::ActionName(r.screening.verdict)},
                                 {"matches", std::move(matches)}}},
      {"review_id", r.review_id ? json::value(*r.review_id) : json::value(nullptr)}};
}

json::value OptIdJson(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object DraftJson(const content::Draft& d) {
  json::array history;
  for (const auto& e : d.history) {
    history.push_back(json::object{{"action", e.action},
                                   {"actor_user_id", e.actor_user_id},
                                   {"role", e.role},
                                   {"note", e.note},
                                   {"at", Time(e.at)}});
  }
  const auto& c = d.content;
  return json::object{
      {"id", d.id},
      {"account_id", d.account_id},
      {"status", d.status},
      {"title", c.title},
      {"summary", c.summary},
      {"body", c.body},
      {"original", c.original},
      {"reprint_policy", c.reprint_policy},
      {"copyright_holder", c.copyright_holder},
      {"attribution", AttributionJson(c.attribution)},
      {"advertising", c.advertising},
      {"cover_media_id",
       c.cover_media_id.empty() ? json::value(nullptr) : json::value(c.cover_media_id)},
      {"cover_url", c.cover_media_id.empty() ? json::value(nullptr)
                                             : json::value("/api/v1/media/" + c.cover_media_id)},
      {"tags", TagsJson(c.tags)},
      {"created_by", d.created_by},
      {"updated_by", d.updated_by},
      {"submitted_by", OptIdJson(d.submitted_by)},
      {"approved_by", OptIdJson(d.approved_by)},
      {"article_id", OptIdJson(d.article_id)},
      {"return_note", d.return_note},
      {"created_at", Time(d.created_at)},
      {"updated_at", Time(d.updated_at)},
      {"history", std::move(history)}};
}

json::object MemberJson(const accounts::Member& m) {
  return json::object{{"account_id", m.account_id},     {"user_id", m.user_id},
                      {"display_name", m.display_name}, {"role", m.role},
                      {"added_by", m.added_by},         {"added_at", Time(m.added_at)}};
}

json::object AgencyJson(const accounts::Agency& a) {
  return json::object{{"id", a.id},
                      {"account_id", a.account_id},
                      {"name", a.name},
                      {"credit_code", a.credit_code},
                      {"agreement_ref", a.agreement_ref},
                      {"scope", a.scope},
                      {"starts_at", Time(a.starts_at)},
                      {"ends_at", Time(a.ends_at)},
                      {"status", a.status},
                      {"recorded_by", a.recorded_by},
                      {"recorded_at", Time(a.recorded_at)},
                      {"ended_at", OptTimeJson(a.ended_at)},
                      {"end_reason", a.end_reason}};
}

// A calendar date "YYYY-MM-DD" as the start of that day (UTC).
Result<Micros> ParseDate(const std::string& text, const std::string& field) {
  Micros t = 0;
  if (text.size() != 10 || !ParseRfc3339(text + "T00:00:00Z", &t)) {
    return InvalidArgument(field + " must be a date such as 2027-01-31", "invalid_date", field);
  }
  return t;
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
        HERALD_ASSIGN_OR_RETURN(content::ArticleInput in, ArticleInputOf(s, req, true));
        HERALD_ASSIGN_OR_RETURN(auto r, s.articles->Publish(who.user_id, id, in, Meta(req)));
        return JsonResponse(201, PublishResultJson(r));
      },
      s));
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
  auto article_page = [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
    // One read transaction for the article and its label.
    HERALD_ASSIGN_OR_RETURN(auto tx, s.db->Begin(storage::TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(auto a, s.articles->GetPage(*tx, id));
    // PA-13.2: the debunk label sits beside the article, outside its own JSON.
    json::value label = RumourLabelJson(s, *tx, a.id);
    // Built in one arena (the body and its HTML are copied once, not through the heap).
    alignas(16) unsigned char buffer[64 * 1024];
    json::monotonic_resource arena(buffer, sizeof(buffer));
    json::storage_ptr sp(&arena);
    json::object out(sp);
    out.reserve(2);
    out.emplace("article", ArticleJson(a, false, sp));
    out.emplace("rumour_label", std::move(label));
    return JsonResponse(200, out);
  };
  router.Add(QuickRead(Public(Method::kGet, "/api/v1/articles/{id}", article_page), s));
  // The live preview of the editor: the body rendered exactly as publishing renders it.
  router.Add(Secured(
      Method::kPost, "/api/v1/articles/preview", auth::perm::kSelfWrite,
      [](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"body"}));
        HERALD_ASSIGN_OR_RETURN(std::string markdown, body.RequiredString("body", 50'000));
        HERALD_ASSIGN_OR_RETURN(content::RenderedMarkdown r, content::RenderMarkdown(markdown));
        return JsonResponse(200, json::object{{"html", r.html}});
      },
      s));
  router.Add(
      Public(Method::kGet, "/api/v1/article-uids/{uid}", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        auto it = req.path_params.find("uid");
        const std::string uid = it == req.path_params.end() ? "" : it->second;
        HERALD_ASSIGN_OR_RETURN(auto a, s.articles->GetPublicByUid(uid));
        return JsonResponse(200, json::object{{"article", ArticleJson(a, false)},
                                              {"rumour_label", RumourLabelJson(s, a.id)}});
      }));
  // Staff read of an article by uid in any status (near-duplicate neighbours may be held or
  // removed): accounts.review, or subjects.read for auditors. The owner view shows its status.
  router.Add(Secured(
      Method::kGet, "/api/v1/moderation/article-uids/{uid}", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(
            RequireEither(who, auth::perm::kAccountsReview, auth::perm::kSubjectsRead));
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        auto it = req.path_params.find("uid");
        const std::string uid = it == req.path_params.end() ? "" : it->second;
        HERALD_ASSIGN_OR_RETURN(auto a, s.articles->GetByUid(uid));
        return JsonResponse(200, json::object{{"article", ArticleJson(a, true)},
                                              {"rumour_label", RumourLabelJson(s, a.id)}});
      },
      s));
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
  // --- members of organisation accounts (PA-16.1) ---
  router.Add(Secured(
      Method::kGet, "/api/v1/me/accounts/{id}/members", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(std::string role, s.accounts->RoleOf(id, who.user_id));
        if (role.empty()) {
          return PermissionDenied("only the account's owner and members see its members",
                                  "not_account_member");
        }
        HERALD_ASSIGN_OR_RETURN(auto list, s.accounts->ListMembers(id));
        json::array out;
        for (const auto& m : list) out.push_back(MemberJson(m));
        return JsonResponse(200, json::object{{"members", std::move(out)}, {"your_role", role}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/me/accounts/{id}/members", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"user_id", "role"}));
        HERALD_ASSIGN_OR_RETURN(int64_t user, body.RequiredInt("user_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(std::string role, body.RequiredString("role", 20));
        HERALD_ASSIGN_OR_RETURN(auto m,
                                s.accounts->AddMember(who.user_id, id, user, role, Meta(req)));
        return JsonResponse(201, json::object{{"member", MemberJson(m)}});
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/me/accounts/{id}/members/{user_id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(int64_t user, PathId(req, "user_id"));
        HERALD_RETURN_IF_ERROR(s.accounts->RemoveMember(who.user_id, id, user, Meta(req)));
        return Response::Json(204, "");
      },
      s));

  // --- third-party operating agencies (PA-16.2) ---
  router.Add(Secured(
      Method::kPost, "/api/v1/me/accounts/{id}/agencies", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"name", "credit_code", "agreement_ref", "starts_on",
                                             "ends_on", "scope"}));
        accounts::AgencyInput in;
        HERALD_ASSIGN_OR_RETURN(in.name, body.RequiredString("name", 100));
        HERALD_ASSIGN_OR_RETURN(in.credit_code, body.RequiredString("credit_code", 40));
        HERALD_ASSIGN_OR_RETURN(in.agreement_ref, body.RequiredString("agreement_ref", 100));
        HERALD_ASSIGN_OR_RETURN(in.scope, body.RequiredString("scope", 500));
        HERALD_ASSIGN_OR_RETURN(std::string starts, body.RequiredString("starts_on", 10));
        HERALD_ASSIGN_OR_RETURN(std::string ends, body.RequiredString("ends_on", 10));
        HERALD_ASSIGN_OR_RETURN(in.starts_at, ParseDate(starts, "starts_on"));
        HERALD_ASSIGN_OR_RETURN(in.ends_at, ParseDate(ends, "ends_on"));
        HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->RecordAgency(who.user_id, id, in, Meta(req)));
        return JsonResponse(201, json::object{{"agency", AgencyJson(a)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/accounts/{id}/agencies", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto account, OwnedAccount(s, req, who));
        HERALD_ASSIGN_OR_RETURN(auto list, s.accounts->ListAgencies(account.id));
        json::array out;
        for (const auto& a : list) out.push_back(AgencyJson(a));
        return JsonResponse(200, json::object{{"agencies", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/me/accounts/{id}/agencies/{agency_id}/end",
      auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(int64_t agency, PathId(req, "agency_id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"reason"}));
        HERALD_ASSIGN_OR_RETURN(std::string reason, body.RequiredString("reason", 500));
        HERALD_ASSIGN_OR_RETURN(auto a,
                                s.accounts->EndAgency(who.user_id, id, agency, reason, Meta(req)));
        return JsonResponse(200, json::object{{"agency", AgencyJson(a)}});
      },
      s));
  // Staff (moderators, officers, administrators, auditors) see any account's agencies.
  router.Add(Secured(
      Method::kGet, "/api/v1/accounts/{id}/agencies", auth::perm::kSubjectsRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto list, s.accounts->ListAgencies(id));
        json::array out;
        for (const auto& a : list) out.push_back(AgencyJson(a));
        return JsonResponse(200, json::object{{"agencies", std::move(out)}});
      },
      s));

  // --- drafts and the editorial workflow (PA-16.1) ---
  router.Add(Secured(
      Method::kPost, "/api/v1/me/accounts/{id}/drafts", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(content::ArticleInput in, ArticleInputOf(s, req, false));
        HERALD_ASSIGN_OR_RETURN(auto d, s.articles->CreateDraft(who.user_id, id, in, Meta(req)));
        return JsonResponse(201, json::object{{"draft", DraftJson(d)}});
      },
      s));
  // Members of the account, and staff (subjects.read), read drafts.
  router.Add(Secured(
      Method::kGet, "/api/v1/me/accounts/{id}/drafts", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"status"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        auto it = req.query.find("status");
        const std::string status = it == req.query.end() ? "" : it->second;
        HERALD_ASSIGN_OR_RETURN(
            auto list,
            s.articles->ListDrafts(who.user_id, who.Has(auth::perm::kSubjectsRead), id, status));
        json::array out;
        for (const auto& d : list) out.push_back(DraftJson(d));
        return JsonResponse(200, json::object{{"drafts", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/drafts/{id}", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(
            auto d, s.articles->GetDraft(who.user_id, who.Has(auth::perm::kSubjectsRead), id));
        return JsonResponse(200, json::object{{"draft", DraftJson(d)}});
      },
      s));
  router.Add(Secured(
      Method::kPut, "/api/v1/drafts/{id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(content::ArticleInput in, ArticleInputOf(s, req, false));
        HERALD_ASSIGN_OR_RETURN(auto d, s.articles->UpdateDraft(who.user_id, id, in, Meta(req)));
        return JsonResponse(200, json::object{{"draft", DraftJson(d)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/drafts/{id}/submit", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, true).status());
        HERALD_ASSIGN_OR_RETURN(auto d, s.articles->SubmitDraft(who.user_id, id, Meta(req)));
        return JsonResponse(200, json::object{{"draft", DraftJson(d)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/drafts/{id}/approve", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"note"}, true));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 500));
        HERALD_ASSIGN_OR_RETURN(
            auto d, s.articles->ApproveDraft(who.user_id, id, note.value_or(""), Meta(req)));
        return JsonResponse(200, json::object{{"draft", DraftJson(d)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/drafts/{id}/return", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"note"}));
        HERALD_ASSIGN_OR_RETURN(std::string note, body.RequiredString("note", 500));
        HERALD_ASSIGN_OR_RETURN(auto d, s.articles->ReturnDraft(who.user_id, id, note, Meta(req)));
        return JsonResponse(200, json::object{{"draft", DraftJson(d)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/drafts/{id}/publish", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, true).status());
        HERALD_ASSIGN_OR_RETURN(auto r, s.articles->PublishDraft(who.user_id, id, Meta(req)));
        HERALD_ASSIGN_OR_RETURN(auto d, s.articles->GetDraft(who.user_id, true, id));
        json::object out = PublishResultJson(r);
        out["draft"] = DraftJson(d);
        return JsonResponse(201, std::move(out));
      },
      s));

  // --- edits and versions (PA17-16) ---
  router.Add(Secured(
      Method::kPut, "/api/v1/articles/{id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"title", "summary", "body",
                                                                 "cover_media_id", "tags"}));
        content::ArticleEdit e;
        HERALD_ASSIGN_OR_RETURN(e.title, body.OptionalString("title", 64));
        HERALD_ASSIGN_OR_RETURN(e.summary, body.OptionalString("summary", 120));
        HERALD_ASSIGN_OR_RETURN(e.body, body.OptionalString("body", 50000));
        if (body.object().contains("cover_media_id")) {
          HERALD_ASSIGN_OR_RETURN(auto cover, body.OptionalString("cover_media_id", 64));
          e.cover_media_id = cover.value_or("");  // null removes the cover
          HERALD_RETURN_IF_ERROR(CheckCover(s, *e.cover_media_id));
        }
        if (body.object().contains("tags")) {
          HERALD_ASSIGN_OR_RETURN(e.tags, ParseTags(body));
        }
        HERALD_ASSIGN_OR_RETURN(auto r, s.articles->Edit(who.user_id, id, e, Meta(req)));
        return JsonResponse(200, PublishResultJson(r));
      },
      s));
  // The account's owner and staff (subjects.read) see every version.
  router.Add(Secured(
      Method::kGet, "/api/v1/articles/{id}/versions", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto a, s.articles->Get(id));
        if (!who.Has(auth::perm::kSubjectsRead)) {
          HERALD_ASSIGN_OR_RETURN(auto account, s.accounts->Get(a.account_id));
          if (account.owner_user_id != who.user_id) {
            return PermissionDenied("only the account's operator and staff see versions",
                                    "not_account_owner");
          }
        }
        HERALD_ASSIGN_OR_RETURN(auto list, s.articles->Versions(id));
        json::array out;
        for (const auto& v : list) {
          out.push_back(json::object{
              {"version", v.version},
              {"edited_by", v.edited_by},
              {"edited_at", Time(v.edited_at)},
              {"replaced_by", v.replaced_by ? json::value(*v.replaced_by) : json::value(nullptr)},
              {"replaced_at", OptTimeJson(v.replaced_at)},
              {"title", v.title},
              {"summary", v.summary},
              {"body", v.body},
              {"submitted", json::object{{"title", v.source_title},
                                         {"summary", v.source_summary},
                                         {"body", v.source_body}}},
              {"cover_media_id",
               v.cover_media_id.empty() ? json::value(nullptr) : json::value(v.cover_media_id)},
              {"tags", TagsJson(v.tags)}});
        }
        return JsonResponse(200, json::object{{"article_id", id}, {"versions", std::move(out)}});
      },
      s));

  // --- tags ---
  router.Add(
      Public(Method::kGet, "/api/v1/tags/{tag}/articles", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        auto it = req.path_params.find("tag");
        const std::string tag = it == req.path_params.end() ? "" : it->second;
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(
            auto list, s.articles->ListByTag(tag, static_cast<int>(limit.value_or(20)), before));
        HERALD_ASSIGN_OR_RETURN(std::string norm, content::ArticleService::NormalizeTag(tag));
        json::array out;
        for (const auto& a : list) out.push_back(ArticleJson(a, false));
        return JsonResponse(200, json::object{{"tag", norm}, {"articles", std::move(out)}});
      }));
}

}  // namespace herald::api::internal
