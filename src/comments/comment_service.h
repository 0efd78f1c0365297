// CommentService: comments on articles and their management by the account's operator and by
// the platform (issue 5; PA-17.2, PA17-12, PA17-16). docs/comments.md describes the model and
// the API.
//
//  - Readers (signed-in users) comment on published articles and reply to top-level comments
//    (one level). A text is 1..500 characters and passes the platform's screening
//    (moderation::ScreeningService) like article text: a `block` term refuses it
//    (illegal_content, field body); a `review` term holds it for the review queue (kind
//    "comment"; approving shows it, rejecting keeps it hidden); a `flag` term shows it and queues
//    a post-publication check (rejecting removes it); `replace` terms are masked in what readers
//    see (the submitted text is kept for the regulator).
//  - The comment mode, chosen by the operator for the account (the default) and per article (an
//    override): `open` (comments show at once), `selected` (精选: only comments the operator
//    selects show publicly; commenters still see their own), `closed` (no new comments; what
//    was shown stays shown).
//  - The operator of the article's account selects, hides, unhides, pins, unpins and replies as
//    the account (an author reply, shown attached to the comment it answers). A commenter
//    deletes their own comment. Nothing is deleted from the database before its article:
//    hidden, removed, rejected and deleted comments keep their submitted text for the regulator
//    (PA17-16) until content::ArticleService::PurgeExpired purges the article they belong to
//    (the comments go with it, through this service's purge hook).
//  - PA-17.2: which management powers an account has is decided by one policy function,
//    PowersFor(subject kind, credit level) (see below). The credit level comes from the
//    CreditLevelProvider the composition root passes in Options (issue 6 supplies the real
//    one; without it every account is kGood).
//  - PA17-12: a sanction blocking the function "comment" on the account, its subject or its
//    owner (sanctions `restrict comment`, close_account, blacklist) removes the account's
//    comment functions: its articles take no new comments and the operator can manage none of
//    them until the sanction ends or is lifted. A sanction blocking "comment" on a user stops
//    that user from commenting anywhere.
//  - Counts: each article keeps the number of visible top-level comments and of visible
//    selected ones, and each top-level comment the same for its replies, updated in the same
//    transaction as every change of a comment's status or selection. The public count is the
//    selected one in `selected` mode and the visible one otherwise.
//  - Audit: every operator and platform action on comments (mode changes, select, hide, pin,
//    author replies, platform removal and restoration) is audited; readers' comments are
//    recorded in this module's table, not in the audit log.
//
// Errors (stable reasons): NotFound article_not_found, account_not_found, comment_not_found;
// PermissionDenied not_account_owner, not_comment_author, comment_power_not_granted;
// InvalidArgument invalid_body, illegal_content, invalid_parent, invalid_mode, invalid_limit,
// invalid_reason_code, invalid_note, invalid_status, not_a_reader_comment; FailedPrecondition
// comments_closed, sanctioned (the caller's own sanction, or the account's for its operator),
// account_not_active (the operator's account is closed, cancelled or cancelling),
// comment_in_review, comment_not_visible, comment_not_hidden, comment_not_removed, comment_deleted,
// pin_limit_reached, not_top_level; ResourceExhausted comment_rate_limited. Storage errors pass
// through.
// Concurrency: every change of a comment's state takes that comment's lock first
// (Transaction::LockExclusive), and pinning a per-article lock, so concurrent changes neither
// count twice nor pass the pin limit on PostgreSQL's READ COMMITTED write transactions.
// Thread-safe after construction; all state is in the database. The credit provider is called
// outside this service's transactions.
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
#include "content/article_service.h"
#include "core/clock.h"
#include "core/status.h"
#include "moderation/screening_service.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::comments {

enum class Mode { kOpen, kSelected, kClosed };
std::string_view ModeName(Mode mode);  // "open", "selected", "closed"
// InvalidArgument invalid_mode (field "mode") for anything else.
Result<Mode> ParseMode(std::string_view name);

// An account's credit standing as far as comments are concerned. Issue 6 computes it.
enum class CreditLevel { kGood, kFair, kPoor };
std::string_view CreditLevelName(CreditLevel level);  // "good", "fair", "poor"

// The comment-management powers of an account (PA-17.2).
struct Powers {
  bool close = false;   // set the mode to closed (and back to open)
  bool hide = false;    // hide and unhide readers' comments
  bool reply = false;   // reply as the account
  bool select = false;  // the `selected` mode (精选) and selecting comments
  bool pin = false;     // pin comments
  int max_pinned = 0;   // pinned comments per article
};

