#include "content/article_service.h"

#include <algorithm>
#include <charconv>

#include "content/markdown.h"
#include "core/crypto.h"
#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::content {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

// The columns FromRow reads, from "articles" (unaliased). The shown Markdown body is in
// article_sources (content/0006): `body` is the expression that reads it.
std::string ColumnsWith(std::string_view body) {
  return "id, uid, account_id, subject_id, author_user_id, title, summary, " + std::string(body) +
         ", category, original, reprint_policy, copyright_holder, has_attribution, "
         "attr_account_id, attr_content_id, attr_url, attr_holder, advertising, status, "
         "status_reason, hold_reasons, cluster_id, created_at, published_at, removed_at, "
         "body_html, cover_media_id, draft_id, version, version_by, version_at";
}

constexpr std::string_view kSourceBody =
    "COALESCE((SELECT s.body FROM article_sources s WHERE s.article_id = articles.id), '')";

// Every column, the Markdown body included (owner and staff views).
const std::string& Columns() {
  static const std::string columns = ColumnsWith(kSourceBody);
  return columns;
}

// What a reader's page shows: the Markdown body only for an article from before rendered
// bodies (FromRow shows it as text then), else "" without a read of article_sources.
const std::string& PageColumns() {
  static const std::string columns =
      ColumnsWith("CASE WHEN body_html = '' THEN " + std::string(kSourceBody) + " ELSE '' END");
  return columns;
}

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

// Articles published before bodies were rendered at publish (content/0002_body_html) have no
// HTML, and readers get HTML only: their shown body as escaped text, a paragraph per blank-line
// block. Not rendered as Markdown: the shown body is masked, and a mask ("**") would read as
// markup.
std::string PlainTextHtml(std::string_view text) {
  std::string out;
  for (size_t begin = 0; begin <= text.size();) {
    size_t end = text.find("\n\n", begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view para = text.substr(begin, end - begin);
    begin = end + 2;
    if (para.find_first_not_of(" \t\n") == std::string_view::npos) continue;
    out += "<p>" + HtmlEscape(para);
    out += "</p>\n";
  }
  return out;
}

Article FromRow(const Row& r) {
  Article a;
  a.id = r.Int(0);
  a.content_id = "article:" + r.Text(1);
  a.account_id = r.Int(2);
  a.subject_id = r.Int(3);
  a.author_user_id = r.Int(4);
  a.title = r.Text(5);
  a.summary = r.Text(6);
  a.body = r.Text(7);
  a.category = r.Text(8);
  a.original = r.Int(9) != 0;
  a.reprint_policy = r.Text(10);
  a.copyright_holder = r.Text(11);
  if (r.Int(12) != 0) {
    a.attribution = provenance::Attribution{r.Int(13), r.Text(14), r.Text(15), r.Text(16)};
  }
  a.advertising = r.Int(17) != 0;
  a.status = r.Text(18);
  a.status_reason = r.Text(19);
  const std::string reasons = r.Text(20);
  for (auto x : Split(reasons, ',')) {
    if (!x.empty()) a.hold_reasons.emplace_back(x);
  }
  a.cluster_id = OptInt(r, 21);
  a.created_at = r.Int(22);
  a.published_at = OptInt(r, 23);
  a.removed_at = OptInt(r, 24);
  a.body_html = r.Text(25);
  if (a.body_html.empty() && !a.body.empty()) a.body_html = PlainTextHtml(a.body);
  a.cover_media_id = r.IsNull(26) ? "" : r.Text(26);
  a.draft_id = OptInt(r, 27);
  a.version = r.Int(28);
  a.version_by = r.IsNull(29) ? a.author_user_id : r.Int(29);
  a.version_at = r.IsNull(30) ? a.published_at.value_or(a.created_at) : r.Int(30);
  return a;
}

std::string UserActor(int64_t id) { return "user:" + std::to_string(id); }

}  // namespace

