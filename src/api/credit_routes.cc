// Routes of credit and grades (issue 6: PA-13.1, PA-7.2, GR-7.2): the published rules, an
// operator's own credit, staff views and adjustments, and an account's grade.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/routes.h"
#include "credit/credit_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::object LevelJson(const credit::LevelRule& l) {
  auto limit = [](int64_t v) { return v < 0 ? json::value(nullptr) : json::value(v); };
  return json::object{{"level", l.level},
                      {"minimum", l.minimum},
                      {"label_zh", l.label_zh},
                      {"label_en", l.label_en},
                      {"allows", json::object{{"articles_per_day", limit(l.articles_per_day)},
                                              {"advertising", l.advertising},
                                              {"account_cap", limit(l.account_cap)},
                                              {"groups_created", limit(l.groups_created)},
                                              {"groups_joined", limit(l.groups_joined)},
                                              {"comment_powers", l.comments}}}};
}

json::object GradeRuleJson(const credit::GradeRule& g) {
  return json::object{{"grade", g.grade},
                      {"minimum", g.minimum},
                      {"label_zh", g.label_zh},
                      {"label_en", g.label_en},
                      {"publish_percent", g.publish_percent},
                      {"recommendable", g.recommendable}};
}

json::object LedgerJson(const credit::LedgerEntry& e) {
  return json::object{{"id", e.id},
                      {"subject_id", e.subject_id},
                      {"delta", e.delta},
                      {"score_after", e.score_after},
                      {"kind", e.kind},
                      {"reason_code", e.reason_code},
                      {"cause", e.cause},
                      {"note", e.note},
                      {"rules_version", e.rules_version},
                      {"at", Time(e.at)}};
}

json::object CreditJson(const credit::SubjectCredit& c) {
  json::array history;
  for (const auto& e : c.history) history.push_back(LedgerJson(e));
  return json::object{{"subject_id", c.subject_id},
                      {"score", c.score},
                      {"level", LevelJson(c.level)},
                      {"history", std::move(history)}};
}

json::object GradeComponentsJson(const credit::Grade& g) {
  const auto& c = g.components;
  json::object o = GradeRuleJson(g.rule);
  o["account_id"] = g.account_id;
  o["points"] = c.points;
  o["components"] = json::object{
      {"credit",
       json::object{
           {"score", c.credit_score}, {"level", c.credit_level}, {"points", c.credit_points}}},
      {"quality", json::object{{"violations", c.violations}, {"points", c.quality_points}}},
      {"originality", json::object{{"original_articles", c.original_articles},
                                   {"published_articles", c.published_articles},
                                   {"points", c.originality_points}}},
      {"followers", json::object{{"count", c.followers}, {"points", c.follower_points}}},
      {"reads", json::object{{"count", c.reads}, {"points", c.read_points}}}};
  o["rules_version"] = g.rules_version;
  o["computed_at"] = Time(g.computed_at);
  o["stored"] = g.stored;
  return o;
}

json::object PolicyJson(const credit::Rules& r) {
  json::object deductions, severity, floor;
  for (const auto& [k, v] : r.deductions) deductions[k] = v;
  for (const auto& [k, v] : r.severity) severity[k] = v;
  for (const auto& [k, v] : r.reason_floor) floor[k] = v;
  json::array exempt, levels, grades, followers, reads;
  for (const auto& e : r.exempt) exempt.push_back(json::value(e));
  for (const auto& l : r.levels) levels.push_back(LevelJson(l));
  for (const auto& g : r.grades) grades.push_back(GradeRuleJson(g));
  for (const auto& s : r.follower_steps) {
    followers.push_back(json::object{{"at_least", s.at_least}, {"points", s.points}});
  }
  for (const auto& s : r.read_steps) {
    reads.push_back(json::object{{"at_least", s.at_least}, {"points", s.points}});
  }
  return json::object{
      {"version", r.version},
      {"start", r.start},
      {"minimum", r.minimum},
      {"maximum", r.Maximum()},
      {"deductions", std::move(deductions)},
      {"severity", std::move(severity)},
      {"reason_minimum", std::move(floor)},
      {"exempt_reasons", std::move(exempt)},
      {"recovery",
       json::object{{"points", r.recovery_points}, {"every_days", r.recovery_every_days}}},
      {"qualification_bonus",
       json::object{{"points", r.bonus_points}, {"maximum", r.bonus_maximum}}},
      {"levels", std::move(levels)},
      {"grade",
       json::object{
           {"formula",
            "points = min(credit_weight, score * credit_weight / start) + max(0, quality_weight - "
            "per_violation * violations) + originality_weight * original / published + "
            "follower_steps(followers) + read_steps(reads)"},
           {"credit_weight", r.credit_weight},
           {"quality_weight", r.quality_weight},
           {"per_violation", r.per_violation},
           {"violation_days", r.violation_days},
           {"originality_weight", r.originality_weight},
           {"read_days", r.read_days},
           {"follower_steps", std::move(followers)},
           {"read_steps", std::move(reads)},
           {"grades", std::move(grades)}}}};
}

}  // namespace

json::value PublicGradeJson(ApiServices& s, int64_t account_id) {
  if (!s.credit) return nullptr;
  auto g = s.credit->GradeOf(account_id);
  if (!g.ok()) return nullptr;
  json::object o = GradeRuleJson(g->rule);
  o.erase("minimum");
  o["computed_at"] = Time(g->computed_at);
  return o;
}

void AddCreditRoutes(http::Router& router, ApiServices& s) {
  router.Add(
      Public(Method::kGet, "/api/v1/policies/credit", [&s](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        return JsonResponse(200, json::object{{"policy", PolicyJson(s.credit->rules())}});
      }));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/credit", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto list, s.credit->CreditOfUser(who.user_id, 100));
        json::array out;
        for (const auto& c : list) out.push_back(CreditJson(c));
        return JsonResponse(200, json::object{{"subjects", std::move(out)},
                                              {"rules_version", s.credit->rules().version}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/subjects/{id}/credit", auth::perm::kCreditView,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto c, s.credit->Credit(id, 500));
        return JsonResponse(200, json::object{{"credit", CreditJson(c)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/subjects/{id}/credit/adjustments", auth::perm::kCreditManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"delta", "reason"}));
        HERALD_ASSIGN_OR_RETURN(int64_t delta, body.RequiredInt("delta", -1000000, 1000000));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason", 500));
        auto meta = Meta(req);
        HERALD_ASSIGN_OR_RETURN(
            auto entry, s.credit->Adjust(id, delta, reason,
                                         {"user:" + std::to_string(who.user_id), meta.request_id}));
        HERALD_ASSIGN_OR_RETURN(auto c, s.credit->Credit(id, 20));
        return JsonResponse(201,
                            json::object{{"entry", LedgerJson(entry)}, {"credit", CreditJson(c)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/accounts/{id}/grade", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto a, s.accounts->Get(id));
        if (a.owner_user_id != who.user_id && !who.Has(auth::perm::kCreditView)) {
          return NotFound("no such account", "account_not_found");
        }
        HERALD_ASSIGN_OR_RETURN(auto g, s.credit->GradeOf(id));
        return JsonResponse(200, json::object{{"grade", GradeComponentsJson(g)}});
      },
      s));
}

}  // namespace herald::api::internal
