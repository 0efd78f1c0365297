// Routes of complaints and reports (投诉举报; issue 6: PA-20.1, PA-20.2, GR-12;
// reports/report_service.h, docs/reports.md). Not the regulator's sanctions report (report.cc).
// Anyone may report, signed in or not; a reporter without a session gets an access token to
// read the report and its outcome. Staff with reports.read list and read every report; they
// decide reports through the review queue (kind "report").
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "reports/report_service.h"

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

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& x : v) a.emplace_back(x);
  return a;
}

json::object EvidenceJson(const reports::Evidence& e) {
  return json::object{{"links", Strings(e.links)}, {"media_ids", Strings(e.media_ids)}};
}

json::object ReportJson(const reports::Report& r, bool staff) {
  json::object o{
      {"id", r.id},
      {"target", json::object{{"type", r.target_type}, {"id", r.target_id}}},
      {"category", r.category},
      {"description", r.description},
      {"evidence", EvidenceJson(r.evidence)},
      {"rights_holder",
       r.rights_holder.empty() ? json::value(nullptr) : json::value(r.rights_holder)},
      {"rights_proof", EvidenceJson(r.rights_proof)},
      {"contact", r.contact_masked.empty() ? json::value(nullptr) : json::value(r.contact_masked)},
      {"stage", r.stage},
      {"accepted_at", Time(r.accepted_at)},
      {"screened_at", OptTimeJson(r.screened_at)},
      {"due_at", Time(r.due_at)},
      {"overdue", r.overdue},
      {"handled_at", OptTimeJson(r.handled_at)},
      {"feedback_at", OptTimeJson(r.feedback_at)},
      {"outcome", r.outcome.empty() ? json::value(nullptr) : json::value(r.outcome)},
      {"outcome_reason",
       r.outcome_reason.empty() ? json::value(nullptr) : json::value(r.outcome_reason)},
      {"outcome_text", r.outcome_text.empty() ? json::value(nullptr) : json::value(r.outcome_text)},
      {"sanction_id", OptInt(r.sanction_id)}};
  if (staff) {
    o["reporter_user_id"] = OptInt(r.reporter_user_id);
    o["reported_user_id"] = OptInt(r.reported_user_id);
    o["account_id"] = OptInt(r.account_id);
    o["weight"] = r.weight;
    o["campaign"] = r.campaign;
    o["campaign_reasons"] =
        r.campaign_reasons.empty() ? json::value(nullptr) : json::value(r.campaign_reasons);
    o["campaign_group"] = OptInt(r.campaign_group);
    o["review_item_id"] = OptInt(r.review_item_id);
  }
  return o;
}

// The session's principal when a token is sent (it must be valid), else nothing.
Result<std::optional<Principal>> OptionalPrincipal(const Request& req, ApiServices& s) {
  if (req.Header("authorization").empty()) return std::optional<Principal>();
  HERALD_ASSIGN_OR_RETURN(std::string_view token, BearerToken(req));
  HERALD_ASSIGN_OR_RETURN(auto who, s.auth->Authenticate(token));
  return std::optional<Principal>(std::move(who));
}

Result<std::vector<std::string>> StringArray(const json::object& o, std::string_view key,
                                             size_t max_items, size_t max_bytes,
                                             const std::string& field) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) {
    return InvalidArgument(field + " must be an array of strings", "invalid_type", field);
  }
  if (it->value().as_array().size() > max_items) {
    return InvalidArgument(field + " has too many items", "invalid_evidence", field);
  }
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string()) {
      return InvalidArgument(field + " must be an array of strings", "invalid_type", field);
    }
    if (v.as_string().size() > max_bytes) {
      return InvalidArgument(field + " item too long", "invalid_evidence", field);
    }
    out.emplace_back(v.as_string());
  }
  return out;
}

Result<reports::Evidence> EvidenceOf(const JsonBody& body, std::string_view key) {
  reports::Evidence e;
  auto it = body.object().find(key);
  if (it == body.object().end() || it->value().is_null()) return e;
  HERALD_ASSIGN_OR_RETURN(
      auto sub, JsonBody::FromValue(it->value(), {"links", "media_ids"}, std::string(key)));
  HERALD_ASSIGN_OR_RETURN(e.links,
                          StringArray(sub.object(), "links", 10, 500, std::string(key) + ".links"));
  HERALD_ASSIGN_OR_RETURN(
      e.media_ids, StringArray(sub.object(), "media_ids", 9, 64, std::string(key) + ".media_ids"));
  return e;
}

