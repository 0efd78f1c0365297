#include "comments/comment_service.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::comments {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

// Only the account's owner manages its comments. PermissionDenied not_account_owner.
Status CheckOperator(const accounts::Account& account, int64_t user_id) {
  if (account.owner_user_id == user_id) return Status();
  return PermissionDenied("only the account's operator manages its comments", "not_account_owner");
}

// A comment joined with its author's display name and its account's name (for author replies).
constexpr std::string_view kColumns =
    "c.id, c.article_id, c.account_id, c.user_id, c.parent_id, c.kind, c.body, c.status, "
    "c.status_reason, c.selected, c.pinned_at, c.created_at, c.updated_at, c.visible_replies, "
    "c.selected_replies, u.display_name, a.name, c.decided_by, c.decided_at";
constexpr std::string_view kFrom =
    " FROM comments c LEFT JOIN users u ON u.id = c.user_id LEFT JOIN accounts a ON a.id = "
    "c.account_id";

const std::vector<std::string>& Statuses() {
  static const std::vector<std::string> k = {"visible",  "held",    "hidden",
                                             "rejected", "removed", "deleted"};
  return k;
}

// The operator's filter of readers' visible comments not selected yet (for the selected mode).
constexpr std::string_view kAwaitingSelection = "awaiting_selection";

struct Stored {
  Comment c;
  int64_t visible_replies = 0, selected_replies = 0;
};

Stored FromRow(const Row& r) {
  Stored s;
  Comment& c = s.c;
  c.id = r.Int(0);
  c.article_id = r.Int(1);
  c.account_id = r.Int(2);
  c.user_id = r.Int(3);
  if (!r.IsNull(4)) c.parent_id = r.Int(4);
  c.kind = r.Text(5);
  c.body = r.Text(6);
  c.status = r.Text(7);
  c.status_reason = r.Text(8);
  c.selected = r.Int(9) != 0;
  if (!r.IsNull(10)) c.pinned_at = r.Int(10);
  c.created_at = r.Int(11);
  c.updated_at = r.Int(12);
  s.visible_replies = r.Int(13);
  s.selected_replies = r.Int(14);
  c.author_name = c.kind == "author_reply" ? r.Text(16) : r.Text(15);
  c.decided_by = r.Text(17);
  if (!r.IsNull(18)) c.decided_at = r.Int(18);
  return s;
}

bool IsPublicIn(const Comment& c, Mode mode) {
  if (c.status != "visible") return false;
  return c.kind == "author_reply" || mode != Mode::kSelected || c.selected;
}

// The SQL condition of "shown to everyone" for readers' comments under `mode`.
std::string PublicSql(Mode mode) {
  return mode == Mode::kSelected ? "(c.status = 'visible' AND c.selected = 1)"
                                 : "(c.status = 'visible')";
}

// Fills in what a listing shows about a comment for `viewer` under `mode`.
Comment Present(const Stored& s, Mode mode, const Viewer& viewer) {
  Comment c = s.c;
  c.is_public = IsPublicIn(c, mode);
  c.mine = viewer.user_id && *viewer.user_id == c.user_id;
  c.reply_count = mode == Mode::kSelected ? s.selected_replies : s.visible_replies;
  return c;
}

Status CheckLimit(int limit, int max) {
  if (limit < 1 || limit > max) {
    return InvalidArgument("limit must be 1 to " + std::to_string(max), "invalid_limit", "limit");
  }
  return Status();
}

// The first `n` code points of `s` (for summaries and notices).
std::string Excerpt(std::string_view s, size_t n) {
  size_t i = 0, count = 0;
  while (i < s.size() && count < n) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    i += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    ++count;
  }
  i = std::min(i, s.size());
  return std::string(s.substr(0, i)) + (i < s.size() ? "…" : "");
}

std::string CommentRef(int64_t id) { return "comment:" + std::to_string(id); }
std::string UserActor(int64_t id) { return "user:" + std::to_string(id); }

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

// The result of screening a comment's text.
struct Screened {
  std::string shown;  // replace terms masked
  bool held = false, flagged = false;
  std::string category;
  std::string matches_json = "[]";
};

Result<Screened> ScreenText(const moderation::ScreeningService& screening,
                            const std::string& text) {
  HERALD_ASSIGN_OR_RETURN(moderation::ScreenResult r, screening.Screen(text));
  Screened out;
  std::string matches = "[";
  for (const auto& m : r.matches) {
    if (m.action == moderation::Action::kBlock) {
      return InvalidArgument(
          "the comment contains content that may not be published (" + m.category + ")",
          "illegal_content", "body");
    }
    if (m.action == moderation::Action::kReview) out.held = true;
    if (m.action == moderation::Action::kFlag) out.flagged = true;
    if (out.category.empty() && m.action != moderation::Action::kReplace) out.category = m.category;
    if (matches.size() > 1) matches += ",";
    matches += JsonObjectWriter()
                   .Add("term", m.term)
                   .Add("category", m.category)
                   .Add("action", moderation::ActionName(m.action))
                   .Add("start", static_cast<int64_t>(m.start))
                   .Add("end", static_cast<int64_t>(m.end))
                   .str();
  }
  out.matches_json = matches + "]";
  out.shown = moderation::Mask(text, r.matches);
  return out;
}

// Keeps the per-article and per-comment counters in step with one comment's change from
// `before` to `after` (before.status "" for a new comment). Author replies are not counted.
Status Count(Transaction& tx, const Comment& before, const Comment& after) {
  auto vis = [](const Comment& c) { return c.status == "visible" ? 1 : 0; };
  auto sel = [](const Comment& c) { return c.status == "visible" && c.selected ? 1 : 0; };
  const int64_t dv = vis(after) - vis(before), ds = sel(after) - sel(before);
  if (dv == 0 && ds == 0) return Status();
  if (after.kind == "comment") {
    // A decrease follows an earlier increase, so the row exists (and a negative value may not
    // even be proposed for insertion: the CHECK applies before ON CONFLICT).
    if (dv < 0 || ds < 0) {
      return tx
          .Execute(
              "UPDATE comment_article_stats SET visible_count = visible_count + ?, "
              "selected_count = selected_count + ? WHERE article_id = ?",
              {dv, ds, after.article_id})
          .status();
    }
    return tx
        .Execute(
            "INSERT INTO comment_article_stats (article_id, visible_count, selected_count) VALUES "
            "(?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET visible_count = "
            "comment_article_stats.visible_count + excluded.visible_count, selected_count = "
            "comment_article_stats.selected_count + excluded.selected_count",
            {after.article_id, dv, ds})
        .status();
  }
  if (after.kind == "reply" && after.parent_id) {
    return tx
        .Execute(
            "UPDATE comments SET visible_replies = visible_replies + ?, selected_replies = "
            "selected_replies + ? WHERE id = ?",
            {dv, ds, *after.parent_id})
        .status();
  }
  return Status();
}

