#include "credit/credit_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::credit {

using storage::Row;
using storage::Transaction;
using storage::TxMode;

namespace {

constexpr int kGradeBatch = 200;

std::string Str(int64_t v) { return std::to_string(v); }

int64_t Clamp(int64_t v, int64_t lo, int64_t hi) { return std::max(lo, std::min(hi, v)); }

int64_t StepPoints(const std::vector<Step>& steps, int64_t value) {
  int64_t points = 0;
  for (const auto& s : steps) {
    if (value >= s.at_least) points = s.points;
  }
  return points;
}

constexpr std::string_view kLedgerColumns =
    "id, subject_id, delta, score_after, kind, reason_code, cause, note, actor, rules_version, "
    "created_at";

LedgerEntry LedgerFromRow(const Row& r) {
  LedgerEntry e;
  e.id = r.Int(0);
  e.subject_id = r.Int(1);
  e.delta = r.Int(2);
  e.score_after = r.Int(3);
  e.kind = r.Text(4);
  e.reason_code = r.Text(5);
  e.cause = r.Text(6);
  e.note = r.Text(7);
  e.actor = r.Text(8);
  e.rules_version = r.Int(9);
  e.at = r.Int(10);
  return e;
}

std::string LevelText(const LevelRule& l) {
  return l.level + "（" + l.label_zh + " / " + l.label_en + "）";
}

Status Limited(std::string message) {
  return FailedPrecondition(std::move(message), "credit_limited");
}

}  // namespace

CreditService::CreditService(storage::Database& db, const audit::AuditLog& audit,
                             const Clock& clock, sanctions::SanctionService& sanctions, Rules rules)
    : db_(db), audit_(audit), clock_(clock), rules_(std::move(rules)) {
  sanctions.OnIssued(
      [this](Transaction& tx, const sanctions::Sanction& s) { return OnIssued(tx, s); });
  sanctions.OnLifted([this](Transaction& tx, const sanctions::Sanction& s, bool overturned) {
    return OnLifted(tx, s, overturned);
  });
}

Result<int64_t> CreditService::Score(Transaction& tx, int64_t subject_id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT score FROM credit_scores WHERE subject_id = ?", {subject_id}));
  return rows.empty() ? rules_.start : rows.rows[0].Int(0);
}

Result<LevelRule> CreditService::LevelOfSubject(int64_t subject_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(int64_t score, Score(*tx, subject_id));
  return rules_.LevelFor(score);
}

Result<SubjectCredit> CreditService::Credit(int64_t subject_id, int history_limit) const {
  history_limit = std::clamp(history_limit, 1, 500);
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto exists,
                          tx->Query("SELECT id FROM subjects WHERE id = ?", {subject_id}));
  if (exists.empty()) return NotFound("no such subject", "subject_not_found");
  SubjectCredit out;
  out.subject_id = subject_id;
  HERALD_ASSIGN_OR_RETURN(out.score, Score(*tx, subject_id));
  out.level = rules_.LevelFor(out.score);
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT " + std::string(kLedgerColumns) +
                               " FROM credit_ledger WHERE subject_id = ? ORDER BY id DESC LIMIT ?",
                           {subject_id, int64_t{history_limit}}));
  for (const auto& r : rows.rows) out.history.push_back(LedgerFromRow(r));
  return out;
}

Result<std::vector<SubjectCredit>> CreditService::CreditOfUser(int64_t user_id,
                                                               int history_limit) const {
  std::vector<int64_t> ids;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query("SELECT id FROM subjects WHERE owner_user_id = ? ORDER BY id", {user_id}));
    for (const auto& r : rows.rows) ids.push_back(r.Int(0));
  }
  std::vector<SubjectCredit> out;
  for (int64_t id : ids) {
    HERALD_ASSIGN_OR_RETURN(SubjectCredit c, Credit(id, history_limit));
    out.push_back(std::move(c));
  }
  return out;
}

