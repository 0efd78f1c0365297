// The FeedService contract, run on every backend: feed_test.cc instantiates it for SQLite,
// feed_pgtest.cc for PostgreSQL. Fixture rows (users, subjects, accounts, articles, follows) are
// written with plain SQL, the way the owning modules write them, so each test controls
// publication times and statuses exactly; the feed sees only the tables.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "content/article_service.h"
#include "core/clock.h"
#include "feed/feed_service.h"
#include "provenance/provenance_service.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"
#include "social/social_service.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/subject_service.h"

namespace herald::feed {

using storage::Backend;
using storage::Blob;

class FeedContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() {
    if (!norm_) {
      auto n = text::Normalizer::Create(SearchNormalizerOptions());
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      norm_ = std::move(*n);
    }
  }

  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok() && url.status().code() == StatusCode::kNotFound) {
      GTEST_SKIP() << url.status().message();
    }
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    auto db = storage::OpenDatabase(*url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    std::vector<storage::Migration> m;
    for (auto& x : audit::AuditLog::Migrations()) m.push_back(x);
    for (auto& x : auth::AuthService::Migrations()) m.push_back(x);
    for (auto& x : review::ReviewQueue::Migrations()) m.push_back(x);
    for (auto& x : sanctions::SanctionService::Migrations()) m.push_back(x);
    for (auto& x : subjects::OtpService::Migrations()) m.push_back(x);
    for (auto& x : subjects::SubjectService::Migrations()) m.push_back(x);
    for (auto& x : accounts::AccountService::Migrations()) m.push_back(x);
    for (auto& x : provenance::ProvenanceService::Migrations()) m.push_back(x);
    for (auto& x : content::ArticleService::Migrations()) m.push_back(x);
    for (auto& x : social::SocialService::Migrations()) m.push_back(x);
    for (auto& x : FeedService::Migrations()) m.push_back(x);
    migrations_ = m;
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    feed_ = std::make_unique<FeedService>(*db_, *norm_);
  }

  void Exec(const std::string& sql, const std::vector<storage::Value>& params = {}) {
    Status st = storage::RunInTransaction(
        *db_, storage::TxMode::kWrite, [&](auto& tx) { return tx.Execute(sql, params).status(); });
    ASSERT_TRUE(st.ok()) << st.ToString() << " in " << sql;
  }
  int64_t Insert(const std::string& sql, const std::vector<storage::Value>& params) {
    int64_t id = 0;
    Status st = storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](auto& tx) {
      HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql + " RETURNING id", params));
      id = rows.rows.at(0).Int(0);
      return Status();
    });
    EXPECT_TRUE(st.ok()) << st.ToString() << " in " << sql;
    return id;
  }

  int64_t AddUser() {
    ++seq_;
    return Insert(
        "INSERT INTO users (phone_index, phone_enc, phone_masked, key_id, password_hash, "
        "display_name, status, created_at, password_changed_at) "
        "VALUES (?, ?, '138****0000', 'k1', 'x', ?, 'active', 1, 1)",
        {"p" + std::to_string(seq_), Blob{"x"}, "user" + std::to_string(seq_)});
  }

  int64_t AddAccount(const std::string& name, const std::string& bio = "",
                     const std::string& status = "active") {
    const int64_t owner = AddUser();
    ++seq_;
    const int64_t subject = Insert(
        "INSERT INTO subjects (kind, owner_user_id, status, key_id, real_name_enc, "
        "real_name_masked, id_number_enc, id_number_index, id_number_masked, phone_enc, "
        "phone_index, phone_masked, verification_source, verification_reference, verified_at, "
        "device, client, created_at) VALUES ('individual', ?, 'verified', 'k1', ?, '*', ?, ?, "
        "'*', ?, ?, '*', 'test', 'ref', 1, '', '', 1)",
        {owner, Blob{"x"}, Blob{"x"}, "id" + std::to_string(seq_), Blob{"x"},
         "ph" + std::to_string(seq_)});
    return Insert(
        "INSERT INTO accounts (subject_id, owner_user_id, name, bio, category, registered_place, "
        "operating_place, contact, business_scope, status, status_reason, status_changed_at, "
        "agreement_version, created_at, last_active_at) "
        "VALUES (?, ?, ?, ?, 'technology', '', '', '', '', ?, '', 1, 1, 1, 1)",
        {subject, owner, name, bio, status});
  }

  int64_t AddArticle(int64_t account, const std::string& title, Micros published_at,
                     const std::string& body = "正文", const std::string& status = "published",
                     const std::string& summary = "") {
    ++seq_;
    const int64_t id = Insert(
        "INSERT INTO articles (uid, account_id, subject_id, author_user_id, title, summary, body, "
        "source_title, source_summary, source_body, category, original, reprint_policy, "
        "copyright_holder, has_attribution, attr_account_id, attr_content_id, attr_url, "
        "attr_holder, advertising, status, status_reason, hold_reasons, created_at, "
        "published_at, updated_at) "
        "SELECT ?, id, subject_id, owner_user_id, ?, ?, '', '', '', '', category, 0, '', '', 0, "
        "0, '', '', '', 0, ?, '', '', ?, ?, ? FROM accounts WHERE id = ?",
        {"u" + std::to_string(seq_), title, summary, status, published_at,
         status == "held" ? storage::Value() : storage::Value(published_at), published_at,
         account});
    Exec(
        "INSERT INTO article_sources (article_id, body, source_title, source_summary, "
        "source_body) VALUES (?, ?, ?, ?, ?)",
        {id, body, title, summary, body});
    return id;
  }

  void Follow(int64_t user, int64_t account) {
    Insert("INSERT INTO social_follows (user_id, account_id, created_at) VALUES (?, ?, 1)",
           {user, account});
  }

  std::vector<int64_t> Ids(const FeedPage& p) {
    std::vector<int64_t> out;
    for (const auto& it : p.items) out.push_back(it.article_id);
    return out;
  }

  std::vector<int64_t> SearchIds(const std::string& q, SearchType type = SearchType::kArticles) {
    auto r = feed_->Search(SearchRequest{q, type, 50, 0});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<int64_t> out;
    if (!r.ok()) return out;
    for (const auto& h : r->hits) {
      out.push_back(type == SearchType::kArticles ? h.article->article_id : h.account_id);
    }
    return out;
  }

  int64_t Count(const std::string& sql) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    EXPECT_TRUE(tx.ok());
    if (!tx.ok()) return -1;
    auto rows = (*tx)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows->rows.at(0).Int(0) : -1;
  }

  static inline std::unique_ptr<text::Normalizer> norm_;
  std::vector<storage::Migration> migrations_;
  FakeClock clock_{1'800'000'000'000'000};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<FeedService> feed_;
  int seq_ = 0;
};

