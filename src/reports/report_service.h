// ReportService: complaints and reports (投诉举报, PA-20.1, PA-20.2 / PA17-15, GR-12).
//
// Anyone, signed in or not, reports an account, article, comment, group or group message in a
// category, with a description and evidence. The published procedure (Policy()) has four
// stages, each with its time stamp on the report:
//   accepted  a well-formed report is accepted at once (accepted_at)
//   screened  automatic: the reporter's record weight and the campaign check (below); the
//             report joins the one open review item (kind "report") of its target
//   handled   a moderator decides the item: reject = upheld (the target breaks the rules; the
//             reason code names how), approve = not upheld (compliant, false positive)
//   feedback  the outcome is on the report (anonymous reporters read it with their token),
//             signed-in reporters get a notification, and when upheld the reported party too
// Overdue reports (past their category's time limit) are escalated to the content security
// officer by RunJobs and marked overdue.
//
// Weight: a reporter's record is (upheld + 1) / (decided + 2) over their decided reports (0.5
// for newcomers). Campaign: among the reports on one target within Options::campaign_window,
// a report is suspicious when its reporter's user is younger than new_user_age, its reporter's
// weight is below poor_weight (after at least poor_min_decided decisions), or it shares an IP
// or device hash with another report in the window; when at least campaign_min_reports are
// suspicious they are all marked campaign-suspected and grouped (campaign_group = the review
// item). Campaign reports never raise the item's severity or shorten its due time, and nothing
// here ever takes content down or issues a sanction: moderators do that.
//
// Errors (stable reasons): InvalidArgument invalid_target_type, invalid_category,
// invalid_description, invalid_evidence, rights_holder_required, rights_proof_required,
// contact_required, invalid_contact, invalid_filter, invalid_limit; NotFound target_not_found,
// report_not_found (also for a wrong token or another user's report); ResourceExhausted
// too_many_reports.
// Thread-safe after construction (the constructor registers the review handler).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "notifications/notification_service.h"
#include "review/review_queue.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::reports {

struct CategoryInfo {
  std::string code, label_zh, label_en;
  bool infringement = false;  // needs the rights holder's proof
  bool urgent = false;        // shorter time limit, higher base severity
};
// illegal_content, rumour, fraud, pornography, impersonation, copyright_infringement,
// rights_infringement, cyber_violence, spam, other.
const std::vector<CategoryInfo>& Categories();
// account, article, comment, group, message.
const std::vector<std::string>& TargetTypes();

// What a target is, for the report: who answers for it and which account it belongs to.
struct TargetInfo {
  std::optional<int64_t> reported_user_id;  // account owner, comment/message author, group creator
  std::optional<int64_t> account_id;
  std::string label;  // one line for the review queue (a name or title; no personal data)
};
// NotFound target_not_found when the target does not exist.
using TargetResolver = std::function<Result<TargetInfo>(storage::Transaction& tx,
                                                        const std::string& type, int64_t id)>;
// Production resolver: SQL reads of accounts, articles, comments, chat_groups, group_messages.
TargetResolver SqlTargetResolver();

// Keys that relate a user to others behind the same real-name subject: "subject:<id>" for every
// subject the user owns or operates an account of (as owner, editor or reviewer) and
// "phone:<index>" for the verified contact number of the subjects the user owns. Two reporters
// sharing a key are related (one person or organisation behind several logins).
using RelationResolver =
    std::function<Result<std::vector<std::string>>(storage::Transaction& tx, int64_t user_id)>;
// Production resolver: SQL reads of subjects, accounts and account_members.
RelationResolver SqlRelationResolver();

struct Options {
  Micros accept_within = 24 * kMicrosPerHour;  // published; acceptance is immediate
  Micros handle_within = 7 * kMicrosPerDay;
  Micros handle_within_urgent = 48 * kMicrosPerHour;  // illegal_content, pornography, fraud
  int daily_limit_user = 20;                          // reports per signed-in reporter per 24 h
  int daily_limit_anonymous = 5;                      // per hashed client address per 24 h
  Micros campaign_window = 24 * kMicrosPerHour;
  int campaign_min_reports = 3;
  Micros new_user_age = 7 * kMicrosPerDay;
  double poor_weight = 0.3;
  int poor_min_decided = 3;
  std::string appeal_path = "/api/v1/appeals";
  TargetResolver resolver;     // SqlTargetResolver() when empty
  RelationResolver relations;  // empty: reporters are never "related_accounts"
  Micros handle_for(const std::string& category) const;
};

