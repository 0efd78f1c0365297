// AppealService: the appeal channel (申诉) against the platform's decisions (issue 6; PA-14.3,
// PA-19.2, PA-20.1). docs/appeals.md describes the procedure and the API.
//
// What can be appealed (Target::type):
//   sanction  any sanction issued with `appealable` (sanctions::Sanction), by its party: the
//             sanctioned account's owner, the sanctioned subject's owner, the sanctioned user,
//             the sanctioned group's creator (Sanction::party_user_id). The decision is the
//             issue (issued_by, issued_at).
//   article   an article held for review, rejected in review or removed by the platform
//             (status held, rejected, removed; not one its operator deleted), by the owner of
//             its account or by its author while still a member of the account. The decision is
//             the latest decided "content" review item of the article (decided_by, decided_at);
//             for a hold with no decision yet, or a takedown outside the queue, the article's
//             own time (removed_at, else created_at) and no known decider.
//   comment   a comment (or author reply) the platform held (screening), rejected in review or
//             removed (a moderator's removal, or a flagged comment refused), by its author. The
//             decision is the rejection or removal (comments::Comment::decided_by, decided_at)
//             or, for a hold, the hold itself (created_at, no decider). Not one its operator
//             hid or its author deleted.
//   message   a group message held by screening or removed in review (groups::Message status
//             held, removed), by its sender. The decision is the rejecting "group_message"
//             review item, or for a hold the hold itself (no decider).
//   registration
//             an account whose registration was refused in review (status rejected: a "name",
//             "over_cap" or "registration_data" item rejected), target.id the account, by its
//             owner. The decision is the refusal (accounts::RegistrationRefusal: who, when).
// An appeal is filed within Options::window of the decision (appeal_window_closed after),
// once per decision (already_appealed: a target held and then rejected is two decisions), with
// a text of 1..2000 characters and 0..10 evidence items (http/https links of at most 500
// characters, or media ids: 64 lower-case hex digits, optionally "media:"-prefixed).
//
// Filing enqueues a review item of kind "appeal" (due per the queue's options for that kind) in
// the same transaction. The appeal is decided through Decide only: the handler this service
// registers for kind "appeal" refuses the generic review decision (FailedPrecondition
// use_appeal_decision), so the different-moderator rule below cannot be bypassed. Claims and
// escalation of the item work as for every kind.
//
// Deciding: by a different person than the one who made the original decision (PermissionDenied
// same_moderator), with an outcome and a reason (1..1000 characters):
//   upheld      the decision stands;
//   overturned  a sanction is lifted at once (sanctions::LiftKind::kOverturned; a closed
//               account or group reopens), a held, rejected or removed article is published
//               again (content::ArticleService::RestoreIn; an open content review item of it is
//               approved), a comment is visible again (comments::CommentService::RestoreIn; an
//               open "comment" item approved), a message is visible again
//               (groups::GroupService::RestoreMessageIn; an open "group_message" item
//               approved), a refused registration takes the state approval would have given it
//               (accounts::AccountService::ReinstateRegistrationIn: active, or pending_review
//               while other registration items are open or the subject's cap is full; refused
//               with name_taken / name_closed / name_protected / subject_not_verified when the
//               account cannot be given back, changing nothing);
//   modified    (sanctions only) the sanction is lifted and a lighter one (Modified) is issued
//               against the same target, its evidence naming "appeal:<id>".
// The outcome, the lift, the new sanction, the review item's closing, the audit entry
// "appeal.decide" and the appellant's notification (kind appeal_outcome, ref "appeal:<id>") are
// one transaction.
//
// Errors (stable reasons): InvalidArgument invalid_target (field target.type / target.id),
// invalid_text (text), invalid_evidence (evidence), invalid_outcome (outcome), invalid_reason
// (reason), invalid_note (note), invalid_modified (modified.*), not_lighter (modified.measure),
// invalid_status, invalid_limit; NotFound appeal_not_found, sanction_not_found,
// article_not_found, comment_not_found, message_not_found, account_not_found; PermissionDenied
// not_affected_party, same_moderator;
// FailedPrecondition appeal_not_allowed, appeal_window_closed, already_appealed,
// appeal_already_decided, and the review queue's claimed_by_other, escalated_needs_cso.
// Thread-safe after construction; all state is in the database.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "comments/comment_service.h"
#include "content/article_service.h"
#include "core/clock.h"
#include "core/status.h"
#include "groups/group_service.h"
#include "notifications/notification_service.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::appeals {

// sanction, article, comment, message, registration
const std::vector<std::string>& TargetTypes();
const std::vector<std::string>& Outcomes();  // upheld, overturned, modified
const std::vector<std::string>& Statuses();  // pending, upheld, overturned, modified

struct Target {
  std::string type;
  int64_t id = 0;
};

