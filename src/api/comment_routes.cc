// Routes of comments on articles (issue 5; PA-17.2, PA17-12; docs/comments.md): readers'
// comments and replies, the public listing, the operator's modes, moderation, author replies and
// view of every comment, the account's comment powers, and the platform's removal. The acting
// user is always the session's. Public JSON carries the commenter's display name only, never a
// phone number or identity data.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "comments/comment_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::value OptId(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// A comment as readers see it; `full` adds what only the operator and moderators see.
json::object CommentJson(const comments::Comment& c, bool full = false) {
  json::object o{
      {"id", c.id},
      {"article_id", c.article_id},
      {"kind", c.kind},
      {"parent_id", OptId(c.parent_id)},
      {"body", c.body},
      {"author", json::object{{"name", c.author_name},
                              {"kind", c.kind == "author_reply" ? "account" : "reader"}}},
      {"pinned", c.pinned_at.has_value()},
      {"created_at", Time(c.created_at)},
      {"is_public", c.is_public},
      {"mine", c.mine},
  };
  if (c.mine && !c.is_public) {
    o["pending"] = c.status == "held" ? "in_review" : "awaiting_selection";
  }
  if (c.kind == "comment") o["reply_count"] = c.reply_count;
  if (full) {
    o["status"] = c.status;
    o["status_reason"] = c.status_reason;
    o["selected"] = c.selected;
    o["pinned_at"] = OptTimeJson(c.pinned_at);
    o["updated_at"] = Time(c.updated_at);
  }
  if (!c.replies.empty() || c.kind == "comment") {
    json::array replies;
    for (const auto& r : c.replies) replies.push_back(CommentJson(r, full));
    o["replies"] = std::move(replies);
  }
  json::array author;
  for (const auto& a : c.author_replies) author.push_back(CommentJson(a, full));
  o["author_replies"] = std::move(author);
  return o;
}

json::object OpennessJson(const comments::Openness& o) {
  return json::object{{"mode", comments::ModeName(o.mode)},
                      {"accepting", o.accepting},
                      {"closed_reason", o.closed_reason.empty() ? json::value(nullptr)
                                                                : json::value(o.closed_reason)}};
}

json::object PowersJson(const comments::Powers& p) {
  return json::object{{"close", p.close},   {"hide", p.hide}, {"reply", p.reply},
                      {"select", p.select}, {"pin", p.pin},   {"max_pinned", p.max_pinned}};
}

json::object PostJson(const comments::PostResult& r) {
  return json::object{
      {"comment", CommentJson(r.comment)},
      {"is_public", r.is_public},
      {"pending", r.pending.empty() ? json::value(nullptr) : json::value(r.pending)},
      {"review_id", OptId(r.review_id)}};
}

json::object AccountSettingsJson(const comments::AccountSettings& s) {
  return json::object{
      {"account_id", s.account_id},
      {"mode", comments::ModeName(s.mode)},
      {"subject_kind", s.subject_kind},
      {"credit_level", comments::CreditLevelName(s.credit)},
      {"powers", PowersJson(s.powers)},
      {"policy_powers", PowersJson(s.policy_powers)},
      {"restricted", s.restricted},
      {"restriction", s.restriction.empty() ? json::value(nullptr) : json::value(s.restriction)}};
}

json::object ArticleSettingsJson(const comments::ArticleSettings& s) {
  return json::object{
      {"article_id", s.article_id},
      {"account_id", s.account_id},
      {"override_mode",
       s.override_mode ? json::value(comments::ModeName(*s.override_mode)) : json::value(nullptr)},
      {"account_mode", comments::ModeName(s.account_mode)},
      {"comments", OpennessJson(s.openness)}};
}

// The viewer of a public route: the session's user when a token is sent (it must be valid),
// else anonymous.
Result<comments::Viewer> OptionalViewer(const Request& req, ApiServices& s) {
  comments::Viewer v;
  if (req.Header("authorization").empty()) return v;
  HERALD_ASSIGN_OR_RETURN(std::string_view token, BearerToken(req));
  HERALD_ASSIGN_OR_RETURN(auto who, s.auth->Authenticate(token));
  v.user_id = who.user_id;
  return v;
}

