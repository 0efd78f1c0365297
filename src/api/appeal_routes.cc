// Routes of the appeal channel (issue 6; appeals/appeal_service.h, docs/appeals.md): the
// affected party appeals a sanction, a held, rejected or removed article, comment or group
// message, or a registration refused in review; staff list appeals
// and decide them (a different moderator than the original decider); the procedure is public.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "appeals/appeal_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::value OptIdJson(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// `staff`: moderators also see who decided and the internal note.
json::object AppealJson(const appeals::Appeal& a, bool staff) {
  json::array evidence;
  for (const auto& e : a.evidence) evidence.push_back(json::value(e));
  json::object o{{"id", a.id},
                 {"target", json::object{{"type", a.target.type}, {"id", a.target.id}}},
                 {"decision_ref", a.decision_ref},
                 {"appellant_user_id", a.appellant_user_id},
                 {"account_id", OptIdJson(a.account_id)},
                 {"text", a.text},
                 {"evidence", std::move(evidence)},
                 {"status", a.status},
                 {"original_decided_at", Time(a.original_decided_at)},
                 {"window_closes_at", Time(a.window_closes_at)},
                 {"created_at", Time(a.created_at)},
                 {"due_at", Time(a.due_at)},
                 {"decided_at", OptTimeJson(a.decided_at)},
                 {"reason", a.reason},
                 {"new_sanction_id", OptIdJson(a.new_sanction_id)}};
  if (staff) {
    o["original_decided_by"] = a.original_decided_by;
    o["decided_by"] = a.decided_by;
    o["note"] = a.note;
    o["review_id"] = a.review_id;
  }
  return o;
}

Result<appeals::NewAppeal> ParseAppeal(const JsonBody& body) {
  appeals::NewAppeal in;
  const auto& obj = body.object();
  auto t = obj.find("target");
  if (t == obj.end() || !t->value().is_object()) {
    return InvalidArgument("target must be an object {type, id}", "invalid_target", "target");
  }
  const auto& target = t->value().as_object();
  for (const auto& kv : target) {
    if (kv.key() != "type" && kv.key() != "id") {
      return InvalidArgument("unknown field in target", "unknown_field", "target");
    }
  }
  auto type = target.find("type");
  if (type == target.end() || !type->value().is_string() || type->value().as_string().size() > 20) {
    return InvalidArgument(
        "target.type must be sanction, article, comment, message or registration", "invalid_target",
        "target.type");
  }
  in.target.type = std::string(type->value().as_string());
  auto id = target.find("id");
  if (id == target.end() || !id->value().is_int64() || id->value().as_int64() < 1) {
    return InvalidArgument("target.id must be a positive id", "invalid_target", "target.id");
  }
  in.target.id = id->value().as_int64();
  HERALD_ASSIGN_OR_RETURN(in.text, body.RequiredString("text", 2000));
  if (obj.contains("evidence")) {
    HERALD_ASSIGN_OR_RETURN(auto ev, body.RequiredArray("evidence", 10));
    for (const auto& e : *ev) {
      if (!e.is_string()) {
        return InvalidArgument("evidence is a list of links and media ids", "invalid_evidence",
                               "evidence");
      }
      in.evidence.emplace_back(e.as_string());
    }
  }
  return in;
}

Result<std::optional<appeals::Modified>> ParseModified(const JsonBody& body) {
  const auto& obj = body.object();
  auto m = obj.find("modified");
  if (m == obj.end() || m->value().is_null()) return std::optional<appeals::Modified>();
  HERALD_ASSIGN_OR_RETURN(
      auto mb,
      JsonBody::FromValue(m->value(), {"measure", "function", "duration_days"}, "modified"));
  appeals::Modified out;
  HERALD_ASSIGN_OR_RETURN(out.measure, mb.RequiredString("measure", 30));
  HERALD_ASSIGN_OR_RETURN(auto fn, mb.OptionalString("function", 30));
  out.function = fn.value_or("");
  HERALD_ASSIGN_OR_RETURN(out.duration_days, mb.OptionalInt("duration_days", 1, 3650));
  return std::optional<appeals::Modified>(std::move(out));
}

}  // namespace

