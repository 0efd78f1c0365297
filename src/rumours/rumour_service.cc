#include "rumours/rumour_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::rumours {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr size_t kChunk = 200;
constexpr int64_t kTraceForwardLimit = 10000;
constexpr Micros kBaselineWindow = 7 * kMicrosPerDay;  // the usual rate: 168 hours

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

std::string RumourRef(int64_t id) { return "rumour:" + std::to_string(id); }

// The first `n` code points of `s`.
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

// http:// or https://, a host, no whitespace or control characters, at most 2048 bytes.
Result<std::string> CheckSourceUrl(std::string_view in) {
  const std::string url(Trim(in));
  auto bad = [] {
    return InvalidArgument("source_url must be an http or https URL of at most 2048 bytes",
                           "invalid_source_url", "source_url");
  };
  if (url.empty() || url.size() > 2048 || !IsValidUtf8(url)) return bad();
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7F) return bad();
  }
  const std::string lower = ToLower(url.substr(0, 8));
  size_t rest = 0;
  if (StartsWith(lower, "https://")) {
    rest = 8;
  } else if (StartsWith(lower, "http://")) {
    rest = 7;
  } else {
    return bad();
  }
  const size_t host_end = url.find_first_of("/?#", rest);
  const std::string host =
      url.substr(rest, host_end == std::string::npos ? host_end : host_end - rest);
  if (host.empty() || host.front() == '@' || host.front() == ':') return bad();
  return url;
}

struct ArticleRow {
  int64_t id = 0, account_id = 0, subject_id = 0;
  std::string status, category, title;
  std::optional<Micros> published_at;
};

Result<std::map<int64_t, ArticleRow>> LoadArticles(Transaction& tx,
                                                   const std::vector<int64_t>& ids) {
  std::map<int64_t, ArticleRow> out;
  for (size_t begin = 0; begin < ids.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - begin);
    std::vector<Value> params(ids.begin() + begin, ids.begin() + begin + n);
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT id, account_id, subject_id, status, category, title, published_at FROM "
                 "articles WHERE id IN (" +
                     Placeholders(n) + ")",
                 params));
    for (const auto& r : rows.rows) {
      ArticleRow a;
      a.id = r.Int(0);
      a.account_id = r.Int(1);
      a.subject_id = r.Int(2);
      a.status = r.Text(3);
      a.category = r.Text(4);
      a.title = r.Text(5);
      if (!r.IsNull(6)) a.published_at = r.Int(6);
      out[a.id] = std::move(a);
    }
  }
  return out;
}

// Article ids of content ids "article:<uid>" (others are not articles and are skipped).
Result<std::vector<int64_t>> ArticleIdsOf(Transaction& tx,
                                          const std::vector<std::string>& content_ids) {
  std::vector<Value> uids;
  for (const auto& c : content_ids) {
    if (StartsWith(c, "article:")) uids.emplace_back(c.substr(8));
  }
  std::vector<int64_t> out;
  for (size_t begin = 0; begin < uids.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, uids.size() - begin);
    std::vector<Value> params(uids.begin() + begin, uids.begin() + begin + n);
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT id FROM articles WHERE uid IN (" + Placeholders(n) + ")", params));
    for (const auto& r : rows.rows) out.push_back(r.Int(0));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

constexpr std::string_view kRumourColumns =
    "id, article_id, cluster_id, debunk, source_name, source_url, removed, removed_count, "
    "source_article_id, producer_account_id, producer_subject_id, warning_sanction_id, "
    "blacklist_sanction_id, marked_by, marked_at";

Rumour RumourFromRow(const Row& r) {
  Rumour x;
  x.id = r.Int(0);
  x.article_id = r.Int(1);
  if (!r.IsNull(2)) x.cluster_id = r.Int(2);
  x.debunk = r.Text(3);
  x.source_name = r.Text(4);
  x.source_url = r.Text(5);
  x.removed = r.Int(6) != 0;
  x.removed_count = r.Int(7);
  x.source_article_id = r.Int(8);
  x.producer_account_id = r.Int(9);
  x.producer_subject_id = r.Int(10);
  if (!r.IsNull(11)) x.warning_sanction_id = r.Int(11);
  if (!r.IsNull(12)) x.blacklist_sanction_id = r.Int(12);
  x.marked_by = r.Text(13);
  x.marked_at = r.Int(14);
  return x;
}

std::string IdsJson(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

}  // namespace

RumourService::RumourService(
    storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
    const accounts::AccountService& accounts, content::ArticleService& articles,
    const provenance::ProvenanceService& provenance, social::SocialService& social,
    const sanctions::SanctionService& sanctions, const moderation::ScreeningService& screening,
    review::ReviewQueue& review, const notifications::NotificationService& notifications,
    Options options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      accounts_(accounts),
      articles_(articles),
      provenance_(provenance),
      sanctions_(sanctions),
      screening_(screening),
      review_(review),
      notifications_(notifications),
      options_(std::move(options)) {
  review_.RegisterHandler("rumour_warning", [this](Transaction& tx, const review::Item& item) {
    return HandleWarningDecision(tx, item);
  });
  social.RegisterReadHook([this](Transaction& tx, int64_t article_id, int64_t user_id, Micros now) {
    return OnRead(tx, article_id, user_id, now);
  });
  articles.RegisterPurgeHook(
      {"rumour_readers"},
      [](Transaction& tx, const std::vector<int64_t>& ids,
         bool dry_run) -> Result<content::PurgeCounts> {
        int64_t n = 0;
        for (size_t begin = 0; begin < ids.size(); begin += kChunk) {
          const size_t k = std::min(kChunk, ids.size() - begin);
          std::vector<Value> params(ids.begin() + begin, ids.begin() + begin + k);
          if (dry_run) {
            HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM rumour_readers WHERE "
                                                        "article_id IN (" +
                                                            Placeholders(k) + ")",
                                                        params));
            n += rows.rows[0].Int(0);
          } else {
            HERALD_ASSIGN_OR_RETURN(int64_t d,
                                    tx.Execute("DELETE FROM rumour_readers WHERE article_id IN (" +
                                                   Placeholders(k) + ")",
                                               params));
            n += d;
          }
        }
        return content::PurgeCounts{{"rumour_readers", n}};
      });
}

