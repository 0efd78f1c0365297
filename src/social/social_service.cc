#include "social/social_service.h"

#include <utility>

#include "core/crypto.h"
#include "core/json_writer.h"

namespace herald::social {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr size_t kMaxUserAgentBytes = 512;

std::string AccountRef(int64_t id) { return "account:" + std::to_string(id); }

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

Value OptValue(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(std::monostate{}); }

// Columns of a forward, joined with the forward it came from (alias p).
constexpr std::string_view kForwardColumns =
    "f.id, f.article_id, f.user_id, f.from_forward_id, p.user_id, f.origin_id, f.depth, "
    "f.created_at";

Forward ForwardFromRow(const Row& r, size_t at = 0) {
  Forward f;
  f.id = r.Int(at + 0);
  f.article_id = r.Int(at + 1);
  f.user_id = r.Int(at + 2);
  f.from_forward_id = OptInt(r, at + 3);
  f.from_user_id = OptInt(r, at + 4);
  f.origin_id = r.Int(at + 5);
  f.depth = r.Int(at + 6);
  f.created_at = r.Int(at + 7);
  return f;
}

// Adds the (non-negative) deltas to an article's counters, creating its row on first use.
Status Bump(Transaction& tx, int64_t article_id, int64_t reads, int64_t likes, int64_t forwards) {
  return tx
      .Execute(
          "INSERT INTO social_article_stats (article_id, read_count, like_count, forward_count) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
          "read_count = social_article_stats.read_count + excluded.read_count, "
          "like_count = social_article_stats.like_count + excluded.like_count, "
          "forward_count = social_article_stats.forward_count + excluded.forward_count",
          {article_id, reads, likes, forwards})
      .status();
}

// Adds to an account's counters of one day (China Standard Time), creating the row on first use.
Status BumpDay(Transaction& tx, int64_t account_id, int64_t day, int64_t reads, int64_t follows,
               int64_t unfollows) {
  return tx
      .Execute(
          "INSERT INTO social_account_days (account_id, day, reads, follows, unfollows) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, day) DO UPDATE SET "
          "reads = social_account_days.reads + excluded.reads, "
          "follows = social_account_days.follows + excluded.follows, "
          "unfollows = social_account_days.unfollows + excluded.unfollows",
          {account_id, day, reads, follows, unfollows})
      .status();
}

Status CheckLimit(int limit, int max) {
  if (limit < 1 || limit > max) {
    return InvalidArgument("limit must be 1 to " + std::to_string(max), "invalid_limit", "limit");
  }
  return Status();
}

// "(?, ?, ...)" with `n` placeholders.
std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}

}  // namespace

int64_t ReadDay(Micros t) {
  const Micros local = t + 8 * kMicrosPerHour;  // China Standard Time has no daylight saving
  return local >= 0 ? local / kMicrosPerDay : (local - kMicrosPerDay + 1) / kMicrosPerDay;
}

SocialService::SocialService(storage::Database& db, const audit::AuditLog& audit,
                             const Clock& clock, const accounts::AccountService& accounts,
                             content::ArticleService& articles, std::string visitor_key)
    : db_(db),
      audit_(audit),
      clock_(clock),
      accounts_(accounts),
      articles_(articles),
      visitor_key_(std::move(visitor_key)) {
  articles.RegisterPurgeHook({"reads", "likes", "forwards"},
                             [this](Transaction& tx, const std::vector<int64_t>& ids,
                                    bool dry_run) { return PurgeArticles(tx, ids, dry_run); });
}

Result<content::PurgeCounts> SocialService::PurgeArticles(Transaction& tx,
                                                          const std::vector<int64_t>& article_ids,
                                                          bool dry_run) const {
  const std::vector<Value> ids(article_ids.begin(), article_ids.end());
  const std::string in = InList(ids.size());
  content::PurgeCounts counts;
  for (const auto& [kind, table] :
       {std::pair{"reads", "social_reads"}, std::pair{"likes", "social_likes"},
        std::pair{"forwards", "social_forwards"}}) {
    HERALD_ASSIGN_OR_RETURN(
        auto n,
        tx.Query("SELECT COUNT(*) FROM " + std::string(table) + " WHERE article_id IN " + in, ids));
    counts[kind] = n.rows.at(0).Int(0);
  }
  if (dry_run) return counts;
  // A forward refers to the one it came from (from_forward_id), always a forward of the same
  // article; one statement removes a whole chain, and both backends check that foreign key at
  // the end of the statement.
  for (const char* table :
       {"social_reads", "social_likes", "social_forwards", "social_article_stats"}) {
    HERALD_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM " + std::string(table) + " WHERE article_id IN " + in, ids)
            .status());
  }
  return counts;
}