TEST_P(FeedContractTest, TimelineShowsFollowedPublishedArticlesNewestFirst) {
  const int64_t reader = AddUser();
  const int64_t a = AddAccount("甲"), b = AddAccount("乙"), other = AddAccount("丙");
  const int64_t suspended = AddAccount("丁", "", "suspended");
  Follow(reader, a);
  Follow(reader, b);
  Follow(reader, suspended);
  const int64_t a1 = AddArticle(a, "a1", 100), b1 = AddArticle(b, "b1", 200);
  const int64_t a2 = AddArticle(a, "a2", 300);
  AddArticle(other, "not followed", 400);
  AddArticle(suspended, "account suspended", 500);
  AddArticle(a, "held", 600, "x", "held");
  AddArticle(a, "removed", 700, "x", "removed");
  AddArticle(b, "deleted", 800, "x", "deleted");

  auto page = feed_->Timeline(reader, PageRequest{"", 20});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Ids(*page), (std::vector<int64_t>{a2, b1, a1}));
  EXPECT_EQ(page->next_cursor, "");
  EXPECT_EQ(page->items[0].title, "a2");
  EXPECT_EQ(page->items[0].account_name, "甲");
  EXPECT_EQ(page->items[0].published_at, 300);

  // A reader who follows nobody sees nothing.
  auto empty = feed_->Timeline(AddUser(), PageRequest{"", 20});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->items.empty());
}