// --- readers and notifications ---

Status RumourService::OnRead(Transaction& tx, int64_t article_id, int64_t user_id, Micros now) {
  HERALD_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO rumour_readers (article_id, user_id, read_at) VALUES (?, ?, ?) ON "
                 "CONFLICT (article_id, user_id) DO UPDATE SET read_at = excluded.read_at",
                 {article_id, user_id, now})
          .status());
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT rumour_id FROM rumour_labels WHERE article_id = ?", {article_id}));
  if (!rows.empty()) HERALD_RETURN_IF_ERROR(Notify(tx, rows.rows[0].Int(0), user_id).status());
  return Status();
}

Result<int> RumourService::Notify(Transaction& tx, int64_t rumour_id, int64_t user_id) {
  HERALD_ASSIGN_OR_RETURN(
      int64_t added,
      tx.Execute("INSERT INTO rumour_notified (rumour_id, user_id, notification_id, notified_at) "
                 "VALUES (?, ?, 0, ?) ON CONFLICT (rumour_id, user_id) DO NOTHING",
                 {rumour_id, user_id, clock_.Now()}));
  if (added == 0) return 0;
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT debunk, source_name, source_url FROM rumours WHERE id = ?", {rumour_id}));
  if (rows.empty()) return NotFound("no such rumour", "rumour_not_found");
  notifications::NewNotification n;
  n.user_id = user_id;
  n.kind = "rumour_debunk";
  n.title =
      "辟谣：您看过或转发的内容已被认定为谣言 Debunked: something you read or forwarded is a "
      "rumour";
  n.body = "辟谣 Debunk: " + rows.rows[0].Text(0) + "\n来源 Source: " + rows.rows[0].Text(1) + " " +
           rows.rows[0].Text(2);
  n.link = "/api/v1/rumours/" + std::to_string(rumour_id);
  n.ref = RumourRef(rumour_id);
  HERALD_ASSIGN_OR_RETURN(int64_t nid, notifications_.Notify(tx, n));
  HERALD_RETURN_IF_ERROR(
      tx.Execute(
            "UPDATE rumour_notified SET notification_id = ? WHERE rumour_id = ? AND user_id = ?",
            {nid, rumour_id, user_id})
          .status());
  return 1;
}

Result<int> RumourService::NotifyPending(Transaction& tx, int64_t rumour_id) {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT DISTINCT u.user_id FROM (SELECT r.user_id FROM rumour_readers r JOIN "
               "rumour_labels l ON l.article_id = r.article_id WHERE l.rumour_id = ? UNION SELECT "
               "f.user_id FROM social_forwards f JOIN rumour_labels l ON l.article_id = "
               "f.article_id WHERE l.rumour_id = ?) u WHERE NOT EXISTS (SELECT 1 FROM "
               "rumour_notified n WHERE n.rumour_id = ? AND n.user_id = u.user_id) ORDER BY "
               "u.user_id",
               {rumour_id, rumour_id, rumour_id}));
  int count = 0;
  for (const auto& r : rows.rows) {
    HERALD_ASSIGN_OR_RETURN(int n, Notify(tx, rumour_id, r.Int(0)));
    count += n;
  }
  return count;
}

