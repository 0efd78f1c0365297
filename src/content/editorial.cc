// ArticleService, second part: covers and tags, the editorial workflow of drafts (PA-16.1),
// versions of edited articles and the purge after the retention period (PA17-16).
#include <algorithm>

#include "content/article_service.h"
#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::content {

namespace {
// An article's submitted texts (content/0006_article_sources); "" when it has no row there.
constexpr const char* kSourcesSql =
    "SELECT COALESCE(src.source_title, ''), COALESCE(src.source_summary, ''), "
    "COALESCE(src.source_body, '') FROM articles LEFT JOIN article_sources src ON "
    "src.article_id = articles.id WHERE articles.id = ?";
}  // namespace

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

std::string UserActor(int64_t id) { return "user:" + std::to_string(id); }
std::string DraftRef(int64_t id) { return "draft:" + std::to_string(id); }

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

std::vector<std::string> SplitTags(std::string_view text) {
  std::vector<std::string> out;
  for (auto t : Split(text, ',')) {
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}

constexpr std::string_view kDraftColumns =
    "id, account_id, status, title, summary, body, original, reprint_policy, copyright_holder, "
    "has_attribution, attr_account_id, attr_content_id, attr_url, attr_holder, advertising, "
    "cover_media_id, tags, created_by, updated_by, submitted_by, approved_by, article_id, "
    "return_note, created_at, updated_at";

Draft DraftFromRow(const Row& r) {
  Draft d;
  d.id = r.Int(0);
  d.account_id = r.Int(1);
  d.status = r.Text(2);
  d.content.title = r.Text(3);
  d.content.summary = r.Text(4);
  d.content.body = r.Text(5);
  d.content.original = r.Int(6) != 0;
  d.content.reprint_policy = r.Text(7);
  d.content.copyright_holder = r.Text(8);
  if (r.Int(9) != 0) {
    d.content.attribution = provenance::Attribution{r.Int(10), r.Text(11), r.Text(12), r.Text(13)};
  }
  d.content.advertising = r.Int(14) != 0;
  d.content.cover_media_id = r.Text(15);
  d.content.tags = SplitTags(r.Text(16));
  d.created_by = r.Int(17);
  d.updated_by = r.Int(18);
  d.submitted_by = OptInt(r, 19);
  d.approved_by = OptInt(r, 20);
  d.article_id = OptInt(r, 21);
  d.return_note = r.Text(22);
  d.created_at = r.Int(23);
  d.updated_at = r.Int(24);
  return d;
}

// The draft's fields, checked as a publish would check their shape (screening and the account's
// rights run at publish).
Result<ArticleInput> CheckDraftInput(const ArticleInput& in) {
  ArticleInput out = in;
  HERALD_ASSIGN_OR_RETURN(out.title, CheckTextField(in.title, 1, 64, "invalid_title", "title"));
  HERALD_ASSIGN_OR_RETURN(out.summary,
                          CheckTextField(in.summary, 0, 120, "invalid_summary", "summary"));
  HERALD_ASSIGN_OR_RETURN(out.body,
                          CheckTextField(in.body, 1, 50000, "invalid_body", "body", true));
  HERALD_ASSIGN_OR_RETURN(
      out.copyright_holder,
      CheckTextField(in.copyright_holder, 0, 100, "invalid_copyright_holder", "copyright_holder"));
  if (in.original && !in.reprint_policy.empty()) {
    HERALD_RETURN_IF_ERROR(provenance::ParseReprintPolicy(in.reprint_policy).status());
  }
  if (!in.original) out.reprint_policy.clear();
  if (in.original && in.attribution) {
    return InvalidArgument("an original article carries no repost attribution",
                           "attribution_on_original", "attribution");
  }
  out.category.clear();
  return out;
}

std::vector<Value> DraftValues(const ArticleInput& in, const std::vector<std::string>& tags) {
  const auto& a = in.attribution;
  return {in.title,
          in.summary,
          in.body,
          int64_t{in.original ? 1 : 0},
          in.reprint_policy,
          in.copyright_holder,
          int64_t{a ? 1 : 0},
          a ? a->source_account_id : int64_t{0},
          a ? a->source_content_id : std::string(),
          a ? a->source_url : std::string(),
          a ? a->copyright_holder : std::string(),
          int64_t{in.advertising ? 1 : 0},
          in.cover_media_id,
          JoinTags(tags)};
}

}  // namespace

