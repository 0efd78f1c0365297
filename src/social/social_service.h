// SocialService: what readers do with accounts and articles — follows, reads, likes and
// forwards (issue 5, "Readers"; PA-12.2). docs/social.md describes the model and the API.
//
//  - Follows (PA-12.2): a follow exists only because the reader asked for it. Follow and
//    Unfollow take the acting user's own id (the API passes the session's user, never an id from
//    a request body) and there is no operation that follows on anyone's behalf. Only an `active`
//    account can be followed; unfollowing is always possible. Every follow and unfollow appends
//    a follow event (time, kind, the follower count after it, the request id) to the account's
//    history, the raw material for detecting abnormal changes in follower counts later.
//  - Reads: counted at most once per reader per article per day (China Standard Time, UTC+8).
//    A reader is a signed-in user or, without a session, an anonymous visitor fingerprinted by
//    client address and User-Agent. Neither is stored: the record keeps only a keyed BLAKE2b
//    hash of (reader, day) under `visitor_key`, which cannot be linked across days and does not
//    reveal the address, the agent or the user.
//  - Likes: one per user per article; like and unlike.
//  - Forwards (shares): each forward may name the forward it came from (of the same article), so
//    the chain of who forwarded from whom is kept; every forward records its origin (the first
//    forward of its chain) and depth, and Chain() walks back to the origin.
// Counters (followers per account; reads, likes and forwards per article) are kept in the same
// write transaction as the records they count, so they always agree with them.
//
// Reads, likes and forwards need a published article (content::ArticleService::GetPublic);
// follows an existing account (accounts::AccountService::Get). They stay when the article is
// hidden or deleted, and go with it when content::ArticleService::PurgeExpired purges it after
// the retention period (through this service's purge hook), counters included.
//
// Ordinary reader actions (follow, read, like, forward) are recorded in this module's tables,
// not in the audit log; privileged reads of other people's behaviour (a reviewer viewing an
// account's follow events with user ids, TraceChain) are audited.
//
// Errors (stable reasons): NotFound account_not_found, article_not_found, forward_not_found;
// FailedPrecondition account_not_active, not_following, not_liked; AlreadyExists
// already_following, already_liked; PermissionDenied not_account_owner; InvalidArgument
// forward_article_mismatch (field from_forward_id), invalid_limit. Storage errors pass through.
// Thread-safe; all state is in the database.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "content/article_service.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::social {

// The result of a follow or unfollow.
struct FollowState {
  int64_t account_id = 0;
  bool following = false;
  int64_t followers = 0;  // the account's follower count afterwards
};

// One entry of a reader's list of followed accounts.
struct FollowedAccount {
  int64_t follow_id = 0;  // increasing; the cursor of the list
  int64_t account_id = 0;
  std::string account_name, account_status, account_category;
  Micros followed_at = 0;
};

// One event of an account's follow history.
struct FollowEvent {
  int64_t id = 0;
  int64_t account_id = 0;
  std::optional<int64_t> user_id;  // set only for reviewers (see FollowEvents)
  std::string kind;                // "follow" | "unfollow"
  int64_t followers_after = 0;
  Micros time = 0;
  std::string request_id;
};

struct EventQuery {
  int limit = 50;                      // 1..500
  std::optional<int64_t> before_id;    // newest first: only events with a smaller id
  std::optional<Micros> since, until;  // time >= since, time < until
};

// Who is asking for something that depends on who they are.
struct Caller {
  int64_t user_id = 0;
  bool reviewer = false;  // holds accounts.review
  auth::RequestMeta meta;
  bool staff_read = false;  // holds accounts.review or subjects.read (reads account statistics)
  std::string Actor() const { return "user:" + std::to_string(user_id); }
};

// A reader of an article: a signed-in user, or an anonymous visitor (client and agent).
struct Reader {
  std::optional<int64_t> user_id;
  std::string client;      // client address, when anonymous
  std::string user_agent;  // User-Agent, when anonymous (at most 512 bytes are used)
};

struct ArticleStats {
  int64_t article_id = 0;
  int64_t reads = 0, likes = 0, forwards = 0;
};

// One day (China Standard Time) of an account's activity, from social_account_days.
struct AccountDay {
  int64_t day = 0;  // ReadDay() number: days since 1970-01-01 in UTC+8
  int64_t follows = 0, unfollows = 0;
  int64_t net_followers = 0;  // follows - unfollows
  int64_t followers = 0;      // the follower count at the end of the day
  int64_t reads = 0;          // reads counted that day over all the account's articles
};

struct ReadResult {
  bool counted = false;  // false: this reader was already counted today
  ArticleStats stats;
};

struct Forward {
  int64_t id = 0;
  int64_t article_id = 0;
  int64_t user_id = 0;
  std::optional<int64_t> from_forward_id;
  std::optional<int64_t> from_user_id;  // who forwarded the forward this one came from
  int64_t origin_id = 0;                // the first forward of the chain (itself for a root)
  int64_t depth = 0;                    // 0 for a root, from's depth + 1 otherwise
  Micros created_at = 0;
};

// Runs inside RecordRead's write transaction for every read of a published article by a signed-in
// user (counted or not), after the read row: (tx, article_id, user_id, now). The hook, not this
// module, decides whether to keep the user id. An error rolls the read back and is returned.
// Used by issue 6 (rumours: who saw an article that is later debunked).
using ReadHook = std::function<Status(storage::Transaction& tx, int64_t article_id, int64_t user_id,
                                      Micros now)>;

