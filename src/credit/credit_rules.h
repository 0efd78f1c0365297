// Credit and grade rules (issue 6: PA-13.1, PA-7.2, GR-7.2): one versioned TOML document.
//
// The embedded default (DefaultRulesToml(), also in docs/credit.md) is replaced as a whole by
// the file named in the main config's `[credit] rules_file`. Every ledger row and stored grade
// records the `version` of the rules it was computed under; GET /api/v1/policies/credit
// publishes the rules in force. A file that does not parse, misses a section, or breaks a
// range fails start-up (InvalidArgument invalid_credit_rules naming the key).
//
// Credit (per subject, 主体): starts at `start`; each upheld violation (a sanction) deducts
// `deductions.<severity>` points, where the severity comes from the sanction's measure
// (`severity.<measure>`) raised to `reason_minimum.<reason_code>` when that is higher (reason
// codes in `exempt.reasons`, e.g. inactivity, are not violations and deduct nothing); a clean
// period of `recovery.every_days` without a violation gives back `recovery.points`, never above
// `start`; every approved, unexpired qualification of the subject's accounts adds
// `qualification_bonus.points` (at most `qualification_bonus.maximum` in all). Scores stay in
// [`minimum`, `start` + `qualification_bonus.maximum`]. The level is the first of `levels`
// (ordered by `minimum`, highest first) whose minimum the score reaches; each level says what
// the subject's accounts and owner may do.
//
// Grade (per account, 分级): points out of 100 from
//   credit       score * grade.credit_weight / start           (at most credit_weight)
//   quality      grade.quality_weight - grade.per_violation * upheld account sanctions in
//                the last grade.violation_days days (not below 0)
//   originality  grade.originality_weight * original / published articles (0 without any)
//   followers    the points of the highest grade.follower_steps threshold reached
//   reads        the points of the highest grade.read_steps threshold reached (reads in the
//                last grade.read_days days)
// and the grade is the first of grade.levels whose minimum the points reach.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace herald::credit {

// What a credit level allows. -1 means "no credit limit" (the platform's own limits apply).
struct LevelRule {
  std::string level;  // "A", "B", "C", "D"
  int64_t minimum = 0;
  std::string label_zh, label_en;
  int64_t articles_per_day = -1;  // per account, before the grade's multiplier
  bool advertising = true;        // may publish ad-marked articles
  int64_t account_cap = -1;       // accounts per subject; -1: the platform's cap
  int64_t groups_created = -1;    // groups the owner may have created (active or in review)
  int64_t groups_joined = -1;     // groups the owner may be a member of
  std::string comments;           // comment-management standing: good, fair, poor
};

struct GradeRule {
  std::string grade;  // "A".."D"
  int64_t minimum = 0;
  std::string label_zh, label_en;
  int64_t publish_percent = 100;  // multiplier on the level's articles_per_day, in percent
  bool recommendable = true;      // may be recommended (feeds, lists)
};

struct Step {
  int64_t at_least = 0;
  int64_t points = 0;
};

struct Rules {
  int64_t version = 0;
  int64_t start = 100, minimum = 0;
  std::map<std::string, int64_t> deductions;        // severity -> points ("none" is 0)
  std::map<std::string, std::string> severity;      // measure -> severity
  std::map<std::string, std::string> reason_floor;  // reason code -> minimum severity
  std::vector<std::string> exempt;                  // reason codes that deduct nothing
  int64_t recovery_points = 0, recovery_every_days = 30;
  int64_t bonus_points = 0, bonus_maximum = 0;
  std::vector<LevelRule> levels;  // highest minimum first; the last has minimum 0
  // Grade formula.
  int64_t credit_weight = 40, quality_weight = 30, per_violation = 10, violation_days = 180,
          originality_weight = 15, read_days = 30;
  std::vector<Step> follower_steps, read_steps;  // ascending thresholds
  std::vector<GradeRule> grades;                 // highest minimum first; the last has minimum 0

  int64_t Maximum() const { return start + bonus_maximum; }
  const LevelRule& LevelFor(int64_t score) const;
  const GradeRule& GradeFor(int64_t points) const;
  const GradeRule* FindGrade(std::string_view grade) const;
  // The severity of a sanction with `measure` and `reason_code`, and its deduction in points.
  std::string SeverityOf(std::string_view measure, std::string_view reason_code) const;
  int64_t DeductionFor(std::string_view measure, std::string_view reason_code) const;
};

// The embedded default rules (version 1).
std::string_view DefaultRulesToml();
// Parses and checks a rules document. InvalidArgument invalid_credit_rules (field: the key).
Result<Rules> ParseRules(std::string_view toml_text);
// DefaultRulesToml() when `path` is empty, else the file. InvalidArgument as ParseRules, or
// invalid_credit_rules when the file cannot be read.
Result<Rules> LoadRules(const std::string& path);

}  // namespace herald::credit