// --- near-copies ---

Result<std::vector<int64_t>> RumourService::NearCopies(int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(content::Article a, articles_.Get(article_id));
  provenance::PublishRequest req;
  req.content_id = "rumour-probe:" + std::to_string(article_id);
  req.account_id = a.account_id;
  req.subject_id = a.subject_id;
  req.text = a.title + "\n" + a.summary + "\n" + a.body;
  HERALD_ASSIGN_OR_RETURN(provenance::Decision d, provenance_.Check(req));
  std::vector<std::string> ids;
  for (const auto& c : d.near) ids.push_back(c.content_id);
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return ArticleIdsOf(*tx, ids);
}

// --- the verdict ---

Result<Rumour> RumourService::Mark(const Caller& who, const NewRumour& in) {
  if (in.article_id.has_value() == in.cluster_id.has_value()) {
    return InvalidArgument("give either article_id or cluster_id", "invalid_target", "article_id");
  }
  HERALD_ASSIGN_OR_RETURN(std::string debunk,
                          CheckTextField(in.debunk, 1, 2000, "invalid_debunk", "debunk", true));
  HERALD_ASSIGN_OR_RETURN(moderation::ScreenResult screened, screening_.Screen(debunk));
  for (const auto& m : screened.matches) {
    if (m.action == moderation::Action::kBlock) {
      return InvalidArgument(
          "the debunk contains content that may not be published (" + m.category + ")",
          "illegal_content", "debunk");
    }
  }
  HERALD_ASSIGN_OR_RETURN(
      std::string source_name,
      CheckTextField(in.source_name, 1, 100, "invalid_source_name", "source_name"));
  HERALD_ASSIGN_OR_RETURN(std::string source_url, CheckSourceUrl(in.source_url));

  // What the verdict labels: the article or the cluster's articles, then their near-copies.
  std::map<int64_t, std::string> via;  // article id -> how it was found
  std::vector<int64_t> seeds;
  if (in.article_id) {
    HERALD_ASSIGN_OR_RETURN(content::Article a, articles_.Get(*in.article_id));
    if (!a.published_at) {
      return FailedPrecondition("the article was never published", "article_not_published");
    }
    seeds.push_back(a.id);
    via[a.id] = "verdict";
  } else {
    HERALD_ASSIGN_OR_RETURN(provenance::ClusterInfo c, provenance_.GetCluster(*in.cluster_id));
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(seeds, ArticleIdsOf(*tx, c.content_ids));
    HERALD_ASSIGN_OR_RETURN(auto rows, LoadArticles(*tx, seeds));
    std::erase_if(seeds, [&](int64_t id) {
      auto it = rows.find(id);
      return it == rows.end() || !it->second.published_at;
    });
    if (seeds.empty()) {
      return FailedPrecondition("the cluster has no published article", "empty_cluster");
    }
    for (int64_t id : seeds) via[id] = "cluster";
  }
  for (int64_t seed : seeds) {
    HERALD_ASSIGN_OR_RETURN(std::vector<int64_t> near, NearCopies(seed));
    for (int64_t id : near) via.emplace(id, "near_copy");
  }
  std::vector<int64_t> ids;
  for (const auto& [id, how] : via) ids.push_back(id);

  const Micros now = clock_.Now();
  Rumour out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(tx.LockExclusive("rumours"));
        for (int64_t seed : seeds) {
          HERALD_ASSIGN_OR_RETURN(
              auto labelled,
              tx.Query("SELECT rumour_id FROM rumour_labels WHERE article_id = ?", {seed}));
          if (!labelled.empty()) {
            return AlreadyExists("article " + std::to_string(seed) +
                                     " is already debunked (rumour " +
                                     std::to_string(labelled.rows[0].Int(0)) + ")",
                                 "already_debunked", in.article_id ? "article_id" : "cluster_id");
          }
        }
        HERALD_ASSIGN_OR_RETURN(auto articles, LoadArticles(tx, ids));
        // The earliest published article is the source; its account the producer.
        const ArticleRow* source = nullptr;
        for (const auto& [id, a] : articles) {
          if (!a.published_at) continue;
          if (!source || *a.published_at < *source->published_at) source = &a;
        }
        if (!source) return FailedPrecondition("no published article", "article_not_published");
        HERALD_ASSIGN_OR_RETURN(accounts::Account producer, accounts_.Get(tx, source->account_id));
        const int64_t marked = in.article_id ? *in.article_id : seeds.front();
        HERALD_ASSIGN_OR_RETURN(
            auto inserted,
            tx.Query(
                "INSERT INTO rumours (article_id, cluster_id, debunk, source_name, source_url, "
                "removed, removed_count, source_article_id, producer_account_id, "
                "producer_subject_id, marked_by, marked_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, "
                "?, ?) RETURNING id",
                {marked, in.cluster_id ? Value(*in.cluster_id) : Value(), debunk, source_name,
                 source_url, int64_t{in.remove ? 1 : 0}, source->id, producer.id,
                 producer.subject_id, who.actor, now}));
        const int64_t rid = inserted.rows[0].Int(0);
        std::vector<int64_t> labelled;
        for (const auto& [id, a] : articles) {
          HERALD_ASSIGN_OR_RETURN(
              int64_t added,
              tx.Execute(
                  "INSERT INTO rumour_labels (article_id, rumour_id, via, labelled_at) VALUES "
                  "(?, ?, ?, ?) ON CONFLICT (article_id) DO NOTHING",
                  {id, rid, via[id], now}));
          if (added > 0) labelled.push_back(id);
        }
        int64_t removed = 0;
        if (in.remove) {
          for (int64_t id : labelled) {
            HERALD_ASSIGN_OR_RETURN(bool done, articles_.RemoveIn(tx, id, "rumour"));
            removed += done ? 1 : 0;
          }
        }
        // Consequences (PA-13.2): a warning on the producing account (credit follows sanctions);
        // a blacklist on its subject for a repeat producer.
        sanctions::NewSanction warning;
        warning.target = {"account", producer.id, ""};
        warning.measure = "warning";
        warning.reason_code = "rumour";
        warning.note = "谣言 Rumour " + std::to_string(rid) + ": " + Excerpt(debunk, 200);
        warning.evidence = {RumourRef(rid), "article:" + std::to_string(source->id)};
        warning.party_user_id = producer.owner_user_id;
        warning.account_id = producer.id;
        warning.subject_id = producer.subject_id;
        const sanctions::Actor actor{who.actor, who.meta.request_id};
        HERALD_ASSIGN_OR_RETURN(sanctions::Sanction issued, sanctions_.Issue(tx, warning, actor));
        std::optional<int64_t> blacklist_id;
        HERALD_ASSIGN_OR_RETURN(
            auto earlier,
            tx.Query(
                "SELECT id, warning_sanction_id FROM rumours WHERE producer_subject_id = ? AND "
                "marked_at >= ? AND warning_sanction_id IS NOT NULL ORDER BY id",
                {producer.subject_id, now - options_.blacklist_window}));
        std::vector<std::string> evidence;
        for (const auto& r : earlier.rows) {
          HERALD_ASSIGN_OR_RETURN(sanctions::Sanction s, sanctions_.Get(tx, r.Int(1)));
          if (!s.overturned && evidence.size() < 19) evidence.push_back(RumourRef(r.Int(0)));
        }
        evidence.push_back(RumourRef(rid));
        if (static_cast<int>(evidence.size()) >= options_.blacklist_after) {
          HERALD_ASSIGN_OR_RETURN(auto active,
                                  sanctions_.ActiveFor(tx, {{"subject", producer.subject_id, ""}}));
          bool already = false;
          for (const auto& s : active) already = already || s.measure == "blacklist";
          if (!already) {
            sanctions::NewSanction bl;
            bl.target = {"subject", producer.subject_id, ""};
            bl.measure = "blacklist";
            bl.reason_code = "rumour";
            bl.note = "一年内" + std::to_string(evidence.size()) + "次被认定制造谣言 " +
                      std::to_string(evidence.size()) + " rumour verdicts within a year";
            bl.evidence = evidence;
            bl.party_user_id = producer.owner_user_id;
            bl.subject_id = producer.subject_id;
            HERALD_ASSIGN_OR_RETURN(sanctions::Sanction b, sanctions_.Issue(tx, bl, actor));
            blacklist_id = b.id;
          }
        }
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE rumours SET removed_count = ?, warning_sanction_id = ?, "
                       "blacklist_sanction_id = ? WHERE id = ?",
                       {removed, issued.id, blacklist_id ? Value(*blacklist_id) : Value(), rid})
                .status());
        // The producer learns of the verdict and its consequences (it may appeal the sanctions).
        notifications::NewNotification told;
        told.user_id = producer.owner_user_id;
        told.kind = "rumour_verdict";
        told.title =
            "谣言认定：您的账号发布的内容被认定为谣言 Rumour verdict on your account's content";
        told.body =
            "账号 Account: " + producer.name + "\n辟谣 Debunk: " + Excerpt(debunk, 500) +
            "\n处置 Sanction: 警告 warning" +
            (blacklist_id ? "；一年内多次被认定制造谣言，主体列入黑名单 blacklist of the subject"
                          : "") +
            (in.remove ? "\n相关内容已删除 The articles were removed." : "") +
            "\n可申诉 You may appeal.";
        told.link = "/api/v1/rumours/" + std::to_string(rid);
        told.ref = RumourRef(rid);
        HERALD_RETURN_IF_ERROR(notifications_.Notify(tx, told).status());
        HERALD_ASSIGN_OR_RETURN(int notified, NotifyPending(tx, rid));
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx, {who.actor, "rumour.mark", RumourRef(rid),
                             JsonObjectWriter()
                                 .Add("article_id", marked)
                                 .AddRaw("cluster_id",
                                         in.cluster_id ? std::to_string(*in.cluster_id) : "null")
                                 .AddRaw("article_ids", IdsJson(labelled))
                                 .Add("remove", in.remove)
                                 .Add("removed", removed)
                                 .Add("source_article_id", source->id)
                                 .Add("producer_account_id", producer.id)
                                 .Add("warning_sanction_id", issued.id)
                                 .AddRaw("blacklist_sanction_id",
                                         blacklist_id ? std::to_string(*blacklist_id) : "null")
                                 .Add("notified", notified)
                                 .str(),
                             who.meta.request_id})
                .status());
        HERALD_ASSIGN_OR_RETURN(out, Load(tx, rid));
        return Status();
      }));
  return out;
}