Result<LedgerEntry> CreditService::Apply(Transaction& tx, int64_t subject_id, int64_t delta,
                                         std::string_view kind, std::string_view reason_code,
                                         std::string_view cause, std::string_view note,
                                         std::string_view actor) {
  HERALD_RETURN_IF_ERROR(tx.LockExclusive("credit.subject:" + Str(subject_id)));
  const Micros now = clock_.Now();
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT score FROM credit_scores WHERE subject_id = ?", {subject_id}));
  const bool exists = !rows.empty();
  const int64_t before = exists ? rows.rows[0].Int(0) : rules_.start;
  const int64_t after = Clamp(before + delta, rules_.minimum, rules_.Maximum());
  // A deduction (not the withdrawal of a qualification bonus) restarts the clean period.
  const bool restart = delta < 0 && kind != "qualification";
  if (!exists) {
    HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO credit_scores (subject_id, score, "
                                      "clean_since, updated_at) VALUES (?, ?, ?, ?)",
                                      {subject_id, after, now, now})
                               .status());
  } else if (restart) {
    HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE credit_scores SET score = ?, clean_since = ?, "
                                      "updated_at = ? WHERE subject_id = ?",
                                      {after, now, now, subject_id})
                               .status());
  } else {
    HERALD_RETURN_IF_ERROR(
        tx.Execute("UPDATE credit_scores SET score = ?, updated_at = ? WHERE subject_id = ?",
                   {after, now, subject_id})
            .status());
  }
  HERALD_ASSIGN_OR_RETURN(
      auto id,
      tx.Query("INSERT INTO credit_ledger (subject_id, delta, score_after, kind, "
               "reason_code, cause, note, actor, rules_version, created_at) VALUES "
               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
               {subject_id, after - before, after, std::string(kind), std::string(reason_code),
                std::string(cause), std::string(note), std::string(actor), rules_.version, now}));
  HERALD_RETURN_IF_ERROR(RecomputeSubject(tx, subject_id));
  LedgerEntry e;
  e.id = id.rows.at(0).Int(0);
  e.subject_id = subject_id;
  e.delta = after - before;
  e.score_after = after;
  e.kind = kind;
  e.reason_code = reason_code;
  e.cause = cause;
  e.note = note;
  e.actor = actor;
  e.rules_version = rules_.version;
  e.at = now;
  return e;
}

Result<LedgerEntry> CreditService::Adjust(int64_t subject_id, int64_t delta,
                                          std::string_view reason_in, const Actor& who) {
  if (delta == 0 || delta < -100 || delta > 100) {
    return InvalidArgument("delta must be between -100 and 100 and not 0", "invalid_delta",
                           "delta");
  }
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 1, 500, "invalid_reason", "reason", true));
  Result<LedgerEntry> out = Internal("unset");
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(auto exists,
                                tx.Query("SELECT id FROM subjects WHERE id = ?", {subject_id}));
        if (exists.empty()) return NotFound("no such subject", "subject_not_found");
        out = Apply(tx, subject_id, delta, "adjustment", "manual", "adjustment", reason, who.actor);
        HERALD_RETURN_IF_ERROR(out.status());
        return audit_
            .Append(tx, {who.actor, "credit.adjust", "subject:" + Str(subject_id),
                         JsonObjectWriter()
                             .Add("delta", out->delta)
                             .Add("score_after", out->score_after)
                             .Add("ledger_id", out->id)
                             .str(),
                         who.request_id})
            .status();
      }));
  return out;
}

Status CreditService::CheckPublish(Transaction& tx, int64_t account_id, int64_t subject_id,
                                   bool advertising) const {
  HERALD_ASSIGN_OR_RETURN(int64_t score, Score(tx, subject_id));
  const LevelRule& level = rules_.LevelFor(score);
  if (advertising && !level.advertising) {
    return Limited("信用等级 " + LevelText(level) + " 不得发布广告 / credit level " + level.level +
                   " may not publish advertising (PA-13.1)");
  }
  if (level.articles_per_day < 0) return Status();
  int64_t percent = 100;
  std::string grade = "-";
  HERALD_ASSIGN_OR_RETURN(
      auto g, tx.Query("SELECT grade FROM account_grades WHERE account_id = ?", {account_id}));
  if (!g.empty()) {
    if (const GradeRule* rule = rules_.FindGrade(g.rows[0].Text(0))) {
      percent = rule->publish_percent;
      grade = rule->grade;
    }
  }
  const int64_t limit = std::max<int64_t>(1, level.articles_per_day * percent / 100);
  HERALD_ASSIGN_OR_RETURN(
      auto count, tx.Query("SELECT COUNT(*) FROM articles WHERE account_id = ? AND created_at >= ?",
                           {account_id, clock_.Now() - kMicrosPerDay}));
  if (count.rows[0].Int(0) >= limit) {
    return Limited("信用等级 " + LevelText(level) + "、账号分级 " + grade +
                   "：每个账号每日最多发布 " + Str(limit) + " 篇 / credit level " + level.level +
                   ", grade " + grade + ": at most " + Str(limit) +
                   " articles per account per day (PA-13.1, PA-7.2)");
  }
  return Status();
}