// --- covers and tags ---

Status ArticleService::CheckCoverId(const std::string& id) {
  if (id.empty()) return Status();
  if (id.size() != 64 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return InvalidArgument("cover_media_id must be a media id from POST /api/v1/media",
                           "invalid_cover_media_id", "cover_media_id");
  }
  return Status();
}

Result<std::string> ArticleService::NormalizeTag(std::string_view in) {
  HERALD_ASSIGN_OR_RETURN(std::string tag, CheckTextField(in, 1, 21, "invalid_tag", "tags"));
  if (!tag.empty() && tag[0] == '#') tag.erase(0, 1);
  for (char& c : tag) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '\t' || c == '\n' || c == ',' || c == '/' || c == '?' || c == '#' ||
        c == '%') {
      return InvalidArgument("a tag cannot contain spaces or any of , / ? # %", "invalid_tag",
                             "tags");
    }
  }
  if (tag.find("\xe3\x80\x80") != std::string::npos) {  // U+3000 ideographic space
    return InvalidArgument("a tag cannot contain spaces", "invalid_tag", "tags");
  }
  HERALD_ASSIGN_OR_RETURN(tag, CheckTextField(tag, 1, 20, "invalid_tag", "tags"));
  return tag;
}

Result<std::vector<std::string>> ArticleService::CheckTags(
    const std::vector<std::string>& in) const {
  if (in.size() > 10) {
    return InvalidArgument("at most 10 tags", "too_many_tags", "tags");
  }
  std::vector<std::string> out;
  for (const auto& raw : in) {
    HERALD_ASSIGN_OR_RETURN(std::string tag, NormalizeTag(raw));
    HERALD_ASSIGN_OR_RETURN(moderation::ScreenResult r, screening_.Screen(tag));
    if (!r.matches.empty()) {
      return InvalidArgument("the tag " + tag + " may not be used (" + r.matches[0].category + ")",
                             "illegal_content", "tags");
    }
    if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
  }
  return out;
}

Status ArticleService::WriteTags(Transaction& tx, int64_t article_id,
                                 const std::vector<std::string>& tags) {
  HERALD_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM article_tags WHERE article_id = ?", {article_id}).status());
  int64_t pos = 0;
  for (const auto& t : tags) {
    HERALD_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO article_tags (article_id, tag, position) VALUES (?, ?, ?)",
                   {article_id, t, pos++})
            .status());
  }
  return Status();
}

// An upsert: an edit of an article without a row there (written straight into the table)
// gives it one.
Status ArticleService::WriteSources(Transaction& tx, int64_t article_id,
                                    const std::string& shown_body, const std::string& source_title,
                                    const std::string& source_summary,
                                    const std::string& source_body) {
  return tx
      .Execute(
          "INSERT INTO article_sources (article_id, body, source_title, source_summary, "
          "source_body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
          "body = excluded.body, source_title = excluded.source_title, source_summary = "
          "excluded.source_summary, source_body = excluded.source_body",
          {article_id, shown_body, source_title, source_summary, source_body})
      .status();
}

Status ArticleService::AttachTags(Transaction& tx, std::vector<Article>& articles) const {
  if (articles.empty()) return Status();
  std::vector<Value> ids;
  for (const auto& a : articles) ids.emplace_back(a.id);
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT article_id, tag FROM article_tags WHERE article_id IN " +
                                       InList(ids.size()) + " ORDER BY article_id, position",
                                   ids));
  for (const auto& r : rows.rows) {
    for (auto& a : articles) {
      if (a.id == r.Int(0)) a.tags.push_back(r.Text(1));
    }
  }
  return Status();
}