TEST_P(FeedContractTest, TimelineCursorIsStableUnderConcurrentPublishing) {
  const int64_t reader = AddUser();
  std::vector<int64_t> accounts;
  for (int i = 0; i < 4; ++i) {
    accounts.push_back(AddAccount("号" + std::to_string(i)));
    Follow(reader, accounts.back());
  }
  std::vector<int64_t> expected;
  // Equal publication times across accounts: the id breaks the tie.
  for (int i = 0; i < 23; ++i) {
    expected.push_back(AddArticle(accounts[i % 4], "t" + std::to_string(i), 1000 + (i / 2) * 10));
  }
  std::sort(expected.begin(), expected.end(), [&](int64_t x, int64_t y) {
    // (published_at, id) descending; published_at = 1000 + (index / 2) * 10 grows with the id.
    return x > y;
  });

  std::vector<int64_t> seen;
  std::string cursor;
  int pages = 0;
  Micros later = 5000;
  do {
    auto page = feed_->Timeline(reader, PageRequest{cursor, 5});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (auto id : Ids(*page)) seen.push_back(id);
    cursor = page->next_cursor;
    // Between pages, every followed account publishes something new (and one is at the same
    // time as the oldest item seen, with a larger id).
    for (auto acc : accounts) AddArticle(acc, "new", later++);
    if (!page->items.empty()) AddArticle(accounts[0], "tie", page->items.back().published_at);
    ++pages;
  } while (!cursor.empty() && pages < 20);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 5);
}

// The timeline is read again after every kind of change that moves an article into or out of
// it (on SQLite pages come from the in-memory timeline cache, which must notice each of them;
// the rows are written with plain SQL, as another process would).
TEST_P(FeedContractTest, TimelineSeesEveryChangeAfterItWasRead) {
  const int64_t reader = AddUser();
  const int64_t a = AddAccount("甲"), b = AddAccount("乙");
  Follow(reader, a);
  Follow(reader, b);
  const int64_t a1 = AddArticle(a, "a1", 100), b1 = AddArticle(b, "b1", 200);
  auto ids = [&]() {
    auto page = feed_->Timeline(reader, PageRequest{"", 20});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? Ids(*page) : std::vector<int64_t>{};
  };
  EXPECT_EQ(ids(), (std::vector<int64_t>{b1, a1}));

  const int64_t a2 = AddArticle(a, "a2", 300);
  EXPECT_EQ(ids(), (std::vector<int64_t>{a2, b1, a1}));
  Exec("UPDATE articles SET status = 'removed' WHERE id = ?", {b1});
  EXPECT_EQ(ids(), (std::vector<int64_t>{a2, a1}));
  Exec("UPDATE accounts SET status = 'suspended' WHERE id = ?", {a});
  EXPECT_EQ(ids(), (std::vector<int64_t>{}));
  Exec("UPDATE accounts SET status = 'active' WHERE id = ?", {a});
  EXPECT_EQ(ids(), (std::vector<int64_t>{a2, a1}));
  // A held article released later, with its publication time set then.
  const int64_t held = AddArticle(b, "held", 400, "x", "held");
  EXPECT_EQ(ids(), (std::vector<int64_t>{a2, a1}));
  Exec("UPDATE articles SET status = 'published', published_at = 500 WHERE id = ?", {held});
  EXPECT_EQ(ids(), (std::vector<int64_t>{held, a2, a1}));
  Exec("UPDATE articles SET title = 'a2 edited' WHERE id = ?", {a2});
  auto page = feed_->Timeline(reader, PageRequest{"", 20});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.at(1).title, "a2 edited");
  // Every listed column follows its row: the account's name, the summary, the ad mark, the cover.
  Exec("UPDATE accounts SET name = '甲方' WHERE id = ?", {a});
  Exec(
      "UPDATE articles SET summary = '新的摘要', advertising = 1, cover_media_id = 'c0ffee' "
      "WHERE id = ?",
      {a2});
  page = feed_->Timeline(reader, PageRequest{"", 20});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.at(1).account_name, "甲方");
  EXPECT_EQ(page->items.at(1).summary, "新的摘要");
  EXPECT_TRUE(page->items.at(1).advertising);
  EXPECT_EQ(page->items.at(1).cover_media_id, "c0ffee");
  Exec("DELETE FROM article_sources WHERE article_id = ?", {a1});
  Exec("DELETE FROM articles WHERE id = ?", {a1});
  EXPECT_EQ(ids(), (std::vector<int64_t>{held, a2}));
  // Follows are read with every page.
  const int64_t c = AddAccount("丙");
  const int64_t c1 = AddArticle(c, "c1", 450);
  Follow(reader, c);
  EXPECT_EQ(ids(), (std::vector<int64_t>{held, c1, a2}));
  Exec("DELETE FROM social_follows WHERE user_id = ? AND account_id = ?", {reader, c});
  EXPECT_EQ(ids(), (std::vector<int64_t>{held, a2}));

  // Pruning the change log (even past what a cache has seen) never makes a page stale.
  for (int i = 0; i < 10; ++i) AddArticle(c, "noise", 600 + i);
  auto pruned = feed_->PruneTimelineChanges(1);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  const int64_t a3 = AddArticle(a, "a3", 700);
  ASSERT_TRUE(feed_->PruneTimelineChanges(1).ok());
  EXPECT_EQ(ids(), (std::vector<int64_t>{a3, held, a2}));
}

