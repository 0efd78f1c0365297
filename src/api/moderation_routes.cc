// Routes of the moderation engine (issue 4): the review queue, sanctions and the regulator's
// report, screening dictionaries with hot reload, and the emergency controls.
#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/report.h"
#include "api/routes.h"
#include "core/json_writer.h"
#include "core/strings.h"
#include "moderation/screening_service.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"

namespace herald::api::internal {

namespace json = boost::json;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

json::value ParseDetail(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::value(text);
  return v;
}

json::object ItemJson(const review::Item& it, Micros now) {
  return json::object{
      {"id", it.id},
      {"kind", it.kind},
      {"category", it.category},
      {"severity", it.severity},
      {"account_id", it.account_id ? json::value(*it.account_id) : json::value(nullptr)},
      {"ref_id", it.ref_id},
      {"summary", it.summary},
      {"detail", ParseDetail(it.detail)},
      {"status", it.status},
      {"created_at", Time(it.created_at)},
      {"due_at", Time(it.due_at)},
      {"overdue", it.overdue(now)},
      {"claimed_by", it.claimed_by},
      {"claimed_at", OptTimeJson(it.claimed_at)},
      {"escalated_by", it.escalated_by},
      {"escalated_at", OptTimeJson(it.escalated_at)},
      {"escalation_note", it.escalation_note},
      {"decision", it.decision},
      {"reason_code", it.reason_code},
      {"note", it.note},
      {"decided_by", it.decided_by},
      {"decided_at", OptTimeJson(it.decided_at)}};
}

json::object FreezeJson(const sanctions::Freeze& f, Micros now) {
  return json::object{{"id", f.id},
                      {"scope", f.scope},
                      {"category", f.category},
                      {"reason", f.reason},
                      {"started_by", f.started_by},
                      {"started_at", Time(f.started_at)},
                      {"ends_at", OptTimeJson(f.ends_at)},
                      {"lifted_at", OptTimeJson(f.lifted_at)},
                      {"lifted_by", f.lifted_by},
                      {"active", f.ActiveAt(now)}};
}

json::object ScreeningJson(const moderation::ScreeningStatus& st) {
  json::array dicts;
  for (const auto& d : st.dictionaries) {
    dicts.push_back(json::object{{"name", d.name},
                                 {"managed", d.managed},
                                 {"entries", static_cast<int64_t>(d.entries)},
                                 {"bytes", d.bytes},
                                 {"modified_at", Time(d.modified_at)}});
  }
  return json::object{{"version", static_cast<int64_t>(st.version)},
                      {"loaded_at", Time(st.loaded_at)},
                      {"entries", static_cast<int64_t>(st.entries)},
                      {"last_error", st.last_error},
                      {"dictionaries", std::move(dicts)}};
}

Result<std::string> PathName(const Request& req) {
  auto it = req.path_params.find("name");
  if (it == req.path_params.end() || !moderation::ScreeningService::IsValidName(it->second)) {
    return NotFound("no such dictionary", "dictionary_not_found");
  }
  return it->second;
}

Result<bool> QueryBool(const Request& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  return InvalidArgument(key + " must be true or false", "invalid_parameter", key);
}

Result<std::optional<Micros>> BodyTime(const JsonBody& body, std::string_view key) {
  HERALD_ASSIGN_OR_RETURN(auto text, body.OptionalString(key, 40));
  if (!text) return std::optional<Micros>();
  Micros t = 0;
  if (!ParseRfc3339(*text, &t)) {
    return InvalidArgument(std::string(key) + " must be an RFC 3339 time", "invalid_period",
                           std::string(key));
  }
  return std::optional<Micros>(t);
}

Status Audit(ApiServices& s, const Principal& who, const Request& req, std::string action,
             std::string subject, std::string details) {
  return s.audit
      ->AppendNow(*s.db, audit::NewEntry{who.Actor(), std::move(action), std::move(subject),
                                         std::move(details), req.request_id})
      .status();
}

}  // namespace