// --- follows ---

Result<FollowState> SocialService::Follow(int64_t user_id, int64_t account_id,
                                          const auth::RequestMeta& meta) {
  FollowState out{account_id, true, 0};
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(auto account, accounts_.Get(tx, account_id));
        if (account.status != "active") {
          return FailedPrecondition("only an active account can be followed", "account_not_active");
        }
        const Micros now = clock_.Now();
        HERALD_ASSIGN_OR_RETURN(
            int64_t added,
            tx.Execute(
                "INSERT INTO social_follows (user_id, account_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_id, account_id) DO NOTHING",
                {user_id, account_id, now}));
        if (added == 0)
          return AlreadyExists("you already follow this account", "already_following");
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("INSERT INTO social_account_stats (account_id, followers) VALUES (?, 1) "
                     "ON CONFLICT (account_id) DO UPDATE SET followers = "
                     "social_account_stats.followers + 1 RETURNING followers",
                     {account_id}));
        out.followers = rows.rows.at(0).Int(0);
        HERALD_RETURN_IF_ERROR(BumpDay(tx, account_id, ReadDay(now), 0, 1, 0));
        return tx
            .Execute(
                "INSERT INTO social_follow_events (account_id, user_id, kind, followers_after, "
                "created_at, request_id) VALUES (?, ?, 'follow', ?, ?, ?)",
                {account_id, user_id, out.followers, now, meta.request_id})
            .status();
      }));
  return out;
}

Result<FollowState> SocialService::Unfollow(int64_t user_id, int64_t account_id,
                                            const auth::RequestMeta& meta) {
  FollowState out{account_id, false, 0};
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(accounts_.Get(tx, account_id).status());
        HERALD_ASSIGN_OR_RETURN(
            int64_t removed,
            tx.Execute("DELETE FROM social_follows WHERE user_id = ? AND account_id = ?",
                       {user_id, account_id}));
        if (removed == 0)
          return FailedPrecondition("you do not follow this account", "not_following");
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("UPDATE social_account_stats SET followers = followers - 1 WHERE "
                                "account_id = ? RETURNING followers",
                                {account_id}));
        if (rows.empty()) return Internal("follower count missing for a followed account");
        out.followers = rows.rows[0].Int(0);
        const Micros now = clock_.Now();
        HERALD_RETURN_IF_ERROR(BumpDay(tx, account_id, ReadDay(now), 0, 0, 1));
        return tx
            .Execute(
                "INSERT INTO social_follow_events (account_id, user_id, kind, followers_after, "
                "created_at, request_id) VALUES (?, ?, 'unfollow', ?, ?, ?)",
                {account_id, user_id, out.followers, now, meta.request_id})
            .status();
      }));
  return out;
}

Result<int64_t> SocialService::FollowerCount(int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_RETURN_IF_ERROR(accounts_.Get(*tx, account_id).status());
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT followers FROM social_account_stats WHERE account_id = ?", {account_id}));
  return rows.empty() ? int64_t{0} : rows.rows[0].Int(0);
}

Result<bool> SocialService::IsFollowing(int64_t user_id, int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT 1 FROM social_follows WHERE user_id = ? AND account_id = ?",
                           {user_id, account_id}));
  return !rows.empty();
}