struct ModerationRoute {
  const char* name;
  comments::Action action;
};

}  // namespace

void AddCommentRoutes(http::Router& router, ApiServices& s) {
  // --- readers ---
  router.Add(Public(
      Method::kGet, "/api/v1/articles/{id}/comments", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 50));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto viewer, OptionalViewer(req, s));
        HERALD_ASSIGN_OR_RETURN(
            auto page, s.comments->List(id, viewer, static_cast<int>(limit.value_or(20)), before));
        json::array list;
        for (const auto& c : page.comments) list.push_back(CommentJson(c));
        Response res =
            JsonResponse(200, json::object{{"article_id", id},
                                           {"comments_state", OpennessJson(page.openness)},
                                           {"comment_count", page.comment_count},
                                           {"comments", std::move(list)},
                                           {"next_before", OptId(page.next_before)}});
        if (viewer.user_id) res.user_id = *viewer.user_id;
        return res;
      }));
  router.Add(Secured(
      Method::kPost, "/api/v1/articles/{id}/comments", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"body", "parent_id"}));
        HERALD_ASSIGN_OR_RETURN(auto text, body.RequiredString("body", 500));
        HERALD_ASSIGN_OR_RETURN(auto parent, body.OptionalInt("parent_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto r, s.comments->Post(who.user_id, id, text, parent, Meta(req)));
        return JsonResponse(201, PostJson(r));
      },
      s));
  router.Add(
      Public(Method::kGet, "/api/v1/comments/{id}/replies", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "after"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto after, QueryInt(req, "after", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto viewer, OptionalViewer(req, s));
        HERALD_ASSIGN_OR_RETURN(
            auto page,
            s.comments->Replies(id, viewer, static_cast<int>(limit.value_or(20)), after));
        json::array list;
        for (const auto& c : page.replies) list.push_back(CommentJson(c));
        Response res = JsonResponse(200, json::object{{"comment_id", id},
                                                      {"replies", std::move(list)},
                                                      {"next_after", OptId(page.next_after)}});
        if (viewer.user_id) res.user_id = *viewer.user_id;
        return res;
      }));
  router.Add(Secured(
      Method::kDelete, "/api/v1/comments/{id}", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto c, s.comments->Delete(who.user_id, id, Meta(req)));
        return JsonResponse(200, json::object{{"id", c.id}, {"status", c.status}});
      },
      s));

  // --- the account's operator ---
  for (const ModerationRoute& m : {ModerationRoute{"select", comments::Action::kSelect},
                                   ModerationRoute{"unselect", comments::Action::kUnselect},
                                   ModerationRoute{"hide", comments::Action::kHide},
                                   ModerationRoute{"unhide", comments::Action::kUnhide},
                                   ModerationRoute{"pin", comments::Action::kPin},
                                   ModerationRoute{"unpin", comments::Action::kUnpin}}) {
    const comments::Action action = m.action;
    router.Add(Secured(
        Method::kPost, "/api/v1/comments/{id}/" + std::string(m.name), auth::perm::kIdentityVerify,
        [&s, action](Request& req, const Principal& who) -> Result<Response> {
          HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
          HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"reason"}, true));
          HERALD_ASSIGN_OR_RETURN(auto reason, body.OptionalString("reason", 200));
          HERALD_ASSIGN_OR_RETURN(auto c, s.comments->Moderate(who.user_id, id, action,
                                                               reason.value_or(""), Meta(req)));
          c.mine = c.user_id == who.user_id;
          return JsonResponse(200, json::object{{"comment", CommentJson(c, true)}});
        },
        s));
  }
  router.Add(Secured(
      Method::kPost, "/api/v1/comments/{id}/author-replies", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"body"}));
        HERALD_ASSIGN_OR_RETURN(auto text, body.RequiredString("body", 500));
        HERALD_ASSIGN_OR_RETURN(auto r, s.comments->AuthorReply(who.user_id, id, text, Meta(req)));
        return JsonResponse(201, PostJson(r));
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/accounts/{id}/comment-settings", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto st, s.comments->GetAccountSettings(who.user_id, id));
        return JsonResponse(200, json::object{{"settings", AccountSettingsJson(st)}});
      },
      s));
  router.Add(Secured(
      Method::kPut, "/api/v1/accounts/{id}/comment-settings", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"mode"}));
        HERALD_ASSIGN_OR_RETURN(auto name, body.RequiredString("mode", 16));
        HERALD_ASSIGN_OR_RETURN(auto mode, comments::ParseMode(name));
        HERALD_ASSIGN_OR_RETURN(auto st,
                                s.comments->SetAccountMode(who.user_id, id, mode, Meta(req)));
        return JsonResponse(200, json::object{{"settings", AccountSettingsJson(st)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/articles/{id}/comment-settings", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto st, s.comments->GetArticleSettings(who.user_id, id));
        return JsonResponse(200, json::object{{"settings", ArticleSettingsJson(st)}});
      },
      s));
  router.Add(Secured(
      Method::kPut, "/api/v1/articles/{id}/comment-settings", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"mode"}));
        // null (or "account") removes the override: the article follows the account again.
        std::optional<comments::Mode> mode;
        HERALD_ASSIGN_OR_RETURN(auto name, body.OptionalString("mode", 16));
        if (!body.object().contains("mode")) {
          return InvalidArgument("mode is required (null follows the account)", "missing_field",
                                 "mode");
        }
        if (name && *name != "account") {
          HERALD_ASSIGN_OR_RETURN(mode, comments::ParseMode(*name));
        }
        HERALD_ASSIGN_OR_RETURN(auto st,
                                s.comments->SetArticleMode(who.user_id, id, mode, Meta(req)));
        return JsonResponse(200, json::object{{"settings", ArticleSettingsJson(st)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/articles/{id}/comments", auth::perm::kIdentityVerify,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"status", "limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto status, QueryString(req, "status", 32));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(
            auto page, s.comments->ListForOperator(who.user_id, id, status,
                                                   static_cast<int>(limit.value_or(50)), before));
        json::object counts;
        for (const auto& [k, n] : page.counts) counts[k] = n;
        json::array list;
        for (const auto& c : page.comments) list.push_back(CommentJson(c, true));
        return JsonResponse(200, json::object{{"article_id", id},
                                              {"comments_state", OpennessJson(page.openness)},
                                              {"counts", std::move(counts)},
                                              {"comments", std::move(list)},
                                              {"next_before", OptId(page.next_before)}});
      },
      s));

  // --- the platform ---
  router.Add(Secured(
      Method::kGet, "/api/v1/comments/{id}", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto c, s.comments->Get(id));
        json::object o = CommentJson(c, true);
        o["user_id"] = c.user_id;
        o["account_id"] = c.account_id;
        return JsonResponse(200, json::object{{"comment", std::move(o)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/comments/{id}/remove", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"reason_code", "note"}));
        HERALD_ASSIGN_OR_RETURN(auto code, body.RequiredString("reason_code", 64));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 500));
        HERALD_ASSIGN_OR_RETURN(auto c, s.comments->Remove("user:" + std::to_string(who.user_id),
                                                           id, code, note.value_or(""), Meta(req)));
        return JsonResponse(200, json::object{{"comment", CommentJson(c, true)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/comments/{id}/restore", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"note"}, true));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 500));
        HERALD_ASSIGN_OR_RETURN(auto c, s.comments->Restore("user:" + std::to_string(who.user_id),
                                                            id, note.value_or(""), Meta(req)));
        return JsonResponse(200, json::object{{"comment", CommentJson(c, true)}});
      },
      s));
}

}  // namespace herald::api::internal