// --- reading ---

Result<Rumour> RumourService::Load(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT " + std::string(kRumourColumns) + " FROM rumours WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no such rumour", "rumour_not_found");
  Rumour r = RumourFromRow(rows.rows[0]);
  HERALD_ASSIGN_OR_RETURN(
      auto labels, tx.Query("SELECT article_id FROM rumour_labels WHERE rumour_id = ? ORDER BY "
                            "article_id",
                            {id}));
  for (const auto& l : labels.rows) r.article_ids.push_back(l.Int(0));
  HERALD_ASSIGN_OR_RETURN(
      auto notified, tx.Query("SELECT COUNT(*) FROM rumour_notified WHERE rumour_id = ?", {id}));
  r.notified_count = notified.rows[0].Int(0);
  return r;
}

Result<Rumour> RumourService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Load(*tx, id);
}

Result<std::vector<Rumour>> RumourService::List(int limit, std::optional<int64_t> before) const {
  if (limit < 1 || limit > 100) {
    return InvalidArgument("limit must be 1 to 100", "invalid_limit", "limit");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx->Query("SELECT id FROM rumours WHERE id < ? ORDER BY id DESC LIMIT ?",
                                    {before.value_or(INT64_MAX), int64_t{limit}}));
  std::vector<Rumour> out;
  for (const auto& r : rows.rows) {
    HERALD_ASSIGN_OR_RETURN(Rumour x, Load(*tx, r.Int(0)));
    out.push_back(std::move(x));
  }
  return out;
}