// Pages deeper than the newest articles a cache keeps per account come out complete and in
// order.
TEST_P(FeedContractTest, TimelinePagesReachEveryArticleOfBusyAccounts) {
  const int64_t reader = AddUser();
  const int64_t busy = AddAccount("忙"), quiet = AddAccount("闲"), other = AddAccount("别");
  Follow(reader, busy);
  Follow(reader, quiet);
  Follow(reader, other);
  std::vector<int64_t> expected;
  for (int i = 0; i < 75; ++i) {
    expected.push_back(AddArticle(busy, "b" + std::to_string(i), 1000 + i * 10));
    if (i % 9 == 0) expected.push_back(AddArticle(quiet, "q" + std::to_string(i), 1005 + i * 10));
    if (i % 2 == 0) expected.push_back(AddArticle(other, "o" + std::to_string(i), 1000 + i * 10));
  }
  // The oracle: the platform-wide list (its own query), which holds exactly these articles.
  std::vector<std::pair<Micros, int64_t>> keyed;
  {
    auto all = feed_->Latest(PageRequest{"", 100});
    ASSERT_TRUE(all.ok());
    std::string cursor = all->next_cursor;
    for (const auto& it : all->items) keyed.emplace_back(it.published_at, it.article_id);
    while (!cursor.empty()) {
      auto next = feed_->Latest(PageRequest{cursor, 100});
      ASSERT_TRUE(next.ok());
      for (const auto& it : next->items) keyed.emplace_back(it.published_at, it.article_id);
      cursor = next->next_cursor;
    }
  }
  ASSERT_EQ(keyed.size(), expected.size());
  std::vector<int64_t> by_time;
  for (const auto& k : keyed) by_time.push_back(k.second);

  for (int limit : {7, 20, 100}) {
    std::vector<int64_t> seen;
    std::string cursor;
    int pages = 0;
    do {
      auto page = feed_->Timeline(reader, PageRequest{cursor, limit});
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (auto id : Ids(*page)) seen.push_back(id);
      cursor = page->next_cursor;
    } while (!cursor.empty() && ++pages < 100);
    EXPECT_EQ(seen, by_time) << "limit " << limit;
  }
}