Status CreditService::CheckGroupService(Transaction& tx, int64_t user_id,
                                        std::string_view service) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT s.id, c.score FROM subjects s LEFT JOIN credit_scores c ON "
                          "c.subject_id = s.id WHERE s.owner_user_id = ?",
                          {user_id}));
  if (rows.empty()) return Status();
  int64_t worst = rules_.Maximum();
  for (const auto& r : rows.rows) worst = std::min(worst, r.IsNull(1) ? rules_.start : r.Int(1));
  const LevelRule& level = rules_.LevelFor(worst);
  if (service == "create_group") {
    if (level.groups_created < 0) return Status();
    HERALD_ASSIGN_OR_RETURN(auto n, tx.Query("SELECT COUNT(*) FROM chat_groups WHERE "
                                             "creator_user_id = ? AND status IN ('active', "
                                             "'pending_review')",
                                             {user_id}));
    if (n.rows[0].Int(0) >= level.groups_created) {
      return Limited("信用等级 " + LevelText(level) + "：最多创建 " + Str(level.groups_created) +
                     " 个群组 / credit level " + level.level + ": at most " +
                     Str(level.groups_created) + " groups created (GR-7.2)");
    }
  } else if (service == "join_group") {
    if (level.groups_joined < 0) return Status();
    HERALD_ASSIGN_OR_RETURN(
        auto n, tx.Query("SELECT COUNT(*) FROM group_members WHERE user_id = ?", {user_id}));
    if (n.rows[0].Int(0) >= level.groups_joined) {
      return Limited("信用等级 " + LevelText(level) + "：最多加入 " + Str(level.groups_joined) +
                     " 个群组 / credit level " + level.level + ": at most " +
                     Str(level.groups_joined) + " groups joined (GR-7.2)");
    }
  }
  return Status();
}

Result<int> CreditService::AccountCap(Transaction& tx, int64_t subject_id, int platform_cap) const {
  HERALD_ASSIGN_OR_RETURN(int64_t score, Score(tx, subject_id));
  const LevelRule& level = rules_.LevelFor(score);
  if (level.account_cap < 0) return platform_cap;
  return static_cast<int>(std::min<int64_t>(platform_cap, level.account_cap));
}

Result<Grade> CreditService::Compute(Transaction& tx, int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto acc,
                          tx.Query("SELECT subject_id FROM accounts WHERE id = ?", {account_id}));
  if (acc.empty()) return NotFound("no such account", "account_not_found");
  const Micros now = clock_.Now();
  Grade g;
  g.account_id = account_id;
  g.rules_version = rules_.version;
  g.computed_at = now;
  GradeComponents& c = g.components;
  HERALD_ASSIGN_OR_RETURN(c.credit_score, Score(tx, acc.rows[0].Int(0)));
  c.credit_level = rules_.LevelFor(c.credit_score).level;
  HERALD_ASSIGN_OR_RETURN(
      auto sanctions,
      tx.Query("SELECT measure, reason_code FROM sanctions WHERE target_type = 'account' AND "
               "target_id = ? AND issued_at >= ? AND overturned = 0",
               {account_id, now - rules_.violation_days * kMicrosPerDay}));
  for (const auto& r : sanctions.rows) {
    if (rules_.DeductionFor(r.Text(0), r.Text(1)) > 0) ++c.violations;
  }
  HERALD_ASSIGN_OR_RETURN(
      auto articles,
      tx.Query("SELECT COUNT(*), SUM(original) FROM articles WHERE account_id = ? AND "
               "status = 'published'",
               {account_id}));
  c.published_articles = articles.rows[0].Int(0);
  c.original_articles = articles.rows[0].Int(1);
  HERALD_ASSIGN_OR_RETURN(
      auto followers,
      tx.Query("SELECT followers FROM social_account_stats WHERE account_id = ?", {account_id}));
  c.followers = followers.empty() ? 0 : followers.rows[0].Int(0);
  HERALD_ASSIGN_OR_RETURN(
      auto reads,
      tx.Query("SELECT COUNT(*) FROM social_reads r JOIN articles a ON a.id = r.article_id "
               "WHERE a.account_id = ? AND r.created_at >= ?",
               {account_id, now - rules_.read_days * kMicrosPerDay}));
  c.reads = reads.rows[0].Int(0);

  c.credit_points =
      Clamp(c.credit_score * rules_.credit_weight / rules_.start, 0, rules_.credit_weight);
  c.quality_points =
      std::max<int64_t>(0, rules_.quality_weight - rules_.per_violation * c.violations);
  c.originality_points = c.published_articles == 0 ? 0
                                                   : rules_.originality_weight *
                                                         c.original_articles / c.published_articles;
  c.follower_points = StepPoints(rules_.follower_steps, c.followers);
  c.read_points = StepPoints(rules_.read_steps, c.reads);
  c.points =
      c.credit_points + c.quality_points + c.originality_points + c.follower_points + c.read_points;
  g.rule = rules_.GradeFor(c.points);
  return g;
}