Status AddAppealStatus(ApiServices& s, const std::vector<sanctions::Sanction>& list,
                       json::array& out) {
  if (s.appeals == nullptr) return Status();
  std::vector<int64_t> ids;
  for (const auto& x : list) ids.push_back(x.id);
  HERALD_ASSIGN_OR_RETURN(auto filed, s.appeals->ForSanctions(ids));
  const Micros now = s.clock->Now();
  for (size_t i = 0; i < list.size() && i < out.size(); ++i) {
    const auto& x = list[i];
    const appeals::Appeal* appeal = nullptr;
    for (const auto& a : filed) {
      if (a.target.id == x.id) appeal = &a;
    }
    const Micros deadline = s.appeals->WindowClosesAt(x.issued_at);
    const bool can = x.appealable && !x.lifted_at && appeal == nullptr && now <= deadline;
    json::object o{
        {"appealable", x.appealable},
        {"appeal_deadline", x.appealable ? Time(deadline) : json::value(nullptr)},
        {"can_appeal", can},
        {"appeal_id", appeal ? json::value(appeal->id) : json::value(nullptr)},
        {"appeal_status", appeal ? json::value(appeal->status) : json::value(nullptr)},
        {"how", "申诉：POST /api/v1/appeals {target: {type: sanction, id: " + std::to_string(x.id) +
                    "}}，由未参与原决定的审核员复核（程序见 GET /api/v1/policies/appeals）。"
                    "Appeal through POST /api/v1/appeals; a different moderator reviews it "
                    "(procedure: GET /api/v1/policies/appeals)."}};
    if (out[i].is_object()) out[i].as_object()["appeal"] = std::move(o);
  }
  return Status();
}