TEST_P(FeedContractTest, LatestListsEveryVisibleArticle) {
  const int64_t a = AddAccount("甲"), closed = AddAccount("乙", "", "closed");
  const int64_t x = AddArticle(a, "x", 10), y = AddArticle(a, "y", 20);
  AddArticle(closed, "z", 30);
  AddArticle(a, "held", 40, "b", "held");
  auto page = feed_->Latest(PageRequest{"", 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<int64_t>{y}));
  ASSERT_FALSE(page->next_cursor.empty());
  auto next = feed_->Latest(PageRequest{page->next_cursor, 1});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Ids(*next), (std::vector<int64_t>{x}));
  EXPECT_EQ(next->next_cursor, "");
}

TEST_P(FeedContractTest, BadPagesAreRefused) {
  const std::vector<std::string> bads = {
      "zz", "abc", "00", "76313a313a", "76313a2d313a32", std::string(300, 'a')};
  for (const std::string& bad : bads) {
    auto r = feed_->Latest(PageRequest{bad, 10});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().reason(), "invalid_cursor") << bad;
  }
  for (int limit : {0, 101, -1}) {
    auto r = feed_->Timeline(1, PageRequest{"", limit});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), "invalid_limit");
  }
}

TEST_P(FeedContractTest, SearchFindsChineseTermsOfAnyLength) {
  const int64_t a = AddAccount("健康时报");
  const int64_t vaccine = AddArticle(a, "新冠疫苗接种指南", 10, "第三针加强免疫。");
  const int64_t other = AddArticle(a, "天气预报", 20, "明天有雨，疫情平稳。");
  EXPECT_EQ(SearchIds("疫苗"), (std::vector<int64_t>{vaccine}));  // two characters
  EXPECT_EQ(SearchIds("接种指南"), (std::vector<int64_t>{vaccine}));
  auto one = SearchIds("疫");  // one character: both
  std::sort(one.begin(), one.end());
  EXPECT_EQ(one, (std::vector<int64_t>{vaccine, other}));
  EXPECT_EQ(SearchIds("加强免疫"), (std::vector<int64_t>{vaccine}));  // in the body
  // Traditional characters and full-width letters fold like the indexed text.
  EXPECT_EQ(SearchIds("疫苗接種"), (std::vector<int64_t>{vaccine}));
  EXPECT_EQ(SearchIds("疫苗 加强"), (std::vector<int64_t>{vaccine}));  // every term must match
  EXPECT_TRUE(SearchIds("疫苗 下雨").empty());
  // Short and long terms together: both indexes must agree.
  EXPECT_EQ(SearchIds("疫苗 加强免疫"), (std::vector<int64_t>{vaccine}));
  EXPECT_EQ(SearchIds("有雨 疫情平稳"), (std::vector<int64_t>{other}));
  EXPECT_TRUE(SearchIds("有雨 加强免疫").empty());
  EXPECT_TRUE(SearchIds("苗接种指南针").empty());
  const int64_t latin = AddArticle(a, "ＣＯＶＩＤ-19 Update", 30, "mRNA vaccines");
  EXPECT_EQ(SearchIds("covid-19"), (std::vector<int64_t>{latin}));
  EXPECT_EQ(SearchIds("RNA"), (std::vector<int64_t>{latin}));
  EXPECT_EQ(SearchIds("19"), (std::vector<int64_t>{latin}));
  // A term with LIKE and FTS5 syntax in it is plain text.
  EXPECT_TRUE(SearchIds("%\"_!").empty());
}

