// Routes of rumours and debunks (PA-13.2; docs/rumours.md): the verdict and the trace for
// moderators (rumours.manage), the public debunk list (辟谣) and each article's label.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "rumours/rumour_service.h"

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

// `staff`: with the producer, the sanctions and who marked it (moderators only).
json::object RumourJson(const rumours::Rumour& r, bool staff) {
  json::array ids;
  for (int64_t id : r.article_ids) ids.push_back(id);
  json::object o{{"id", r.id},
                 {"article_id", r.article_id},
                 {"cluster_id", OptInt(r.cluster_id)},
                 {"debunk", r.debunk},
                 {"source", json::object{{"name", r.source_name}, {"url", r.source_url}}},
                 {"marked_at", Time(r.marked_at)},
                 {"article_ids", std::move(ids)},
                 {"removed", r.removed},
                 {"removed_count", r.removed_count},
                 {"notified_count", r.notified_count}};
  if (staff) {
    o["source_article_id"] = r.source_article_id;
    o["producer_account_id"] = r.producer_account_id;
    o["warning_sanction_id"] = OptInt(r.warning_sanction_id);
    o["blacklist_sanction_id"] = OptInt(r.blacklist_sanction_id);
    o["marked_by"] = r.marked_by;
  }
  return o;
}

json::object TracedArticleJson(const rumours::TracedArticle& a) {
  return json::object{{"article_id", a.article_id},
                      {"account_id", a.account_id},
                      {"account_name", a.account_name},
                      {"title", a.title},
                      {"status", a.status},
                      {"via", a.via},
                      {"published_at", OptTimeJson(a.published_at)}};
}

json::object TracedForwardJson(const rumours::TracedForward& f) {
  return json::object{{"id", f.id},
                      {"article_id", f.article_id},
                      {"user_id", f.user_id},
                      {"from_forward_id", OptInt(f.from_forward_id)},
                      {"from_user_id", OptInt(f.from_user_id)},
                      {"origin_id", f.origin_id},
                      {"depth", f.depth},
                      {"created_at", Time(f.created_at)}};
}

}  // namespace

json::value RumourLabelJson(const ApiServices& s, int64_t article_id) {
  if (!s.rumours) return nullptr;
  auto label = s.rumours->LabelFor(article_id);
  if (!label.ok()) return nullptr;
  return RumourLabelJson(*label);
}

json::value RumourLabelJson(const ApiServices& s, storage::Transaction& tx, int64_t article_id) {
  if (!s.rumours) return nullptr;
  auto labels = s.rumours->LabelsFor(tx, {article_id});
  if (!labels.ok() || labels->empty()) return nullptr;
  return RumourLabelJson(labels->front());
}

json::object RumourLabelJson(const rumours::Label& l) {
  return json::object{{"rumour_id", l.rumour_id},
                      {"article_id", l.article_id},
                      {"debunk", l.debunk},
                      {"source", json::object{{"name", l.source_name}, {"url", l.source_url}}},
                      {"marked_at", Time(l.marked_at)},
                      {"via", l.via},
                      {"label", "辟谣：此内容已被认定为谣言 Debunked: this content is a rumour"}};
}

void AddRumourRoutes(http::Router& router, ApiServices& s) {
  router.Add(Secured(
      Method::kPost, "/api/v1/rumours", auth::perm::kRumoursManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(
            auto body, JsonBody::Parse(req, {"article_id", "cluster_id", "debunk", "source_name",
                                             "source_url", "remove"}));
        rumours::NewRumour in;
        HERALD_ASSIGN_OR_RETURN(in.article_id, body.OptionalInt("article_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(in.cluster_id, body.OptionalInt("cluster_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto debunk, body.OptionalString("debunk", 10000));
        HERALD_ASSIGN_OR_RETURN(auto name, body.OptionalString("source_name", 10000));
        HERALD_ASSIGN_OR_RETURN(auto url, body.OptionalString("source_url", 10000));
        in.debunk = debunk.value_or("");
        in.source_name = name.value_or("");
        in.source_url = url.value_or("");
        if (body.object().contains("remove") && !body.object().at("remove").is_null()) {
          if (!body.object().at("remove").is_bool()) {
            return InvalidArgument("remove must be true or false", "invalid_type", "remove");
          }
          in.remove = body.object().at("remove").as_bool();
        }
        HERALD_ASSIGN_OR_RETURN(auto r, s.rumours->Mark({who.Actor(), Meta(req)}, in));
        return JsonResponse(201, json::object{{"rumour", RumourJson(r, true)}});
      },
      s));
  router.Add(Public(Method::kGet, "/api/v1/rumours", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
    HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
    HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
    const int n = static_cast<int>(limit.value_or(20));
    HERALD_ASSIGN_OR_RETURN(auto list, s.rumours->List(n, before));
    json::array out;
    for (const auto& r : list) out.push_back(RumourJson(r, false));
    json::value next = nullptr;
    if (static_cast<int>(list.size()) == n) next = list.back().id;
    return JsonResponse(
        200, json::object{{"rumours", std::move(out)}, {"next_before", std::move(next)}});
  }));
  router.Add(Public(Method::kGet, "/api/v1/rumours/{id}", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
    HERALD_ASSIGN_OR_RETURN(auto r, s.rumours->Get(id));
    return JsonResponse(200, json::object{{"rumour", RumourJson(r, false)}});
  }));
  router.Add(Secured(
      Method::kGet, "/api/v1/rumours/{id}/trace", auth::perm::kRumoursManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto r, s.rumours->Get(id));
        HERALD_ASSIGN_OR_RETURN(auto t, s.rumours->TraceSource({who.Actor(), Meta(req)}, id));
        json::array articles, forwards;
        for (const auto& a : t.articles) articles.push_back(TracedArticleJson(a));
        for (const auto& f : t.forwards) forwards.push_back(TracedForwardJson(f));
        json::object source{
            {"article", t.earliest_article ? json::value(TracedArticleJson(*t.earliest_article))
                                           : json::value(nullptr)},
            {"forward", t.earliest_forward ? json::value(TracedForwardJson(*t.earliest_forward))
                                           : json::value(nullptr)},
            {"producer_account_id", r.producer_account_id}};
        return JsonResponse(200, json::object{{"trace", json::object{
                                                            {"rumour_id", t.rumour_id},
                                                            {"earliest_source", std::move(source)},
                                                            {"articles", std::move(articles)},
                                                            {"forwards", std::move(forwards)},
                                                        }}});
      },
      s));
  // A forward as its readers open it: the forward and its article's label (or null).
  router.Add(Public(Method::kGet, "/api/v1/forwards/{id}", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
    HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
    HERALD_ASSIGN_OR_RETURN(auto f, s.social->GetForward(id));
    return JsonResponse(
        200, json::object{{"forward", json::object{{"id", f.id},
                                                   {"article_id", f.article_id},
                                                   {"from_forward_id", OptInt(f.from_forward_id)},
                                                   {"created_at", Time(f.created_at)}}},
                          {"rumour_label", RumourLabelJson(s, f.article_id)}});
  }));
  router.Add(
      Public(Method::kGet, "/api/v1/articles/{id}/rumour", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto label, s.rumours->LabelFor(id));
        return JsonResponse(200, json::object{{"rumour_label", RumourLabelJson(label)}});
      }));
}

}  // namespace herald::api::internal