// Writes the mutable state of `after` and adjusts the counters. The platform's decision
// (decided_by, decided_at) is kept only with the status it explains (rejected, removed).
Status Save(Transaction& tx, const Comment& before, const Comment& after_in, Micros now) {
  Comment after = after_in;
  if (after.status != "rejected" && after.status != "removed") {
    after.decided_by.clear();
    after.decided_at.reset();
  }
  HERALD_RETURN_IF_ERROR(
      tx.Execute("UPDATE comments SET status = ?, status_reason = ?, selected = ?, pinned_at = ?, "
                 "updated_at = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                 {after.status, after.status_reason, int64_t{after.selected ? 1 : 0},
                  after.pinned_at ? Value(*after.pinned_at) : Value(), now, after.decided_by,
                  after.decided_at ? Value(*after.decided_at) : Value(), after.id})
          .status());
  return Count(tx, before, after);
}

// "(?, ?, ...)" with `n` placeholders.
std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}

}  // namespace

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kOpen:
      return "open";
    case Mode::kSelected:
      return "selected";
    case Mode::kClosed:
      return "closed";
  }
  return "open";
}

Result<Mode> ParseMode(std::string_view name) {
  if (name == "open") return Mode::kOpen;
  if (name == "selected") return Mode::kSelected;
  if (name == "closed") return Mode::kClosed;
  return InvalidArgument("mode must be open, selected or closed", "invalid_mode", "mode");
}

std::string_view CreditLevelName(CreditLevel level) {
  switch (level) {
    case CreditLevel::kGood:
      return "good";
    case CreditLevel::kFair:
      return "fair";
    case CreditLevel::kPoor:
      return "poor";
  }
  return "good";
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kSelect:
      return "select";
    case Action::kUnselect:
      return "unselect";
    case Action::kHide:
      return "hide";
    case Action::kUnhide:
      return "unhide";
    case Action::kPin:
      return "pin";
    case Action::kUnpin:
      return "unpin";
  }
  return "";
}

Powers PowersFor(std::string_view subject_kind, CreditLevel credit) {
  const bool org = subject_kind == "organisation";
  Powers p;
  p.close = true;  // never taken away by credit: closing is how an operator stops abuse
  p.hide = true;   // likewise hiding
  switch (credit) {
    case CreditLevel::kGood:
      p.reply = p.select = p.pin = true;
      p.max_pinned = org ? 3 : 1;
      break;
    case CreditLevel::kFair:
      p.reply = true;
      if (org) {
        p.select = p.pin = true;
        p.max_pinned = 1;
      }
      break;
    case CreditLevel::kPoor:
      break;
  }
  return p;
}

struct CommentService::Context {
  accounts::Account account;
  Openness openness;
};

CommentService::CommentService(storage::Database& db, const audit::AuditLog& audit,
                               const Clock& clock, accounts::AccountService& accounts,
                               content::ArticleService& articles,
                               const sanctions::SanctionService& sanctions,
                               const moderation::ScreeningService& screening,
                               review::ReviewQueue& review, Options options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      accounts_(accounts),
      articles_(articles),
      sanctions_(sanctions),
      screening_(screening),
      review_(review),
      options_(std::move(options)) {
  review_.RegisterHandler("comment", [this](Transaction& tx, const review::Item& item) {
    return HandleDecision(tx, item);
  });
  articles.RegisterPurgeHook(
      {"comments"}, [this](Transaction& tx, const std::vector<int64_t>& ids, bool dry_run) {
        return PurgeArticles(tx, ids, dry_run);
      });
}

Result<content::PurgeCounts> CommentService::PurgeArticles(Transaction& tx,
                                                           const std::vector<int64_t>& article_ids,
                                                           bool dry_run) const {
  const std::vector<Value> ids(article_ids.begin(), article_ids.end());
  const std::string in = InList(ids.size());
  HERALD_ASSIGN_OR_RETURN(auto n,
                          tx.Query("SELECT COUNT(*) FROM comments WHERE article_id IN " + in, ids));
  content::PurgeCounts counts{{"comments", n.rows.at(0).Int(0)}};
  if (dry_run) return counts;
  // One statement for all of an article's comments: replies refer to their parent (parent_id),
  // always a comment of the same article, and both backends check that foreign key at the end
  // of the statement, when the parents are gone with their replies.
  for (const char* table : {"comments", "comment_article_stats", "comment_article_settings"}) {
    HERALD_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM " + std::string(table) + " WHERE article_id IN " + in, ids)
            .status());
  }
  return counts;
}

CreditLevel CommentService::CreditOf(const accounts::Account& account) const {
  return options_.credit ? options_.credit(account) : CreditLevel::kGood;
}

Powers CommentService::PowersOf(const accounts::Account& account) const {
  return PowersFor(account.subject_kind, CreditOf(account));
}

Result<Openness> CommentService::OpennessOf(Transaction& tx, const accounts::Account& account,
                                            int64_t article_id) const {
  Openness o;
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT mode FROM comment_article_settings WHERE article_id = ?", {article_id}));
  if (rows.empty()) {
    HERALD_ASSIGN_OR_RETURN(
        rows,
        tx.Query("SELECT mode FROM comment_account_settings WHERE account_id = ?", {account.id}));
  }
  if (!rows.empty()) {
    HERALD_ASSIGN_OR_RETURN(o.mode, ParseMode(rows.rows[0].Text(0)));
  }
  Status allowed = accounts_.CheckAllowedIn(tx, account, "comment");
  if (!allowed.ok()) {
    if (allowed.reason() == "account_not_active") {
      o.closed_reason = "account_not_active";
    } else if (allowed.reason() == "sanctioned") {
      o.closed_reason = "platform_restricted";
    } else {
      return allowed;
    }
  } else if (o.mode == Mode::kClosed) {
    o.closed_reason = "closed";
  }
  o.accepting = o.closed_reason.empty();
  return o;
}