Result<Grade> CreditService::GradeOf(Transaction& tx, int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT grade, points, credit_score, credit_level, violations, original_articles, "
               "published_articles, followers, reads, credit_points, quality_points, "
               "originality_points, follower_points, read_points, rules_version, computed_at "
               "FROM account_grades WHERE account_id = ?",
               {account_id}));
  if (rows.empty()) return Compute(tx, account_id);
  const Row& r = rows.rows[0];
  Grade g;
  g.account_id = account_id;
  g.stored = true;
  const GradeRule* rule = rules_.FindGrade(r.Text(0));
  GradeComponents& c = g.components;
  c.points = r.Int(1);
  g.rule = rule ? *rule : rules_.GradeFor(c.points);
  c.credit_score = r.Int(2);
  c.credit_level = r.Text(3);
  c.violations = r.Int(4);
  c.original_articles = r.Int(5);
  c.published_articles = r.Int(6);
  c.followers = r.Int(7);
  c.reads = r.Int(8);
  c.credit_points = r.Int(9);
  c.quality_points = r.Int(10);
  c.originality_points = r.Int(11);
  c.follower_points = r.Int(12);
  c.read_points = r.Int(13);
  g.rules_version = r.Int(14);
  g.computed_at = r.Int(15);
  return g;
}

Result<Grade> CreditService::GradeOf(int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return GradeOf(*tx, account_id);
}

Result<Grade> CreditService::RecomputeGrade(Transaction& tx, int64_t account_id) {
  HERALD_ASSIGN_OR_RETURN(Grade g, Compute(tx, account_id));
  const GradeComponents& c = g.components;
  HERALD_RETURN_IF_ERROR(
      tx.Execute(
            "INSERT INTO account_grades (account_id, grade, points, credit_score, credit_level, "
            "violations, original_articles, published_articles, followers, reads, credit_points, "
            "quality_points, originality_points, follower_points, read_points, rules_version, "
            "computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id) DO UPDATE SET grade = excluded.grade, points = "
            "excluded.points, credit_score = excluded.credit_score, credit_level = "
            "excluded.credit_level, violations = excluded.violations, original_articles = "
            "excluded.original_articles, published_articles = excluded.published_articles, "
            "followers = excluded.followers, reads = excluded.reads, credit_points = "
            "excluded.credit_points, quality_points = excluded.quality_points, "
            "originality_points = excluded.originality_points, follower_points = "
            "excluded.follower_points, read_points = excluded.read_points, rules_version = "
            "excluded.rules_version, computed_at = excluded.computed_at",
            {account_id, g.rule.grade, c.points, c.credit_score, c.credit_level, c.violations,
             c.original_articles, c.published_articles, c.followers, c.reads, c.credit_points,
             c.quality_points, c.originality_points, c.follower_points, c.read_points,
             g.rules_version, g.computed_at})
          .status());
  g.stored = true;
  return g;
}

Status CreditService::RecomputeSubject(Transaction& tx, int64_t subject_id) {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT id FROM accounts WHERE subject_id = ? ORDER BY id", {subject_id}));
  for (const auto& r : rows.rows) HERALD_RETURN_IF_ERROR(RecomputeGrade(tx, r.Int(0)).status());
  return Status();
}

Result<std::vector<int64_t>> CreditService::SubjectsBehind(Transaction& tx,
                                                           const sanctions::Sanction& s) const {
  std::vector<int64_t> out;
  if (s.target.type == "account") {
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT subject_id FROM accounts WHERE id = ?", {s.target.id}));
    for (const auto& r : rows.rows) out.push_back(r.Int(0));
  } else if (s.target.type == "subject") {
    out.push_back(s.target.id);
  } else if (s.target.type == "user") {
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT id FROM subjects WHERE owner_user_id = ? ORDER BY id", {s.target.id}));
    for (const auto& r : rows.rows) out.push_back(r.Int(0));
  }
  return out;
}