json::object PolicyJson(const reports::Options& o) {
  json::array categories;
  for (const auto& c : reports::Categories()) {
    const Micros handle = o.handle_for(c.code);
    categories.push_back(json::object{{"code", c.code},
                                      {"label_zh", c.label_zh},
                                      {"label_en", c.label_en},
                                      {"accept_within_hours", o.accept_within / kMicrosPerHour},
                                      {"handle_within_hours", handle / kMicrosPerHour},
                                      {"needs_rights_proof", c.infringement}});
  }
  json::array stages;
  auto stage = [&](const char* code, const char* zh, const char* en) {
    stages.push_back(json::object{{"stage", code}, {"label_zh", zh}, {"label_en", en}});
  };
  stage("accepted", "受理：格式完整的举报即时受理，给出编号",
        "Accepted: a well-formed report is accepted at once and numbered");
  stage("screened", "初筛：自动计算举报人信誉权重，识别批量恶意举报，进入审核队列",
        "Screened: automatic reporter weight and campaign check; the report joins the review "
        "queue");
  stage("handled", "处理：审核人员在时限内核查并作出结论（属实 / 不属实）",
        "Handled: a moderator checks and decides within the time limit (upheld / not upheld)");
  stage("feedback", "反馈：向举报人反馈结果；举报属实时通知被举报方",
        "Feedback: the reporter is told the outcome; when upheld, the reported party too");
  json::array targets;
  for (const auto& t : reports::TargetTypes()) targets.emplace_back(t);
  return json::object{
      {"entry", "POST /api/v1/reports"},
      {"stages", std::move(stages)},
      {"target_types", std::move(targets)},
      {"categories", std::move(categories)},
      {"overdue", json::object{{"label_zh", "超过处理时限的举报自动上报内容安全负责人"},
                               {"label_en",
                                "Reports past their time limit go to the content security "
                                "officer automatically"}}},
      {"anonymous",
       json::object{
           {"label_zh",
            "未登录也可举报，须留下手机号或电子邮箱以便反馈（加密保存，仅显示掩码）；凭返回的"
            "访问令牌查询进度。截图证据须登录后上传，未登录请提供链接。"},
           {"label_en",
            "Reports without sign-in need a phone number or e-mail for feedback (stored "
            "encrypted, shown masked); the returned access token shows the report. Screenshots "
            "need sign-in (POST /api/v1/media); without it, give links."}}},
      {"daily_limit",
       json::object{{"signed_in", o.daily_limit_user}, {"anonymous", o.daily_limit_anonymous}}},
      {"infringement",
       json::object{{"label_zh", "侵权投诉须提供权利人名称及权属证明（链接或截图）"},
                    {"label_en",
                     "Infringement complaints name the rights holder and carry proof of the "
                     "rights (links or screenshots)"}}},
      {"malicious_reports",
       json::object{
           {"label_zh",
            "举报人信誉权重按其以往举报的核实比例计算（新用户为中性值 0.5）。同一对象短时间内"
            "来自新注册账号、同一设备或网络、或信誉较差举报人的批量举报，标记为疑似恶意举报"
            "并归并处理；批量举报本身不会导致内容下架或提高处理优先级。多次恶意举报者的举报"
            "权重降低。"},
           {"label_en",
            "A reporter's weight is the share of their past decided reports that were upheld "
            "(0.5 for newcomers). Mass reports against one target in a short window from new "
            "accounts, one device or network, or reporters with poor records are marked "
            "campaign-suspected and grouped; a campaign by itself never takes content down or "
            "raises priority. Repeated malicious reporters carry less weight."}}},
      {"appeals",
       json::object{{"path", o.appeal_path},
                    {"label_zh", "对处理结果有异议的，可通过申诉渠道提出申诉"},
                    {"label_en", "Disagree with a decision? Appeal through " + o.appeal_path}}}};
}

}  // namespace