void AddAppealRoutes(http::Router& router, ApiServices& s) {
  router.Add(
      Public(Method::kGet, "/api/v1/policies/appeals", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        const appeals::Policy p = s.appeals->PublishedPolicy();
        json::array types;
        for (const auto& t : p.target_types) types.push_back(json::value(t));
        json::array outcomes{
            json::object{{"outcome", "upheld"},
                         {"label_zh", "维持原决定"},
                         {"label_en", "The decision stands"}},
            json::object{{"outcome", "overturned"},
                         {"label_zh", "撤销原决定，立即解除处置或恢复内容"},
                         {"label_en",
                          "The decision is overturned: the measure ends at once or "
                          "the content is restored"}},
            json::object{{"outcome", "modified"},
                         {"label_zh", "变更为较轻的处置"},
                         {"label_en", "The sanction is replaced by a lighter one"}}};
        json::array steps{
            json::object{{"step", "acceptance"},
                         {"label_zh", "受理：受处置方在决定后" + std::to_string(p.window_days) +
                                          "日内提交申诉（理由及证据），每项决定可申诉一次"},
                         {"label_en", "Acceptance: the affected party appeals within " +
                                          std::to_string(p.window_days) +
                                          " days of the decision (reasons and evidence), once "
                                          "per decision"}},
            json::object{{"step", "screening"},
                         {"label_zh", "审查：申诉进入审核队列，由未参与原决定的审核员处理"},
                         {"label_en",
                          "Screening: the appeal enters the review queue and goes "
                          "to a moderator who did not make the original decision"}},
            json::object{{"step", "handling"},
                         {"label_zh", "处理：在" + std::to_string(p.decide_within_days) +
                                          "日内作出维持、撤销或变更的决定，并记录理由"},
                         {"label_en", "Handling: upheld, overturned or modified within " +
                                          std::to_string(p.decide_within_days) +
                                          " days, with the reason recorded"}},
            json::object{{"step", "feedback"},
                         {"label_zh", "反馈：申诉人收到站内通知，可随时查看申诉状态"},
                         {"label_en",
                          "Feedback: the appellant is notified and can follow the "
                          "appeal's status at any time"}}};
        return JsonResponse(
            200,
            json::object{{"policy", "appeals"},
                         {"window_days", p.window_days},
                         {"decide_within_days", p.decide_within_days},
                         {"target_types", std::move(types)},
                         {"once_per_decision", true},
                         {"decided_by", json::object{{"label_zh", "未参与原决定的审核员"},
                                                     {"label_en",
                                                      "a moderator other than the one who made the "
                                                      "original decision"}}},
                         {"outcomes", std::move(outcomes)},
                         {"steps", std::move(steps)},
                         {"file_at", "POST /api/v1/appeals"}});
      }));
  router.Add(Secured(
      Method::kPost, "/api/v1/appeals", auth::perm::kSelfWrite,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"target", "text", "evidence"}));
        HERALD_ASSIGN_OR_RETURN(auto in, ParseAppeal(body));
        HERALD_ASSIGN_OR_RETURN(auto a, s.appeals->File(who.user_id, in, Meta(req)));
        return JsonResponse(201, json::object{{"appeal", AppealJson(a, false)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/appeals", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        const int n = static_cast<int>(limit.value_or(50));
        HERALD_ASSIGN_OR_RETURN(auto list, s.appeals->ListMine(who.user_id, n, before));
        json::array out;
        for (const auto& a : list) out.push_back(AppealJson(a, false));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == n) next = list.back().id;
        return JsonResponse(200, json::object{{"appeals", std::move(out)}, {"next_before", next}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/appeals", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"status", "limit", "before"}));
        HERALD_ASSIGN_OR_RETURN(auto status, QueryString(req, "status", 20));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        const int n = static_cast<int>(limit.value_or(50));
        HERALD_ASSIGN_OR_RETURN(auto list, s.appeals->List(status, n, before));
        json::array out;
        for (const auto& a : list) out.push_back(AppealJson(a, true));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == n) next = list.back().id;
        return JsonResponse(200, json::object{{"appeals", std::move(out)}, {"next_before", next}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/appeals/{id}", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto a, s.appeals->Get(id));
        const bool staff = who.Has(auth::perm::kAccountsReview);
        // Another user's appeal does not exist for them.
        if (!staff && a.appellant_user_id != who.user_id) {
          return NotFound("no such appeal", "appeal_not_found");
        }
        return JsonResponse(200, json::object{{"appeal", AppealJson(a, staff)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/appeals/{id}/decision", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body,
                                JsonBody::Parse(req, {"outcome", "reason", "note", "modified"}));
        appeals::Decision d;
        HERALD_ASSIGN_OR_RETURN(d.outcome, body.RequiredString("outcome", 20));
        HERALD_ASSIGN_OR_RETURN(d.reason, body.RequiredString("reason", 1000));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 1000));
        d.note = note.value_or("");
        HERALD_ASSIGN_OR_RETURN(d.modified, ParseModified(body));
        // Lifting or replacing a sanction needs the power to lift one.
        if (d.outcome != "upheld" && !who.Has(auth::perm::kSanctionsIssue)) {
          HERALD_ASSIGN_OR_RETURN(auto a, s.appeals->Get(id));
          if (a.target.type == "sanction") {
            return PermissionDenied("this outcome lifts a sanction: it needs the permission " +
                                        std::string(auth::perm::kSanctionsIssue),
                                    "permission_denied");
          }
        }
        HERALD_ASSIGN_OR_RETURN(
            auto a,
            s.appeals->Decide(
                id, d, {who.user_id, req.request_id, who.Has(auth::perm::kReviewsEscalated)}));
        return JsonResponse(200, json::object{{"appeal", AppealJson(a, true)}});
      },
      s));
}

}  // namespace herald::api::internal