TEST_P(FeedContractTest, SearchRanksTitleMatchesFirstAndMarksThem) {
  const int64_t a = AddAccount("健康时报");
  const int64_t body_only = AddArticle(a, "每日新闻", 30, "今天谈到疫苗的供应情况。");
  const int64_t title = AddArticle(a, "疫苗供应", 10, "供应稳定。");
  auto r = feed_->Search(SearchRequest{"疫苗", SearchType::kArticles, 10, 0});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].article->article_id, title);
  EXPECT_EQ(r->hits[1].article->article_id, body_only);
  EXPECT_GT(r->hits[0].score, r->hits[1].score);
  EXPECT_EQ(r->hits[0].title_html, "<mark>疫苗</mark>供应");
  EXPECT_EQ(r->hits[1].snippet_html, "今天谈到<mark>疫苗</mark>的供应情况。");
  // Offsets page through the same order.
  auto second = feed_->Search(SearchRequest{"疫苗", SearchType::kArticles, 1, 1});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->hits.size(), 1u);
  EXPECT_EQ(second->hits[0].article->article_id, body_only);
  EXPECT_FALSE(second->more);
  // Markup in the text is escaped around the marks.
  AddArticle(a, "<b>疫苗</b> & co", 40);
  auto esc = feed_->Search(SearchRequest{"疫苗 co", SearchType::kArticles, 10, 0});
  ASSERT_TRUE(esc.ok());
  ASSERT_EQ(esc->hits.size(), 1u);
  EXPECT_EQ(esc->hits[0].title_html, "&lt;b&gt;<mark>疫苗</mark>&lt;/b&gt; &amp; <mark>co</mark>");
}

TEST_P(FeedContractTest, SearchFollowsStatusChangesAndEdits) {
  const int64_t a = AddAccount("健康时报");
  const int64_t id = AddArticle(a, "疫苗到货", 10);
  EXPECT_EQ(SearchIds("疫苗"), (std::vector<int64_t>{id}));
  // Removal, deletion and holding hide it at once; publishing again shows it.
  for (std::string status : {"removed", "deleted", "held", "rejected"}) {
    Exec("UPDATE articles SET status = ? WHERE id = ?", {status, id});
    EXPECT_TRUE(SearchIds("疫苗").empty()) << status;
  }
  Exec("UPDATE articles SET status = 'published' WHERE id = ?", {id});
  EXPECT_EQ(SearchIds("疫苗"), (std::vector<int64_t>{id}));
  // An edit (as article versions do: the body beside the row, the row's title) replaces the
  // indexed text.
  Exec("UPDATE article_sources SET body = '新的正文' WHERE article_id = ?", {id});
  Exec("UPDATE articles SET title = '口罩到货' WHERE id = ?", {id});
  EXPECT_TRUE(SearchIds("疫苗").empty());
  EXPECT_EQ(SearchIds("口罩"), (std::vector<int64_t>{id}));
  EXPECT_EQ(SearchIds("新的正文"), (std::vector<int64_t>{id}));
  // A suspended account hides its articles and itself.
  Exec("UPDATE accounts SET status = 'suspended' WHERE id = ?", {a});
  EXPECT_TRUE(SearchIds("口罩").empty());
  EXPECT_TRUE(SearchIds("健康", SearchType::kAccounts).empty());
  Exec("UPDATE accounts SET status = 'active' WHERE id = ?", {a});
  EXPECT_EQ(SearchIds("口罩"), (std::vector<int64_t>{id}));
  // A deleted row (a purge) leaves the index.
  Exec("DELETE FROM article_sources WHERE article_id = ?", {id});
  Exec("DELETE FROM articles WHERE id = ?", {id});
  EXPECT_TRUE(SearchIds("口罩").empty());
  auto sync = feed_->SyncSearchIndex();
  ASSERT_TRUE(sync.ok());
  EXPECT_TRUE(sync->drained);
}