ArticleService::ArticleService(storage::Database& db, const audit::AuditLog& audit,
                               const Clock& clock, Random& random,
                               accounts::AccountService& accounts,
                               const moderation::ScreeningService& screening,
                               provenance::ProvenanceService& provenance,
                               review::ReviewQueue& review, const text::Normalizer& norm,
                               ContentOptions options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      random_(random),
      accounts_(accounts),
      screening_(screening),
      provenance_(provenance),
      review_(review),
      norm_(norm),
      options_(options) {
  options_.retention = std::max(options_.retention, Micros{180} * kMicrosPerDay);
  review_.RegisterHandler("content", [this](Transaction& tx, const review::Item& item) {
    return HandleContentDecision(tx, item);
  });
  review_.RegisterHandler("cluster", [this](Transaction& tx, const review::Item& item) {
    return HandleClusterDecision(tx, item);
  });
  // A held article refused in review leaves the provenance index (it has its own transactions,
  // so this runs after the decision committed): its text no longer counts as an earlier copy.
  review_.RegisterAfterCommit("content", [this](const review::Item& item) {
    if (item.decision != "reject") return;
    auto a = Get(item.ref_id);
    if (a.ok() && a->status == "rejected") (void)provenance_.Remove(a->content_id);
  });
}

Result<ArticleService::Screened> ArticleService::ScreenText(const std::string& title,
                                                            const std::string& summary,
                                                            const std::string& body) const {
  // Screening, one field at a time so offsets stay meaningful.
  Screened out;
  std::string matches_json = "[";
  struct Field {
    const char* name;
    const std::string* text;
    std::string* shown;
  };
  std::vector<Field> fields = {{"title", &title, &out.title},
                               {"summary", &summary, &out.summary},
                               {"body", &body, &out.body}};
  std::vector<moderation::Match> body_matches;
  for (auto& f : fields) {
    HERALD_ASSIGN_OR_RETURN(moderation::ScreenResult r, screening_.Screen(*f.text));
    for (const auto& m : r.matches) {
      if (m.action == moderation::Action::kBlock) {
        return InvalidArgument(std::string(f.name) +
                                   " contains content that may not be published (" + m.category +
                                   ")",
                               "illegal_content", f.name);
      }
      if (m.action == moderation::Action::kReview) out.hold = true;
      if (m.action == moderation::Action::kFlag) out.flagged = true;
      if (out.top_category.empty() && m.action != moderation::Action::kReplace) {
        out.top_category = m.category;
      }
      if (matches_json.size() > 1) matches_json += ",";
      matches_json += JsonObjectWriter()
                          .Add("field", f.name)
                          .Add("term", m.term)
                          .Add("category", m.category)
                          .Add("action", moderation::ActionName(m.action))
                          .Add("start", static_cast<int64_t>(m.start))
                          .Add("end", static_cast<int64_t>(m.end))
                          .str();
      out.screening.matches.push_back(m);
    }
    out.screening.verdict = std::max(out.screening.verdict, r.verdict);
    *f.shown = moderation::Mask(*f.text, r.matches);
    if (f.text == &body) body_matches = r.matches;
  }
  matches_json += "]";
  out.matches_json = std::move(matches_json);

  // What readers see, rendered once here. A mask must not read as Markdown ("x 傻逼 y 傻逼"
  // masked to "x ** y **" would turn bold): the author's own '*' are set aside as \x01 (same
  // byte offsets; CheckTextField lets no control character in), the body is masked, its mask
  // characters become \x02 (inert to Markdown) and turn back into '*' in the HTML. The body
  // passed CheckTextField (valid UTF-8, at most 50,000 characters): rendering fails only on a
  // broken invariant.
  std::string marked = body;
  std::replace(marked.begin(), marked.end(), '*', '\x01');
  marked = moderation::Mask(marked, body_matches);
  for (char& c : marked) {
    if (c == '*') {
      c = '\x02';
    } else if (c == '\x01') {
      c = '*';
    }
  }
  auto rendered = RenderMarkdown(marked);
  if (!rendered.ok()) {
    if (rendered.status().code() != StatusCode::kInvalidArgument) return rendered.status();
    return InvalidArgument(rendered.status().message(), "invalid_body", "body");
  }
  std::replace(rendered->html.begin(), rendered->html.end(), '\x02', '*');
  out.html = std::move(rendered->html);
  return out;
}

Result<PublishResult> ArticleService::Publish(int64_t user_id, int64_t account_id,
                                              const ArticleInput& in,
                                              const auth::RequestMeta& meta) {
  return PublishImpl(user_id, account_id, in, nullptr, meta);
}

Result<PublishResult> ArticleService::PublishImpl(int64_t user_id, int64_t account_id,
                                                  const ArticleInput& in, const DraftLink* draft,
                                                  const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string title,
                          CheckTextField(in.title, 1, 64, "invalid_title", "title"));
  HERALD_ASSIGN_OR_RETURN(std::string summary,
                          CheckTextField(in.summary, 0, 120, "invalid_summary", "summary"));
  HERALD_ASSIGN_OR_RETURN(std::string body,
                          CheckTextField(in.body, 1, 50000, "invalid_body", "body", true));
  provenance::ReprintPolicy policy = provenance::ReprintPolicy::kWhitelistOnly;
  if (in.original && !in.reprint_policy.empty()) {
    HERALD_ASSIGN_OR_RETURN(policy, provenance::ParseReprintPolicy(in.reprint_policy));
  }
  if (in.original && in.attribution) {
    return InvalidArgument("an original article carries no repost attribution",
                           "attribution_on_original", "attribution");
  }
  HERALD_ASSIGN_OR_RETURN(
      std::string holder,
      CheckTextField(in.copyright_holder, 0, 100, "invalid_copyright_holder", "copyright_holder"));
  HERALD_RETURN_IF_ERROR(CheckCoverId(in.cover_media_id));
  HERALD_ASSIGN_OR_RETURN(std::vector<std::string> tags, CheckTags(in.tags));

  // 1, 2: the account's rights and the category rule.
  accounts::Account account;
  std::string role;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(account, accounts_.Get(*tx, account_id));
    HERALD_ASSIGN_OR_RETURN(role, accounts_.RoleIn(*tx, account, user_id));
    if (draft) {
      if (role != accounts::kRoleOwner && role != accounts::kRoleEditor) {
        return PermissionDenied("only the owner or an editor publishes approved drafts",
                                role.empty() ? "not_account_member" : "role_not_allowed");
      }
    } else if (role == accounts::kRoleEditor || role == accounts::kRoleReviewer) {
      return PermissionDenied(
          "members of an organisation account publish through the editorial workflow (PA-16.1)",
          "editorial_workflow_required");
    } else if (role != accounts::kRoleOwner) {
      return PermissionDenied("only the account's operator publishes in it", "not_account_owner");
    }
    if (!in.category.empty() && in.category != account.category) {
      return InvalidArgument("this account is registered in category " + account.category +
                                 " and may publish only there (PA-15.2)",
                             "category_mismatch", "category");
    }
    HERALD_RETURN_IF_ERROR(accounts_.CheckCanPublishIn(*tx, account));
    if (in.advertising) HERALD_RETURN_IF_ERROR(accounts_.CheckAllowedIn(*tx, account, "advertise"));
    if (options_.publish_credit) {
      HERALD_RETURN_IF_ERROR(options_.publish_credit(*tx, account, in.advertising));
    }
  }
  if (holder.empty()) holder = account.name;
  const int64_t author_id = draft ? draft->author_user_id : user_id;

  // 3: screening.
  PublishResult result;
  HERALD_ASSIGN_OR_RETURN(Screened sc, ScreenText(title, summary, body));
  const bool screening_hold = sc.hold, flagged = sc.flagged;
  const std::string& matches_json = sc.matches_json;
  const std::string& top_category = sc.top_category;
  result.screening = sc.screening;

  // 4: provenance, with the article row written in the same transaction.
  const std::string uid = crypto::HexEncode(random_.Bytes(8));
  provenance::PublishRequest req;
  req.content_id = "article:" + uid;
  req.account_id = account.id;
  req.subject_id = account.subject_id;
  req.text = title + "\n" + summary + "\n" + body;
  req.url = "/api/v1/article-uids/" + uid;
  req.copyright_holder = in.original ? holder : "";
  req.claim_original = in.original;
  req.reprint_policy = policy;
  req.attribution = in.attribution;
  req.caller = provenance::Caller{UserActor(user_id), meta.request_id};
  int64_t article_id = 0;
  std::optional<int64_t> review_id;
  std::optional<Article> published;
  HERALD_ASSIGN_OR_RETURN(
      provenance::Decision decision,
      provenance_.Publish(req, [&](Transaction& tx, const provenance::Decision& d) -> Status {
        std::vector<std::string> reasons;
        if (screening_hold) reasons.emplace_back("screening_review");
        if (d.outcome == provenance::kHold) reasons.push_back(d.reason);
        const bool held = !reasons.empty();
        std::string reasons_text;
        for (const auto& r : reasons) reasons_text += (reasons_text.empty() ? "" : ",") + r;
        const Micros now = clock_.Now();
        const auto& attr = d.attribution;
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "INSERT INTO articles (uid, account_id, subject_id, author_user_id, title, "
                "summary, body, source_title, source_summary, source_body, category, original, "
                "reprint_policy, copyright_holder, has_attribution, attr_account_id, "
                "attr_content_id, attr_url, attr_holder, advertising, status, status_reason, "
                "hold_reasons, cluster_id, created_at, published_at, updated_at, body_html, "
                "cover_media_id, draft_id, version, version_by, version_at) "
                "VALUES (?, ?, ?, ?, ?, ?, '', '', '', '', ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
                {uid,
                 account.id,
                 account.subject_id,
                 author_id,
                 sc.title,
                 sc.summary,
                 account.category,
                 int64_t{in.original ? 1 : 0},
                 std::string(in.original ? provenance::ReprintPolicyName(policy) : ""),
                 in.original ? holder : std::string(),
                 int64_t{attr ? 1 : 0},
                 attr ? attr->source_account_id : int64_t{0},
                 attr ? attr->source_content_id : std::string(),
                 attr ? attr->source_url : std::string(),
                 attr ? attr->copyright_holder : std::string(),
                 int64_t{in.advertising ? 1 : 0},
                 std::string(held ? "held" : "published"),
                 std::string(held ? "in_review" : ""),
                 reasons_text,
                 d.cluster ? Value(d.cluster->id) : Value(),
                 now,
                 held ? Value() : Value(now),
                 now,
                 sc.html,
                 in.cover_media_id.empty() ? Value() : Value(in.cover_media_id),
                 draft ? Value(draft->draft_id) : Value(),
                 user_id,
                 now}));
        article_id = rows.rows.at(0).Int(0);
        HERALD_RETURN_IF_ERROR(WriteSources(tx, article_id, sc.body, title, summary, body));
        HERALD_RETURN_IF_ERROR(WriteTags(tx, article_id, tags));
        if (draft) {
          HERALD_ASSIGN_OR_RETURN(
              int64_t n,
              tx.Execute("UPDATE drafts SET status = 'published', article_id = ?, updated_by = ?, "
                         "updated_at = ? WHERE id = ? AND status = 'approved'",
                         {article_id, user_id, now, draft->draft_id}));
          if (n != 1) {
            return FailedPrecondition("the draft is no longer approved", "invalid_draft_state");
          }
          HERALD_RETURN_IF_ERROR(
              tx.Execute("INSERT INTO draft_events (draft_id, action, actor_user_id, role, note, "
                         "at) VALUES (?, 'publish', ?, ?, ?, ?)",
                         {draft->draft_id, user_id, role,
                          std::string(held ? "held for review" : ""), now})
                  .status());
        }
        if (held || flagged) {
          std::string near = "[";
          for (const auto& n : d.near) {
            if (near.size() > 1) near += ",";
            near += JsonObjectWriter()
                        .Add("content_id", n.content_id)
                        .Add("account_id", n.account_id)
                        .Add("similarity_percent", static_cast<int64_t>(n.similarity * 100))
                        .Add("original", n.original)
                        .str();
          }
          near += "]";
          std::string reasons_json = "[";
          for (const auto& r : reasons) {
            reasons_json += (reasons_json.size() > 1 ? ",\"" : "\"") + JsonEscape(r) + "\"";
          }
          reasons_json += "]";
          review::NewItem item;
          item.kind = "content";
          item.category = top_category.empty() ? account.category : top_category;
          item.severity = held ? 3 : 1;
          item.account_id = account.id;
          item.ref_id = article_id;
          item.summary = (held ? "held: " : "flagged: ") + title;
          item.detail = JsonObjectWriter()
                            .Add("article_id", article_id)
                            .Add("title", title)
                            .AddRaw("hold_reasons", reasons_json)
                            .AddRaw("matches", matches_json)
                            .AddRaw("near", near)
                            .Add("decided_by", d.decided_by)
                            .str();
          HERALD_ASSIGN_OR_RETURN(int64_t id, review_.Enqueue(tx, item));
          review_id = id;
        }
        if (d.cluster && d.cluster->raised_now) {
          std::string accounts_json = "[", contents_json = "[";
          for (int64_t a : d.cluster->account_ids) {
            accounts_json += (accounts_json.size() > 1 ? "," : "") + std::to_string(a);
          }
          for (const auto& c : d.cluster->content_ids) {
            contents_json += (contents_json.size() > 1 ? ",\"" : "\"") + JsonEscape(c) + "\"";
          }
          review::NewItem item;
          item.kind = "cluster";
          item.category = account.category;
          item.severity = 3;
          item.ref_id = d.cluster->id;
          item.summary =
              "coordinated batch: " + std::to_string(d.cluster->account_ids.size()) + " accounts";
          item.detail = JsonObjectWriter()
                            .Add("cluster_id", d.cluster->id)
                            .AddRaw("account_ids", accounts_json + "]")
                            .AddRaw("content_ids", contents_json + "]")
                            .str();
          HERALD_RETURN_IF_ERROR(review_.Enqueue(tx, item).status());
        }
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx, {UserActor(user_id), "article.publish",
                             "article:" + std::to_string(article_id),
                             JsonObjectWriter()
                                 .Add("account", "account:" + std::to_string(account.id))
                                 .Add("draft_id", draft ? draft->draft_id : int64_t{0})
                                 .Add("status", held ? "held" : "published")
                                 .Add("original", in.original)
                                 .Add("advertising", in.advertising)
                                 .str(),
                             meta.request_id})
                .status());
        // Read back in the same transaction: its pages are hot, and no second transaction.
        HERALD_ASSIGN_OR_RETURN(published, Load(tx, article_id));
        return Status();
      }));
  if (decision.outcome == provenance::kRefuse) {
    return FailedPrecondition("an earlier text by another operator is near this one (" +
                                  decision.decided_by + "): it cannot be declared original",
                              "false_originality_claim", "original");
  }
  if (published) {
    result.article = std::move(*published);
  } else {
    HERALD_ASSIGN_OR_RETURN(result.article, Get(article_id));
  }
  result.provenance = std::move(decision);
  result.review_id = review_id;
  return result;
}