Status CreditService::OnIssued(Transaction& tx, const sanctions::Sanction& s) {
  const int64_t points = rules_.DeductionFor(s.measure, s.reason_code);
  if (points <= 0) return Status();
  HERALD_ASSIGN_OR_RETURN(auto subjects, SubjectsBehind(tx, s));
  for (int64_t subject : subjects) {
    HERALD_RETURN_IF_ERROR(Apply(tx, subject, -points, "violation", s.reason_code,
                                 "sanction:" + Str(s.id), s.measure, s.issued_by)
                               .status());
  }
  return Status();
}

Status CreditService::OnLifted(Transaction& tx, const sanctions::Sanction& s, bool overturned) {
  if (!overturned) return Status();  // a plain lift restores nothing: the violation stands
  const std::string cause = "sanction:" + Str(s.id);
  HERALD_ASSIGN_OR_RETURN(
      auto done,
      tx.Query("SELECT COUNT(*) FROM credit_ledger WHERE cause = ? AND kind = 'overturned'",
               {cause}));
  if (done.rows[0].Int(0) > 0) return Status();
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT subject_id, delta FROM credit_ledger WHERE cause = ? AND kind = "
                          "'violation' ORDER BY id",
                          {cause}));
  for (const auto& r : rows.rows) {
    HERALD_RETURN_IF_ERROR(Apply(tx, r.Int(0), -r.Int(1), "overturned", s.reason_code, cause,
                                 s.lift_reason, s.lifted_by)
                               .status());
  }
  // The account's upheld violations no longer count this sanction.
  if (s.target.type == "account") {
    HERALD_ASSIGN_OR_RETURN(auto acc,
                            tx.Query("SELECT id FROM accounts WHERE id = ?", {s.target.id}));
    if (!acc.empty()) HERALD_RETURN_IF_ERROR(RecomputeGrade(tx, s.target.id).status());
  }
  return Status();
}

Result<JobReport> CreditService::RunJobs(bool grades) {
  JobReport report;
  const Micros now = clock_.Now();
  // Recovery: whole clean periods since the last deduction (or the last recovery step).
  if (rules_.recovery_points > 0) {
    const Micros period = rules_.recovery_every_days * kMicrosPerDay;
    HERALD_RETURN_IF_ERROR(
        storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
          report.recovered = 0;
          HERALD_ASSIGN_OR_RETURN(
              auto rows, tx.Query("SELECT subject_id, score, clean_since FROM credit_scores "
                                  "WHERE score < ? AND clean_since <= ? ORDER BY subject_id",
                                  {rules_.start, now - period}));
          for (const auto& r : rows.rows) {
            const int64_t subject = r.Int(0), score = r.Int(1);
            const int64_t periods = (now - r.Int(2)) / period;
            const int64_t add = std::min(periods * rules_.recovery_points, rules_.start - score);
            if (periods < 1 || add <= 0) continue;
            HERALD_RETURN_IF_ERROR(Apply(tx, subject, add, "recovery", "clean_period", "recovery",
                                         Str(periods * rules_.recovery_every_days) + " days",
                                         "system")
                                       .status());
            HERALD_RETURN_IF_ERROR(
                tx.Execute("UPDATE credit_scores SET clean_since = ? WHERE subject_id = ?",
                           {r.Int(2) + periods * period, subject})
                    .status());
            ++report.recovered;
          }
          return Status();
        }));
  }
  // Qualification bonuses: granted for approved, unexpired qualifications, withdrawn after.
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        report.bonuses_granted = report.bonuses_withdrawn = 0;
        HERALD_ASSIGN_OR_RETURN(
            auto valid, tx.Query("SELECT q.id, a.subject_id FROM qualifications q JOIN accounts "
                                 "a ON a.id = q.account_id WHERE q.status = 'approved' AND "
                                 "q.expires_at > ? ORDER BY q.id",
                                 {now}));
        std::set<int64_t> valid_ids;
        for (const auto& r : valid.rows) valid_ids.insert(r.Int(0));
        HERALD_ASSIGN_OR_RETURN(auto granted,
                                tx.Query("SELECT qualification_id, subject_id, points, "
                                         "withdrawn_at FROM credit_bonuses ORDER BY "
                                         "qualification_id"));
        std::set<int64_t> known;
        std::map<int64_t, int64_t> total;  // subject -> active bonus points
        for (const auto& r : granted.rows) {
          known.insert(r.Int(0));
          if (!r.IsNull(3)) continue;
          if (valid_ids.count(r.Int(0))) {
            total[r.Int(1)] += r.Int(2);
            continue;
          }
          HERALD_RETURN_IF_ERROR(Apply(tx, r.Int(1), -r.Int(2), "qualification",
                                       "qualification_invalid", "qualification:" + Str(r.Int(0)),
                                       "", "system")
                                     .status());
          HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE credit_bonuses SET withdrawn_at = ? WHERE "
                                            "qualification_id = ?",
                                            {now, r.Int(0)})
                                     .status());
          ++report.bonuses_withdrawn;
        }
        for (const auto& r : valid.rows) {
          const int64_t q = r.Int(0), subject = r.Int(1);
          if (known.count(q)) continue;
          const int64_t points =
              std::min(rules_.bonus_points, rules_.bonus_maximum - total[subject]);
          if (points <= 0) continue;
          HERALD_RETURN_IF_ERROR(Apply(tx, subject, points, "qualification",
                                       "qualification_verified", "qualification:" + Str(q), "",
                                       "system")
                                     .status());
          HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO credit_bonuses (qualification_id, "
                                            "subject_id, points, granted_at) VALUES (?, ?, ?, ?)",
                                            {q, subject, points, now})
                                     .status());
          total[subject] += points;
          ++report.bonuses_granted;
        }
        return Status();
      }));
  if (!grades) return report;
  int64_t after = 0;
  for (;;) {
    std::vector<int64_t> ids;
    HERALD_RETURN_IF_ERROR(
        storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
          ids.clear();
          HERALD_ASSIGN_OR_RETURN(
              auto rows, tx.Query("SELECT id FROM accounts WHERE id > ? ORDER BY id LIMIT ?",
                                  {after, int64_t{kGradeBatch}}));
          for (const auto& r : rows.rows) {
            ids.push_back(r.Int(0));
            HERALD_RETURN_IF_ERROR(RecomputeGrade(tx, r.Int(0)).status());
          }
          return Status();
        }));
    report.grades_computed += static_cast<int>(ids.size());
    if (ids.size() < static_cast<size_t>(kGradeBatch)) break;
    after = ids.back();
  }
  return report;
}