Result<std::vector<Article>> ArticleService::ListByTag(std::string_view tag_in, int limit,
                                                       std::optional<int64_t> before_id) const {
  HERALD_ASSIGN_OR_RETURN(std::string tag, NormalizeTag(tag_in));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  std::string sql =
      "SELECT article_id FROM article_tags t JOIN articles a ON a.id = t.article_id WHERE t.tag "
      "= ? AND a.status = 'published'";
  std::vector<Value> params = {tag};
  if (before_id) {
    sql += " AND t.article_id < ?";
    params.emplace_back(*before_id);
  }
  sql += " ORDER BY t.article_id DESC LIMIT ?";
  params.emplace_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Article> out;
  for (const auto& r : rows.rows) {
    HERALD_ASSIGN_OR_RETURN(Article a, Load(*tx, r.Int(0)));
    out.push_back(std::move(a));
  }
  return out;
}

// --- the editorial workflow ---

Result<Draft> ArticleService::LoadDraft(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT " + std::string(kDraftColumns) + " FROM drafts WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no such draft", "draft_not_found");
  Draft d = DraftFromRow(rows.rows[0]);
  HERALD_ASSIGN_OR_RETURN(
      auto events, tx.Query("SELECT action, actor_user_id, role, note, at FROM draft_events WHERE "
                            "draft_id = ? ORDER BY id",
                            {id}));
  for (const auto& r : events.rows) {
    d.history.push_back(DraftEvent{r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4)});
  }
  return d;
}

Result<Draft> ArticleService::CreateDraft(int64_t user_id, int64_t account_id,
                                          const ArticleInput& in_raw,
                                          const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(ArticleInput in, CheckDraftInput(in_raw));
  HERALD_RETURN_IF_ERROR(CheckCoverId(in.cover_media_id));
  HERALD_ASSIGN_OR_RETURN(std::vector<std::string> tags, CheckTags(in.tags));
  int64_t id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(tx, account_id));
        HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(tx, account, user_id));
        if (role.empty()) {
          return PermissionDenied("only the account's owner and members see its drafts",
                                  "not_account_member");
        }
        if (role != accounts::kRoleOwner && role != accounts::kRoleEditor) {
          return PermissionDenied("only the owner or an editor writes drafts", "role_not_allowed");
        }
        const Micros now = clock_.Now();
        std::vector<Value> params = {account_id};
        for (auto& v : DraftValues(in, tags)) params.push_back(std::move(v));
        for (Value v : {Value(user_id), Value(user_id), Value(now), Value(now)}) {
          params.push_back(std::move(v));
        }
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("INSERT INTO drafts (account_id, status, title, summary, body, original, "
                     "reprint_policy, copyright_holder, has_attribution, attr_account_id, "
                     "attr_content_id, attr_url, attr_holder, advertising, cover_media_id, tags, "
                     "created_by, updated_by, return_note, created_at, updated_at) VALUES (?, "
                     "'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) "
                     "RETURNING id",
                     params));
        id = rows.rows.at(0).Int(0);
        HERALD_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO draft_events (draft_id, action, actor_user_id, role, note, at) "
                       "VALUES (?, 'create', ?, ?, '', ?)",
                       {id, user_id, role, now})
                .status());
        return audit_
            .Append(tx, {UserActor(user_id), "draft.create", DraftRef(id),
                         JsonObjectWriter()
                             .Add("account", "account:" + std::to_string(account_id))
                             .Add("role", role)
                             .str(),
                         meta.request_id})
            .status();
      }));
  return GetDraft(user_id, true, id);
}

Result<Draft> ArticleService::DraftTransition(int64_t user_id, int64_t draft_id,
                                              std::string_view action, std::string_view note,
                                              const DraftStep& step,
                                              const auth::RequestMeta& meta) {
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Draft d, LoadDraft(tx, draft_id));
        HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(tx, d.account_id));
        HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(tx, account, user_id));
        if (role.empty()) {
          // Not revealing drafts of other accounts.
          return NotFound("no such draft", "draft_not_found");
        }
        HERALD_RETURN_IF_ERROR(step(tx, d, role));
        HERALD_RETURN_IF_ERROR(
            tx.Execute(
                  "INSERT INTO draft_events (draft_id, action, actor_user_id, role, note, at) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  {draft_id, std::string(action), user_id, role, std::string(note), clock_.Now()})
                .status());
        return audit_
            .Append(tx, {UserActor(user_id), "draft." + std::string(action), DraftRef(draft_id),
                         JsonObjectWriter()
                             .Add("account", "account:" + std::to_string(d.account_id))
                             .Add("role", role)
                             .Add("note", note)
                             .str(),
                         meta.request_id})
            .status();
      }));
  return GetDraft(user_id, true, draft_id);
}