struct Evidence {
  std::vector<std::string> links;      // http(s) URLs
  std::vector<std::string> media_ids;  // uploaded images of the reporter (signed in only)
};

struct NewReport {
  std::string target_type;
  int64_t target_id = 0;
  std::string category, description;
  Evidence evidence;
  std::string rights_holder;  // infringement categories
  Evidence rights_proof;      // infringement categories
  std::string contact;        // phone or e-mail; required when not signed in
};

struct Reporter {
  std::optional<int64_t> user_id;  // nullopt: not signed in
  auth::RequestMeta meta;          // client address and device for hashes, request id
};

struct Report {
  int64_t id = 0;
  std::optional<int64_t> reporter_user_id;
  std::string target_type;
  int64_t target_id = 0;
  std::optional<int64_t> reported_user_id, account_id;
  std::string category, description;
  Evidence evidence;
  std::string rights_holder;
  Evidence rights_proof;
  std::string contact_masked;
  std::string stage;  // accepted, screened, handled, feedback
  double weight = 0.5;
  bool campaign = false;
  std::string
      campaign_reasons;  // comma-separated: new_user, poor_record, shared_network, related_accounts
  std::optional<int64_t> campaign_group;
  std::optional<int64_t> review_item_id;
  Micros accepted_at = 0, due_at = 0;
  std::optional<Micros> screened_at, handled_at, feedback_at;
  bool overdue = false;
  std::string outcome;  // "", upheld, not_upheld
  std::string outcome_reason, outcome_text;
  std::optional<int64_t> sanction_id;
};

struct Submitted {
  Report report;
  std::string access_token;  // only for reporters not signed in; shown once
};

struct Filter {
  std::string stage, category, target_type;
  std::optional<bool> campaign;
  std::optional<int64_t> before_id;
  int limit = 50;  // 1..100
};

struct JobReport {
  int64_t escalated = 0;       // review items sent to the content security officer
  int64_t marked_overdue = 0;  // reports newly marked overdue
};

class ReportService {
 public:
  // Registers the handler of review kind "report" on `review`.
  ReportService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                Random& random, const auth::PiiKeys& keys, review::ReviewQueue& review,
                const notifications::NotificationService& notifications, Options options = {});

  // Accepts and screens a report in one transaction (see the errors above).
  Result<Submitted> Submit(const Reporter& who, const NewReport& in);

  // The report for its signed-in reporter (`user_id`), for staff (`staff`), or for whoever
  // holds its access token. NotFound report_not_found otherwise.
  Result<Report> Get(int64_t id, std::optional<int64_t> user_id, bool staff,
                     const std::string& token) const;
  // The user's reports, newest first.
  Result<std::vector<Report>> Mine(int64_t user_id, std::optional<int64_t> before_id,
                                   int limit) const;
  // Staff list, newest first.
  Result<std::vector<Report>> List(const Filter& f) const;

  // Links the reports a new sanction cites to it (a SanctionService OnIssued hook): evidence
  // "review:<item id>" names every report of that review item, "report:<id>" one report. Only
  // reports without a sanction yet are linked; their `sanction_id` then names it.
  Status LinkSanction(storage::Transaction& tx, int64_t sanction_id,
                      const std::vector<std::string>& evidence) const;

  // Escalates open report items past their due time and marks their reports overdue (audited).
  Result<JobReport> RunJobs(Micros now);

  const Options& options() const { return options_; }

  // `herald keys rotate`: re-seals every reporter contact under `to`. The address and device
  // hashes cannot be recomputed (only hashes are kept): after a rotation, campaign checks and
  // anonymous reporters' records and limits start afresh for those hashes.
  static Status ReencryptPii(storage::Transaction& tx, const auth::PiiKeys& from,
                             const auth::PiiKeys& to);

  static std::vector<storage::Migration> Migrations();

 private:
  Status Handle(storage::Transaction& tx, const review::Item& item);
  Status Reprioritise(storage::Transaction& tx, int64_t item_id);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  const auth::PiiKeys& keys_;
  review::ReviewQueue& review_;
  const notifications::NotificationService& notifications_;
  Options options_;
};

}  // namespace herald::reports