// THE policy of PA-17.2: the powers of an account whose subject is `subject_kind`
// ("individual" or "organisation") and whose credit is `credit`.
//
//                      organisation            individual
//   good (default)     all; 3 pinned           all; 1 pinned
//   fair               all; 1 pinned           close, hide, reply
//   poor               close, hide             close, hide
//
// Closing and hiding are never taken away by credit: they are how an operator meets the duty
// to manage comments. Curation (selected mode, pinning) and speaking as the account (author
// replies) are privileges that follow credit; organisations, verified by credit code, keep
// them one step longer. A sanction on the "comment" function (PA17-12) takes every power away
// whatever this table says. An unknown subject kind is treated as "individual".
Powers PowersFor(std::string_view subject_kind, CreditLevel credit);

// Where the credit level of an account comes from (issue 6 sets the real one). Called outside
// this service's transactions; must be thread-safe.
using CreditLevelProvider = std::function<CreditLevel(const accounts::Account&)>;

struct Options {
  CreditLevelProvider credit;  // empty: every account is kGood
  int max_per_minute = 10;     // comments and replies one user may post per minute (0: no cap)
  int replies_shown = 3;       // replies attached to each comment in a listing
};

struct Comment {
  int64_t id = 0;
  int64_t article_id = 0, account_id = 0;
  int64_t user_id = 0;               // the commenter (for an author reply: the operator)
  std::optional<int64_t> parent_id;  // the comment answered (reply, author_reply)
  std::string kind;                  // "comment" | "reply" | "author_reply"
  std::string body;                  // as readers see it (replace terms masked)
  std::string author_name;           // the commenter's display name; the account's name for an
                                     // author reply
  // visible, held (in review), hidden (by the operator), rejected (refused in review),
  // removed (by the platform), deleted (by its author)
  std::string status;
  std::string status_reason;
  bool selected = false;
  std::optional<Micros> pinned_at;
  Micros created_at = 0, updated_at = 0;
  // The platform's decision that set a `rejected` or `removed` status: the moderator ("user:<id>",
  // the review item's decider or the remover) and when. Empty for every other status, and for
  // comments decided before migration comments/0002 (the review items still tell).
  std::string decided_by;
  std::optional<Micros> decided_at;
  // Filled in listings:
  bool is_public = false;               // shown to everyone now
  bool mine = false;                    // written by the viewer
  int64_t reply_count = 0;              // public replies (top-level comments)
  std::vector<Comment> replies;         // the first Options::replies_shown public replies (and the
                                        // viewer's own pending ones)
  std::vector<Comment> author_replies;  // visible author replies, oldest first
};

// Who is looking: a signed-in user sees their own held or unselected comments too.
struct Viewer {
  std::optional<int64_t> user_id;
};

struct PostResult {
  Comment comment;
  bool is_public = false;
  // Why it is not shown yet: "", "in_review" (held by screening), "awaiting_selection"
  // (selected mode).
  std::string pending;
  std::optional<int64_t> review_id;  // the review item of a held or flagged comment
};

// Whether an article takes new comments, and why not.
struct Openness {
  Mode mode = Mode::kOpen;  // the configured mode (article override, else the account's)
  bool accepting = false;
  // "" when accepting; "closed" (the mode), "platform_restricted" (PA17-12),
  // "account_not_active"
  std::string closed_reason;
};

struct Page {
  int64_t article_id = 0;
  Openness openness;
  int64_t comment_count = 0;  // public top-level comments
  // First page: public pinned comments (newest pin first), then the rest newest first.
  std::vector<Comment> comments;
  std::optional<int64_t> next_before;  // cursor for the next page (ids below it)
};

struct ReplyPage {
  int64_t comment_id = 0;
  std::vector<Comment> replies;       // oldest first, each with its author replies
  std::optional<int64_t> next_after;  // cursor for the next page (ids above it)
};

struct AccountSettings {
  int64_t account_id = 0;
  Mode mode = Mode::kOpen;  // the account's default
  std::string subject_kind;
  CreditLevel credit = CreditLevel::kGood;
  Powers powers;            // after the sanction check: all false while restricted
  Powers policy_powers;     // what PowersFor grants by subject kind and credit
  bool restricted = false;  // a sanction blocks "comment" (PA17-12)
  std::string restriction;  // its message ("" when not restricted)
};

struct ArticleSettings {
  int64_t article_id = 0, account_id = 0;
  std::optional<Mode> override_mode;  // none: follows the account
  Mode account_mode = Mode::kOpen;
  Openness openness;
};