namespace {

Status RequireRole(const std::string& role, std::initializer_list<std::string_view> allowed,
                   std::string_view what) {
  for (auto r : allowed) {
    if (role == r) return Status();
  }
  return PermissionDenied("a " + role + " may not " + std::string(what), "role_not_allowed");
}

Status RequireState(const Draft& d, std::initializer_list<std::string_view> allowed,
                    std::string_view what) {
  for (auto s : allowed) {
    if (d.status == s) return Status();
  }
  return FailedPrecondition("a " + d.status + " draft cannot be " + std::string(what),
                            "invalid_draft_state");
}

}  // namespace

Result<Draft> ArticleService::UpdateDraft(int64_t user_id, int64_t draft_id,
                                          const ArticleInput& in_raw,
                                          const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(ArticleInput in, CheckDraftInput(in_raw));
  HERALD_RETURN_IF_ERROR(CheckCoverId(in.cover_media_id));
  HERALD_ASSIGN_OR_RETURN(std::vector<std::string> tags, CheckTags(in.tags));
  return DraftTransition(
      user_id, draft_id, "update", "",
      [&](Transaction& tx, const Draft& d, const std::string& role) -> Status {
        HERALD_RETURN_IF_ERROR(
            RequireRole(role, {accounts::kRoleOwner, accounts::kRoleEditor}, "edit drafts"));
        HERALD_RETURN_IF_ERROR(RequireState(d, {"draft"}, "edited"));
        std::vector<Value> params = DraftValues(in, tags);
        params.emplace_back(user_id);
        params.emplace_back(clock_.Now());
        params.emplace_back(d.id);
        return tx
            .Execute(
                "UPDATE drafts SET title = ?, summary = ?, body = ?, original = ?, "
                "reprint_policy = ?, copyright_holder = ?, has_attribution = ?, "
                "attr_account_id = ?, attr_content_id = ?, attr_url = ?, attr_holder = ?, "
                "advertising = ?, cover_media_id = ?, tags = ?, updated_by = ?, updated_at "
                "= ? WHERE id = ?",
                params)
            .status();
      },
      meta);
}

Result<Draft> ArticleService::SubmitDraft(int64_t user_id, int64_t draft_id,
                                          const auth::RequestMeta& meta) {
  return DraftTransition(
      user_id, draft_id, "submit", "",
      [&](Transaction& tx, const Draft& d, const std::string& role) -> Status {
        HERALD_RETURN_IF_ERROR(
            RequireRole(role, {accounts::kRoleOwner, accounts::kRoleEditor}, "submit drafts"));
        HERALD_RETURN_IF_ERROR(RequireState(d, {"draft"}, "submitted"));
        return tx
            .Execute(
                "UPDATE drafts SET status = 'submitted', submitted_by = ?, approved_by = "
                "NULL, updated_by = ?, updated_at = ? WHERE id = ?",
                {user_id, user_id, clock_.Now(), d.id})
            .status();
      },
      meta);
}

Result<Draft> ArticleService::ApproveDraft(int64_t user_id, int64_t draft_id,
                                           std::string_view note_in,
                                           const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(note_in, 0, 500, "invalid_note", "note", true));
  return DraftTransition(
      user_id, draft_id, "approve", note,
      [&](Transaction& tx, const Draft& d, const std::string& role) -> Status {
        HERALD_RETURN_IF_ERROR(
            RequireRole(role, {accounts::kRoleOwner, accounts::kRoleReviewer}, "approve drafts"));
        HERALD_RETURN_IF_ERROR(RequireState(d, {"submitted"}, "approved"));
        if (role != accounts::kRoleOwner && d.submitted_by == user_id) {
          return PermissionDenied("you cannot approve your own submission", "self_approval");
        }
        return tx
            .Execute(
                "UPDATE drafts SET status = 'approved', approved_by = ?, updated_by = ?, "
                "updated_at = ? WHERE id = ?",
                {user_id, user_id, clock_.Now(), d.id})
            .status();
      },
      meta);
}