Result<std::vector<Label>> RumourService::LabelsFor(const std::vector<int64_t>& article_ids) const {
  if (article_ids.empty()) return std::vector<Label>{};
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return LabelsFor(*tx, article_ids);
}

Result<std::vector<Label>> RumourService::LabelsFor(Transaction& tx,
                                                    const std::vector<int64_t>& article_ids) const {
  std::vector<Label> out;
  for (size_t begin = 0; begin < article_ids.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, article_ids.size() - begin);
    std::vector<Value> params(article_ids.begin() + begin, article_ids.begin() + begin + n);
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT l.article_id, l.via, r.id, r.debunk, r.source_name, r.source_url, "
                 "r.marked_at FROM rumour_labels l JOIN rumours r ON r.id = l.rumour_id WHERE "
                 "l.article_id IN (" +
                     Placeholders(n) + ") ORDER BY l.article_id",
                 params));
    for (const auto& r : rows.rows) {
      Label l;
      l.article_id = r.Int(0);
      l.via = r.Text(1);
      l.rumour_id = r.Int(2);
      l.debunk = r.Text(3);
      l.source_name = r.Text(4);
      l.source_url = r.Text(5);
      l.marked_at = r.Int(6);
      out.push_back(std::move(l));
    }
  }
  return out;
}

Result<Label> RumourService::LabelFor(int64_t article_id) const {
  HERALD_ASSIGN_OR_RETURN(std::vector<Label> labels, LabelsFor({article_id}));
  if (labels.empty()) return NotFound("the article carries no rumour label", "rumour_not_found");
  return labels.front();
}

// --- tracing ---