Result<CommentService::Context> CommentService::LoadContext(Transaction& tx, int64_t account_id,
                                                            int64_t article_id) const {
  Context ctx;
  HERALD_ASSIGN_OR_RETURN(ctx.account, accounts_.Get(tx, account_id));
  HERALD_ASSIGN_OR_RETURN(ctx.openness, OpennessOf(tx, ctx.account, article_id));
  return ctx;
}

Result<Comment> CommentService::LoadComment(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT " + std::string(kColumns) + std::string(kFrom) + " WHERE c.id = ?", {id}));
  if (rows.empty()) return NotFound("no such comment", "comment_not_found");
  Stored s = FromRow(rows.rows[0]);
  return s.c;
}

Result<Comment> CommentService::LoadForUpdate(Transaction& tx, int64_t id) const {
  // PostgreSQL write transactions are READ COMMITTED: without this lock two concurrent changes
  // of one comment could both start from the same state and count it twice.
  HERALD_RETURN_IF_ERROR(tx.LockExclusive("comments.comment:" + std::to_string(id)));
  return LoadComment(tx, id);
}

// --- readers ---

Result<PostResult> CommentService::Post(int64_t user_id, int64_t article_id,
                                        std::string_view body_in, std::optional<int64_t> parent_id,
                                        const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string text,
                          CheckTextField(body_in, 1, 500, "invalid_body", "body", true));
  HERALD_ASSIGN_OR_RETURN(content::Article article, articles_.GetPublic(article_id));
  HERALD_ASSIGN_OR_RETURN(Screened screened, ScreenText(screening_, text));
  PostResult out;
  int64_t id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        out = PostResult{};
        HERALD_RETURN_IF_ERROR(
            sanctions_.CheckAllowed(tx, {sanctions::Target{"user", user_id, ""}}, "comment"));
        HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(tx, article.account_id, article_id));
        if (!ctx.openness.accepting) {
          const std::string& why = ctx.openness.closed_reason;
          return FailedPrecondition(
              why == "closed" ? "the operator has closed comments on this article"
              : why == "platform_restricted"
                  ? "the platform has removed the comment functions of this account"
                  : "this account is not active",
              "comments_closed");
        }
        std::string kind = "comment";
        if (parent_id) {
          auto parent = LoadComment(tx, *parent_id);
          const bool can_see = parent.ok() && parent->article_id == article_id &&
                               (IsPublicIn(*parent, ctx.openness.mode) ||
                                (parent->user_id == user_id &&
                                 (parent->status == "visible" || parent->status == "held")));
          if (!can_see) {
            if (!parent.ok() && parent.status().reason() != "comment_not_found") {
              return parent.status();
            }
            return NotFound("no such comment on this article", "comment_not_found", "parent_id");
          }
          if (parent->kind != "comment") {
            return InvalidArgument("replies are one level deep: reply to the top-level comment",
                                   "invalid_parent", "parent_id");
          }
          if (parent->status != "visible") {
            return FailedPrecondition("the comment is still in review", "comment_in_review",
                                      "parent_id");
          }
          kind = "reply";
        }
        const Micros now = clock_.Now();
        if (options_.max_per_minute > 0) {
          HERALD_ASSIGN_OR_RETURN(
              auto n, tx.Query("SELECT COUNT(*) FROM comments WHERE user_id = ? AND created_at > "
                               "? AND kind <> 'author_reply'",
                               {user_id, now - kMicrosPerMinute}));
          if (n.rows.at(0).Int(0) >= options_.max_per_minute) {
            return ResourceExhausted("too many comments: wait a minute", "comment_rate_limited");
          }
        }
        const std::string status = screened.held ? "held" : "visible";
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "INSERT INTO comments (article_id, account_id, user_id, parent_id, kind, body, "
                "source_body, status, status_reason, selected, visible_replies, "
                "selected_replies, created_at, updated_at, request_id) VALUES (?, ?, ?, ?, "
                "?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?) RETURNING id",
                {article_id, article.account_id, user_id, parent_id ? Value(*parent_id) : Value(),
                 kind, screened.shown, text, status, std::string(screened.held ? "in_review" : ""),
                 now, now, meta.request_id}));
        id = rows.rows.at(0).Int(0);
        Comment after;
        after.id = id;
        after.article_id = article_id;
        after.kind = kind;
        after.parent_id = parent_id;
        after.status = status;
        HERALD_RETURN_IF_ERROR(Count(tx, Comment{}, after));
        if (screened.held || screened.flagged) {
          review::NewItem item;
          item.kind = "comment";
          item.category = screened.category.empty() ? "comment" : screened.category;
          item.severity = screened.held ? 2 : 1;
          item.account_id = article.account_id;
          item.ref_id = id;
          item.summary = std::string(screened.held ? "held comment: " : "flagged comment: ") +
                         Excerpt(text, 40);
          item.detail = JsonObjectWriter()
                            .Add("comment_id", id)
                            .Add("article_id", article_id)
                            .Add("kind", kind)
                            .Add("user_id", user_id)
                            .Add("body", text)
                            .AddRaw("matches", screened.matches_json)
                            .str();
          HERALD_ASSIGN_OR_RETURN(int64_t review_id, review_.Enqueue(tx, item));
          out.review_id = review_id;
        }
        return Status();
      }));
  HERALD_ASSIGN_OR_RETURN(out.comment, Get(id));
  Mode mode = Mode::kOpen;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(auto ctx, LoadContext(*tx, article.account_id, article_id));
    mode = ctx.openness.mode;
  }
  out.comment.is_public = IsPublicIn(out.comment, mode);
  out.comment.mine = true;
  out.is_public = out.comment.is_public;
  out.pending = out.is_public                  ? ""
                : out.comment.status == "held" ? "in_review"
                                               : "awaiting_selection";
  return out;
}