Result<Draft> ArticleService::ReturnDraft(int64_t user_id, int64_t draft_id,
                                          std::string_view note_in, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(note_in, 1, 500, "invalid_note", "note", true));
  return DraftTransition(
      user_id, draft_id, "return", note,
      [&](Transaction& tx, const Draft& d, const std::string& role) -> Status {
        HERALD_RETURN_IF_ERROR(
            RequireRole(role, {accounts::kRoleOwner, accounts::kRoleReviewer}, "return drafts"));
        HERALD_RETURN_IF_ERROR(RequireState(d, {"submitted", "approved"}, "returned"));
        return tx
            .Execute(
                "UPDATE drafts SET status = 'draft', approved_by = NULL, return_note = ?, "
                "updated_by = ?, updated_at = ? WHERE id = ?",
                {note, user_id, clock_.Now(), d.id})
            .status();
      },
      meta);
}

Result<PublishResult> ArticleService::PublishDraft(int64_t user_id, int64_t draft_id,
                                                   const auth::RequestMeta& meta) {
  Draft d;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(d, LoadDraft(*tx, draft_id));
    HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(*tx, d.account_id));
    HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(*tx, account, user_id));
    if (role.empty()) return NotFound("no such draft", "draft_not_found");
    HERALD_RETURN_IF_ERROR(
        RequireRole(role, {accounts::kRoleOwner, accounts::kRoleEditor}, "publish drafts"));
    HERALD_RETURN_IF_ERROR(RequireState(d, {"approved"}, "published"));
  }
  // The pipeline re-checks the role and, in its write transaction, that the draft is still
  // approved.
  DraftLink link{d.id, d.created_by};
  HERALD_ASSIGN_OR_RETURN(PublishResult r,
                          PublishImpl(user_id, d.account_id, d.content, &link, meta));
  return r;
}

Result<Draft> ArticleService::GetDraft(int64_t user_id, bool staff, int64_t draft_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Draft d, LoadDraft(*tx, draft_id));
  if (!staff) {
    HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(*tx, d.account_id));
    HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(*tx, account, user_id));
    if (role.empty()) return NotFound("no such draft", "draft_not_found");
  }
  return d;
}

Result<std::vector<Draft>> ArticleService::ListDrafts(int64_t user_id, bool staff,
                                                      int64_t account_id,
                                                      std::string_view status) const {
  if (!status.empty() && status != "draft" && status != "submitted" && status != "approved" &&
      status != "published") {
    return InvalidArgument("status must be draft, submitted, approved or published",
                           "invalid_status", "status");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(accounts::Account account, accounts_.Get(*tx, account_id));
  if (!staff) {
    HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(*tx, account, user_id));
    if (role.empty()) {
      return PermissionDenied("only the account's owner and members see its drafts",
                              "not_account_member");
    }
  }
  std::string sql = "SELECT id FROM drafts WHERE account_id = ?";
  std::vector<Value> params = {account_id};
  if (!status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(std::string(status));
  }
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql + " ORDER BY id DESC LIMIT 200", params));
  std::vector<Draft> out;
  for (const auto& r : rows.rows) {
    HERALD_ASSIGN_OR_RETURN(Draft d, LoadDraft(*tx, r.Int(0)));
    out.push_back(std::move(d));
  }
  return out;
}

// --- versions ---