Result<Trace> RumourService::TraceSource(const Caller& who, int64_t id) {
  Trace out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        out = Trace{};
        HERALD_ASSIGN_OR_RETURN(Rumour r, Load(tx, id));
        out.rumour_id = r.id;
        HERALD_ASSIGN_OR_RETURN(
            auto arts,
            tx.Query("SELECT a.id, a.account_id, acc.name, a.title, a.status, a.published_at, "
                     "l.via FROM rumour_labels l JOIN articles a ON a.id = l.article_id LEFT JOIN "
                     "accounts acc ON acc.id = a.account_id WHERE l.rumour_id = ? ORDER BY CASE "
                     "WHEN a.published_at IS NULL THEN 1 ELSE 0 END, a.published_at, a.id",
                     {id}));
        for (const auto& row : arts.rows) {
          TracedArticle a;
          a.article_id = row.Int(0);
          a.account_id = row.Int(1);
          a.account_name = row.Text(2);
          a.title = row.Text(3);
          a.status = row.Text(4);
          if (!row.IsNull(5)) a.published_at = row.Int(5);
          a.via = row.Text(6);
          if (!out.earliest_article && a.published_at) out.earliest_article = a;
          out.articles.push_back(std::move(a));
        }
        HERALD_ASSIGN_OR_RETURN(
            auto fwds,
            tx.Query("SELECT f.id, f.article_id, f.user_id, f.from_forward_id, p.user_id, "
                     "f.origin_id, f.depth, f.created_at FROM social_forwards f LEFT JOIN "
                     "social_forwards p ON p.id = f.from_forward_id WHERE f.article_id IN (SELECT "
                     "article_id FROM rumour_labels WHERE rumour_id = ?) ORDER BY f.created_at, "
                     "f.id LIMIT ?",
                     {id, kTraceForwardLimit}));
        for (const auto& row : fwds.rows) {
          TracedForward f;
          f.id = row.Int(0);
          f.article_id = row.Int(1);
          f.user_id = row.Int(2);
          if (!row.IsNull(3)) f.from_forward_id = row.Int(3);
          if (!row.IsNull(4)) f.from_user_id = row.Int(4);
          f.origin_id = row.IsNull(5) ? f.id : row.Int(5);
          f.depth = row.Int(6);
          f.created_at = row.Int(7);
          if (!out.earliest_forward && f.depth == 0) out.earliest_forward = f;
          out.forwards.push_back(std::move(f));
        }
        return audit_
            .Append(tx, {who.actor, "rumour.trace", RumourRef(id),
                         JsonObjectWriter()
                             .Add("articles", static_cast<int64_t>(out.articles.size()))
                             .Add("forwards", static_cast<int64_t>(out.forwards.size()))
                             .str(),
                         who.meta.request_id})
            .status();
      }));
  return out;
}

// --- jobs ---

Status RumourService::HandleWarningDecision(Transaction& tx, const review::Item& item) {
  return tx
      .Execute("UPDATE rumour_warnings SET is_open = 0, closed_at = ? WHERE review_id = ?",
               {clock_.Now(), item.id})
      .status();
}

Result<int> RumourService::ScanLaterCopies(Micros now) {
  std::vector<std::pair<int64_t, int64_t>> recent;  // rumour id, article id
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT id, article_id FROM rumours WHERE marked_at >= ? ORDER BY id",
                             {now - options_.rescan_window}));
    for (const auto& r : rows.rows) recent.emplace_back(r.Int(0), r.Int(1));
  }
  int added_total = 0;
  for (const auto& entry : recent) {
    // Plain variables: lambdas may not capture structured bindings before C++20 P1091 (clang).
    const int64_t rid = entry.first, article_id = entry.second;
    auto near = NearCopies(article_id);
    if (!near.ok()) {
      if (near.status().reason() == "article_not_found") continue;  // purged
      return near.status();
    }
    const std::vector<int64_t> ids = *near;
    int added = 0;
    HERALD_RETURN_IF_ERROR(
        storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
          added = 0;
          HERALD_RETURN_IF_ERROR(tx.LockExclusive("rumours"));
          std::vector<int64_t> labelled;
          for (int64_t id : ids) {
            HERALD_ASSIGN_OR_RETURN(
                int64_t n,
                tx.Execute("INSERT INTO rumour_labels (article_id, rumour_id, via, labelled_at) "
                           "VALUES (?, ?, 'later_copy', ?) ON CONFLICT (article_id) DO NOTHING",
                           {id, rid, now}));
            if (n > 0) labelled.push_back(id);
          }
          added = static_cast<int>(labelled.size());
          if (labelled.empty()) return Status();
          return audit_
              .Append(tx, {"system", "rumour.label", RumourRef(rid),
                           JsonObjectWriter()
                               .AddRaw("article_ids", IdsJson(labelled))
                               .Add("via", "later_copy")
                               .str(),
                           ""})
              .status();
        }));
    added_total += added;
  }
  return added_total;
}