Result<Comment> CommentService::Delete(int64_t user_id, int64_t comment_id,
                                       const auth::RequestMeta& meta) {
  Comment after;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Comment c, LoadForUpdate(tx, comment_id));
        if (c.user_id != user_id) {
          return PermissionDenied("only its author deletes a comment", "not_comment_author");
        }
        if (c.status == "deleted") {
          return FailedPrecondition("the comment is already deleted", "comment_deleted");
        }
        after = c;
        after.status = "deleted";
        after.status_reason = "author_deleted";
        after.pinned_at.reset();
        HERALD_RETURN_IF_ERROR(Save(tx, c, after, clock_.Now()));
        if (c.kind != "author_reply") return Status();
        // The operator withdrawing what the account said is an operator action: audited.
        return audit_
            .Append(tx, {UserActor(user_id), "comment.author_reply.delete", CommentRef(c.id),
                         JsonObjectWriter()
                             .Add("article_id", c.article_id)
                             .Add("account_id", c.account_id)
                             .str(),
                         meta.request_id})
            .status();
      }));
  return after;
}

Result<std::vector<Comment>> CommentService::Attach(Transaction& tx, std::vector<Comment> list,
                                                    Mode mode, const Viewer& viewer,
                                                    bool with_replies) const {
  if (list.empty()) return list;
  // Readers' replies: the first few of each comment that the viewer may see.
  std::map<int64_t, std::vector<Comment>> replies;
  if (with_replies && options_.replies_shown > 0) {
    std::vector<Value> params;
    for (const auto& c : list) params.push_back(c.id);
    std::string cond = PublicSql(mode);
    if (viewer.user_id) {
      cond = "(" + cond + " OR (c.user_id = ? AND c.status IN ('visible', 'held')))";
      params.push_back(*viewer.user_id);
    }
    params.push_back(int64_t{options_.replies_shown});
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT * FROM (SELECT " + std::string(kColumns) +
                     ", ROW_NUMBER() OVER (PARTITION BY c.parent_id ORDER BY c.id) AS rn" +
                     std::string(kFrom) + " WHERE c.parent_id IN (" + Placeholders(list.size()) +
                     ") AND c.kind = 'reply' AND " + cond + ") t WHERE t.rn <= ? ORDER BY t.id",
                 params));
    for (const auto& r : rows.rows) {
      Comment reply = Present(FromRow(r), mode, viewer);
      replies[*reply.parent_id].push_back(std::move(reply));
    }
  }
  // Author replies to the comments and to the replies shown.
  std::vector<Value> ids;
  for (const auto& c : list) ids.push_back(c.id);
  for (const auto& [_, rs] : replies) {
    for (const auto& r : rs) ids.push_back(r.id);
  }
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT " + std::string(kColumns) + std::string(kFrom) + " WHERE c.parent_id IN (" +
                   Placeholders(ids.size()) +
                   ") AND c.kind = 'author_reply' AND c.status = 'visible' ORDER BY c.id",
               ids));
  std::map<int64_t, std::vector<Comment>> author;
  for (const auto& r : rows.rows) {
    Comment a = Present(FromRow(r), mode, viewer);
    author[*a.parent_id].push_back(std::move(a));
  }
  for (auto& [_, rs] : replies) {
    for (auto& r : rs) {
      if (auto it = author.find(r.id); it != author.end()) r.author_replies = it->second;
    }
  }
  for (auto& c : list) {
    if (auto it = replies.find(c.id); it != replies.end()) c.replies = std::move(it->second);
    if (auto it = author.find(c.id); it != author.end()) c.author_replies = std::move(it->second);
  }
  return list;
}

Result<Page> CommentService::List(int64_t article_id, const Viewer& viewer, int limit,
                                  std::optional<int64_t> before) const {
  HERALD_RETURN_IF_ERROR(CheckLimit(limit, 50));
  HERALD_ASSIGN_OR_RETURN(content::Article article, articles_.GetPublic(article_id));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(*tx, article.account_id, article_id));
  Page page;
  page.article_id = article_id;
  page.openness = ctx.openness;
  const Mode mode = ctx.openness.mode;
  HERALD_ASSIGN_OR_RETURN(
      auto stats, tx->Query("SELECT visible_count, selected_count FROM comment_article_stats WHERE "
                            "article_id = ?",
                            {article_id}));
  if (!stats.empty()) {
    page.comment_count = stats.rows[0].Int(mode == Mode::kSelected ? 1 : 0);
  }
  const std::string pub = PublicSql(mode);
  const std::string select = "SELECT " + std::string(kColumns) + std::string(kFrom) +
                             " WHERE c.article_id = ? AND c.kind = 'comment' AND ";
  std::vector<Comment> list;
  if (!before) {
    HERALD_ASSIGN_OR_RETURN(auto pinned, tx->Query(select + "c.pinned_at IS NOT NULL AND " + pub +
                                                       " ORDER BY c.pinned_at DESC, c.id DESC",
                                                   {article_id}));
    for (const auto& r : pinned.rows) list.push_back(Present(FromRow(r), mode, viewer));
  }
  std::vector<Value> params{article_id};
  std::string cond = pub;
  if (viewer.user_id) {
    cond = "(" + pub + " OR (c.user_id = ? AND c.status IN ('visible', 'held')))";
    params.push_back(*viewer.user_id);
  }
  std::string sql = select + "NOT (c.pinned_at IS NOT NULL AND " + pub + ") AND " + cond;
  if (before) {
    sql += " AND c.id < ?";
    params.push_back(*before);
  }
  sql += " ORDER BY c.id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  for (const auto& r : rows.rows) list.push_back(Present(FromRow(r), mode, viewer));
  if (static_cast<int>(rows.size()) == limit) page.next_before = list.back().id;
  HERALD_ASSIGN_OR_RETURN(page.comments, Attach(*tx, std::move(list), mode, viewer, true));
  return page;
}

