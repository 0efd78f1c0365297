#include "api/report.h"

#include <boost/json.hpp>

#include "api/routes.h"

namespace herald::api {

namespace json = boost::json;

namespace {

json::value OptTime(const std::optional<Micros>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}
json::value OptId(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::string CsvField(std::string_view v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string TargetText(const sanctions::Target& t) {
  return t.type == "name" ? t.name : std::to_string(t.id);
}

}  // namespace

}  // namespace herald::api

namespace herald::api::internal {

namespace json = boost::json;

json::object SanctionJson(const sanctions::Sanction& s, Micros now) {
  json::array evidence;
  for (const auto& e : s.evidence) evidence.push_back(json::value(e));
  return json::object{{"id", s.id},
                      {"target_type", s.target.type},
                      {"target", TargetText(s.target)},
                      {"measure", s.measure},
                      {"function", s.function},
                      {"reason_code", s.reason_code},
                      {"note", s.note},
                      {"evidence", std::move(evidence)},
                      {"starts_at", FormatRfc3339(s.starts_at)},
                      {"ends_at", OptTime(s.ends_at)},
                      {"permanent", !s.ends_at.has_value()},
                      {"appealable", s.appealable},
                      {"issued_by", s.issued_by},
                      {"issued_at", FormatRfc3339(s.issued_at)},
                      {"status", s.StatusAt(now)},
                      {"account_id", OptId(s.account_id)},
                      {"subject_id", OptId(s.subject_id)},
                      {"party_user_id", OptId(s.party_user_id)},
                      {"lifted_at", OptTime(s.lifted_at)},
                      {"lifted_by", s.lifted_by},
                      {"lift_reason", s.lift_reason}};
}

}  // namespace herald::api::internal

namespace herald::api {

std::string SanctionsReportJson(const std::vector<sanctions::Sanction>& list, Micros from,
                                Micros to, Micros now) {
  json::array out;
  for (const auto& s : list) out.push_back(internal::SanctionJson(s, now));
  return json::serialize(json::object{{"report", "sanctions"},
                                      {"from", FormatRfc3339(from)},
                                      {"to", FormatRfc3339(to)},
                                      {"generated_at", FormatRfc3339(now)},
                                      {"count", static_cast<int64_t>(list.size())},
                                      {"sanctions", std::move(out)}});
}

std::string SanctionsCsv(const std::vector<sanctions::Sanction>& list, Micros now) {
  std::string out =
      "id,issued_at,target_type,target,measure,function,reason_code,note,evidence,starts_at,"
      "ends_at,appealable,issued_by,status,account_id,subject_id,lifted_at,lifted_by,"
      "lift_reason\r\n";
  auto opt = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; };
  for (const auto& s : list) {
    std::string evidence;
    for (const auto& e : s.evidence) evidence += (evidence.empty() ? "" : " ") + e;
    const std::vector<std::string> cols = {std::to_string(s.id),
                                           FormatRfc3339(s.issued_at),
                                           s.target.type,
                                           TargetText(s.target),
                                           s.measure,
                                           s.function,
                                           s.reason_code,
                                           s.note,
                                           evidence,
                                           FormatRfc3339(s.starts_at),
                                           s.ends_at ? FormatRfc3339(*s.ends_at) : "",
                                           s.appealable ? "true" : "false",
                                           s.issued_by,
                                           s.StatusAt(now),
                                           opt(s.account_id),
                                           opt(s.subject_id),
                                           s.lifted_at ? FormatRfc3339(*s.lifted_at) : "",
                                           s.lifted_by,
                                           s.lift_reason};
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ',';
      out += CsvField(cols[i]);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace herald::api