namespace {
// One article with its tags in one statement (the article page runs it for every read): the
// tags come as "position:tag" items joined by ',' (a tag holds neither ',' nor a control
// character), in no particular order, from the covering index article_tags_order.
std::string LoadSql(storage::Backend backend, const std::string& columns) {
  const char* agg = backend == storage::Backend::kPostgres ? "string_agg" : "group_concat";
  return "SELECT " + columns + ", (SELECT " + agg +
         "(position || ':' || tag, ',') FROM article_tags WHERE article_id = articles.id) FROM "
         "articles WHERE id = ?";
}

std::vector<std::string> TagsFromPositions(std::string_view text) {
  std::vector<std::pair<int64_t, std::string>> items;
  for (auto item : Split(text, ',')) {
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos) continue;
    int64_t pos = 0;
    std::from_chars(item.data(), item.data() + colon, pos);
    items.emplace_back(pos, std::string(item.substr(colon + 1)));
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> tags;
  tags.reserve(items.size());
  for (auto& [pos, tag] : items) tags.push_back(std::move(tag));
  return tags;
}
}  // namespace

Result<Article> ArticleService::Load(Transaction& tx, int64_t id, bool page) const {
  static const std::string kSqlite = LoadSql(storage::Backend::kSqlite, Columns());
  static const std::string kPostgres = LoadSql(storage::Backend::kPostgres, Columns());
  static const std::string kSqlitePage = LoadSql(storage::Backend::kSqlite, PageColumns());
  static const std::string kPostgresPage = LoadSql(storage::Backend::kPostgres, PageColumns());
  const bool pg = tx.backend() == storage::Backend::kPostgres;
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(page ? (pg ? kPostgresPage : kSqlitePage) : (pg ? kPostgres : kSqlite), {id}));
  if (rows.empty()) return NotFound("no such article", "article_not_found");
  const Row& row = rows.rows[0];
  Article a = FromRow(row);
  a.tags = TagsFromPositions(row.Text(31));
  return a;
}