std::vector<storage::Migration> CreditService::Migrations() {
  // Runs after the content, accounts, subjects and social migrations (AllMigrations order):
  // the index on articles serves the publishing allowance's count of the last 24 hours.
  return {{"credit/0001_credit", R"SQL(
CREATE TABLE credit_scores (
  subject_id BIGINT PRIMARY KEY,
  score BIGINT NOT NULL,
  clean_since BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX credit_scores_recovery ON credit_scores (score, clean_since);
CREATE TABLE credit_ledger (
  id {{AUTO_ID}},
  subject_id BIGINT NOT NULL,
  delta BIGINT NOT NULL,
  score_after BIGINT NOT NULL,
  kind TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  cause TEXT NOT NULL,
  note TEXT NOT NULL,
  actor TEXT NOT NULL,
  rules_version BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX credit_ledger_subject ON credit_ledger (subject_id, id);
CREATE INDEX credit_ledger_cause ON credit_ledger (cause, kind);
CREATE TABLE credit_bonuses (
  qualification_id BIGINT PRIMARY KEY,
  subject_id BIGINT NOT NULL,
  points BIGINT NOT NULL,
  granted_at BIGINT NOT NULL,
  withdrawn_at BIGINT
);
CREATE TABLE account_grades (
  account_id BIGINT PRIMARY KEY,
  grade TEXT NOT NULL,
  points BIGINT NOT NULL,
  credit_score BIGINT NOT NULL,
  credit_level TEXT NOT NULL,
  violations BIGINT NOT NULL,
  original_articles BIGINT NOT NULL,
  published_articles BIGINT NOT NULL,
  followers BIGINT NOT NULL,
  reads BIGINT NOT NULL,
  credit_points BIGINT NOT NULL,
  quality_points BIGINT NOT NULL,
  originality_points BIGINT NOT NULL,
  follower_points BIGINT NOT NULL,
  read_points BIGINT NOT NULL,
  rules_version BIGINT NOT NULL,
  computed_at BIGINT NOT NULL
);
CREATE INDEX credit_articles_account_time ON articles (account_id, created_at);
)SQL",
           ""}};
}

}  // namespace herald::credit