Result<std::vector<FollowedAccount>> SocialService::Following(
    int64_t user_id, int limit, std::optional<int64_t> before_id) const {
  HERALD_RETURN_IF_ERROR(CheckLimit(limit, 100));
  std::string sql = "SELECT id, account_id, created_at FROM social_follows WHERE user_id = ?";
  std::vector<Value> params{user_id};
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<FollowedAccount> out;
  out.reserve(rows.size());
  for (const auto& r : rows.rows) {
    FollowedAccount f;
    f.follow_id = r.Int(0);
    f.account_id = r.Int(1);
    f.followed_at = r.Int(2);
    HERALD_ASSIGN_OR_RETURN(auto account, accounts_.Get(*tx, f.account_id));
    f.account_name = account.name;
    f.account_status = account.status;
    f.account_category = account.category;
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<FollowEvent>> SocialService::FollowEvents(const Caller& who, int64_t account_id,
                                                             const EventQuery& q) {
  HERALD_RETURN_IF_ERROR(CheckLimit(q.limit, 500));
  HERALD_ASSIGN_OR_RETURN(auto account, accounts_.Get(account_id));
  if (!who.reviewer && account.owner_user_id != who.user_id) {
    return PermissionDenied("only the account's operator or a reviewer may see its follow events",
                            "not_account_owner");
  }
  // A reviewer sees who followed and unfollowed: that disclosure is audited.
  if (who.reviewer) {
    JsonObjectWriter w;
    w.Add("account_id", account_id);
    w.Add("owner", account.owner_user_id == who.user_id);
    HERALD_RETURN_IF_ERROR(
        audit_
            .AppendNow(db_, audit::NewEntry{who.Actor(), "social.follow_events.read",
                                            AccountRef(account_id), w.str(), who.meta.request_id})
            .status());
  }
  std::string sql =
      "SELECT id, account_id, user_id, kind, followers_after, created_at, request_id FROM "
      "social_follow_events WHERE account_id = ?";
  std::vector<Value> params{account_id};
  if (q.before_id) {
    sql += " AND id < ?";
    params.push_back(*q.before_id);
  }
  if (q.since) {
    sql += " AND created_at >= ?";
    params.push_back(*q.since);
  }
  if (q.until) {
    sql += " AND created_at < ?";
    params.push_back(*q.until);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{q.limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<FollowEvent> out;
  out.reserve(rows.size());
  for (const auto& r : rows.rows) {
    FollowEvent e;
    e.id = r.Int(0);
    e.account_id = r.Int(1);
    if (who.reviewer) {
      e.user_id = r.Int(2);
      e.request_id = r.Text(6);
    }
    e.kind = r.Text(3);
    e.followers_after = r.Int(4);
    e.time = r.Int(5);
    out.push_back(std::move(e));
  }
  return out;
}

// --- reads ---

Result<ReadResult> SocialService::RecordRead(int64_t article_id, const Reader& reader) {
  HERALD_ASSIGN_OR_RETURN(auto article, articles_.GetPublic(article_id));
  const Micros now = clock_.Now();
  const std::string day = std::to_string(ReadDay(now));
  // Only a keyed hash of (reader, day) is kept: not the user, address or agent, and not
  // linkable from one day to the next.
  std::string key;
  if (reader.user_id) {
    key = "u:" + crypto::BlindIndex(visitor_key_, "social.read.user",
                                    std::to_string(*reader.user_id) + "\n" + day);
  } else {
    std::string_view agent(reader.user_agent);
    agent = agent.substr(0, kMaxUserAgentBytes);
    key = "v:" + crypto::BlindIndex(visitor_key_, "social.read.visitor",
                                    reader.client + "\n" + std::string(agent) + "\n" + day);
  }
  ReadResult out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            int64_t added,
            tx.Execute("INSERT INTO social_reads (article_id, read_day, reader, created_at) VALUES "
                       "(?, ?, ?, ?) ON CONFLICT (article_id, read_day, reader) DO NOTHING",
                       {article_id, ReadDay(now), key, now}));
        out.counted = added > 0;
        if (out.counted) {
          HERALD_RETURN_IF_ERROR(Bump(tx, article_id, 1, 0, 0));
          HERALD_RETURN_IF_ERROR(BumpDay(tx, article.account_id, ReadDay(now), 1, 0, 0));
        }
        if (reader.user_id) {
          for (const auto& hook : read_hooks_) {
            HERALD_RETURN_IF_ERROR(hook(tx, article_id, *reader.user_id, now));
          }
        }
        HERALD_ASSIGN_OR_RETURN(out.stats, LoadStats(tx, article_id));
        return Status();
      }));
  return out;
}