Result<Article> ArticleService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Load(*tx, id);
}

Result<Article> ArticleService::GetPublic(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return GetPublic(*tx, id);
}

Result<Article> ArticleService::GetPublic(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(Article a, Load(tx, id));
  if (a.status != "published") return NotFound("no such article", "article_not_found");
  return a;
}

Result<Article> ArticleService::GetPage(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(Article a, Load(tx, id, true));
  if (a.status != "published") return NotFound("no such article", "article_not_found");
  return a;
}

namespace {
Result<std::vector<Article>> ArticlesByUid(storage::Transaction& tx, std::string_view uid,
                                           bool published_only) {
  // A reader's read (published only) has no Markdown body; staff's has.
  std::string sql =
      "SELECT " + (published_only ? PageColumns() : Columns()) + " FROM articles WHERE uid = ?";
  if (published_only) sql += " AND status = 'published'";
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {std::string(uid)}));
  if (rows.empty()) return NotFound("no such article", "article_not_found");
  return std::vector<Article>{FromRow(rows.rows[0])};
}
}  // namespace

Result<Article> ArticleService::GetPublicByUid(std::string_view uid) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto one, ArticlesByUid(*tx, uid, true));
  HERALD_RETURN_IF_ERROR(AttachTags(*tx, one));
  return std::move(one[0]);
}