TEST_P(FeedContractTest, MovingArticleBodiesAsideQueuesNoReindexing) {
  const int64_t a = AddAccount("旧库号");
  const int64_t id = AddArticle(a, "旧文", 10, "搬家的正文");
  EXPECT_EQ(SearchIds("搬家"), (std::vector<int64_t>{id}));
  // Back to the layout before content/0006 and feed/0005: the body in the row, the trigger
  // watching it.
  const bool pg = GetParam() == Backend::kPostgres;
  Exec(pg ? "CREATE OR REPLACE TRIGGER feed_articles_change AFTER INSERT OR DELETE OR UPDATE OF "
            "title, summary, body, status ON articles FOR EACH ROW EXECUTE FUNCTION "
            "feed_queue_change('article')"
          : "DROP TRIGGER feed_articles_upd");
  if (!pg) {
    Exec(
        "CREATE TRIGGER feed_articles_upd AFTER UPDATE OF title, summary, body, status ON "
        "articles BEGIN INSERT INTO feed_search_dirty (kind, ref_id, seq) VALUES ('article', "
        "NEW.id, 1) ON CONFLICT (kind, ref_id) DO UPDATE SET seq = feed_search_dirty.seq + 1; "
        "END");
  }
  Exec(
      "UPDATE articles SET body = '搬家的正文', source_title = '旧文', source_body = "
      "'搬家的正文' WHERE id = ?",
      {id});
  ASSERT_TRUE(feed_->SyncSearchIndex().ok());
  ASSERT_EQ(Count("SELECT COUNT(*) FROM feed_search_dirty"), 0);
  Exec("DROP TABLE article_sources");
  Exec(
      "DELETE FROM schema_migrations WHERE id IN ('content/0006_article_sources', "
      "'feed/0005_article_sources')");
  auto applied = storage::Migrate(*db_, migrations_, clock_);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 2);
  // The texts moved, the row's copies cleared, nothing queued; search still finds the body.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM feed_search_dirty"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM articles WHERE body <> '' OR source_body <> ''"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM article_sources WHERE body = '搬家的正文'"), 1);
  EXPECT_EQ(SearchIds("搬家"), (std::vector<int64_t>{id}));
  // The trigger is back: an edit (texts beside the row, the row's title) re-indexes.
  Exec("UPDATE article_sources SET body = '新家的正文' WHERE article_id = ?", {id});
  Exec("UPDATE articles SET title = '新文' WHERE id = ?", {id});
  EXPECT_EQ(SearchIds("新家"), (std::vector<int64_t>{id}));
  EXPECT_TRUE(SearchIds("搬家").empty());
}

TEST_P(FeedContractTest, SearchFindsAccountsByNameAndBio) {
  const int64_t health = AddAccount("健康时报", "每日健康资讯");
  const int64_t weather = AddAccount("天气台", "健康出行");
  AddAccount("健康之家", "", "pending_review");
  auto r = feed_->Search(SearchRequest{"健康", SearchType::kAccounts, 10, 0});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].account_id, health);  // in the name
  EXPECT_EQ(r->hits[1].account_id, weather);
  EXPECT_EQ(r->hits[0].title_html, "<mark>健康</mark>时报");
  EXPECT_EQ(r->hits[1].snippet_html, "<mark>健康</mark>出行");
  Exec("UPDATE accounts SET name = '晴雨表' WHERE id = ?", {weather});
  EXPECT_EQ(SearchIds("晴雨", SearchType::kAccounts), (std::vector<int64_t>{weather}));
}

TEST_P(FeedContractTest, BadQueriesAreRefused) {
  for (std::string q : {std::string(""), std::string("   "), std::string(65, 'a'),
                        std::string("a b c d e f g h i"), std::string("\xff")}) {
    auto r = feed_->Search(SearchRequest{q, SearchType::kArticles, 10, 0});
    ASSERT_FALSE(r.ok()) << q;
    EXPECT_EQ(r.status().reason(), "invalid_query") << q;
  }
  auto limit = feed_->Search(SearchRequest{"a", SearchType::kArticles, 51, 0});
  EXPECT_EQ(limit.status().reason(), "invalid_limit");
  auto offset = feed_->Search(SearchRequest{"a", SearchType::kArticles, 10, 1001});
  EXPECT_EQ(offset.status().reason(), "invalid_offset");
}

}  // namespace herald::feed