void AddComplaintRoutes(http::Router& router, ApiServices& s) {
  router.Add(
      Public(Method::kGet, "/api/v1/policies/reports", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        return JsonResponse(200, json::object{{"policy", PolicyJson(s.reports->options())}});
      }));
  router.Add(Public(Method::kPost, "/api/v1/reports", [&s](Request& req) -> Result<Response> {
    HERALD_ASSIGN_OR_RETURN(auto who, OptionalPrincipal(req, s));
    HERALD_ASSIGN_OR_RETURN(auto body,
                            JsonBody::Parse(req, {"target", "category", "description", "evidence",
                                                  "rights_holder", "rights_proof", "contact"}));
    reports::NewReport in;
    auto t = body.object().find("target");
    if (t == body.object().end() || t->value().is_null()) {
      return InvalidArgument("target is required", "missing_field", "target");
    }
    HERALD_ASSIGN_OR_RETURN(auto target, JsonBody::FromValue(t->value(), {"type", "id"}, "target"));
    HERALD_ASSIGN_OR_RETURN(in.target_type, target.RequiredString("type", 20));
    HERALD_ASSIGN_OR_RETURN(in.target_id, target.RequiredInt("id", 1, INT64_MAX));
    HERALD_ASSIGN_OR_RETURN(in.category, body.RequiredString("category", 40));
    HERALD_ASSIGN_OR_RETURN(in.description, body.RequiredString("description", 2000));
    HERALD_ASSIGN_OR_RETURN(in.evidence, EvidenceOf(body, "evidence"));
    HERALD_ASSIGN_OR_RETURN(auto holder, body.OptionalString("rights_holder", 100));
    in.rights_holder = holder.value_or("");
    HERALD_ASSIGN_OR_RETURN(in.rights_proof, EvidenceOf(body, "rights_proof"));
    HERALD_ASSIGN_OR_RETURN(auto contact, body.OptionalString("contact", 100));
    in.contact = contact.value_or("");
    reports::Reporter reporter;
    if (who) reporter.user_id = who->user_id;
    reporter.meta = Meta(req);
    HERALD_ASSIGN_OR_RETURN(auto sub, s.reports->Submit(reporter, in));
    json::object out{{"report", ReportJson(sub.report, false)}};
    if (!sub.access_token.empty()) out["access_token"] = sub.access_token;
    Response res = JsonResponse(201, out);
    if (who) res.user_id = who->user_id;
    return res;
  }));
  router.Add(Public(Method::kGet, "/api/v1/reports/{id}", [&s](Request& req) -> Result<Response> {
    HERALD_RETURN_IF_ERROR(CheckQuery(req, {"token"}));
    HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
    HERALD_ASSIGN_OR_RETURN(std::string token, QueryString(req, "token", 100));
    HERALD_ASSIGN_OR_RETURN(auto who, OptionalPrincipal(req, s));
    const bool staff = who && who->Has(auth::perm::kReportsView);
    std::optional<int64_t> user;
    if (who) user = who->user_id;
    HERALD_ASSIGN_OR_RETURN(auto r, s.reports->Get(id, user, staff, token));
    Response res = JsonResponse(200, json::object{{"report", ReportJson(r, staff)}});
    if (who) res.user_id = who->user_id;
    return res;
  }));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/reports", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"before", "limit"}));
        HERALD_ASSIGN_OR_RETURN(auto before, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        const int n = static_cast<int>(limit.value_or(20));
        HERALD_ASSIGN_OR_RETURN(auto list, s.reports->Mine(who.user_id, before, n));
        json::array items;
        for (const auto& r : list) items.push_back(ReportJson(r, false));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == n) next = list.back().id;
        return JsonResponse(200, json::object{{"items", std::move(items)}, {"next_before", next}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/reports", auth::perm::kReportsView,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(
            CheckQuery(req, {"stage", "category", "target_type", "campaign", "before", "limit"}));
        reports::Filter f;
        HERALD_ASSIGN_OR_RETURN(f.stage, QueryString(req, "stage", 20));
        HERALD_ASSIGN_OR_RETURN(f.category, QueryString(req, "category", 40));
        HERALD_ASSIGN_OR_RETURN(f.target_type, QueryString(req, "target_type", 20));
        HERALD_ASSIGN_OR_RETURN(std::string campaign, QueryString(req, "campaign", 5));
        if (campaign == "true") {
          f.campaign = true;
        } else if (campaign == "false") {
          f.campaign = false;
        } else if (!campaign.empty()) {
          return InvalidArgument("campaign must be true or false", "invalid_parameter", "campaign");
        }
        HERALD_ASSIGN_OR_RETURN(f.before_id, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 100));
        f.limit = static_cast<int>(limit.value_or(50));
        HERALD_ASSIGN_OR_RETURN(auto list, s.reports->List(f));
        json::array items;
        for (const auto& r : list) items.push_back(ReportJson(r, true));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == f.limit) next = list.back().id;
        return JsonResponse(200, json::object{{"items", std::move(items)}, {"next_before", next}});
      },
      s));
}

}  // namespace herald::api::internal