struct OperatorPage {
  int64_t article_id = 0;
  Openness openness;
  std::vector<std::pair<std::string, int64_t>> counts;  // comments and replies by status
  std::vector<Comment> comments;                        // every kind and status, newest first
  std::optional<int64_t> next_before;
};

// Operator actions on one comment.
enum class Action { kSelect, kUnselect, kHide, kUnhide, kPin, kUnpin };
std::string_view ActionName(Action a);  // "select", ... (the audit action is "comment.<name>")

class CommentService {
 public:
  // Registers the review handler for kind "comment" with `review`, and with `articles` a purge
  // hook (content::ArticleService::RegisterPurgeHook, kind "comments") that removes the comments,
  // counters and mode override of purged articles. Both keep `this`: the service must outlive
  // their use.
  CommentService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                 accounts::AccountService& accounts, content::ArticleService& articles,
                 const sanctions::SanctionService& sanctions,
                 const moderation::ScreeningService& screening, review::ReviewQueue& review,
                 Options options = {});

  // --- readers ---
  // `user_id` comments on a published article, or replies to a top-level comment of it.
  // NotFound article_not_found, comment_not_found (field parent_id: no such comment on this
  // article that the user can see); InvalidArgument invalid_body, illegal_content, invalid_parent
  // (a reply to a reply or to an author reply); FailedPrecondition sanctioned (the user may not
  // comment), comments_closed (mode closed, the account's comment functions removed, or the
  // account not active); ResourceExhausted comment_rate_limited.
  Result<PostResult> Post(int64_t user_id, int64_t article_id, std::string_view body,
                          std::optional<int64_t> parent_id, const auth::RequestMeta& meta);
  // Its author deletes a comment (a reader's, or the operator's author reply): kept, not shown.
  // NotFound comment_not_found; PermissionDenied not_comment_author; FailedPrecondition
  // comment_deleted.
  Result<Comment> Delete(int64_t user_id, int64_t comment_id, const auth::RequestMeta& meta);
  // The public comments of a published article (plus the viewer's own pending ones).
  // NotFound article_not_found; InvalidArgument invalid_limit (1..50).
  Result<Page> List(int64_t article_id, const Viewer& viewer, int limit,
                    std::optional<int64_t> before) const;
  // The public replies of a comment the viewer can see. NotFound comment_not_found (also for a
  // comment of an article that is no longer published); InvalidArgument invalid_limit (1..100).
  Result<ReplyPage> Replies(int64_t comment_id, const Viewer& viewer, int limit,
                            std::optional<int64_t> after) const;
  // Public top-level comments of an article (0 when it has none).
  Result<int64_t> PublicCount(int64_t article_id) const;

  // --- the account's operator ---
  // NotFound account_not_found; PermissionDenied not_account_owner.
  Result<AccountSettings> GetAccountSettings(int64_t user_id, int64_t account_id) const;
  // Sets the account's default mode; audited "comment.mode". PermissionDenied
  // not_account_owner, comment_power_not_granted (selected without the select power, closed
  // without the close power); FailedPrecondition sanctioned (PA17-12), account_not_active.
  Result<AccountSettings> SetAccountMode(int64_t user_id, int64_t account_id, Mode mode,
                                         const auth::RequestMeta& meta);
  // Any article status. NotFound article_not_found; PermissionDenied not_account_owner.
  Result<ArticleSettings> GetArticleSettings(int64_t user_id, int64_t article_id) const;
  // Overrides the mode of one article (none: follow the account again); audited
  // "comment.mode". Errors as SetAccountMode, plus NotFound article_not_found.
  Result<ArticleSettings> SetArticleMode(int64_t user_id, int64_t article_id,
                                         std::optional<Mode> mode, const auth::RequestMeta& meta);
  // select / unselect (readers' comments and replies), hide / unhide (readers' comments and
  // replies; hiding unpins), pin / unpin (top-level comments; pinning in selected mode also
  // selects). Repeating an action that is already in effect changes nothing and is not
  // audited. Audited "comment.<action>" with `reason` (0..200 characters).
  // NotFound comment_not_found; PermissionDenied not_account_owner, comment_power_not_granted
  // (select and pin need their power, hide and unhide the hide power; unselect and unpin are
  // always allowed); FailedPrecondition sanctioned (PA17-12), comment_in_review,
  // comment_not_visible, comment_not_hidden, pin_limit_reached, not_top_level; InvalidArgument
  // not_a_reader_comment (an author reply), invalid_note (the reason).
  Result<Comment> Moderate(int64_t user_id, int64_t comment_id, Action action,
                           std::string_view reason, const auth::RequestMeta& meta);
  // The operator answers a reader's comment or reply as the account; screened like a comment
  // (held or masked as needed); works in any mode; audited "comment.author_reply".
  // NotFound comment_not_found, article_not_found (no longer published); PermissionDenied
  // not_account_owner, comment_power_not_granted; FailedPrecondition sanctioned,
  // comment_in_review, comment_not_visible; InvalidArgument invalid_body, illegal_content,
  // not_a_reader_comment.
  Result<PostResult> AuthorReply(int64_t user_id, int64_t comment_id, std::string_view body,
                                 const auth::RequestMeta& meta);
  // Every comment of an article of the operator's account, with statuses, newest first;
  // `status` filters: a status, "awaiting_selection" (readers' visible comments and replies
  // not selected yet), or "" (all). Works while restricted (reading is not managing).
  // NotFound article_not_found; PermissionDenied not_account_owner; InvalidArgument
  // invalid_limit (1..100), invalid_status.
  Result<OperatorPage> ListForOperator(int64_t user_id, int64_t article_id, std::string_view status,
                                       int limit, std::optional<int64_t> before) const;

  // --- the platform ---
  // A moderator removes a comment (any kind, any status but removed and deleted) with a reason
  // code of review::DecisionReasons() that rejects; the author is notified; audited
  // "comment.remove". NotFound comment_not_found; InvalidArgument invalid_reason_code,
  // invalid_note; FailedPrecondition comment_not_visible.
  Result<Comment> Remove(const std::string& actor, int64_t comment_id, std::string_view reason_code,
                         std::string_view note, const auth::RequestMeta& meta);
  // Undoes Remove (the comment becomes visible again); audited "comment.restore".
  // NotFound comment_not_found; FailedPrecondition comment_not_removed; InvalidArgument
  // invalid_note.
  Result<Comment> Restore(const std::string& actor, int64_t comment_id, std::string_view note,
                          const auth::RequestMeta& meta);
  // Any comment in any status (moderators). NotFound comment_not_found.
  Result<Comment> Get(int64_t comment_id) const;
  // The same inside the caller's transaction (the appeal channel reads the decision appealed).
  Result<Comment> GetIn(storage::Transaction& tx, int64_t comment_id) const {
    return LoadComment(tx, comment_id);
  }
  // An appeal overturned the platform's decision (appeals::AppealService): a comment held by
  // screening, rejected in review or removed by the platform becomes visible again inside the
  // caller's write transaction (counted; selection and pins as they were, a hold's pin never
  // existed), its author is notified (comment_restored) and it is audited "comment.restore" with
  // `reason`. The caller closes any open review item of it. NotFound comment_not_found;
  // FailedPrecondition comment_not_restorable (visible, hidden by the operator, deleted by its
  // author).
  Result<Comment> RestoreIn(storage::Transaction& tx, int64_t comment_id, std::string_view reason,
                            const std::string& actor, const std::string& request_id);

  static std::vector<storage::Migration> Migrations();

 private:
  struct Context;  // an article's account, mode and openness inside a transaction
  Result<Context> LoadContext(storage::Transaction& tx, int64_t account_id,
                              int64_t article_id) const;
  Result<Comment> LoadComment(storage::Transaction& tx, int64_t id) const;
  // LoadComment after taking the comment's lock (every write that changes a comment's state).
  Result<Comment> LoadForUpdate(storage::Transaction& tx, int64_t id) const;
  Powers PowersOf(const accounts::Account& account) const;
  CreditLevel CreditOf(const accounts::Account& account) const;
  Status HandleDecision(storage::Transaction& tx, const review::Item& item);
  // The purge hook: every row of this module keyed by one of `article_ids`.
  Result<content::PurgeCounts> PurgeArticles(storage::Transaction& tx,
                                             const std::vector<int64_t>& article_ids,
                                             bool dry_run) const;
  // Attaches readers' replies (when `with_replies`) and author replies to `list`.
  Result<std::vector<Comment>> Attach(storage::Transaction& tx, std::vector<Comment> list,
                                      Mode mode, const Viewer& viewer, bool with_replies) const;
  Result<Openness> OpennessOf(storage::Transaction& tx, const accounts::Account& account,
                              int64_t article_id) const;

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  accounts::AccountService& accounts_;
  const content::ArticleService& articles_;
  const sanctions::SanctionService& sanctions_;
  const moderation::ScreeningService& screening_;
  review::ReviewQueue& review_;
  Options options_;
};

}  // namespace herald::comments
