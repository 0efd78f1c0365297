#include "credit/credit_rules.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace herald::credit {

namespace {

constexpr std::string_view kDefault =
    R"TOML(# Herald credit and grade rules (PA-13.1, PA-7.2, GR-7.2); see docs/credit.md.
version = 1
start = 100
minimum = 0

[deductions]          # points per upheld violation, by severity
none = 0
minor = 5
moderate = 15
severe = 40

[severity]            # sanction measure -> severity
warning = "minor"
restrict = "moderate"
suspend_updates = "moderate"
stop_advertising = "moderate"
close_account = "severe"
close_group = "severe"
blacklist = "severe"
ban_name = "none"

[reason_minimum]      # reason code -> the least severity a sanction for it has
rumour = "moderate"
illegal_content = "moderate"
paid_posting = "severe"
account_trading = "severe"

[exempt]              # reason codes recorded as sanctions that are not violations
reasons = ["inactivity", "qualification_invalid"]

[recovery]            # clean time without a violation gives points back, never above start
points = 2
every_days = 30

[qualification_bonus] # per approved, unexpired qualification of the subject's accounts
points = 5
maximum = 10

[[levels]]
level = "A"
minimum = 90
label_zh = "信用优良"
label_en = "Excellent"
articles_per_day = 50
advertising = true
account_cap = -1
groups_created = -1
groups_joined = -1
comments = "good"

[[levels]]
level = "B"
minimum = 75
label_zh = "信用良好"
label_en = "Good"
articles_per_day = 20
advertising = true
account_cap = -1
groups_created = 5
groups_joined = -1
comments = "good"

[[levels]]
level = "C"
minimum = 60
label_zh = "信用一般"
label_en = "Fair"
articles_per_day = 5
advertising = true
account_cap = 1
groups_created = 1
groups_joined = 20
comments = "fair"

[[levels]]
level = "D"
minimum = 0
label_zh = "信用较差"
label_en = "Poor"
articles_per_day = 1
advertising = false
account_cap = 0
groups_created = 0
groups_joined = 5
comments = "poor"

[grade]
credit_weight = 40
quality_weight = 30
per_violation = 10
violation_days = 180
originality_weight = 15
read_days = 30
follower_steps = [[1, 2], [10, 4], [100, 6], [1000, 8], [10000, 10]]
read_steps = [[1, 1], [10, 2], [100, 3], [1000, 4], [10000, 5]]

[[grade.levels]]
grade = "A"
minimum = 80
label_zh = "一级"
label_en = "Grade A"
publish_percent = 150
recommendable = true

[[grade.levels]]
grade = "B"
minimum = 60
label_zh = "二级"
label_en = "Grade B"
publish_percent = 100
recommendable = true

[[grade.levels]]
grade = "C"
minimum = 40
label_zh = "三级"
label_en = "Grade C"
publish_percent = 50
recommendable = true

[[grade.levels]]
grade = "D"
minimum = 0
label_zh = "四级"
label_en = "Grade D"
publish_percent = 25
recommendable = false
)TOML";

Status Bad(const std::string& key, const std::string& why) {
  return InvalidArgument("credit rules " + key + ": " + why, "invalid_credit_rules", key);
}