Result<int> RumourService::EarlyWarning(Micros now) {
  const Micros hour = now - kMicrosPerHour;
  // Candidates: articles with at least the minimum forwards or reads in the last hour.
  std::map<int64_t, std::pair<int64_t, int64_t>> counts;  // article -> forwards, reads
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto f, tx->Query("SELECT article_id, COUNT(*) FROM social_forwards WHERE created_at >= ? "
                          "AND created_at < ? GROUP BY article_id HAVING COUNT(*) >= ?",
                          {hour, now, options_.warning_min_forwards}));
    for (const auto& r : f.rows) counts[r.Int(0)].first = r.Int(1);
    HERALD_ASSIGN_OR_RETURN(
        auto rd, tx->Query("SELECT article_id, COUNT(*) FROM social_reads WHERE created_at >= ? "
                           "AND created_at < ? GROUP BY article_id HAVING COUNT(*) >= ?",
                           {hour, now, options_.warning_min_reads}));
    for (const auto& r : rd.rows) counts[r.Int(0)].second = r.Int(1);
    // Fill in the other figure of each candidate.
    for (auto& [id, c] : counts) {
      HERALD_ASSIGN_OR_RETURN(
          auto a, tx->Query("SELECT (SELECT COUNT(*) FROM social_forwards WHERE article_id = ? AND "
                            "created_at >= ? AND created_at < ?), (SELECT COUNT(*) FROM "
                            "social_reads WHERE article_id = ? AND created_at >= ? AND created_at "
                            "< ?)",
                            {id, hour, now, id, hour, now}));
      c = {a.rows[0].Int(0), a.rows[0].Int(1)};
    }
  }
  int queued = 0;
  for (const auto& entry : counts) {
    const int64_t article_id = entry.first;
    const int64_t forwards = entry.second.first, reads = entry.second.second;
    HERALD_RETURN_IF_ERROR(
        storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
          HERALD_ASSIGN_OR_RETURN(auto rows, LoadArticles(tx, {article_id}));
          auto it = rows.find(article_id);
          if (it == rows.end() || it->second.status != "published") return Status();
          const ArticleRow& a = it->second;
          HERALD_ASSIGN_OR_RETURN(
              auto label,
              tx.Query("SELECT rumour_id FROM rumour_labels WHERE article_id = ?", {article_id}));
          const bool prone =
              std::find(options_.warning_categories.begin(), options_.warning_categories.end(),
                        a.category) != options_.warning_categories.end();
          if (!prone && label.empty()) return Status();
          // The account's usual rate: its forwards and reads in the 168 hours before this hour.
          HERALD_ASSIGN_OR_RETURN(
              auto usual,
              tx.Query("SELECT (SELECT COUNT(*) FROM social_forwards f JOIN articles x ON x.id = "
                       "f.article_id WHERE x.account_id = ? AND f.created_at >= ? AND "
                       "f.created_at < ?), (SELECT COUNT(*) FROM social_reads r JOIN articles x "
                       "ON x.id = r.article_id WHERE x.account_id = ? AND r.created_at >= ? AND "
                       "r.created_at < ?)",
                       {a.account_id, hour - kBaselineWindow, hour, a.account_id,
                        hour - kBaselineWindow, hour}));
          const int64_t usual_f = usual.rows[0].Int(0), usual_r = usual.rows[0].Int(1);
          const int64_t hours = kBaselineWindow / kMicrosPerHour;
          auto threshold = [&](int64_t min, int64_t usual_week) {
            const int64_t scaled = (options_.warning_factor * usual_week + hours - 1) / hours;
            return std::max(min, scaled);
          };
          const int64_t tf = threshold(options_.warning_min_forwards, usual_f);
          const int64_t tr = threshold(options_.warning_min_reads, usual_r);
          if (forwards < tf && reads < tr) return Status();
          HERALD_ASSIGN_OR_RETURN(
              auto open, tx.Query("SELECT review_id FROM rumour_warnings WHERE article_id = ? AND "
                                  "is_open = 1",
                                  {article_id}));
          if (!open.empty()) return Status();
          review::NewItem item;
          item.kind = "rumour_warning";
          item.category = a.category;
          item.severity = 3;
          item.account_id = a.account_id;
          item.ref_id = article_id;
          item.summary = "疑似谣言快速传播 Fast-spreading article " + std::to_string(article_id) +
                         ": " + Excerpt(a.title, 40);
          item.detail = JsonObjectWriter()
                            .Add("article_id", article_id)
                            .Add("account_id", a.account_id)
                            .Add("category", a.category)
                            .Add("rumour_prone_category", prone)
                            .AddRaw("labelled_by_rumour",
                                    label.empty() ? "null" : std::to_string(label.rows[0].Int(0)))
                            .Add("forwards_last_hour", forwards)
                            .Add("reads_last_hour", reads)
                            .Add("account_forwards_prior_168h", usual_f)
                            .Add("account_reads_prior_168h", usual_r)
                            .Add("forwards_threshold", tf)
                            .Add("reads_threshold", tr)
                            .Add("window_end", FormatRfc3339(now))
                            .str();
          HERALD_ASSIGN_OR_RETURN(int64_t review_id, review_.Enqueue(tx, item));
          HERALD_RETURN_IF_ERROR(
              tx.Execute("INSERT INTO rumour_warnings (article_id, review_id, is_open, "
                         "forwards_hour, reads_hour, created_at) VALUES (?, ?, 1, ?, ?, ?)",
                         {article_id, review_id, forwards, reads, now})
                  .status());
          ++queued;
          return audit_
              .Append(tx, {"system", "rumour.warning", "article:" + std::to_string(article_id),
                           item.detail, ""})
              .status();
        }));
  }
  return queued;
}