Result<PublishResult> ArticleService::Edit(int64_t user_id, int64_t article_id,
                                           const ArticleEdit& in, const auth::RequestMeta& meta) {
  if (!in.title && !in.summary && !in.body && !in.cover_media_id && !in.tags) {
    return InvalidArgument("nothing to change", "no_changes");
  }
  Article a;
  accounts::Account account;
  std::string source_title, source_summary, source_body;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(a, Load(*tx, article_id));
    HERALD_ASSIGN_OR_RETURN(account, accounts_.Get(*tx, a.account_id));
    if (account.owner_user_id != user_id) {
      return PermissionDenied("only the account's operator edits its articles",
                              "not_account_owner");
    }
    if (a.status != "published") {
      return FailedPrecondition("only a published article can be edited", "article_not_active");
    }
    HERALD_RETURN_IF_ERROR(accounts_.CheckCanPublishIn(*tx, account));
    if (a.advertising) HERALD_RETURN_IF_ERROR(accounts_.CheckAllowedIn(*tx, account, "advertise"));
    HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSourcesSql, {article_id}));
    source_title = rows.rows.at(0).Text(0);
    source_summary = rows.rows.at(0).Text(1);
    source_body = rows.rows.at(0).Text(2);
  }
  HERALD_ASSIGN_OR_RETURN(std::string title, CheckTextField(in.title.value_or(source_title), 1, 64,
                                                            "invalid_title", "title"));
  HERALD_ASSIGN_OR_RETURN(
      std::string summary,
      CheckTextField(in.summary.value_or(source_summary), 0, 120, "invalid_summary", "summary"));
  HERALD_ASSIGN_OR_RETURN(std::string body, CheckTextField(in.body.value_or(source_body), 1, 50000,
                                                           "invalid_body", "body", true));
  const std::string cover = in.cover_media_id.value_or(a.cover_media_id);
  HERALD_RETURN_IF_ERROR(CheckCoverId(cover));
  HERALD_ASSIGN_OR_RETURN(std::vector<std::string> tags, CheckTags(in.tags.value_or(a.tags)));

  // Screening and provenance again, on the new text. The provenance index keeps the text first
  // published (the content id and its links stay); the edit is checked against it.
  HERALD_ASSIGN_OR_RETURN(Screened sc, ScreenText(title, summary, body));
  provenance::PublishRequest req;
  req.content_id = a.content_id + "#v" + std::to_string(a.version + 1);
  req.account_id = account.id;
  req.subject_id = account.subject_id;
  req.text = title + "\n" + summary + "\n" + body;
  req.url = "/api/v1/article-uids/" + a.content_id.substr(8);
  req.copyright_holder = a.original ? a.copyright_holder : "";
  req.claim_original = a.original;
  if (a.original && !a.reprint_policy.empty()) {
    HERALD_ASSIGN_OR_RETURN(req.reprint_policy, provenance::ParseReprintPolicy(a.reprint_policy));
  }
  req.attribution = a.attribution;
  req.caller = provenance::Caller{UserActor(user_id), meta.request_id};
  HERALD_ASSIGN_OR_RETURN(provenance::Decision decision, provenance_.Check(req));
  if (decision.outcome == provenance::kRefuse) {
    return FailedPrecondition("an earlier text by another operator is near this one (" +
                                  decision.decided_by + "): it cannot be declared original",
                              "false_originality_claim", "original");
  }
  std::vector<std::string> reasons;
  if (sc.hold) reasons.emplace_back("screening_review");
  if (decision.outcome == provenance::kHold) reasons.push_back(decision.reason);
  const bool held = !reasons.empty();

  std::optional<int64_t> review_id;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        review_id.reset();
        const Micros now = clock_.Now();
        HERALD_ASSIGN_OR_RETURN(Article cur, Load(tx, article_id));
        if (cur.status != "published" || cur.version != a.version) {
          return FailedPrecondition("the article changed while it was being edited",
                                    "concurrent_edit");
        }
        HERALD_RETURN_IF_ERROR(
            tx.Execute(
                  "INSERT INTO article_versions (article_id, version, edited_by, edited_at, "
                  "replaced_by, replaced_at, title, summary, body, source_title, source_summary, "
                  "source_body, body_html, cover_media_id, tags) SELECT id, version, "
                  "COALESCE(version_by, author_user_id), COALESCE(version_at, published_at, "
                  "created_at), ?, ?, title, summary, COALESCE(src.body, ''), "
                  "COALESCE(src.source_title, ''), COALESCE(src.source_summary, ''), "
                  "COALESCE(src.source_body, ''), body_html, COALESCE(cover_media_id, ''), ? "
                  "FROM articles LEFT JOIN article_sources src ON src.article_id = articles.id "
                  "WHERE articles.id = ?",
                  {user_id, now, JoinTags(cur.tags), article_id})
                .status());
        std::string reasons_text;
        for (const auto& r : reasons) reasons_text += (reasons_text.empty() ? "" : ",") + r;
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE articles SET title = ?, summary = ?, body_html = ?, "
                       "cover_media_id = ?, version = version + 1, version_by = ?, "
                       "version_at = ?, updated_at = ?, status = ?, status_reason = ?, "
                       "hold_reasons = ? WHERE id = ?",
                       {sc.title, sc.summary, sc.html, cover.empty() ? Value() : Value(cover),
                        user_id, now, now, std::string(held ? "held" : "published"),
                        std::string(held ? "in_review" : ""), reasons_text, article_id})
                .status());
        HERALD_RETURN_IF_ERROR(WriteSources(tx, article_id, sc.body, title, summary, body));
        HERALD_RETURN_IF_ERROR(WriteTags(tx, article_id, tags));
        if (held || sc.flagged) {
          std::string reasons_json = "[";
          for (const auto& r : reasons) {
            reasons_json += (reasons_json.size() > 1 ? ",\"" : "\"") + JsonEscape(r) + "\"";
          }
          reasons_json += "]";
          review::NewItem item;
          item.kind = "content";
          item.category = sc.top_category.empty() ? account.category : sc.top_category;
          item.severity = held ? 3 : 1;
          item.account_id = account.id;
          item.ref_id = article_id;
          item.summary = (held ? "held edit: " : "flagged edit: ") + title;
          item.detail = JsonObjectWriter()
                            .Add("article_id", article_id)
                            .Add("version", a.version + 1)
                            .Add("title", title)
                            .AddRaw("hold_reasons", reasons_json)
                            .AddRaw("matches", sc.matches_json)
                            .Add("decided_by", decision.decided_by)
                            .str();
          HERALD_ASSIGN_OR_RETURN(int64_t id, review_.Enqueue(tx, item));
          review_id = id;
        }
        return audit_
            .Append(tx,
                    {UserActor(user_id), "article.edit", "article:" + std::to_string(article_id),
                     JsonObjectWriter()
                         .Add("version", a.version + 1)
                         .Add("status", held ? "held" : "published")
                         .str(),
                     meta.request_id})
            .status();
      }));
  PublishResult result;
  HERALD_ASSIGN_OR_RETURN(result.article, Get(article_id));
  result.provenance = std::move(decision);
  result.screening = std::move(sc.screening);
  result.review_id = review_id;
  return result;
}