// --- likes ---

Result<ArticleStats> SocialService::Like(int64_t user_id, int64_t article_id) {
  HERALD_RETURN_IF_ERROR(articles_.GetPublic(article_id).status());
  ArticleStats out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            int64_t added,
            tx.Execute(
                "INSERT INTO social_likes (article_id, user_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (article_id, user_id) DO NOTHING",
                {article_id, user_id, clock_.Now()}));
        if (added == 0) return AlreadyExists("you already like this article", "already_liked");
        HERALD_RETURN_IF_ERROR(Bump(tx, article_id, 0, 1, 0));
        HERALD_ASSIGN_OR_RETURN(out, LoadStats(tx, article_id));
        return Status();
      }));
  return out;
}

Result<ArticleStats> SocialService::Unlike(int64_t user_id, int64_t article_id) {
  ArticleStats out;
  bool removed = false;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            int64_t n, tx.Execute("DELETE FROM social_likes WHERE article_id = ? AND user_id = ?",
                                  {article_id, user_id}));
        removed = n > 0;
        if (!removed) return Status();  // nothing written; the reason is decided below
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE social_article_stats SET like_count = "
                                          "like_count - 1 WHERE article_id = ?",
                                          {article_id})
                                   .status());
        HERALD_ASSIGN_OR_RETURN(out, LoadStats(tx, article_id));
        return Status();
      }));
  if (removed) return out;
  // Decided outside the transaction, so no request holds two connections at once.
  HERALD_RETURN_IF_ERROR(articles_.GetPublic(article_id).status());
  return FailedPrecondition("you do not like this article", "not_liked");
}

Result<bool> SocialService::HasLiked(int64_t user_id, int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT 1 FROM social_likes WHERE article_id = ? AND user_id = ?",
                           {article_id, user_id}));
  return !rows.empty();
}

// --- forwards ---

Result<std::optional<Forward>> SocialService::LoadForward(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT " + std::string(kForwardColumns) +
                              " FROM social_forwards f LEFT JOIN social_forwards p ON p.id = "
                              "f.from_forward_id WHERE f.id = ?",
                          {id}));
  if (rows.empty()) return std::optional<Forward>();
  return std::optional<Forward>(ForwardFromRow(rows.rows[0]));
}

Result<Forward> SocialService::ForwardArticle(int64_t user_id, int64_t article_id,
                                              std::optional<int64_t> from_forward_id,
                                              const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(articles_.GetPublic(article_id).status());
  Forward out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        out = Forward{};
        out.article_id = article_id;
        out.user_id = user_id;
        out.created_at = clock_.Now();
        if (from_forward_id) {
          HERALD_ASSIGN_OR_RETURN(auto from, LoadForward(tx, *from_forward_id));
          if (!from) {
            return NotFound("no such forward", "forward_not_found", "from_forward_id");
          }
          if (from->article_id != article_id) {
            return InvalidArgument("the forward it came from is of another article",
                                   "forward_article_mismatch", "from_forward_id");
          }
          out.from_forward_id = from->id;
          out.from_user_id = from->user_id;
          out.origin_id = from->origin_id;
          out.depth = from->depth + 1;
        }
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "INSERT INTO social_forwards (article_id, user_id, from_forward_id, origin_id, "
                "depth, created_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                {article_id, user_id, OptValue(out.from_forward_id),
                 out.from_forward_id ? Value(out.origin_id) : Value(std::monostate{}), out.depth,
                 out.created_at, meta.request_id}));
        out.id = rows.rows.at(0).Int(0);
        if (!out.from_forward_id) {
          // A root is its own origin.
          out.origin_id = out.id;
          HERALD_RETURN_IF_ERROR(
              tx.Execute("UPDATE social_forwards SET origin_id = ? WHERE id = ?", {out.id, out.id})
                  .status());
        }
        return Bump(tx, article_id, 0, 0, 1);
      }));
  return out;
}