Result<ReplyPage> CommentService::Replies(int64_t comment_id, const Viewer& viewer, int limit,
                                          std::optional<int64_t> after) const {
  HERALD_RETURN_IF_ERROR(CheckLimit(limit, 100));
  HERALD_ASSIGN_OR_RETURN(Comment parent, Get(comment_id));
  if (parent.kind != "comment" || !articles_.GetPublic(parent.article_id).ok()) {
    return NotFound("no such comment", "comment_not_found");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(*tx, parent.account_id, parent.article_id));
  const Mode mode = ctx.openness.mode;
  const bool own = viewer.user_id && *viewer.user_id == parent.user_id &&
                   (parent.status == "visible" || parent.status == "held");
  if (!IsPublicIn(parent, mode) && !own) return NotFound("no such comment", "comment_not_found");
  const std::string pub = PublicSql(mode);
  std::vector<Value> params{comment_id};
  std::string cond = pub;
  if (viewer.user_id) {
    cond = "(" + pub + " OR (c.user_id = ? AND c.status IN ('visible', 'held')))";
    params.push_back(*viewer.user_id);
  }
  std::string sql = "SELECT " + std::string(kColumns) + std::string(kFrom) +
                    " WHERE c.parent_id = ? AND c.kind = 'reply' AND " + cond;
  if (after) {
    sql += " AND c.id > ?";
    params.push_back(*after);
  }
  sql += " ORDER BY c.id LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  ReplyPage page;
  page.comment_id = comment_id;
  std::vector<Comment> list;
  for (const auto& r : rows.rows) list.push_back(Present(FromRow(r), mode, viewer));
  if (static_cast<int>(rows.size()) == limit) page.next_after = list.back().id;
  HERALD_ASSIGN_OR_RETURN(page.replies, Attach(*tx, std::move(list), mode, viewer, false));
  return page;
}

Result<int64_t> CommentService::PublicCount(int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(content::Article article, articles_.Get(article_id));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(*tx, article.account_id, article_id));
  HERALD_ASSIGN_OR_RETURN(
      auto stats, tx->Query("SELECT visible_count, selected_count FROM comment_article_stats WHERE "
                            "article_id = ?",
                            {article_id}));
  if (stats.empty()) return int64_t{0};
  return stats.rows[0].Int(ctx.openness.mode == Mode::kSelected ? 1 : 0);
}

// --- the account's operator ---

Result<AccountSettings> CommentService::GetAccountSettings(int64_t user_id,
                                                           int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(account_id));
  HERALD_RETURN_IF_ERROR(CheckOperator(account, user_id));
  AccountSettings out;
  out.account_id = account_id;
  out.subject_kind = account.subject_kind;
  out.credit = CreditOf(account);
  out.policy_powers = PowersFor(account.subject_kind, out.credit);
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT mode FROM comment_account_settings WHERE account_id = ?", {account_id}));
  if (!rows.empty()) {
    HERALD_ASSIGN_OR_RETURN(out.mode, ParseMode(rows.rows[0].Text(0)));
  }
  Status allowed = accounts_.CheckAllowedIn(*tx, account, "comment");
  out.restricted = !allowed.ok();
  out.restriction = allowed.ok() ? "" : allowed.message();
  out.powers = out.restricted ? Powers{} : out.policy_powers;
  return out;
}

namespace {

// The power a mode needs; PermissionDenied comment_power_not_granted without it.
Status CheckModePower(const Powers& p, Mode mode) {
  if (mode == Mode::kSelected && !p.select) {
    return PermissionDenied("this account may not use the selected mode (PA-17.2)",
                            "comment_power_not_granted", "mode");
  }
  if (mode == Mode::kClosed && !p.close) {
    return PermissionDenied("this account may not close comments (PA-17.2)",
                            "comment_power_not_granted", "mode");
  }
  return Status();
}

}  // namespace

Result<AccountSettings> CommentService::SetAccountMode(int64_t user_id, int64_t account_id,
                                                       Mode mode, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(accounts::Account first, accounts_.Get(account_id));
  const Powers powers = PowersOf(first);
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(tx, account_id));
        HERALD_RETURN_IF_ERROR(CheckOperator(account, user_id));
        HERALD_RETURN_IF_ERROR(accounts_.CheckAllowedIn(tx, account, "comment"));
        HERALD_RETURN_IF_ERROR(CheckModePower(powers, mode));
        HERALD_ASSIGN_OR_RETURN(
            auto prev, tx.Query("SELECT mode FROM comment_account_settings WHERE account_id = ?",
                                {account_id}));
        const std::string previous = prev.empty() ? "open" : prev.rows[0].Text(0);
        HERALD_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO comment_account_settings (account_id, mode, updated_at) "
                       "VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET mode = "
                       "excluded.mode, updated_at = excluded.updated_at",
                       {account_id, std::string(ModeName(mode)), clock_.Now()})
                .status());
        return audit_
            .Append(tx,
                    {UserActor(user_id), "comment.mode", "account:" + std::to_string(account_id),
                     JsonObjectWriter().Add("mode", ModeName(mode)).Add("previous", previous).str(),
                     meta.request_id})
            .status();
      }));
  return GetAccountSettings(user_id, account_id);
}

Result<ArticleSettings> CommentService::GetArticleSettings(int64_t user_id,
                                                           int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(content::Article article, articles_.Get(article_id));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(*tx, article.account_id, article_id));
  HERALD_RETURN_IF_ERROR(CheckOperator(ctx.account, user_id));
  ArticleSettings out;
  out.article_id = article_id;
  out.account_id = article.account_id;
  out.openness = ctx.openness;
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT mode FROM comment_article_settings WHERE article_id = ?", {article_id}));
  if (!rows.empty()) {
    HERALD_ASSIGN_OR_RETURN(out.override_mode, ParseMode(rows.rows[0].Text(0)));
  }
  HERALD_ASSIGN_OR_RETURN(
      rows, tx->Query("SELECT mode FROM comment_account_settings WHERE account_id = ?",
                      {article.account_id}));
  if (!rows.empty()) {
    HERALD_ASSIGN_OR_RETURN(out.account_mode, ParseMode(rows.rows[0].Text(0)));
  }
  return out;
}