void AddModerationRoutes(http::Router& router, ApiServices& s) {
  // --- review queue ---
  router.Add(Secured(
      Method::kGet, "/api/v1/reviews", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(
            CheckQuery(req, {"kind", "status", "category", "min_severity", "overdue",
                             "older_than_hours", "account_id", "claimed_by", "limit", "after"}));
        review::Filter f;
        HERALD_ASSIGN_OR_RETURN(auto kinds, QueryString(req, "kind", 200));
        for (auto k : Split(kinds, ',')) {
          if (!k.empty()) f.kinds.emplace_back(k);
        }
        HERALD_ASSIGN_OR_RETURN(auto status, QueryString(req, "status", 20));
        if (!status.empty()) f.status = status;
        HERALD_ASSIGN_OR_RETURN(f.category, QueryString(req, "category", 40));
        HERALD_ASSIGN_OR_RETURN(auto sev, QueryInt(req, "min_severity", 1, 4));
        f.min_severity = static_cast<int>(sev.value_or(0));
        HERALD_ASSIGN_OR_RETURN(f.overdue_only, QueryBool(req, "overdue"));
        HERALD_ASSIGN_OR_RETURN(auto older, QueryInt(req, "older_than_hours", 1, 24 * 365));
        if (older) f.created_before = s.clock->Now() - *older * kMicrosPerHour;
        HERALD_ASSIGN_OR_RETURN(f.account_id, QueryInt(req, "account_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(f.claimed_by, QueryString(req, "claimed_by", 40));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 500));
        f.limit = static_cast<int>(limit.value_or(100));
        HERALD_ASSIGN_OR_RETURN(f.after_id, QueryInt(req, "after", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto items, s.review->List(f));
        const Micros now = s.clock->Now();
        json::array out;
        for (const auto& it : items) out.push_back(ItemJson(it, now));
        json::object body{{"items", std::move(out)}};
        body["next_cursor"] = static_cast<int>(items.size()) == f.limit
                                  ? json::value(items.back().id)
                                  : json::value(nullptr);
        return JsonResponse(200, body);
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/reviews/summary", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        HERALD_ASSIGN_OR_RETURN(auto kinds, s.review->Summary());
        json::array out;
        for (const auto& k : kinds) {
          out.push_back(json::object{{"kind", k.kind},
                                     {"open", k.open},
                                     {"overdue", k.overdue},
                                     {"escalated", k.escalated},
                                     {"oldest_due_at", OptTimeJson(k.oldest_due_at)}});
        }
        return JsonResponse(200, json::object{{"kinds", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/reviews/reasons", auth::perm::kAccountsReview,
      [](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        json::array out;
        for (const auto& c : review::DecisionReasons()) {
          out.push_back(json::object{{"code", c.code},
                                     {"decision", c.decision},
                                     {"label_zh", c.label_zh},
                                     {"label_en", c.label_en}});
        }
        return JsonResponse(200, json::object{{"reasons", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/reviews/{id}", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto item, s.review->Get(id));
        return JsonResponse(200, json::object{{"item", ItemJson(item, s.clock->Now())}});
      },
      s));
  for (const char* action : {"claim", "release"}) {
    const bool claim = std::string_view(action) == "claim";
    router.Add(Secured(
        Method::kPost, std::string("/api/v1/reviews/{id}/") + action, auth::perm::kAccountsReview,
        [&s, claim](Request& req, const Principal& who) -> Result<Response> {
          HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
          HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
          review::RequestInfo info{who.Actor(), req.request_id};
          HERALD_ASSIGN_OR_RETURN(auto item,
                                  claim ? s.review->Claim(id, info) : s.review->Release(id, info));
          return JsonResponse(200, json::object{{"item", ItemJson(item, s.clock->Now())}});
        },
        s));
  }
  router.Add(Secured(
      Method::kPost, "/api/v1/reviews/{id}/decision", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body,
                                JsonBody::Parse(req, {"decision", "reason_code", "note"}));
        HERALD_ASSIGN_OR_RETURN(auto decision, body.RequiredString("decision", 10));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 1000));
        review::RequestInfo info{who.Actor(), req.request_id};
        if (decision == "escalate") {
          HERALD_ASSIGN_OR_RETURN(auto item, s.review->Escalate(id, note.value_or(""), info));
          return JsonResponse(200, json::object{{"item", ItemJson(item, s.clock->Now())}});
        }
        HERALD_ASSIGN_OR_RETURN(auto code, body.RequiredString("reason_code", 40));
        HERALD_ASSIGN_OR_RETURN(auto item,
                                s.review->Decide(id, decision, code, note.value_or(""),
                                                 who.Has(auth::perm::kReviewsEscalated), info));
        return JsonResponse(200, json::object{{"item", ItemJson(item, s.clock->Now())}});
      },
      s));

  // --- sanctions ---
  router.Add(
      Public(Method::kGet, "/api/v1/sanctions/catalog", [](Request& req) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        json::array measures, functions, targets, reasons;
        for (const auto& m : sanctions::Measures()) {
          json::array blocks;
          for (const auto& f : sanctions::BlockedFunctions(m, "")) blocks.push_back(json::value(f));
          measures.push_back(json::object{{"measure", m}, {"blocks", std::move(blocks)}});
        }
        for (const auto& f : sanctions::Functions()) functions.push_back(json::value(f));
        for (const auto& t : sanctions::TargetTypes()) targets.push_back(json::value(t));
        for (const auto& r : sanctions::ReasonCodes()) {
          reasons.push_back(
              json::object{{"code", r.code}, {"label_zh", r.label_zh}, {"label_en", r.label_en}});
        }
        return JsonResponse(200, json::object{{"measures", std::move(measures)},
                                              {"functions", std::move(functions)},
                                              {"target_types", std::move(targets)},
                                              {"reason_codes", std::move(reasons)}});
      }));
  router.Add(Secured(
      Method::kPost, "/api/v1/sanctions", auth::perm::kSanctionsIssue,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(
            auto body,
            JsonBody::Parse(req, {"target_type", "target_id", "target_name", "measure", "function",
                                  "reason_code", "note", "evidence", "starts_at", "ends_at",
                                  "duration_days", "appealable"}));
        sanctions::NewSanction in;
        HERALD_ASSIGN_OR_RETURN(in.target.type, body.RequiredString("target_type", 20));
        HERALD_ASSIGN_OR_RETURN(auto tid, body.OptionalInt("target_id", 1, INT64_MAX));
        in.target.id = tid.value_or(0);
        HERALD_ASSIGN_OR_RETURN(auto tname, body.OptionalString("target_name", 64));
        in.target.name = tname.value_or("");
        HERALD_ASSIGN_OR_RETURN(in.measure, body.RequiredString("measure", 30));
        HERALD_ASSIGN_OR_RETURN(auto fn, body.OptionalString("function", 30));
        in.function = fn.value_or("");
        HERALD_ASSIGN_OR_RETURN(in.reason_code, body.RequiredString("reason_code", 40));
        HERALD_ASSIGN_OR_RETURN(auto note, body.OptionalString("note", 1000));
        in.note = note.value_or("");
        if (body.object().contains("evidence")) {
          HERALD_ASSIGN_OR_RETURN(auto ev, body.RequiredArray("evidence", 20));
          for (const auto& e : *ev) {
            if (!e.is_string()) {
              return InvalidArgument("evidence is a list of strings", "invalid_evidence",
                                     "evidence");
            }
            in.evidence.emplace_back(e.as_string());
          }
        }
        HERALD_ASSIGN_OR_RETURN(in.starts_at, BodyTime(body, "starts_at"));
        HERALD_ASSIGN_OR_RETURN(in.ends_at, BodyTime(body, "ends_at"));
        HERALD_ASSIGN_OR_RETURN(auto days, body.OptionalInt("duration_days", 1, 3650));
        if (days) {
          if (in.ends_at) {
            return InvalidArgument("give ends_at or duration_days, not both", "invalid_period",
                                   "duration_days");
          }
          in.ends_at = in.starts_at.value_or(s.clock->Now()) + *days * kMicrosPerDay;
        }
        if (body.object().contains("appealable")) {
          const auto& a = body.object().at("appealable");
          if (!a.is_bool()) {
            return InvalidArgument("appealable must be true or false", "invalid_type",
                                   "appealable");
          }
          in.appealable = a.as_bool();
        }
        HERALD_ASSIGN_OR_RETURN(auto out,
                                in.target.type == "group"
                                    ? s.groups->IssueSanction(who.Actor(), in, Meta(req))
                                    : s.accounts->IssueSanction(who.Actor(), in, Meta(req)));
        return JsonResponse(201, json::object{{"sanction", SanctionJson(out, s.clock->Now())}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/sanctions", auth::perm::kSanctionsRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(
            CheckQuery(req, {"target_type", "target_id", "target_name", "account_id", "subject_id",
                             "measure", "active", "limit", "before"}));
        sanctions::ListFilter f;
        HERALD_ASSIGN_OR_RETURN(auto ttype, QueryString(req, "target_type", 20));
        if (!ttype.empty()) {
          HERALD_ASSIGN_OR_RETURN(auto tid, QueryInt(req, "target_id", 1, INT64_MAX));
          HERALD_ASSIGN_OR_RETURN(auto tname, QueryString(req, "target_name", 200));
          f.target = sanctions::Target{ttype, tid.value_or(0), tname};
        }
        HERALD_ASSIGN_OR_RETURN(f.account_id, QueryInt(req, "account_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(f.subject_id, QueryInt(req, "subject_id", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(f.measure, QueryString(req, "measure", 30));
        HERALD_ASSIGN_OR_RETURN(f.active_only, QueryBool(req, "active"));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 1000));
        f.limit = static_cast<int>(limit.value_or(100));
        HERALD_ASSIGN_OR_RETURN(f.before_id, QueryInt(req, "before", 1, INT64_MAX));
        HERALD_ASSIGN_OR_RETURN(auto list, s.sanctions->List(f));
        const Micros now = s.clock->Now();
        json::array out;
        for (const auto& x : list) out.push_back(SanctionJson(x, now));
        json::object body{{"sanctions", std::move(out)}};
        body["next_cursor"] = static_cast<int>(list.size()) == f.limit ? json::value(list.back().id)
                                                                       : json::value(nullptr);
        return JsonResponse(200, body);
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/sanctions/{id}", auth::perm::kSanctionsRead,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto x, s.sanctions->Get(id));
        return JsonResponse(200, json::object{{"sanction", SanctionJson(x, s.clock->Now())}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/sanctions/{id}/lift", auth::perm::kSanctionsIssue,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"reason"}));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason", 1000));
        HERALD_ASSIGN_OR_RETURN(auto target, s.sanctions->Get(id));
        HERALD_ASSIGN_OR_RETURN(auto x,
                                target.target.type == "group"
                                    ? s.groups->LiftSanction(who.Actor(), id, reason, Meta(req))
                                    : s.accounts->LiftSanction(who.Actor(), id, reason, Meta(req)));
        return JsonResponse(200, json::object{{"sanction", SanctionJson(x, s.clock->Now())}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/me/sanctions", auth::perm::kSelfRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"limit"}));
        HERALD_ASSIGN_OR_RETURN(auto limit, QueryInt(req, "limit", 1, 500));
        HERALD_ASSIGN_OR_RETURN(
            auto list, s.accounts->SanctionsOf(who.user_id, static_cast<int>(limit.value_or(100))));
        const Micros now = s.clock->Now();
        json::array out;
        for (const auto& x : list) out.push_back(SanctionJson(x, now));
        HERALD_RETURN_IF_ERROR(AddAppealStatus(s, list, out));  // how and until when to appeal
        return JsonResponse(200, json::object{{"sanctions", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/reports/sanctions", auth::perm::kSanctionsRead,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"from", "to", "format"}));
        HERALD_ASSIGN_OR_RETURN(auto from, QueryTime(req, "from"));
        HERALD_ASSIGN_OR_RETURN(auto to, QueryTime(req, "to"));
        if (!from || !to || *to <= *from) {
          return InvalidArgument("give from and to (RFC 3339), from before to", "invalid_period",
                                 from ? "to" : "from");
        }
        HERALD_ASSIGN_OR_RETURN(auto format, QueryString(req, "format", 10));
        if (!format.empty() && format != "json" && format != "csv") {
          return InvalidArgument("format must be json or csv", "invalid_parameter", "format");
        }
        HERALD_ASSIGN_OR_RETURN(auto list, s.sanctions->IssuedBetween(*from, *to));
        HERALD_RETURN_IF_ERROR(Audit(s, who, req, "report.sanctions", "",
                                     JsonObjectWriter()
                                         .Add("from", FormatRfc3339(*from))
                                         .Add("to", FormatRfc3339(*to))
                                         .Add("count", static_cast<int64_t>(list.size()))
                                         .str()));
        const Micros now = s.clock->Now();
        if (format == "csv") {
          Response r = Response::Text(200, SanctionsCsv(list, now), "text/csv; charset=utf-8");
          r.headers.emplace_back("Content-Disposition",
                                 "attachment; filename=\"herald-sanctions.csv\"");
          return r;
        }
        return Response::Json(200, SanctionsReportJson(list, *from, *to, now));
      },
      s));

  // --- screening dictionaries (hot reload) ---
  router.Add(Secured(
      Method::kGet, "/api/v1/moderation/dictionaries", auth::perm::kDictionariesManage,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {}));
        return JsonResponse(200, ScreeningJson(s.screening->Info()));
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/moderation/dictionaries/{name}", auth::perm::kDictionariesManage,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto name, PathName(req));
        HERALD_ASSIGN_OR_RETURN(auto text, s.screening->Read(name));
        return Response::Text(200, std::move(text), "text/tab-separated-values; charset=utf-8");
      },
      s));
  router.Add(Secured(
      Method::kPut, "/api/v1/moderation/dictionaries/{name}", auth::perm::kDictionariesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        auto it = req.path_params.find("name");
        const std::string name = it == req.path_params.end() ? "" : it->second;
        HERALD_RETURN_IF_ERROR(s.screening->Put(name, req.body));
        auto info = s.screening->Info();
        HERALD_RETURN_IF_ERROR(Audit(s, who, req, "dictionary.put", "dictionary:" + name,
                                     JsonObjectWriter()
                                         .Add("bytes", static_cast<int64_t>(req.body.size()))
                                         .Add("version", static_cast<int64_t>(info.version))
                                         .str()));
        return JsonResponse(200, ScreeningJson(info));
      },
      s));
  router.Add(Secured(
      Method::kDelete, "/api/v1/moderation/dictionaries/{name}", auth::perm::kDictionariesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto name, PathName(req));
        HERALD_RETURN_IF_ERROR(s.screening->Remove(name));
        HERALD_RETURN_IF_ERROR(Audit(s, who, req, "dictionary.delete", "dictionary:" + name, "{}"));
        return Response::Json(204, "");
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/moderation/dictionaries/reload", auth::perm::kDictionariesManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_RETURN_IF_ERROR(s.screening->Reload());
        auto info = s.screening->Info();
        HERALD_RETURN_IF_ERROR(
            Audit(s, who, req, "dictionary.reload", "",
                  JsonObjectWriter().Add("version", static_cast<int64_t>(info.version)).str()));
        return JsonResponse(200, ScreeningJson(info));
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/moderation/screen", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"text"}));
        HERALD_ASSIGN_OR_RETURN(auto text, body.RequiredString("text", 100000));
        HERALD_ASSIGN_OR_RETURN(auto r, s.screening->Screen(text));
        json::array matches;
        for (const auto& m : r.matches) {
          matches.push_back(json::object{{"term", m.term},
                                         {"category", m.category},
                                         {"action", moderation::ActionName(m.action)},
                                         {"start", static_cast<int64_t>(m.start)},
                                         {"end", static_cast<int64_t>(m.end)}});
        }
        return JsonResponse(200, json::object{{"verdict", moderation::ActionName(r.verdict)},
                                              {"matches", std::move(matches)},
                                              {"masked", moderation::Mask(text, r.matches)}});
      },
      s));

  // --- emergency controls (PA-6.1) ---
  router.Add(Secured(
      Method::kPost, "/api/v1/emergency/terms", auth::perm::kEmergencyManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req, {"terms"}));
        HERALD_ASSIGN_OR_RETURN(auto arr, body.RequiredArray("terms", 500));
        if (arr->empty()) return InvalidArgument("give at least one term", "too_short", "terms");
        std::vector<std::string> lines;
        std::string list;
        for (size_t i = 0; i < arr->size(); ++i) {
          const std::string field = "terms[" + std::to_string(i) + "]";
          HERALD_ASSIGN_OR_RETURN(
              auto t, JsonBody::FromValue((*arr)[i], {"term", "category", "action"}, field));
          HERALD_ASSIGN_OR_RETURN(auto term, t.RequiredString("term", 64));
          HERALD_ASSIGN_OR_RETURN(auto category, t.OptionalString("category", 40));
          HERALD_ASSIGN_OR_RETURN(auto action, t.OptionalString("action", 10));
          if (term.find('\t') != std::string::npos) {
            return InvalidArgument("a term cannot contain a tab", "invalid_terms", field);
          }
          lines.push_back(term + "\t" + category.value_or("emergency") + "\t" +
                          action.value_or("block"));
          if (!list.empty()) list += ", ";
          list += term;
        }
        HERALD_RETURN_IF_ERROR(s.screening->AppendTerms("emergency", lines));
        auto info = s.screening->Info();
        HERALD_RETURN_IF_ERROR(Audit(s, who, req, "emergency.terms", "dictionary:emergency",
                                     JsonObjectWriter()
                                         .Add("terms", list)
                                         .Add("version", static_cast<int64_t>(info.version))
                                         .str()));
        return JsonResponse(200, ScreeningJson(info));
      },
      s));
  router.Add(Secured(
      Method::kGet, "/api/v1/emergency/freezes", auth::perm::kAccountsReview,
      [&s](Request& req, const Principal&) -> Result<Response> {
        HERALD_RETURN_IF_ERROR(CheckQuery(req, {"active"}));
        HERALD_ASSIGN_OR_RETURN(bool active, QueryBool(req, "active"));
        HERALD_ASSIGN_OR_RETURN(auto list, s.sanctions->ListFreezes(active));
        const Micros now = s.clock->Now();
        json::array out;
        for (const auto& f : list) out.push_back(FreezeJson(f, now));
        return JsonResponse(200, json::object{{"freezes", std::move(out)}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/emergency/freezes", auth::perm::kEmergencyManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(auto body,
                                JsonBody::Parse(req, {"scope", "category", "reason", "ends_at"}));
        HERALD_ASSIGN_OR_RETURN(auto scope, body.RequiredString("scope", 20));
        HERALD_ASSIGN_OR_RETURN(auto category, body.OptionalString("category", 40));
        HERALD_ASSIGN_OR_RETURN(auto reason, body.RequiredString("reason", 1000));
        HERALD_ASSIGN_OR_RETURN(auto ends, BodyTime(body, "ends_at"));
        HERALD_ASSIGN_OR_RETURN(auto f,
                                s.sanctions->StartFreeze(scope, category.value_or(""), reason, ends,
                                                         {who.Actor(), req.request_id}));
        return JsonResponse(201, json::object{{"freeze", FreezeJson(f, s.clock->Now())}});
      },
      s));
  router.Add(Secured(
      Method::kPost, "/api/v1/emergency/freezes/{id}/lift", auth::perm::kEmergencyManage,
      [&s](Request& req, const Principal& who) -> Result<Response> {
        HERALD_ASSIGN_OR_RETURN(int64_t id, PathId(req, "id"));
        HERALD_RETURN_IF_ERROR(JsonBody::Parse(req, {}, /*allow_empty=*/true).status());
        HERALD_ASSIGN_OR_RETURN(auto f, s.sanctions->LiftFreeze(id, {who.Actor(), req.request_id}));
        return JsonResponse(200, json::object{{"freeze", FreezeJson(f, s.clock->Now())}});
      },
      s));
}

}  // namespace herald::api::internal