Result<Forward> SocialService::GetForward(int64_t forward_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto f, LoadForward(*tx, forward_id));
  if (!f) return NotFound("no such forward", "forward_not_found");
  return *f;
}

Result<ForwardChain> SocialService::Chain(int64_t forward_id, int max_hops) const {
  HERALD_RETURN_IF_ERROR(CheckLimit(max_hops, 10000));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  // Each forward names an earlier one, so the walk ends at the origin (no cycles).
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("WITH RECURSIVE chain (id, from_id, n) AS ("
                "SELECT id, from_forward_id, 0 FROM social_forwards WHERE id = ? "
                "UNION ALL SELECT s.id, s.from_forward_id, c.n + 1 FROM social_forwards s "
                "JOIN chain c ON s.id = c.from_id WHERE c.n + 1 < ?) "
                "SELECT " +
                    std::string(kForwardColumns) +
                    " FROM chain c JOIN social_forwards f ON f.id = c.id "
                    "LEFT JOIN social_forwards p ON p.id = f.from_forward_id ORDER BY c.n",
                {forward_id, int64_t{max_hops}}));
  if (rows.empty()) return NotFound("no such forward", "forward_not_found");
  ForwardChain out;
  for (const auto& r : rows.rows) out.hops.push_back(ForwardFromRow(r));
  out.complete = !out.hops.back().from_forward_id.has_value();
  if (out.complete) {
    out.origin = out.hops.back();
  } else {
    HERALD_ASSIGN_OR_RETURN(auto origin, LoadForward(*tx, out.hops.front().origin_id));
    if (!origin) return Internal("the origin of a forward chain is missing");
    out.origin = *origin;
  }
  return out;
}

Result<ForwardChain> SocialService::TraceChain(const Caller& who, int64_t forward_id,
                                               int max_hops) {
  HERALD_ASSIGN_OR_RETURN(auto chain, Chain(forward_id, max_hops));
  JsonObjectWriter w;
  w.Add("article_id", chain.hops.front().article_id);
  w.Add("origin_id", chain.origin.id);
  w.Add("hops", static_cast<int64_t>(chain.hops.size()));
  HERALD_RETURN_IF_ERROR(
      audit_
          .AppendNow(db_, audit::NewEntry{who.Actor(), "social.forward_chain.read",
                                          "forward:" + std::to_string(forward_id), w.str(),
                                          who.meta.request_id})
          .status());
  return chain;
}

// --- an account's days ---

Result<std::vector<AccountDay>> SocialService::AccountDays(const Caller& who, int64_t account_id,
                                                           int days) const {
  if (days < 1 || days > 366) {
    return InvalidArgument("days must be 1 to 366", "invalid_days", "days");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto account, accounts_.Get(*tx, account_id));
  if (!who.staff_read && account.owner_user_id != who.user_id) {
    return PermissionDenied("only the account's operator or staff may see its statistics",
                            "not_account_owner");
  }
  const int64_t today = ReadDay(clock_.Now());
  const int64_t first = today - days + 1;
  // At most `days` rows of the account's own counter table, by its primary key.
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT day, reads, follows, unfollows FROM social_account_days WHERE "
                           "account_id = ? AND day >= ? AND day <= ? ORDER BY day",
                           {account_id, first, today}));
  HERALD_ASSIGN_OR_RETURN(
      auto count,
      tx->Query("SELECT followers FROM social_account_stats WHERE account_id = ?", {account_id}));
  std::vector<AccountDay> out(static_cast<size_t>(days));
  for (int i = 0; i < days; ++i) out[i].day = first + i;
  for (const auto& r : rows.rows) {
    AccountDay& d = out[static_cast<size_t>(r.Int(0) - first)];
    d.reads = r.Int(1);
    d.follows = r.Int(2);
    d.unfollows = r.Int(3);
    d.net_followers = d.follows - d.unfollows;
  }
  // Walk back from today's count: the count at the end of a day is the next day's end minus the
  // next day's net change. (Follows recorded after `today` by a racing request are not in it.)
  int64_t followers = count.empty() ? 0 : count.rows[0].Int(0);
  for (size_t i = out.size(); i-- > 0;) {
    out[i].followers = followers;
    followers -= out[i].net_followers;
  }
  return out;
}