Result<Article> ArticleService::GetByUid(std::string_view uid) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto one, ArticlesByUid(*tx, uid, false));
  HERALD_RETURN_IF_ERROR(AttachTags(*tx, one));
  return std::move(one[0]);
}

Result<std::vector<Article>> ArticleService::ListByAccount(int64_t account_id, bool all, int limit,
                                                           std::optional<int64_t> before_id) const {
  std::string sql =
      "SELECT " + (all ? Columns() : PageColumns()) + " FROM articles WHERE account_id = ?";
  std::vector<Value> params = {account_id};
  if (!all) sql += " AND status = 'published'";
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Article> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  HERALD_RETURN_IF_ERROR(AttachTags(*tx, out));
  return out;
}

Status ArticleService::Hide(Transaction& tx, const Article& a, std::string_view status,
                            std::string_view reason, const std::string&, const std::string&) {
  return tx
      .Execute(
          "UPDATE articles SET status = ?, status_reason = ?, removed_at = ?, updated_at = ? "
          "WHERE id = ?",
          {std::string(status), std::string(reason), clock_.Now(), clock_.Now(), a.id})
      .status();
}

Status ArticleService::Delete(int64_t user_id, int64_t id, const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(Article a, Load(tx, id));
    // The owner, or the author while still a member of the account (a removed editor no longer
    // acts for it).
    HERALD_ASSIGN_OR_RETURN(accounts::Account acc, accounts_.Get(tx, a.account_id));
    HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(tx, acc, user_id));
    if (role != accounts::kRoleOwner && (a.author_user_id != user_id || role.empty())) {
      return PermissionDenied("only the account's operator deletes its articles",
                              "not_account_owner");
    }
    if (a.status != "published" && a.status != "held") {
      return FailedPrecondition("the article is already " + a.status, "article_not_active");
    }
    HERALD_RETURN_IF_ERROR(
        Hide(tx, a, "deleted", "operator_deleted", UserActor(user_id), meta.request_id));
    return audit_
        .Append(tx, {UserActor(user_id), "article.delete", "article:" + std::to_string(id), "{}",
                     meta.request_id})
        .status();
  });
}