Result<ArticleSettings> CommentService::SetArticleMode(int64_t user_id, int64_t article_id,
                                                       std::optional<Mode> mode,
                                                       const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(content::Article article, articles_.Get(article_id));
  HERALD_ASSIGN_OR_RETURN(accounts::Account first, accounts_.Get(article.account_id));
  const Powers powers = PowersOf(first);
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(tx, article.account_id));
        HERALD_RETURN_IF_ERROR(CheckOperator(account, user_id));
        HERALD_RETURN_IF_ERROR(accounts_.CheckAllowedIn(tx, account, "comment"));
        if (mode) HERALD_RETURN_IF_ERROR(CheckModePower(powers, *mode));
        HERALD_ASSIGN_OR_RETURN(
            auto prev, tx.Query("SELECT mode FROM comment_article_settings WHERE article_id = ?",
                                {article_id}));
        if (mode) {
          HERALD_RETURN_IF_ERROR(
              tx.Execute(
                    "INSERT INTO comment_article_settings (article_id, account_id, mode, "
                    "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
                    "mode = excluded.mode, updated_at = excluded.updated_at",
                    {article_id, article.account_id, std::string(ModeName(*mode)), clock_.Now()})
                  .status());
        } else {
          HERALD_RETURN_IF_ERROR(
              tx.Execute("DELETE FROM comment_article_settings WHERE article_id = ?", {article_id})
                  .status());
        }
        return audit_
            .Append(
                tx,
                {UserActor(user_id), "comment.mode", "article:" + std::to_string(article_id),
                 JsonObjectWriter()
                     .Add("account_id", article.account_id)
                     .Add("mode", mode ? ModeName(*mode) : std::string_view("account"))
                     .Add("previous", prev.empty() ? std::string("account") : prev.rows[0].Text(0))
                     .str(),
                 meta.request_id})
            .status();
      }));
  return GetArticleSettings(user_id, article_id);
}

Result<Comment> CommentService::Moderate(int64_t user_id, int64_t comment_id, Action action,
                                         std::string_view reason_in,
                                         const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 0, 200, "invalid_note", "reason", true));
  HERALD_ASSIGN_OR_RETURN(Comment first, Get(comment_id));
  HERALD_ASSIGN_OR_RETURN(accounts::Account first_account, accounts_.Get(first.account_id));
  const Powers powers = PowersOf(first_account);
  Comment out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Comment c, LoadForUpdate(tx, comment_id));
        HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(tx, c.account_id, c.article_id));
        HERALD_RETURN_IF_ERROR(CheckOperator(ctx.account, user_id));
        HERALD_RETURN_IF_ERROR(accounts_.CheckAllowedIn(tx, ctx.account, "comment"));
        if (c.kind == "author_reply") {
          return InvalidArgument("author replies are withdrawn by deleting them",
                                 "not_a_reader_comment");
        }
        const bool needs_power =
            (action == Action::kSelect && !powers.select) ||
            (action == Action::kPin && !powers.pin) ||
            ((action == Action::kHide || action == Action::kUnhide) && !powers.hide);
        if (needs_power) {
          return PermissionDenied(
              "this account may not " + std::string(ActionName(action)) + " comments (PA-17.2)",
              "comment_power_not_granted");
        }
        auto require_visible = [&]() -> Status {
          if (c.status == "held") {
            return FailedPrecondition("the comment is still in review", "comment_in_review");
          }
          if (c.status != "visible") {
            return FailedPrecondition("the comment is " + c.status, "comment_not_visible");
          }
          return Status();
        };
        const Micros now = clock_.Now();
        Comment after = c;
        switch (action) {
          case Action::kSelect:
            HERALD_RETURN_IF_ERROR(require_visible());
            after.selected = true;
            break;
          case Action::kUnselect:
            after.selected = false;
            if (ctx.openness.mode == Mode::kSelected) after.pinned_at.reset();
            break;
          case Action::kHide:
            if (c.status == "hidden") break;
            HERALD_RETURN_IF_ERROR(require_visible());
            after.status = "hidden";
            after.status_reason = "operator_hidden";
            after.pinned_at.reset();
            break;
          case Action::kUnhide:
            if (c.status == "visible") break;
            if (c.status != "hidden") {
              return FailedPrecondition("the comment is " + c.status, "comment_not_hidden");
            }
            after.status = "visible";
            after.status_reason = "";
            break;
          case Action::kPin: {
            if (c.kind != "comment") {
              return FailedPrecondition("only top-level comments can be pinned", "not_top_level");
            }
            HERALD_RETURN_IF_ERROR(require_visible());
            if (c.pinned_at) break;
            // Serialises pins of one article so the limit holds under concurrency.
            HERALD_RETURN_IF_ERROR(
                tx.LockExclusive("comments.pins:" + std::to_string(c.article_id)));
            HERALD_ASSIGN_OR_RETURN(
                auto n, tx.Query("SELECT COUNT(*) FROM comments WHERE article_id = ? AND kind = "
                                 "'comment' AND pinned_at IS NOT NULL AND status = 'visible'",
                                 {c.article_id}));
            if (n.rows.at(0).Int(0) >= powers.max_pinned) {
              return FailedPrecondition("at most " + std::to_string(powers.max_pinned) +
                                            " comments can be pinned on an article",
                                        "pin_limit_reached");
            }
            after.pinned_at = now;
            if (ctx.openness.mode == Mode::kSelected) after.selected = true;
            break;
          }
          case Action::kUnpin:
            after.pinned_at.reset();
            break;
        }
        out = after;
        if (after.status == c.status && after.selected == c.selected &&
            after.pinned_at == c.pinned_at) {
          return Status();  // already so: nothing written, nothing audited
        }
        out.updated_at = now;
        HERALD_RETURN_IF_ERROR(Save(tx, c, after, now));
        return audit_
            .Append(tx, {UserActor(user_id), "comment." + std::string(ActionName(action)),
                         CommentRef(c.id),
                         JsonObjectWriter()
                             .Add("article_id", c.article_id)
                             .Add("account_id", c.account_id)
                             .Add("reason", reason)
                             .str(),
                         meta.request_id})
            .status();
      }));
  return out;
}