Result<int64_t> Int(const toml::table& t, const std::string& prefix, const std::string& key,
                    int64_t lo, int64_t hi) {
  auto v = t[key].value<int64_t>();
  const std::string full = prefix.empty() ? key : prefix + "." + key;
  if (!v) return Bad(full, "expected an integer");
  if (*v < lo || *v > hi) {
    return Bad(full, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return *v;
}

Result<std::string> Str(const toml::table& t, const std::string& prefix, const std::string& key) {
  auto v = t[key].value<std::string>();
  const std::string full = prefix.empty() ? key : prefix + "." + key;
  if (!v || v->empty()) return Bad(full, "expected a non-empty string");
  return *v;
}

Result<bool> Bool(const toml::table& t, const std::string& prefix, const std::string& key) {
  auto v = t[key].value<bool>();
  if (!v) return Bad(prefix + "." + key, "expected true or false");
  return *v;
}

const toml::table* Table(const toml::table& t, const std::string& key) { return t[key].as_table(); }

Result<std::vector<Step>> Steps(const toml::table& t, const std::string& key) {
  const toml::array* a = t[key].as_array();
  if (!a) return Bad("grade." + key, "expected an array of [threshold, points]");
  std::vector<Step> out;
  for (const auto& n : *a) {
    const toml::array* pair = n.as_array();
    if (!pair || pair->size() != 2) return Bad("grade." + key, "expected [threshold, points]");
    auto at = (*pair)[0].value<int64_t>();
    auto pts = (*pair)[1].value<int64_t>();
    if (!at || !pts || *at < 0 || *pts < 0 || *pts > 100) {
      return Bad("grade." + key, "thresholds and points must be non-negative integers");
    }
    if (!out.empty() && *at <= out.back().at_least) {
      return Bad("grade." + key, "thresholds must ascend");
    }
    out.push_back({*at, *pts});
  }
  return out;
}

}  // namespace

std::string_view DefaultRulesToml() { return kDefault; }

const LevelRule& Rules::LevelFor(int64_t score) const {
  for (const auto& l : levels) {
    if (score >= l.minimum) return l;
  }
  return levels.back();
}

const GradeRule& Rules::GradeFor(int64_t points) const {
  for (const auto& g : grades) {
    if (points >= g.minimum) return g;
  }
  return grades.back();
}

const GradeRule* Rules::FindGrade(std::string_view grade) const {
  for (const auto& g : grades) {
    if (g.grade == grade) return &g;
  }
  return nullptr;
}

std::string Rules::SeverityOf(std::string_view measure, std::string_view reason_code) const {
  if (std::find(exempt.begin(), exempt.end(), reason_code) != exempt.end()) return "none";
  auto it = severity.find(std::string(measure));
  std::string sev = it == severity.end() ? "none" : it->second;
  auto floor = reason_floor.find(std::string(reason_code));
  if (floor != reason_floor.end()) {
    auto points = [&](const std::string& s) {
      auto d = deductions.find(s);
      return d == deductions.end() ? 0 : d->second;
    };
    if (points(floor->second) > points(sev)) sev = floor->second;
  }
  return sev;
}

int64_t Rules::DeductionFor(std::string_view measure, std::string_view reason_code) const {
  auto d = deductions.find(SeverityOf(measure, reason_code));
  return d == deductions.end() ? 0 : d->second;
}

Result<Rules> ParseRules(std::string_view text) {
  toml::table t;
  try {
    t = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return Bad("", std::string("does not parse: ") + std::string(e.description()));
  }
  Rules r;
  HERALD_ASSIGN_OR_RETURN(r.version, Int(t, "", "version", 1, 1'000'000));
  HERALD_ASSIGN_OR_RETURN(r.start, Int(t, "", "start", 1, 10'000));
  HERALD_ASSIGN_OR_RETURN(r.minimum, Int(t, "", "minimum", 0, r.start));

  const toml::table* d = Table(t, "deductions");
  if (!d) return Bad("deductions", "missing section");
  for (const auto& [k, v] : *d) {
    auto n = v.value<int64_t>();
    if (!n || *n < 0 || *n > r.start) {
      return Bad("deductions." + std::string(k.str()), "must be between 0 and start");
    }
    r.deductions[std::string(k.str())] = *n;
  }
  auto severity_of = [&](const char* section, std::map<std::string, std::string>* out) -> Status {
    const toml::table* s = Table(t, section);
    if (!s) return Bad(section, "missing section");
    for (const auto& [k, v] : *s) {
      auto name = v.value<std::string>();
      const std::string key = std::string(section) + "." + std::string(k.str());
      if (!name || !r.deductions.count(*name)) return Bad(key, "must name a [deductions] severity");
      (*out)[std::string(k.str())] = *name;
    }
    return Status();
  };
  HERALD_RETURN_IF_ERROR(severity_of("severity", &r.severity));
  HERALD_RETURN_IF_ERROR(severity_of("reason_minimum", &r.reason_floor));
  if (!r.deductions.count("none") || r.deductions["none"] != 0) {
    return Bad("deductions.none", "must be 0");
  }
  if (const toml::table* ex = Table(t, "exempt")) {
    const toml::array* a = (*ex)["reasons"].as_array();
    if (!a) return Bad("exempt.reasons", "expected an array of reason codes");
    for (const auto& n : *a) {
      auto code = n.value<std::string>();
      if (!code) return Bad("exempt.reasons", "expected strings");
      r.exempt.push_back(*code);
    }
  }

  const toml::table* rec = Table(t, "recovery");
  if (!rec) return Bad("recovery", "missing section");
  HERALD_ASSIGN_OR_RETURN(r.recovery_points, Int(*rec, "recovery", "points", 0, r.start));
  HERALD_ASSIGN_OR_RETURN(r.recovery_every_days, Int(*rec, "recovery", "every_days", 1, 3650));
  const toml::table* bonus = Table(t, "qualification_bonus");
  if (!bonus) return Bad("qualification_bonus", "missing section");
  HERALD_ASSIGN_OR_RETURN(r.bonus_points, Int(*bonus, "qualification_bonus", "points", 0, r.start));
  HERALD_ASSIGN_OR_RETURN(r.bonus_maximum,
                          Int(*bonus, "qualification_bonus", "maximum", 0, r.start));

  const toml::array* levels = t["levels"].as_array();
  if (!levels || levels->empty()) return Bad("levels", "expected [[levels]] tables");
  for (const auto& n : *levels) {
    const toml::table* l = n.as_table();
    if (!l) return Bad("levels", "expected [[levels]] tables");
    LevelRule x;
    HERALD_ASSIGN_OR_RETURN(x.level, Str(*l, "levels", "level"));
    const std::string p = "levels." + x.level;
    HERALD_ASSIGN_OR_RETURN(x.minimum, Int(*l, p, "minimum", 0, r.start));
    HERALD_ASSIGN_OR_RETURN(x.label_zh, Str(*l, p, "label_zh"));
    HERALD_ASSIGN_OR_RETURN(x.label_en, Str(*l, p, "label_en"));
    HERALD_ASSIGN_OR_RETURN(x.articles_per_day, Int(*l, p, "articles_per_day", -1, 1'000'000));
    HERALD_ASSIGN_OR_RETURN(x.advertising, Bool(*l, p, "advertising"));
    HERALD_ASSIGN_OR_RETURN(x.account_cap, Int(*l, p, "account_cap", -1, 1000));
    HERALD_ASSIGN_OR_RETURN(x.groups_created, Int(*l, p, "groups_created", -1, 100'000));
    HERALD_ASSIGN_OR_RETURN(x.groups_joined, Int(*l, p, "groups_joined", -1, 100'000));
    HERALD_ASSIGN_OR_RETURN(x.comments, Str(*l, p, "comments"));
    if (x.comments != "good" && x.comments != "fair" && x.comments != "poor") {
      return Bad(p + ".comments", "must be good, fair or poor");
    }
    if (!r.levels.empty() && x.minimum >= r.levels.back().minimum) {
      return Bad(p + ".minimum", "levels must be listed from the highest minimum down");
    }
    r.levels.push_back(std::move(x));
  }
  if (r.levels.back().minimum != 0) return Bad("levels", "the last level must have minimum 0");

  const toml::table* g = Table(t, "grade");
  if (!g) return Bad("grade", "missing section");
  HERALD_ASSIGN_OR_RETURN(r.credit_weight, Int(*g, "grade", "credit_weight", 0, 100));
  HERALD_ASSIGN_OR_RETURN(r.quality_weight, Int(*g, "grade", "quality_weight", 0, 100));
  HERALD_ASSIGN_OR_RETURN(r.per_violation, Int(*g, "grade", "per_violation", 0, 100));
  HERALD_ASSIGN_OR_RETURN(r.violation_days, Int(*g, "grade", "violation_days", 1, 3650));
  HERALD_ASSIGN_OR_RETURN(r.originality_weight, Int(*g, "grade", "originality_weight", 0, 100));
  HERALD_ASSIGN_OR_RETURN(r.read_days, Int(*g, "grade", "read_days", 1, 3650));
  HERALD_ASSIGN_OR_RETURN(r.follower_steps, Steps(*g, "follower_steps"));
  HERALD_ASSIGN_OR_RETURN(r.read_steps, Steps(*g, "read_steps"));
  const toml::array* grades = (*g)["levels"].as_array();
  if (!grades || grades->empty()) return Bad("grade.levels", "expected [[grade.levels]] tables");
  for (const auto& n : *grades) {
    const toml::table* l = n.as_table();
    if (!l) return Bad("grade.levels", "expected [[grade.levels]] tables");
    GradeRule x;
    HERALD_ASSIGN_OR_RETURN(x.grade, Str(*l, "grade.levels", "grade"));
    const std::string p = "grade.levels." + x.grade;
    HERALD_ASSIGN_OR_RETURN(x.minimum, Int(*l, p, "minimum", 0, 100));
    HERALD_ASSIGN_OR_RETURN(x.label_zh, Str(*l, p, "label_zh"));
    HERALD_ASSIGN_OR_RETURN(x.label_en, Str(*l, p, "label_en"));
    HERALD_ASSIGN_OR_RETURN(x.publish_percent, Int(*l, p, "publish_percent", 0, 10'000));
    HERALD_ASSIGN_OR_RETURN(x.recommendable, Bool(*l, p, "recommendable"));
    if (!r.grades.empty() && x.minimum >= r.grades.back().minimum) {
      return Bad(p + ".minimum", "grades must be listed from the highest minimum down");
    }
    r.grades.push_back(std::move(x));
  }
  if (r.grades.back().minimum != 0)
    return Bad("grade.levels", "the last grade must have minimum 0");
  return r;
}

Result<Rules> LoadRules(const std::string& path) {
  if (path.empty()) return ParseRules(DefaultRulesToml());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad("rules_file", "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseRules(ss.str());
}

}  // namespace herald::credit