// --- counts ---

Result<ArticleStats> SocialService::LoadStats(Transaction& tx, int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT read_count, like_count, forward_count FROM "
                                              "social_article_stats WHERE article_id = ?",
                                              {article_id}));
  ArticleStats s;
  s.article_id = article_id;
  if (!rows.empty()) {
    s.reads = rows.rows[0].Int(0);
    s.likes = rows.rows[0].Int(1);
    s.forwards = rows.rows[0].Int(2);
  }
  return s;
}

Result<ArticleStats> SocialService::Stats(int64_t article_id) const {
  HERALD_RETURN_IF_ERROR(articles_.GetPublic(article_id).status());
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return LoadStats(*tx, article_id);
}

std::vector<storage::Migration> SocialService::Migrations() {
  return {{"social/0001_follows", R"SQL(
CREATE TABLE social_follows (
  id {{AUTO_ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, account_id)
);
CREATE INDEX social_follows_user ON social_follows (user_id, id);
CREATE INDEX social_follows_account ON social_follows (account_id, id);
CREATE TABLE social_account_stats (
  account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
  followers BIGINT NOT NULL CHECK (followers >= 0)
);
CREATE TABLE social_follow_events (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL CHECK (kind IN ('follow', 'unfollow')),
  followers_after BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX social_follow_events_account ON social_follow_events (account_id, id);
CREATE INDEX social_follow_events_time ON social_follow_events (account_id, created_at);
)SQL",
           ""},
          {"social/0002_reads_likes_forwards", R"SQL(
CREATE TABLE social_article_stats (
  article_id BIGINT PRIMARY KEY,
  read_count BIGINT NOT NULL CHECK (read_count >= 0),
  like_count BIGINT NOT NULL CHECK (like_count >= 0),
  forward_count BIGINT NOT NULL CHECK (forward_count >= 0)
);
CREATE TABLE social_reads (
  article_id BIGINT NOT NULL,
  read_day BIGINT NOT NULL,
  reader TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (article_id, read_day, reader)
);
CREATE TABLE social_likes (
  article_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (article_id, user_id)
);
CREATE INDEX social_likes_user ON social_likes (user_id);
CREATE TABLE social_forwards (
  id {{AUTO_ID}},
  article_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id),
  from_forward_id BIGINT REFERENCES social_forwards (id),
  origin_id BIGINT,
  depth BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX social_forwards_article ON social_forwards (article_id, id);
CREATE INDEX social_forwards_from ON social_forwards (from_forward_id);
CREATE INDEX social_forwards_origin ON social_forwards (origin_id);
)SQL",
           ""},
          // Per account and day (China Standard Time): reads counted that day over all the
          // account's articles, follows and unfollows. Written in the transaction of the read or
          // follow it counts, so the operator's daily chart reads at most one row per day instead
          // of scanning social_reads (one row per reader, article and day, and to be pruned) or
          // the follow events. Filled from the existing rows when created.
          {"social/0003_account_days", R"SQL(
CREATE TABLE social_account_days (
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  day BIGINT NOT NULL,
  reads BIGINT NOT NULL CHECK (reads >= 0),
  follows BIGINT NOT NULL CHECK (follows >= 0),
  unfollows BIGINT NOT NULL CHECK (unfollows >= 0),
  PRIMARY KEY (account_id, day)
);
INSERT INTO social_account_days (account_id, day, reads, follows, unfollows)
SELECT account_id, day, SUM(reads), SUM(follows), SUM(unfollows) FROM (
  SELECT a.account_id AS account_id, r.read_day AS day, 1 AS reads, 0 AS follows, 0 AS unfollows
    FROM social_reads r JOIN articles a ON a.id = r.article_id
  UNION ALL
  SELECT e.account_id, (e.created_at + 28800000000) / 86400000000, 0,
         CASE WHEN e.kind = 'follow' THEN 1 ELSE 0 END,
         CASE WHEN e.kind = 'unfollow' THEN 1 ELSE 0 END
    FROM social_follow_events e
) x GROUP BY account_id, day;
)SQL",
           ""}};
}

}  // namespace herald::social