Result<PostResult> CommentService::AuthorReply(int64_t user_id, int64_t comment_id,
                                               std::string_view body_in,
                                               const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string text,
                          CheckTextField(body_in, 1, 500, "invalid_body", "body", true));
  HERALD_ASSIGN_OR_RETURN(Comment first, Get(comment_id));
  HERALD_RETURN_IF_ERROR(articles_.GetPublic(first.article_id).status());
  HERALD_ASSIGN_OR_RETURN(accounts::Account first_account, accounts_.Get(first.account_id));
  const Powers powers = PowersOf(first_account);
  HERALD_ASSIGN_OR_RETURN(Screened screened, ScreenText(screening_, text));
  PostResult out;
  int64_t id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        out = PostResult{};
        HERALD_ASSIGN_OR_RETURN(Comment c, LoadForUpdate(tx, comment_id));
        HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(tx, c.account_id));
        if (account.owner_user_id != user_id) {
          return PermissionDenied("only the account's operator replies as the account",
                                  "not_account_owner");
        }
        HERALD_RETURN_IF_ERROR(accounts_.CheckAllowedIn(tx, account, "comment"));
        if (c.kind == "author_reply") {
          return InvalidArgument("an author reply answers a reader's comment",
                                 "not_a_reader_comment");
        }
        if (!powers.reply) {
          return PermissionDenied("this account may not reply as the account (PA-17.2)",
                                  "comment_power_not_granted");
        }
        if (c.status == "held") {
          return FailedPrecondition("the comment is still in review", "comment_in_review");
        }
        if (c.status != "visible") {
          return FailedPrecondition("the comment is " + c.status, "comment_not_visible");
        }
        const Micros now = clock_.Now();
        const std::string status = screened.held ? "held" : "visible";
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "INSERT INTO comments (article_id, account_id, user_id, parent_id, kind, body, "
                "source_body, status, status_reason, selected, visible_replies, "
                "selected_replies, created_at, updated_at, request_id) VALUES (?, ?, ?, ?, "
                "'author_reply', ?, ?, ?, ?, 0, 0, 0, ?, ?, ?) RETURNING id",
                {c.article_id, c.account_id, user_id, c.id, screened.shown, text, status,
                 std::string(screened.held ? "in_review" : ""), now, now, meta.request_id}));
        id = rows.rows.at(0).Int(0);
        if (screened.held || screened.flagged) {
          review::NewItem item;
          item.kind = "comment";
          item.category = screened.category.empty() ? "comment" : screened.category;
          item.severity = screened.held ? 2 : 1;
          item.account_id = c.account_id;
          item.ref_id = id;
          item.summary =
              std::string(screened.held ? "held author reply: " : "flagged author reply: ") +
              Excerpt(text, 40);
          item.detail = JsonObjectWriter()
                            .Add("comment_id", id)
                            .Add("article_id", c.article_id)
                            .Add("kind", "author_reply")
                            .Add("user_id", user_id)
                            .Add("body", text)
                            .AddRaw("matches", screened.matches_json)
                            .str();
          HERALD_ASSIGN_OR_RETURN(int64_t review_id, review_.Enqueue(tx, item));
          out.review_id = review_id;
        }
        return audit_
            .Append(tx, {UserActor(user_id), "comment.author_reply", CommentRef(id),
                         JsonObjectWriter()
                             .Add("parent_id", c.id)
                             .Add("article_id", c.article_id)
                             .Add("account_id", c.account_id)
                             .Add("status", status)
                             .str(),
                         meta.request_id})
            .status();
      }));
  HERALD_ASSIGN_OR_RETURN(out.comment, Get(id));
  out.comment.mine = true;
  out.comment.is_public = out.is_public = out.comment.status == "visible";
  out.pending = out.is_public ? "" : "in_review";
  return out;
}

Result<OperatorPage> CommentService::ListForOperator(int64_t user_id, int64_t article_id,
                                                     std::string_view status, int limit,
                                                     std::optional<int64_t> before) const {
  HERALD_RETURN_IF_ERROR(CheckLimit(limit, 100));
  if (!status.empty() && status != kAwaitingSelection &&
      std::find(Statuses().begin(), Statuses().end(), status) == Statuses().end()) {
    return InvalidArgument("unknown comment status", "invalid_status", "status");
  }
  HERALD_ASSIGN_OR_RETURN(content::Article article, articles_.Get(article_id));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Context ctx, LoadContext(*tx, article.account_id, article_id));
  HERALD_RETURN_IF_ERROR(CheckOperator(ctx.account, user_id));
  OperatorPage page;
  page.article_id = article_id;
  page.openness = ctx.openness;
  HERALD_ASSIGN_OR_RETURN(auto counts,
                          tx->Query("SELECT status, COUNT(*) FROM comments WHERE article_id = ? "
                                    "GROUP BY status ORDER BY status",
                                    {article_id}));
  for (const auto& r : counts.rows) page.counts.emplace_back(r.Text(0), r.Int(1));
  std::string sql =
      "SELECT " + std::string(kColumns) + std::string(kFrom) + " WHERE c.article_id = ?";
  std::vector<Value> params{article_id};
  if (status == kAwaitingSelection) {
    sql += " AND c.status = 'visible' AND c.selected = 0 AND c.kind <> 'author_reply'";
  } else if (!status.empty()) {
    sql += " AND c.status = ?";
    params.push_back(std::string(status));
  }
  if (before) {
    sql += " AND c.id < ?";
    params.push_back(*before);
  }
  sql += " ORDER BY c.id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  const Viewer viewer{user_id};
  for (const auto& r : rows.rows) {
    page.comments.push_back(Present(FromRow(r), ctx.openness.mode, viewer));
  }
  if (static_cast<int>(rows.size()) == limit) page.next_before = page.comments.back().id;
  return page;
}

// --- the platform ---

Result<Comment> CommentService::Remove(const std::string& actor, int64_t comment_id,
                                       std::string_view reason_code, std::string_view note_in,
                                       const auth::RequestMeta& meta) {
  const auto& reasons = review::DecisionReasons();
  const bool known = std::any_of(reasons.begin(), reasons.end(), [&](const auto& r) {
    return r.code == reason_code && r.decision == "reject";
  });
  if (!known) {
    return InvalidArgument("reason_code must be a rejecting review reason code",
                           "invalid_reason_code", "reason_code");
  }
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(note_in, 0, 500, "invalid_note", "note", true));
  Comment after;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Comment c, LoadForUpdate(tx, comment_id));
        if (c.status == "removed" || c.status == "deleted") {
          return FailedPrecondition("the comment is already " + c.status, "comment_not_visible");
        }
        after = c;
        after.status = "removed";
        after.status_reason = std::string(reason_code);
        after.pinned_at.reset();
        const Micros now = clock_.Now();
        after.updated_at = now;
        after.decided_by = actor;
        after.decided_at = now;
        HERALD_RETURN_IF_ERROR(Save(tx, c, after, now));
        HERALD_RETURN_IF_ERROR(accounts_.AddNotice(
            tx, c.user_id, std::nullopt, "comment_removed", "评论已被删除 Comment removed",
            Excerpt(c.body, 40) + " — " + std::string(reason_code) +
                (note.empty() ? "" : ": " + note)));
        return audit_
            .Append(tx, {actor, "comment.remove", CommentRef(c.id),
                         JsonObjectWriter()
                             .Add("article_id", c.article_id)
                             .Add("account_id", c.account_id)
                             .Add("previous_status", c.status)
                             .Add("reason_code", reason_code)
                             .Add("note", note)
                             .str(),
                         meta.request_id})
            .status();
      }));
  return after;
}

