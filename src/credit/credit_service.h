// CreditService: the operator credit system per subject (主体) and the grade per account (issue
// 6: PA-13.1, PA-7.2, GR-7.2). docs/credit.md describes the model, the formula and the API; the
// rules are credit_rules.h.
//
//  - Score and ledger: a subject's score starts at Rules::start. Every change is one row of the
//    ledger (subject, delta, score after, kind, reason code, cause, rules version, time):
//      violation      a sanction was issued (cause "sanction:<id>"), deducting per the rules;
//      overturned     that sanction was lifted as overturned (same cause), reversing it;
//      recovery       clean time (cause "recovery");
//      qualification  the bonus of an approved, unexpired qualification (cause
//                     "qualification:<id>"), and its withdrawal when it stops being valid;
//      adjustment     staff (cause "adjustment"), audited "credit.adjust";
//      other kinds    other modules through Apply (e.g. rumours: cause "rumour:<id>").
//    A subject without a row has the start score. Scores are clamped to
//    [Rules::minimum, Rules::Maximum()]; a row records the delta actually applied.
//  - Deductions come through sanctions::SanctionService's hooks (registered by the
//    constructor), in the issuing transaction: a sanction against an account deducts from its
//    subject, one against a subject from it, one against a user from each subject the user
//    owns. Groups and names deduct nothing. Lifting as overturned reverses the deduction in the
//    lifting transaction; a plain lift and expiry restore nothing.
//  - Grades: per account, from the subject's credit, upheld sanctions on the account, the
//    originality ratio, followers and recent reads (credit_rules.h has the formula). Stored with
//    their components; recomputed for the accounts concerned by every credit change (same
//    transaction) and for all accounts by RunJobs(grades = true), in batches.
//  - What a level allows is asked by other modules through providers the composition root
//    injects: CheckPublish (content), CheckGroupService (groups), AccountCap (accounts),
//    LevelOfSubject (comments). They refuse with FailedPrecondition "credit_limited" and a
//    message naming the level and the limit.
//
// Errors (stable reasons): NotFound subject_not_found, account_not_found; InvalidArgument
// invalid_delta (field delta), invalid_reason (field reason); FailedPrecondition
// credit_limited. Storage errors pass through.
// Thread-safe after construction; all state is in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/status.h"
#include "credit/credit_rules.h"
#include "sanctions/sanction_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::credit {

struct LedgerEntry {
  int64_t id = 0;
  int64_t subject_id = 0;
  int64_t delta = 0;
  int64_t score_after = 0;
  std::string kind;         // violation, overturned, recovery, qualification, adjustment, ...
  std::string reason_code;  // the sanction's reason code, "clean_period", "manual", ...
  std::string cause;        // "sanction:12", "rumour:3", "qualification:5", "recovery", ...
  std::string note;
  std::string actor;
  int64_t rules_version = 0;
  Micros at = 0;
};

struct SubjectCredit {
  int64_t subject_id = 0;
  int64_t score = 0;
  LevelRule level;
  std::vector<LedgerEntry> history;  // newest first
};

struct GradeComponents {
  int64_t credit_score = 0;
  std::string credit_level;
  int64_t violations = 0;  // upheld sanctions on the account within Rules::violation_days
  int64_t original_articles = 0, published_articles = 0;
  int64_t followers = 0;
  int64_t reads = 0;  // within Rules::read_days
  int64_t credit_points = 0, quality_points = 0, originality_points = 0, follower_points = 0,
          read_points = 0;
  int64_t points = 0;
};

struct Grade {
  int64_t account_id = 0;
  GradeRule rule;  // grade, labels, publish_percent, recommendable
  GradeComponents components;
  int64_t rules_version = 0;
  Micros computed_at = 0;
  bool stored = false;  // false: computed now, not yet stored (a new account)
};

struct Actor {
  std::string actor;       // "user:<id>", "cli", "system"
  std::string request_id;  // "" outside a request
};