Result<std::vector<ArticleVersion>> ArticleService::Versions(int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Article a, Load(*tx, article_id));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT version, edited_by, edited_at, replaced_by, replaced_at, title, summary, "
                "body, source_title, source_summary, source_body, cover_media_id, tags FROM "
                "article_versions WHERE article_id = ? ORDER BY version",
                {article_id}));
  std::vector<ArticleVersion> out;
  for (const auto& r : rows.rows) {
    ArticleVersion v;
    v.version = r.Int(0);
    v.edited_by = r.Int(1);
    v.edited_at = r.Int(2);
    v.replaced_by = r.Int(3);
    v.replaced_at = r.Int(4);
    v.title = r.Text(5);
    v.summary = r.Text(6);
    v.body = r.Text(7);
    v.source_title = r.Text(8);
    v.source_summary = r.Text(9);
    v.source_body = r.Text(10);
    v.cover_media_id = r.Text(11);
    v.tags = SplitTags(r.Text(12));
    out.push_back(std::move(v));
  }
  HERALD_ASSIGN_OR_RETURN(auto cur, tx->Query(kSourcesSql, {article_id}));
  ArticleVersion v;
  v.version = a.version;
  v.edited_by = a.version_by;
  v.edited_at = a.version_at;
  v.title = a.title;
  v.summary = a.summary;
  v.body = a.body;
  v.source_title = cur.rows.at(0).Text(0);
  v.source_summary = cur.rows.at(0).Text(1);
  v.source_body = cur.rows.at(0).Text(2);
  v.cover_media_id = a.cover_media_id;
  v.tags = a.tags;
  out.push_back(std::move(v));
  return out;
}