Status ArticleService::HandleContentDecision(Transaction& tx, const review::Item& item) {
  auto loaded = Load(tx, item.ref_id);
  // Purged after the retention period (PA17-16) while its item was open: nothing to change.
  if (!loaded.ok() && loaded.status().reason() == "article_not_found") return Status();
  HERALD_ASSIGN_OR_RETURN(Article a, std::move(loaded));
  const bool approve = item.decision == "approve";
  const Micros now = clock_.Now();
  if (approve) {
    if (a.status == "held") {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("UPDATE articles SET status = 'published', status_reason = '', published_at "
                     "= COALESCE(published_at, ?), updated_at = ? WHERE id = ?",
                     {now, now, a.id})
              .status());
      HERALD_RETURN_IF_ERROR(accounts_.AddNotice(tx, a.author_user_id, a.account_id,
                                                 "article_approved",
                                                 "文章审核通过 Article approved", a.title));
    }
    return Status();
  }
  if (a.status != "held" && a.status != "published") return Status();
  HERALD_RETURN_IF_ERROR(Hide(tx, a, a.status == "held" ? "rejected" : "removed", item.reason_code,
                              item.decided_by, ""));
  return accounts_.AddNotice(
      tx, a.author_user_id, a.account_id, "article_rejected", "文章未通过审核 Article refused",
      a.title + " — " + item.reason_code + (item.note.empty() ? "" : ": " + item.note));
}

Status ArticleService::HandleClusterDecision(Transaction& tx, const review::Item& item) {
  if (item.decision != "reject") return Status();  // not a coordinated batch
  HERALD_ASSIGN_OR_RETURN(provenance::ClusterInfo cluster, provenance_.GetCluster(item.ref_id));
  for (const auto& cid : cluster.content_ids) {
    if (!StartsWith(cid, "article:")) continue;
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT " + Columns() +
                                " FROM articles WHERE uid = ? AND status IN ('published', 'held')",
                            {cid.substr(8)}));
    for (const auto& r : rows.rows) {
      Article a = FromRow(r);
      HERALD_RETURN_IF_ERROR(Hide(tx, a, "removed", "batch_content", item.decided_by, ""));
      HERALD_RETURN_IF_ERROR(accounts_.AddNotice(
          tx, a.author_user_id, a.account_id, "article_removed", "文章已被删除 Article removed",
          a.title + " — batch_content: 多账号批量发布同质内容 coordinated batch publishing"));
    }
  }
  return Status();
}

Result<int> ArticleService::TakeDownByTerm(const std::string& actor, std::string_view term_in,
                                           std::string_view reason_in,
                                           const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string term, CheckTextField(term_in, 1, 64, "invalid_term", "term"));
  if (term.find('\t') != std::string::npos) {
    return InvalidArgument("a term cannot contain a tab", "invalid_term", "term");
  }
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 1, 500, "invalid_reason", "reason", true));
  auto dict = moderation::Dictionary::Load({{"takedown", term + "\ttakedown\tblock\n"}}, norm_);
  if (!dict.ok()) return InvalidArgument("this term cannot be matched", "invalid_term", "term");
  int count = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        count = 0;
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT " + ColumnsWith("COALESCE(src.body, '')") +
                                ", src.source_title, src.source_summary, src.source_body FROM "
                                "articles LEFT JOIN article_sources src ON src.article_id = "
                                "articles.id WHERE status IN ('published', 'held')"));
        for (const auto& r : rows.rows) {
          bool hit = false;
          for (size_t i : {size_t{31}, size_t{32}, size_t{33}}) {
            auto s = (*dict)->Screen(r.Text(i));
            hit = hit || (s.ok() && !s->matches.empty());
          }
          if (!hit) continue;
          Article a = FromRow(r);
          HERALD_RETURN_IF_ERROR(
              Hide(tx, a, "removed", "emergency_takedown", actor, meta.request_id));
          ++count;
        }
        return audit_
            .Append(tx, {actor, "emergency.takedown", "",
                         JsonObjectWriter()
                             .Add("term", term)
                             .Add("reason", reason)
                             .Add("removed", static_cast<int64_t>(count))
                             .str(),
                         meta.request_id})
            .status();
      }));
  return count;
}