struct ForwardChain {
  std::vector<Forward> hops;  // the forward asked for first, then each one it came from
  bool complete = true;       // false when cut at max_hops before reaching the origin
  Forward origin;             // the first forward of the chain
};

class SocialService {
 public:
  // `visitor_key`: 32 secret bytes for the read fingerprints (the app passes the PII index key).
  // Registers with `articles` a purge hook (content::ArticleService::RegisterPurgeHook, kinds
  // "reads", "likes", "forwards") that removes the reads, likes, forwards and counters of purged
  // articles; it keeps `this`, so the service must outlive its use.
  SocialService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                const accounts::AccountService& accounts, content::ArticleService& articles,
                std::string visitor_key);

  // --- follows (PA-12.2) ---
  // `user_id` follows `account_id`. NotFound account_not_found; FailedPrecondition
  // account_not_active (any status but active); AlreadyExists already_following.
  Result<FollowState> Follow(int64_t user_id, int64_t account_id, const auth::RequestMeta& meta);
  // NotFound account_not_found; FailedPrecondition not_following. Works in any account status.
  Result<FollowState> Unfollow(int64_t user_id, int64_t account_id, const auth::RequestMeta& meta);
  // NotFound account_not_found.
  Result<int64_t> FollowerCount(int64_t account_id) const;
  // Whether `user_id` follows `account_id` (false for an unknown account).
  Result<bool> IsFollowing(int64_t user_id, int64_t account_id) const;
  // The accounts `user_id` follows, newest follow first; `before_id` continues after a
  // follow_id. InvalidArgument invalid_limit outside 1..100.
  Result<std::vector<FollowedAccount>> Following(int64_t user_id, int limit,
                                                 std::optional<int64_t> before_id) const;
  // The follow history of an account, newest first, for its operator or a reviewer.
  // The operator sees times, kinds and counts; a reviewer also sees each event's user, and a
  // reviewer who is not the operator is audited ("social.follow_events.read").
  // NotFound account_not_found; PermissionDenied not_account_owner; InvalidArgument
  // invalid_limit.
  Result<std::vector<FollowEvent>> FollowEvents(const Caller& who, int64_t account_id,
                                                const EventQuery& q);

  // --- reads ---
  // Counts a read of a published article unless this reader was counted today.
  // NotFound article_not_found.
  Result<ReadResult> RecordRead(int64_t article_id, const Reader& reader);

  // Registers a hook that RecordRead runs for signed-in readers (see ReadHook), in
  // registration order. Not thread-safe: register before serving (in the composition root).
  void RegisterReadHook(ReadHook hook) { read_hooks_.push_back(std::move(hook)); }

  // --- likes ---
  // NotFound article_not_found (not published); AlreadyExists already_liked.
  Result<ArticleStats> Like(int64_t user_id, int64_t article_id);
  // NotFound article_not_found (no like and not published); FailedPrecondition not_liked.
  // A like of an article that was hidden since may still be withdrawn.
  Result<ArticleStats> Unlike(int64_t user_id, int64_t article_id);
  Result<bool> HasLiked(int64_t user_id, int64_t article_id) const;

  // --- forwards ---
  // Records that `user_id` forwarded a published article, optionally from another forward of
  // the same article. NotFound article_not_found, forward_not_found (field from_forward_id);
  // InvalidArgument forward_article_mismatch (field from_forward_id).
  Result<Forward> ForwardArticle(int64_t user_id, int64_t article_id,
                                 std::optional<int64_t> from_forward_id,
                                 const auth::RequestMeta& meta);
  // NotFound forward_not_found.
  Result<Forward> GetForward(int64_t forward_id) const;
  // The chain from `forward_id` back to its origin, at most `max_hops` forwards (1..10,000).
  // NotFound forward_not_found; InvalidArgument invalid_limit.
  Result<ForwardChain> Chain(int64_t forward_id, int max_hops = 1000) const;
  // Chain() for a reviewer, audited ("social.forward_chain.read", actor `who`).
  Result<ForwardChain> TraceChain(const Caller& who, int64_t forward_id, int max_hops = 1000);

  // --- an account's days ---
  // The last `days` days (1..366, today included, oldest first, every day present) of follows,
  // unfollows, net followers, the follower count at each day's end and reads counted on that
  // day over all the account's articles. For the account's owner or a caller with staff_read.
  // NotFound account_not_found; PermissionDenied not_account_owner; InvalidArgument
  // invalid_days (field days).
  Result<std::vector<AccountDay>> AccountDays(const Caller& who, int64_t account_id,
                                              int days) const;

  // --- counts ---
  // Reads, likes and forwards of a published article. NotFound article_not_found.
  Result<ArticleStats> Stats(int64_t article_id) const;

  static std::vector<storage::Migration> Migrations();

 private:
  Result<ArticleStats> LoadStats(storage::Transaction& tx, int64_t article_id) const;
  Result<std::optional<Forward>> LoadForward(storage::Transaction& tx, int64_t id) const;
  // The purge hook: every row of this module keyed by one of `article_ids`.
  Result<content::PurgeCounts> PurgeArticles(storage::Transaction& tx,
                                             const std::vector<int64_t>& article_ids,
                                             bool dry_run) const;

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  const accounts::AccountService& accounts_;
  const content::ArticleService& articles_;
  std::string visitor_key_;
  std::vector<ReadHook> read_hooks_;  // fixed once serving
};

// The day number (days since 1970-01-01 in China Standard Time, UTC+8) of `t`: reads are
// counted once per reader per such day.
int64_t ReadDay(Micros t);

}  // namespace herald::social