// --- retention ---

const char* const ArticleService::kPurgeCandidatesSql =
    "SELECT id, uid FROM articles WHERE status IN ('deleted', 'removed', 'rejected') AND "
    "removed_at IS NOT NULL AND removed_at <= ? ORDER BY id";

Result<PurgeReport> ArticleService::PurgeExpired(const std::string& actor, Micros now, bool dry_run,
                                                 const auth::RequestMeta& meta) {
  const Micros cutoff = now - options_.retention;
  PurgeReport report;
  std::vector<std::string> content_ids;
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(
      db_, dry_run ? TxMode::kRead : TxMode::kWrite, [&](Transaction& tx) -> Status {
        report = PurgeReport{};
        for (const auto& hook : purge_hooks_) {
          for (const auto& kind : hook.kinds) report.related[kind] = 0;
        }
        content_ids.clear();
        HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(kPurgeCandidatesSql, {cutoff}));
        if (rows.empty()) return Status();
        std::vector<int64_t> ids;
        for (const auto& r : rows.rows) {
          ids.push_back(r.Int(0));
          content_ids.push_back("article:" + r.Text(1));
        }
        report.articles = static_cast<int>(ids.size());
        // In chunks, to stay within the backends' parameter limits.
        for (size_t i = 0; i < ids.size(); i += 500) {
          const std::vector<int64_t> chunk_ids(ids.begin() + i,
                                               ids.begin() + std::min(ids.size(), i + 500));
          const std::vector<Value> chunk(chunk_ids.begin(), chunk_ids.end());
          const std::string in = InList(chunk.size());
          HERALD_ASSIGN_OR_RETURN(
              auto v,
              tx.Query("SELECT COUNT(*) FROM article_versions WHERE article_id IN " + in, chunk));
          report.versions += static_cast<int>(v.rows.at(0).Int(0));
          HERALD_ASSIGN_OR_RETURN(
              auto t,
              tx.Query("SELECT COUNT(*) FROM article_tags WHERE article_id IN " + in, chunk));
          report.tags += static_cast<int>(t.rows.at(0).Int(0));
          // Other modules' rows keyed by these articles, in this transaction (RegisterPurgeHook).
          for (const auto& hook : purge_hooks_) {
            HERALD_ASSIGN_OR_RETURN(PurgeCounts counts, hook.run(tx, chunk_ids, dry_run));
            for (const auto& [kind, n] : counts) report.related[kind] += n;
          }
          if (dry_run) continue;
          for (const char* sql :
               {"DELETE FROM article_versions WHERE article_id IN ",
                "DELETE FROM article_tags WHERE article_id IN ",
                "DELETE FROM draft_events WHERE draft_id IN (SELECT id FROM drafts WHERE "
                "article_id IN ",
                "DELETE FROM drafts WHERE article_id IN ",
                "DELETE FROM article_sources WHERE article_id IN ",
                "DELETE FROM articles WHERE id IN "}) {
            std::string q = sql + in;
            if (std::string_view(sql).find("SELECT") != std::string_view::npos) q += ")";
            HERALD_RETURN_IF_ERROR(tx.Execute(q, chunk).status());
          }
        }
        if (dry_run) return Status();
        JsonObjectWriter details;
        details.Add("articles", report.articles)
            .Add("versions", report.versions)
            .Add("tags", report.tags);
        for (const auto& [kind, n] : report.related) details.Add(kind, n);
        details.Add("before", cutoff);
        return audit_.Append(tx, {actor, "content.purge", "", details.str(), meta.request_id})
            .status();
      }));
  if (!dry_run) {
    // The fingerprints go after the commit (the provenance index has its own transactions).
    for (const auto& cid : content_ids) (void)provenance_.Remove(cid);
  }
  return report;
}

void ArticleService::RegisterPurgeHook(std::vector<std::string> kinds, PurgeHook hook) {
  purge_hooks_.push_back({std::move(kinds), std::move(hook)});
}

}  // namespace herald::content