Result<JobReport> RumourService::RunJobs(Micros now) {
  JobReport report;
  HERALD_ASSIGN_OR_RETURN(report.labels_added, ScanLaterCopies(now));
  std::vector<int64_t> rumours;
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT id FROM rumours WHERE marked_at >= ? ORDER BY id",
                             {now - std::max(options_.reader_retention, options_.rescan_window)}));
    for (const auto& r : rows.rows) rumours.push_back(r.Int(0));
  }
  for (int64_t rid : rumours) {
    int n = 0;
    HERALD_RETURN_IF_ERROR(
        storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
          HERALD_ASSIGN_OR_RETURN(n, NotifyPending(tx, rid));
          return Status();
        }));
    report.notified += n;
  }
  HERALD_ASSIGN_OR_RETURN(report.warnings_queued, EarlyWarning(now));
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(int64_t n,
                                tx.Execute("DELETE FROM rumour_readers WHERE read_at < ?",
                                           {now - options_.reader_retention}));
        report.readers_pruned = static_cast<int>(n);
        return Status();
      }));
  return report;
}

std::vector<storage::Migration> RumourService::Migrations() {
  return {{"rumours/0001_rumours", R"SQL(
CREATE TABLE rumours (
  id {{AUTO_ID}},
  article_id BIGINT NOT NULL,
  cluster_id BIGINT,
  debunk TEXT NOT NULL,
  source_name TEXT NOT NULL,
  source_url TEXT NOT NULL,
  removed INTEGER NOT NULL,
  removed_count BIGINT NOT NULL,
  source_article_id BIGINT NOT NULL,
  producer_account_id BIGINT NOT NULL,
  producer_subject_id BIGINT NOT NULL,
  warning_sanction_id BIGINT,
  blacklist_sanction_id BIGINT,
  marked_by TEXT NOT NULL,
  marked_at BIGINT NOT NULL
);
CREATE INDEX rumours_subject ON rumours (producer_subject_id, marked_at);
CREATE INDEX rumours_time ON rumours (marked_at);
CREATE TABLE rumour_labels (
  article_id BIGINT PRIMARY KEY,
  rumour_id BIGINT NOT NULL REFERENCES rumours (id),
  via TEXT NOT NULL CHECK (via IN ('verdict', 'cluster', 'near_copy', 'later_copy')),
  labelled_at BIGINT NOT NULL
);
CREATE INDEX rumour_labels_rumour ON rumour_labels (rumour_id, article_id);
CREATE TABLE rumour_readers (
  article_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id),
  read_at BIGINT NOT NULL,
  PRIMARY KEY (article_id, user_id)
);
CREATE INDEX rumour_readers_time ON rumour_readers (read_at);
CREATE TABLE rumour_notified (
  rumour_id BIGINT NOT NULL REFERENCES rumours (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  notification_id BIGINT NOT NULL,
  notified_at BIGINT NOT NULL,
  PRIMARY KEY (rumour_id, user_id)
);
CREATE TABLE rumour_warnings (
  id {{AUTO_ID}},
  article_id BIGINT NOT NULL,
  review_id BIGINT NOT NULL,
  is_open INTEGER NOT NULL,
  forwards_hour BIGINT NOT NULL,
  reads_hour BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  closed_at BIGINT
);
CREATE UNIQUE INDEX rumour_warnings_open ON rumour_warnings (article_id) WHERE is_open = 1;
CREATE INDEX rumour_warnings_review ON rumour_warnings (review_id);
)SQL",
           ""},
          // The early-warning job counts the last hour's forwards and reads per article: index
          // ranges on the social module's tables instead of scanning them every run.
          {"rumours/0002_traffic_indexes",
           "CREATE INDEX rumours_forwards_time ON social_forwards (created_at, article_id);\n"
           "CREATE INDEX rumours_reads_time ON social_reads (created_at, article_id);\n",
           ""}};
}

}  // namespace herald::rumours