Result<Comment> CommentService::Restore(const std::string& actor, int64_t comment_id,
                                        std::string_view note_in, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(note_in, 0, 500, "invalid_note", "note", true));
  Comment after;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Comment c, LoadForUpdate(tx, comment_id));
        if (c.status != "removed") {
          return FailedPrecondition("only a removed comment can be restored",
                                    "comment_not_removed");
        }
        after = c;
        after.status = "visible";
        after.status_reason = "";
        const Micros now = clock_.Now();
        after.updated_at = now;
        HERALD_RETURN_IF_ERROR(Save(tx, c, after, now));
        return audit_
            .Append(tx, {actor, "comment.restore", CommentRef(c.id),
                         JsonObjectWriter()
                             .Add("article_id", c.article_id)
                             .Add("account_id", c.account_id)
                             .Add("note", note)
                             .str(),
                         meta.request_id})
            .status();
      }));
  return after;
}

Result<Comment> CommentService::RestoreIn(Transaction& tx, int64_t comment_id,
                                          std::string_view reason, const std::string& actor,
                                          const std::string& request_id) {
  HERALD_ASSIGN_OR_RETURN(Comment c, LoadForUpdate(tx, comment_id));
  if (c.status != "held" && c.status != "rejected" && c.status != "removed") {
    return FailedPrecondition(
        "only a comment the platform held, rejected or removed can be "
        "restored (this one is " +
            c.status + ")",
        "comment_not_restorable");
  }
  Comment after = c;
  after.status = "visible";
  after.status_reason = "";
  const Micros now = clock_.Now();
  after.updated_at = now;
  HERALD_RETURN_IF_ERROR(Save(tx, c, after, now));
  HERALD_RETURN_IF_ERROR(accounts_.AddNotice(tx, c.user_id, std::nullopt, "comment_restored",
                                             "评论已恢复 Comment restored",
                                             Excerpt(c.body, 40) + " — " + std::string(reason)));
  HERALD_RETURN_IF_ERROR(audit_
                             .Append(tx, {actor, "comment.restore", CommentRef(c.id),
                                          JsonObjectWriter()
                                              .Add("article_id", c.article_id)
                                              .Add("account_id", c.account_id)
                                              .Add("from", c.status)
                                              .Add("reason", reason)
                                              .str(),
                                          request_id})
                             .status());
  return LoadComment(tx, comment_id);
}

Result<Comment> CommentService::Get(int64_t comment_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return LoadComment(*tx, comment_id);
}

Status CommentService::HandleDecision(Transaction& tx, const review::Item& item) {
  auto loaded = LoadForUpdate(tx, item.ref_id);
  // Purged with its article (PurgeArticles) while the item waited: nothing is left to decide on.
  if (!loaded.ok() && loaded.status().reason() == "comment_not_found") return Status();
  HERALD_ASSIGN_OR_RETURN(Comment c, std::move(loaded));
  Comment after = c;
  if (item.decision == "approve") {
    if (c.status != "held") return Status();
    after.status = "visible";
    after.status_reason = "";
  } else {
    if (c.status == "held") {
      after.status = "rejected";
    } else if (c.status == "visible") {
      after.status = "removed";  // a flagged comment refused after publication
    } else {
      return Status();
    }
    after.status_reason = item.reason_code;
    after.pinned_at.reset();
    after.decided_by = item.decided_by;
    after.decided_at = item.decided_at.value_or(clock_.Now());
  }
  HERALD_RETURN_IF_ERROR(Save(tx, c, after, clock_.Now()));
  if (after.status == "visible") return Status();
  return accounts_.AddNotice(
      tx, c.user_id, std::nullopt, "comment_rejected", "评论未通过审核 Comment refused",
      Excerpt(c.body, 40) + " — " + item.reason_code + (item.note.empty() ? "" : ": " + item.note));
}

std::vector<storage::Migration> CommentService::Migrations() {
  return {{"comments/0001_comments", R"SQL(
CREATE TABLE comments (
  id {{AUTO_ID}},
  article_id BIGINT NOT NULL,
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  parent_id BIGINT REFERENCES comments (id),
  kind TEXT NOT NULL CHECK (kind IN ('comment', 'reply', 'author_reply')),
  body TEXT NOT NULL,
  source_body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('visible', 'held', 'hidden', 'rejected', 'removed',
                                         'deleted')),
  status_reason TEXT NOT NULL,
  selected INTEGER NOT NULL CHECK (selected IN (0, 1)),
  pinned_at BIGINT,
  visible_replies BIGINT NOT NULL CHECK (visible_replies >= 0),
  selected_replies BIGINT NOT NULL CHECK (selected_replies >= 0),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX comments_article ON comments (article_id, kind, id);
CREATE INDEX comments_parent ON comments (parent_id, id);
CREATE INDEX comments_user ON comments (user_id, created_at);
CREATE TABLE comment_article_stats (
  article_id BIGINT PRIMARY KEY,
  visible_count BIGINT NOT NULL CHECK (visible_count >= 0),
  selected_count BIGINT NOT NULL CHECK (selected_count >= 0)
);
CREATE TABLE comment_account_settings (
  account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
  mode TEXT NOT NULL CHECK (mode IN ('open', 'selected', 'closed')),
  updated_at BIGINT NOT NULL
);
CREATE TABLE comment_article_settings (
  article_id BIGINT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  mode TEXT NOT NULL CHECK (mode IN ('open', 'selected', 'closed')),
  updated_at BIGINT NOT NULL
);
)SQL",
           ""},
          // Who decided a rejection or removal, and when (the appeal channel's different-moderator
          // rule and window need it; a removal outside the review queue had no record of it).
          {"comments/0002_decided_by",
           "ALTER TABLE comments ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';\n"
           "ALTER TABLE comments ADD COLUMN decided_at BIGINT;\n",
           ""}};
}

}  // namespace herald::comments