Result<int> ArticleService::TakeDownCluster(const std::string& actor, int64_t cluster_id,
                                            std::string_view reason_in,
                                            const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 1, 500, "invalid_reason", "reason", true));
  HERALD_ASSIGN_OR_RETURN(provenance::ClusterInfo cluster, provenance_.GetCluster(cluster_id));
  int count = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        count = 0;
        for (const auto& cid : cluster.content_ids) {
          if (!StartsWith(cid, "article:")) continue;
          HERALD_ASSIGN_OR_RETURN(
              auto rows,
              tx.Query("SELECT " + Columns() +
                           " FROM articles WHERE uid = ? AND status IN ('published', 'held')",
                       {cid.substr(8)}));
          for (const auto& r : rows.rows) {
            HERALD_RETURN_IF_ERROR(
                Hide(tx, FromRow(r), "removed", "emergency_takedown", actor, meta.request_id));
            ++count;
          }
        }
        return audit_
            .Append(tx, {actor, "emergency.takedown", "cluster:" + std::to_string(cluster_id),
                         JsonObjectWriter()
                             .Add("cluster_id", cluster_id)
                             .Add("reason", reason)
                             .Add("removed", static_cast<int64_t>(count))
                             .str(),
                         meta.request_id})
            .status();
      }));
  return count;
}

Result<bool> ArticleService::RemoveIn(Transaction& tx, int64_t id, std::string_view reason) {
  HERALD_ASSIGN_OR_RETURN(Article a, Load(tx, id));
  if (a.status != "published" && a.status != "held") return false;
  HERALD_RETURN_IF_ERROR(Hide(tx, a, "removed", reason, "", ""));
  return true;
}

Result<Article> ArticleService::RestoreIn(Transaction& tx, int64_t id, std::string_view reason,
                                          const std::string& actor, const std::string& request_id) {
  HERALD_ASSIGN_OR_RETURN(Article a, Load(tx, id));
  if (a.status != "held" && a.status != "rejected" && a.status != "removed") {
    return FailedPrecondition("only a held, rejected or removed article can be restored",
                              "article_not_restorable");
  }
  const Micros now = clock_.Now();
  HERALD_RETURN_IF_ERROR(
      tx.Execute("UPDATE articles SET status = 'published', status_reason = '', published_at = "
                 "COALESCE(published_at, ?), removed_at = NULL, updated_at = ? WHERE id = ?",
                 {now, now, a.id})
          .status());
  JsonObjectWriter w;
  w.Add("from", a.status).Add("reason", std::string(reason));
  HERALD_RETURN_IF_ERROR(audit_
                             .Append(tx, {actor, "article.restore", "article:" + std::to_string(id),
                                          w.str(), request_id})
                             .status());
  HERALD_RETURN_IF_ERROR(accounts_.AddNotice(tx, a.author_user_id, a.account_id, "article_restored",
                                             "文章已恢复 Article restored",
                                             a.title + " — " + std::string(reason)));
  return Load(tx, id);
}

namespace {
constexpr const char* kSourcesTable = "CREATE TABLE article_sources (";
constexpr const char* kSourcesMove = R"SQL(  body TEXT NOT NULL,
  source_title TEXT NOT NULL,
  source_summary TEXT NOT NULL,
  source_body TEXT NOT NULL
);
INSERT INTO article_sources (article_id, body, source_title, source_summary, source_body)
  SELECT id, body, source_title, source_summary, source_body FROM articles;
UPDATE articles SET body = '', source_title = '', source_summary = '', source_body = ''
  WHERE body <> '' OR source_title <> '' OR source_summary <> '' OR source_body <> '';
)SQL";
}  // namespace