struct JobReport {
  int recovered = 0;          // subjects given recovery points
  int bonuses_granted = 0;    // qualification bonuses added
  int bonuses_withdrawn = 0;  // qualification bonuses taken back
  int grades_computed = 0;
};

class CreditService {
 public:
  // Registers the OnIssued / OnLifted hooks with `sanctions` (construct before serving).
  CreditService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                sanctions::SanctionService& sanctions, Rules rules);

  const Rules& rules() const { return rules_; }

  // The current score (the start score without a row). Never fails for unknown subjects.
  Result<int64_t> Score(storage::Transaction& tx, int64_t subject_id) const;
  // The level of a subject, in its own read transaction.
  Result<LevelRule> LevelOfSubject(int64_t subject_id) const;
  // A subject's score, level and the newest `history_limit` (1..500) ledger rows. NotFound
  // subject_not_found.
  Result<SubjectCredit> Credit(int64_t subject_id, int history_limit) const;
  // The same for every subject `user_id` owns, oldest subject first.
  Result<std::vector<SubjectCredit>> CreditOfUser(int64_t user_id, int history_limit) const;

  // Adds `delta` to the subject's score in `tx` (clamped), writes the ledger row and
  // recomputes the grades of the subject's accounts. For other modules (e.g. rumours) and the
  // hooks; callers audit their own action.
  Result<LedgerEntry> Apply(storage::Transaction& tx, int64_t subject_id, int64_t delta,
                            std::string_view kind, std::string_view reason_code,
                            std::string_view cause, std::string_view note, std::string_view actor);
  // Staff adjustment: delta in -100..100 and not 0 (invalid_delta), reason 1..500 characters
  // (invalid_reason). NotFound subject_not_found. Audited "credit.adjust".
  Result<LedgerEntry> Adjust(int64_t subject_id, int64_t delta, std::string_view reason,
                             const Actor& who);

  // --- what the level allows (providers for other modules; called inside their transaction)
  // Publishing on `account_id` of `subject_id`: FailedPrecondition credit_limited when the
  // level forbids advertising and `advertising`, or when the account already has its allowance
  // of articles in the last 24 hours (the level's articles_per_day times the grade's
  // publish_percent, at least 1).
  Status CheckPublish(storage::Transaction& tx, int64_t account_id, int64_t subject_id,
                      bool advertising) const;
  // Group services of a user, decided by the worst level among the user's subjects:
  // "create_group" (groups_created) or "join_group" (groups_joined). credit_limited.
  Status CheckGroupService(storage::Transaction& tx, int64_t user_id,
                           std::string_view service) const;
  // The number of accounts `subject_id` may hold: the level's account_cap, or `platform_cap`
  // when the level sets none (-1) or a larger one.
  Result<int> AccountCap(storage::Transaction& tx, int64_t subject_id, int platform_cap) const;

  // --- grades
  // The stored grade, or one computed now (not stored) when none is. NotFound
  // account_not_found.
  Result<Grade> GradeOf(int64_t account_id) const;
  Result<Grade> GradeOf(storage::Transaction& tx, int64_t account_id) const;
  // Computes and stores the grade of one account in `tx`.
  Result<Grade> RecomputeGrade(storage::Transaction& tx, int64_t account_id);

  // Recovery for clean time and qualification bonuses (idempotent: running again at the same
  // time changes nothing), and when `grades` all grades, 200 accounts per transaction.
  Result<JobReport> RunJobs(bool grades);

  static std::vector<storage::Migration> Migrations();

 private:
  Result<Grade> Compute(storage::Transaction& tx, int64_t account_id) const;
  Result<std::vector<int64_t>> SubjectsBehind(storage::Transaction& tx,
                                              const sanctions::Sanction& s) const;
  Status OnIssued(storage::Transaction& tx, const sanctions::Sanction& s);
  Status OnLifted(storage::Transaction& tx, const sanctions::Sanction& s, bool overturned);
  Status RecomputeSubject(storage::Transaction& tx, int64_t subject_id);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Rules rules_;
};

}  // namespace herald::credit