struct NewAppeal {
  Target target;
  std::string text;
  std::vector<std::string> evidence;
};

struct Appeal {
  int64_t id = 0;
  Target target;
  // What was appealed, one appeal each: "sanction:12", "article:5:rejected:<micros>",
  // "comment:7:removed:<micros>", "message:3:held:<micros>", "registration:9:<event id>".
  std::string decision_ref;
  int64_t appellant_user_id = 0;
  std::optional<int64_t> account_id;
  std::string text;
  std::vector<std::string> evidence;
  std::string status;               // pending, upheld, overturned, modified
  std::string original_decided_by;  // "" when not known (e.g. an automatic hold)
  Micros original_decided_at = 0;
  Micros window_closes_at = 0;  // the last moment it could have been filed
  int64_t review_id = 0;
  Micros created_at = 0, due_at = 0;  // due_at: decide by (the published time limit)
  std::string decided_by, reason, note;
  std::optional<Micros> decided_at;
  std::optional<int64_t> new_sanction_id;  // for modified
};

// The lighter sanction of a `modified` outcome.
struct Modified {
  std::string measure;   // warning, stop_advertising, restrict, suspend_updates (lighter)
  std::string function;  // for restrict
  std::optional<int64_t> duration_days;  // 1..3650; none: permanent (only if the original was)
};

struct Decision {
  std::string outcome;  // Outcomes()
  std::string reason;   // 1..1000 characters, shown to the appellant
  std::string note;     // 0..1000 characters, internal
  std::optional<Modified> modified;
};

struct Decider {
  int64_t user_id = 0;
  std::string request_id;
  bool may_decide_escalated = false;  // the content security officer
};

struct Options {
  Micros window = 30 * kMicrosPerDay;        // appeal within this long after the decision
  Micros decide_within = 7 * kMicrosPerDay;  // published time limit (the review item's due time
                                             // comes from the queue's options for "appeal")
};

// The published procedure (GET /api/v1/policies/appeals).
struct Policy {
  int64_t window_days = 0, decide_within_days = 0;
  std::vector<std::string> target_types;
};

class AppealService {
 public:
  // Registers the review handler for kind "appeal" with `review`. Without `comments` or
  // `groups` their targets are refused (appeal_not_allowed).
  AppealService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                review::ReviewQueue& review, const sanctions::SanctionService& sanctions,
                accounts::AccountService& accounts, content::ArticleService& articles,
                groups::GroupService* groups, comments::CommentService* comments,
                const notifications::NotificationService* notifications, Options options = {});

  // Files an appeal by `user_id`; see the header comment for the checks. Audited "appeal.file".
  Result<Appeal> File(int64_t user_id, const NewAppeal& in, const auth::RequestMeta& meta);
  Result<Appeal> Get(int64_t id) const;
  // The appellant's appeals, newest first.
  Result<std::vector<Appeal>> ListMine(int64_t user_id, int limit,
                                       std::optional<int64_t> before_id) const;
  // Every appeal (staff), newest first; `status` "" (all), "open" (pending) or Statuses().
  Result<std::vector<Appeal>> List(std::string_view status, int limit,
                                   std::optional<int64_t> before_id) const;
  // The appeals of these sanctions, by sanction id (the operator's sanctions view).
  Result<std::vector<Appeal>> ForSanctions(const std::vector<int64_t>& sanction_ids) const;
  // When an appeal against a decision made at `decided_at` must be filed by.
  Micros WindowClosesAt(Micros decided_at) const { return decided_at + options_.window; }
  Result<Appeal> Decide(int64_t id, const Decision& d, const Decider& who);

  Policy PublishedPolicy() const;

  static std::vector<storage::Migration> Migrations();

 private:
  struct Resolved {  // the decision under appeal
    std::string decision_ref;
    std::optional<int64_t> account_id;
    std::string decided_by;
    Micros decided_at = 0;
    std::string summary;
  };
  Result<Resolved> Resolve(storage::Transaction& tx, int64_t user_id, const Target& t) const;
  Result<Appeal> Load(storage::Transaction& tx, int64_t id) const;
  Status Overturn(storage::Transaction& tx, const Appeal& a, const std::string& actor,
                  const std::string& reason, const std::string& request_id);
  Result<int64_t> Modify(storage::Transaction& tx, const Appeal& a, const Modified& m,
                         const std::string& actor, const std::string& reason,
                         const std::string& request_id);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  review::ReviewQueue& review_;
  const sanctions::SanctionService& sanctions_;
  accounts::AccountService& accounts_;
  content::ArticleService& articles_;
  groups::GroupService* groups_;
  comments::CommentService* comments_;
  const notifications::NotificationService* notifications_;
  Options options_;
};

}  // namespace herald::appeals