std::vector<storage::Migration> ArticleService::Migrations() {
  return {{"content/0001_articles", R"SQL(
CREATE TABLE articles (
  id {{AUTO_ID}},
  uid TEXT NOT NULL UNIQUE,
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  subject_id BIGINT NOT NULL,
  author_user_id BIGINT NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  source_title TEXT NOT NULL,
  source_summary TEXT NOT NULL,
  source_body TEXT NOT NULL,
  category TEXT NOT NULL,
  original INTEGER NOT NULL,
  reprint_policy TEXT NOT NULL,
  copyright_holder TEXT NOT NULL,
  has_attribution INTEGER NOT NULL,
  attr_account_id BIGINT NOT NULL,
  attr_content_id TEXT NOT NULL,
  attr_url TEXT NOT NULL,
  attr_holder TEXT NOT NULL,
  advertising INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('published', 'held', 'rejected', 'removed', 'deleted')),
  status_reason TEXT NOT NULL,
  hold_reasons TEXT NOT NULL,
  cluster_id BIGINT,
  created_at BIGINT NOT NULL,
  published_at BIGINT,
  removed_at BIGINT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX articles_account ON articles (account_id, status, id);
CREATE INDEX articles_status ON articles (status, id);
)SQL",
           ""},
          // The body as sanitised HTML, rendered at publish; articles published before keep "".
          {"content/0002_body_html",
           "ALTER TABLE articles ADD COLUMN body_html TEXT NOT NULL DEFAULT '';\n", ""},
          // Issue 5: covers, tags, versions, the editorial workflow (PA-16.1, PA17-16).
          {"content/0003_editorial", R"SQL(
ALTER TABLE articles ADD COLUMN cover_media_id TEXT;
ALTER TABLE articles ADD COLUMN draft_id BIGINT;
ALTER TABLE articles ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN version_by BIGINT;
ALTER TABLE articles ADD COLUMN version_at BIGINT;
CREATE INDEX articles_removed ON articles (status, removed_at);
CREATE TABLE article_versions (
  article_id BIGINT NOT NULL REFERENCES articles (id),
  version BIGINT NOT NULL,
  edited_by BIGINT NOT NULL,
  edited_at BIGINT NOT NULL,
  replaced_by BIGINT NOT NULL,
  replaced_at BIGINT NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  source_title TEXT NOT NULL,
  source_summary TEXT NOT NULL,
  source_body TEXT NOT NULL,
  body_html TEXT NOT NULL,
  cover_media_id TEXT NOT NULL,
  tags TEXT NOT NULL,
  PRIMARY KEY (article_id, version)
);
CREATE TABLE article_tags (
  article_id BIGINT NOT NULL REFERENCES articles (id),
  tag TEXT NOT NULL,
  position BIGINT NOT NULL,
  PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags (tag, article_id);
CREATE TABLE drafts (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'published')),
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  body TEXT NOT NULL,
  original INTEGER NOT NULL,
  reprint_policy TEXT NOT NULL,
  copyright_holder TEXT NOT NULL,
  has_attribution INTEGER NOT NULL,
  attr_account_id BIGINT NOT NULL,
  attr_content_id TEXT NOT NULL,
  attr_url TEXT NOT NULL,
  attr_holder TEXT NOT NULL,
  advertising INTEGER NOT NULL,
  cover_media_id TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users (id),
  updated_by BIGINT NOT NULL,
  submitted_by BIGINT,
  approved_by BIGINT,
  article_id BIGINT,
  return_note TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX drafts_account ON drafts (account_id, status, id);
CREATE INDEX drafts_article ON drafts (article_id);
CREATE TABLE draft_events (
  id {{AUTO_ID}},
  draft_id BIGINT NOT NULL REFERENCES drafts (id),
  action TEXT NOT NULL,
  actor_user_id BIGINT NOT NULL,
  role TEXT NOT NULL,
  note TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX draft_events_draft ON draft_events (draft_id, id);
)SQL",
           ""},
          // The purge job's candidates (PurgeExpired) from a partial index of the few articles
          // with a removal time: with (status, removed_at), statistics of a table where nearly
          // every article is published made the planner scan the whole table instead (4 s for a
          // million articles, holding the write lock, every jobs interval).
          {"content/0004_purge_index", R"SQL(
DROP INDEX articles_removed;
CREATE INDEX articles_removed ON articles (removed_at) WHERE removed_at IS NOT NULL;
)SQL",
           ""},
          // An article's tags in their order straight from an index (Load reads them with the
          // article; AttachTags orders by position), without a lookup of each tag row.
          {"content/0005_tag_order",
           "CREATE INDEX article_tags_order ON article_tags (article_id, position, tag);\n", ""},
          // The editor's texts (the shown Markdown and the submitted originals, ~2/3 of an
          // article's bytes) move beside the article, read only by the owner's and staff's
          // views. The row every page read loads then holds what the page shows and, for an
          // article of a few thousand characters, fits in its one b-tree page instead of
          // spilling into an overflow page (one more random page touched per read). The old
          // columns stay, always "" (SQLite cannot drop a column another module's trigger
          // names). Clearing them would queue every article for search re-indexing through
          // the feed module's trigger on `body` (hours for a million articles, for an index
          // that does not change): the trigger is dropped first, and feed/0005 creates it again
          // without `body` (an edit sets the row's title, which it still watches).
          {"content/0006_article_sources",
           "DROP TRIGGER IF EXISTS feed_articles_upd;\n" + std::string(kSourcesTable) + R"SQL(
  article_id INTEGER PRIMARY KEY REFERENCES articles (id),
)SQL" + kSourcesMove,
           "DROP TRIGGER IF EXISTS feed_articles_change ON articles;\n" +
               std::string(kSourcesTable) + R"SQL(
  article_id BIGINT PRIMARY KEY REFERENCES articles (id),
)SQL" + kSourcesMove}};
}

}  // namespace herald::content
