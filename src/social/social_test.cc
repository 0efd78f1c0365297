// SocialService on SQLite with a fake clock, over the real account and article services:
// follows and their history (PA-12.2), reads once per reader per day, likes, forward chains.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "identity/id_numbers.h"
#include "moderation/screen.h"
#include "social/social_service.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::social {
namespace {

namespace fs = std::filesystem;

// Keeps the one-time code of the last message, so subjects go through the real verification.
class CapturingSms final : public subjects::SmsGateway {
 public:
  Status Send(const subjects::SmsMessage& m) override {
    auto pos = m.text.find_first_of("0123456789");
    last_code_ = pos == std::string::npos ? "" : m.text.substr(pos, 6);
    return Status();
  }
  std::string_view Name() const override { return "test"; }
  const std::string& last_code() const { return last_code_; }

 private:
  std::string last_code_;
};

class SocialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(storage::Backend::kSqlite);
    ASSERT_TRUE(url.ok());
    db_ = std::move(*storage::OpenDatabase(*url));
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
    for (auto& x : SocialService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();

    dir_ = fs::temp_directory_path() /
           ("herald_social_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);

    keys_ = auth::PiiKeys::Derive(std::string(32, 'k'));
    auth::AuthOptions ao;
    ao.password_profile = crypto::PasswordHashProfile::kMinimum;
    ao.registrations_per_client_per_hour = 0;
    auth_ = std::make_unique<auth::AuthService>(*db_, audit_, clock_, random_, keys_, ao);
    text::NormalizerOptions nopts;
    nopts.fold_cjk_lookalikes = true;
    nopts.drop_noise = true;
    norm_ = std::move(*text::Normalizer::Create(nopts));
    screening_norm_ =
        std::move(*text::Normalizer::Create(moderation::ScreeningNormalizerOptions()));
    auto screening = moderation::ScreeningService::Open((dir_ / "dictionaries").string(), {},
                                                        *screening_norm_, clock_);
    ASSERT_TRUE(screening.ok()) << screening.status().ToString();
    screening_ = std::move(*screening);
    subjects::OtpOptions oo;
    oo.resend_cooldown = 0;
    otp_ = std::make_unique<subjects::OtpService>(*db_, sms_, clock_, random_, keys_.index_key, oo);
    review_ = std::make_unique<review::ReviewQueue>(*db_, audit_, clock_);
    sanctions_ = std::make_unique<sanctions::SanctionService>(*db_, audit_, clock_);
    subjects_ = std::make_unique<subjects::SubjectService>(
        *db_, audit_, clock_, *otp_, verifier_, keys_, subjects::SubjectLimits{}, sanctions_.get());
    accounts_ = std::make_unique<accounts::AccountService>(
        *db_, audit_, clock_, *auth_, *subjects_, *norm_, *review_, *sanctions_,
        accounts::AccountOptions{}, screening_.get());
    provenance_ =
        std::make_unique<provenance::ProvenanceService>(*db_, audit_, clock_, *screening_norm_);
    ASSERT_TRUE(provenance_->Load().ok());
    articles_ = std::make_unique<content::ArticleService>(*db_, audit_, clock_, random_, *accounts_,
                                                          *screening_, *provenance_, *review_,
                                                          *screening_norm_);
    social_ = std::make_unique<SocialService>(*db_, audit_, clock_, *accounts_, *articles_,
                                              keys_.index_key);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A registered user with a fresh mobile number.
  int64_t NewUser() {
    const std::string phone = "1390000" + std::to_string(1000 + ++seq_);
    auto u = auth_->Register(phone, "password-123", "user", meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    phones_[u->id] = phone;
    return u->id;
  }

  // An active account of a new operator (verified subject, agreement accepted).
  accounts::Account NewAccount(const std::string& name) {
    int64_t op = NewUser();
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    auto subject = subjects_->CreateIndividual(
        op,
        {"张三", identity::MakeResidentId("110101", "19900307", 100 + seq_), phone, ch->id,
         sms_.last_code()},
        meta_);
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    auto doc = accounts_->GetDocument(accounts::kServiceAgreement, 0);
    EXPECT_TRUE(doc.ok());
    EXPECT_TRUE(
        accounts_->AcceptDocument(op, accounts::kServiceAgreement, doc->version, meta_).ok());
    accounts::AccountInput in;
    in.subject_id = subject->id;
    in.name = name;
    in.bio = "一个测试账号";
    in.category = "technology";
    in.registered_place = "北京市";
    in.operating_place = "北京市";
    in.contact = "ops@example.cn";
    auto a = accounts_->Create(op, in, meta_);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->status, "active");
    return *a;
  }

  // A published article of `account`.
  int64_t Publish(const accounts::Account& account, const std::string& title,
                  const std::string& body) {
    content::ArticleInput in;
    in.title = title;
    in.body = body;
    auto r = articles_->Publish(account.owner_user_id, account.id, in, meta_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->article.status, "published");
    return r->article.id;
  }

  std::vector<audit::Entry> Audit(const std::string& action) {
    audit::Filter f;
    f.action = action;
    f.limit = 500;
    auto page = audit_.Query(*db_, f);
    EXPECT_TRUE(page.ok());
    return page->entries;
  }

  FakeClock clock_;
  SeededRandom random_{7};
  audit::AuditLog audit_{clock_};
  CapturingSms sms_;
  subjects::DevIdentityVerifier verifier_;
  auth::RequestMeta meta_{"req-1", "127.0.0.1", ""};
  auth::PiiKeys keys_;
  fs::path dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<text::Normalizer> norm_, screening_norm_;
  std::unique_ptr<moderation::ScreeningService> screening_;
  std::unique_ptr<subjects::OtpService> otp_;
  std::unique_ptr<review::ReviewQueue> review_;
  std::unique_ptr<sanctions::SanctionService> sanctions_;
  std::unique_ptr<subjects::SubjectService> subjects_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<provenance::ProvenanceService> provenance_;
  std::unique_ptr<content::ArticleService> articles_;
  std::unique_ptr<SocialService> social_;
  std::map<int64_t, std::string> phones_;
  int seq_ = 0;
};

TEST_F(SocialTest, FollowsAreCountedAndRefusedTwice) {
  auto account = NewAccount("街角科技说");
  int64_t alice = NewUser(), bob = NewUser();
  auto f = social_->Follow(alice, account.id, meta_);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->following);
  EXPECT_EQ(f->followers, 1);
  EXPECT_EQ(social_->Follow(alice, account.id, meta_).status().reason(), "already_following");
  EXPECT_EQ(social_->Follow(bob, account.id, meta_)->followers, 2);
  EXPECT_EQ(*social_->FollowerCount(account.id), 2);
  EXPECT_TRUE(*social_->IsFollowing(alice, account.id));

  auto u = social_->Unfollow(alice, account.id, meta_);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_FALSE(u->following);
  EXPECT_EQ(u->followers, 1);
  EXPECT_EQ(social_->Unfollow(alice, account.id, meta_).status().reason(), "not_following");
  EXPECT_FALSE(*social_->IsFollowing(alice, account.id));
  EXPECT_EQ(*social_->FollowerCount(account.id), 1);
  // Following again after unfollowing is a new follow.
  EXPECT_EQ(social_->Follow(alice, account.id, meta_)->followers, 2);

  EXPECT_EQ(social_->Follow(alice, 9999, meta_).status().reason(), "account_not_found");
  EXPECT_EQ(social_->Unfollow(alice, 9999, meta_).status().reason(), "account_not_found");
  EXPECT_EQ(social_->FollowerCount(9999).status().reason(), "account_not_found");
}

TEST_F(SocialTest, OnlyActiveAccountsCanBeFollowedButAnyCanBeUnfollowed) {
  auto account = NewAccount("林间科技笔记");
  int64_t alice = NewUser(), bob = NewUser();
  ASSERT_TRUE(social_->Follow(alice, account.id, meta_).ok());
  ASSERT_TRUE(
      accounts_->SetStatus("user:1", account.id, "suspended", "spam", "", std::nullopt, meta_)
          .ok());
  EXPECT_EQ(social_->Follow(bob, account.id, meta_).status().reason(), "account_not_active");
  auto u = social_->Unfollow(alice, account.id, meta_);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->followers, 0);
}

TEST_F(SocialTest, ReadersListTheAccountsTheyFollowNewestFirst) {
  auto a = NewAccount("账号甲的笔记");
  auto b = NewAccount("账号乙的笔记");
  auto c = NewAccount("账号丙的笔记");
  int64_t reader = NewUser();
  for (const auto* x : {&a, &b, &c}) ASSERT_TRUE(social_->Follow(reader, x->id, meta_).ok());
  auto all = social_->Following(reader, 10, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].account_id, c.id);
  EXPECT_EQ((*all)[0].account_name, "账号丙的笔记");
  EXPECT_EQ((*all)[0].account_status, "active");
  EXPECT_EQ((*all)[2].account_id, a.id);
  auto page = social_->Following(reader, 2, std::nullopt);
  ASSERT_EQ(page->size(), 2u);
  auto rest = social_->Following(reader, 2, page->back().follow_id);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].account_id, a.id);
  EXPECT_TRUE(social_->Following(NewUser(), 10, std::nullopt)->empty());
  EXPECT_EQ(social_->Following(reader, 0, std::nullopt).status().reason(), "invalid_limit");
}

TEST_F(SocialTest, FollowEventsShowTheHistoryToTheOperatorAndUsersOnlyToReviewersAudited) {
  auto account = NewAccount("关注记录测试");
  int64_t alice = NewUser(), bob = NewUser(), stranger = NewUser(), mod = NewUser();
  ASSERT_TRUE(social_->Follow(alice, account.id, {"r-a", "c", ""}).ok());
  clock_.Advance(kMicrosPerMinute);
  ASSERT_TRUE(social_->Follow(bob, account.id, {"r-b", "c", ""}).ok());
  clock_.Advance(kMicrosPerMinute);
  const Micros before_unfollow = clock_.Now();
  ASSERT_TRUE(social_->Unfollow(alice, account.id, {"r-c", "c", ""}).ok());

  Caller owner{account.owner_user_id, false, meta_};
  auto events = social_->FollowEvents(owner, account.id, {});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].kind, "unfollow");
  EXPECT_EQ((*events)[0].followers_after, 1);
  EXPECT_EQ((*events)[0].time, before_unfollow);
  EXPECT_EQ((*events)[1].kind, "follow");
  EXPECT_EQ((*events)[1].followers_after, 2);
  EXPECT_EQ((*events)[2].followers_after, 1);
  for (const auto& e : *events) {
    EXPECT_FALSE(e.user_id.has_value());  // the operator does not learn who
    EXPECT_EQ(e.request_id, "");
  }
  EXPECT_TRUE(Audit("social.follow_events.read").empty());

  EventQuery since;
  since.since = before_unfollow;
  EXPECT_EQ(social_->FollowEvents(owner, account.id, since)->size(), 1u);
  EventQuery until;
  until.until = before_unfollow;
  EXPECT_EQ(social_->FollowEvents(owner, account.id, until)->size(), 2u);
  EventQuery paged;
  paged.limit = 2;
  auto first = social_->FollowEvents(owner, account.id, paged);
  paged.before_id = first->back().id;
  auto second = social_->FollowEvents(owner, account.id, paged);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].followers_after, 1);
  EXPECT_EQ((*second)[0].kind, "follow");

  EXPECT_EQ(social_->FollowEvents({stranger, false, meta_}, account.id, {}).status().reason(),
            "not_account_owner");
  EXPECT_EQ(social_->FollowEvents(owner, 9999, {}).status().reason(), "account_not_found");

  auto reviewed = social_->FollowEvents({mod, true, {"r-mod", "c", ""}}, account.id, {});
  ASSERT_TRUE(reviewed.ok());
  EXPECT_EQ((*reviewed)[0].user_id, alice);
  EXPECT_EQ((*reviewed)[0].request_id, "r-c");
  EXPECT_EQ((*reviewed)[1].user_id, bob);
  auto audited = Audit("social.follow_events.read");
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_EQ(audited[0].actor, "user:" + std::to_string(mod));
  EXPECT_EQ(audited[0].subject, "account:" + std::to_string(account.id));
  EXPECT_EQ(audited[0].request_id, "r-mod");
}

TEST_F(SocialTest, ConcurrentFollowsKeepTheCountExact) {
  auto account = NewAccount("并发关注测试");
  std::vector<int64_t> users;
  for (int i = 0; i < 8; ++i) users.push_back(NewUser());
  std::atomic<int> ok{0}, twice{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    // Two threads per user: exactly one of each pair succeeds.
    threads.emplace_back([&, i] {
      auto r = social_->Follow(users[i / 2], account.id, meta_);
      if (r.ok()) ++ok;
      if (!r.ok() && r.status().reason() == "already_following") ++twice;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(twice.load(), 8);
  EXPECT_EQ(*social_->FollowerCount(account.id), 8);
  auto events = social_->FollowEvents({account.owner_user_id, false, meta_}, account.id, {});
  ASSERT_EQ(events->size(), 8u);
  EXPECT_EQ((*events)[0].followers_after, 8);
}

TEST_F(SocialTest, ReadDayIsTheDateInChinaStandardTime) {
  // 2026-01-01T15:59:59Z is 23:59:59 in Beijing; one second later it is the next day there.
  const Micros t = 1767283199LL * kMicrosPerSecond;
  EXPECT_EQ(ReadDay(t) + 1, ReadDay(t + kMicrosPerSecond));
  EXPECT_EQ(ReadDay(t + kMicrosPerSecond), ReadDay(t + kMicrosPerSecond + 23 * kMicrosPerHour));
  EXPECT_EQ(ReadDay(0), 0);
}

TEST_F(SocialTest, ReadsCountOncePerReaderPerDayAndKeepNoRawFingerprint) {
  auto account = NewAccount("阅读计数测试");
  int64_t article = Publish(account, "开源软件入门", "今天聊聊如何参与开源项目。");
  int64_t alice = NewUser();
  clock_.Set(1767283199LL * kMicrosPerSecond - kMicrosPerHour);  // 22:59:59 in Beijing

  auto r1 = social_->RecordRead(article, {alice, "", ""});
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_TRUE(r1->counted);
  EXPECT_EQ(r1->stats.reads, 1);
  auto r2 = social_->RecordRead(article, {alice, "198.51.100.9", "other agent"});
  EXPECT_FALSE(r2->counted);  // the user, whatever the address
  EXPECT_EQ(r2->stats.reads, 1);

  const Reader visitor{std::nullopt, "203.0.113.77", "Mozilla/5.0 (X11; Linux) TestAgent/1.0"};
  EXPECT_TRUE(social_->RecordRead(article, visitor)->counted);
  EXPECT_FALSE(social_->RecordRead(article, visitor)->counted);
  EXPECT_TRUE(social_->RecordRead(article, {std::nullopt, "203.0.113.77", "Other/2.0"})->counted);
  EXPECT_TRUE(
      social_->RecordRead(article, {std::nullopt, "203.0.113.78", visitor.user_agent})->counted);
  EXPECT_EQ(social_->Stats(article)->reads, 4);

  // Midnight in Beijing: everyone counts again.
  clock_.Advance(kMicrosPerHour + kMicrosPerSecond);
  EXPECT_TRUE(social_->RecordRead(article, {alice, "", ""})->counted);
  EXPECT_TRUE(social_->RecordRead(article, visitor)->counted);
  EXPECT_EQ(social_->Stats(article)->reads, 6);

  // Neither the address, the agent nor the user id is stored.
  auto tx = db_->Begin(storage::TxMode::kRead);
  auto rows = (*tx)->Query("SELECT reader FROM social_reads");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 6u);
  for (const auto& r : rows->rows) {
    const std::string reader = r.Text(0);
    EXPECT_EQ(reader.find("203.0.113"), std::string::npos);
    EXPECT_EQ(reader.find("Mozilla"), std::string::npos);
    EXPECT_EQ(reader.size(), 2u + 64u) << reader;  // "u:" or "v:" and a 256-bit hex hash
  }

  EXPECT_EQ(social_->RecordRead(9999, visitor).status().reason(), "article_not_found");
  ASSERT_TRUE(articles_->Delete(account.owner_user_id, article, meta_).ok());
  EXPECT_EQ(social_->RecordRead(article, visitor).status().reason(), "article_not_found");
  EXPECT_EQ(social_->Stats(article).status().reason(), "article_not_found");
}

TEST_F(SocialTest, AccountDaysCountFollowsAndReadsPerBeijingDayForTheOwnerOrStaff) {
  auto account = NewAccount("每日统计测试");
  int64_t a1 = Publish(account, "第一篇", "第一篇的正文内容。");
  int64_t a2 = Publish(account, "第二篇", "第二篇的正文内容。");
  int64_t alice = NewUser(), bob = NewUser();
  // 2026-01-01 22:59:59 in Beijing (14:59:59 UTC).
  clock_.Set(1767283199LL * kMicrosPerSecond - kMicrosPerHour);
  ASSERT_TRUE(social_->Follow(alice, account.id, meta_).ok());
  ASSERT_TRUE(social_->Follow(bob, account.id, meta_).ok());
  ASSERT_TRUE(social_->RecordRead(a1, {alice, "", ""}).ok());
  ASSERT_TRUE(social_->RecordRead(a1, {alice, "", ""}).ok());  // not counted again
  ASSERT_TRUE(social_->RecordRead(a2, {alice, "", ""}).ok());
  ASSERT_TRUE(social_->RecordRead(a1, {std::nullopt, "203.0.113.5", "Agent/1"}).ok());
  // Past midnight in Beijing (16:00:01 UTC): the next day.
  clock_.Advance(kMicrosPerHour + 2 * kMicrosPerSecond);
  ASSERT_TRUE(social_->Unfollow(bob, account.id, meta_).ok());
  ASSERT_TRUE(social_->RecordRead(a1, {alice, "", ""}).ok());

  const Caller owner{account.owner_user_id, false, meta_};
  auto days = social_->AccountDays(owner, account.id, 3);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  ASSERT_EQ(days->size(), 3u);
  const AccountDay& d0 = (*days)[0];
  const AccountDay& d1 = (*days)[1];
  const AccountDay& d2 = (*days)[2];
  EXPECT_EQ(d2.day, ReadDay(clock_.Now()));
  EXPECT_EQ(d1.day, d2.day - 1);
  EXPECT_EQ(d0.follows + d0.unfollows + d0.reads, 0);
  EXPECT_EQ(d0.followers, 0);
  EXPECT_EQ(d1.follows, 2);
  EXPECT_EQ(d1.unfollows, 0);
  EXPECT_EQ(d1.net_followers, 2);
  EXPECT_EQ(d1.followers, 2);
  EXPECT_EQ(d1.reads, 3);
  EXPECT_EQ(d2.follows, 0);
  EXPECT_EQ(d2.unfollows, 1);
  EXPECT_EQ(d2.net_followers, -1);
  EXPECT_EQ(d2.followers, 1);
  EXPECT_EQ(d2.reads, 1);

  // Only the owner or staff; 1..366 days.
  EXPECT_EQ(social_->AccountDays(Caller{alice, false, meta_}, account.id, 3).status().reason(),
            "not_account_owner");
  Caller staff{alice, false, meta_};
  staff.staff_read = true;
  EXPECT_EQ(social_->AccountDays(staff, account.id, 366)->size(), 366u);
  EXPECT_EQ(social_->AccountDays(owner, account.id, 0).status().reason(), "invalid_days");
  EXPECT_EQ(social_->AccountDays(owner, account.id, 367).status().reason(), "invalid_days");
  EXPECT_EQ(social_->AccountDays(owner, 9999, 3).status().reason(), "account_not_found");
}

TEST_F(SocialTest, LikesOncePerUserAndUnlikeEvenAfterTheArticleIsHidden) {
  auto account = NewAccount("点赞测试号");
  int64_t article = Publish(account, "编程小记", "今天修了一个内存泄漏。");
  int64_t alice = NewUser(), bob = NewUser();
  auto l = social_->Like(alice, article);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->likes, 1);
  EXPECT_EQ(social_->Like(alice, article).status().reason(), "already_liked");
  EXPECT_EQ(social_->Like(bob, article)->likes, 2);
  EXPECT_TRUE(*social_->HasLiked(alice, article));
  auto u = social_->Unlike(alice, article);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->likes, 1);
  EXPECT_FALSE(*social_->HasLiked(alice, article));
  EXPECT_EQ(social_->Unlike(alice, article).status().reason(), "not_liked");
  EXPECT_EQ(social_->Like(alice, 9999).status().reason(), "article_not_found");
  EXPECT_EQ(social_->Unlike(alice, 9999).status().reason(), "article_not_found");

  ASSERT_TRUE(articles_->Delete(account.owner_user_id, article, meta_).ok());
  EXPECT_EQ(social_->Like(alice, article).status().reason(), "article_not_found");
  EXPECT_EQ(social_->Unlike(alice, article).status().reason(), "article_not_found");
  auto gone = social_->Unlike(bob, article);  // bob's like can still be withdrawn
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_EQ(gone->likes, 0);
}

TEST_F(SocialTest, ForwardChainsLeadBackToTheOrigin) {
  auto account = NewAccount("转发链测试");
  int64_t article = Publish(account, "菜市场的清晨", "清晨的菜市场总是最热闹的地方。");
  int64_t other = Publish(account, "城市的夜晚", "夜晚的城市灯火通明，街上人来人往。");
  int64_t a = NewUser(), b = NewUser(), c = NewUser(), mod = NewUser();

  auto root = social_->ForwardArticle(a, article, std::nullopt, meta_);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->origin_id, root->id);
  EXPECT_EQ(root->depth, 0);
  auto second = social_->ForwardArticle(b, article, root->id, meta_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->from_user_id, a);
  EXPECT_EQ(second->origin_id, root->id);
  auto third = social_->ForwardArticle(c, article, second->id, meta_);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->depth, 2);
  // Another branch of the same tree.
  auto branch = social_->ForwardArticle(c, article, root->id, meta_);
  ASSERT_TRUE(branch.ok());

  auto chain = social_->Chain(third->id);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->hops.size(), 3u);
  EXPECT_EQ(chain->hops[0].user_id, c);
  EXPECT_EQ(chain->hops[0].from_user_id, b);
  EXPECT_EQ(chain->hops[1].user_id, b);
  EXPECT_EQ(chain->hops[1].from_user_id, a);
  EXPECT_EQ(chain->hops[2].id, root->id);
  EXPECT_FALSE(chain->hops[2].from_forward_id.has_value());
  EXPECT_TRUE(chain->complete);
  EXPECT_EQ(chain->origin.user_id, a);

  auto cut = social_->Chain(third->id, 2);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->hops.size(), 2u);
  EXPECT_FALSE(cut->complete);
  EXPECT_EQ(cut->origin.id, root->id);  // the origin is known even when the walk is cut

  EXPECT_EQ(social_->ForwardArticle(a, other, root->id, meta_).status().reason(),
            "forward_article_mismatch");
  EXPECT_EQ(social_->ForwardArticle(a, article, 9999, meta_).status().reason(),
            "forward_not_found");
  EXPECT_EQ(social_->ForwardArticle(a, 9999, std::nullopt, meta_).status().reason(),
            "article_not_found");
  EXPECT_EQ(social_->Chain(9999).status().reason(), "forward_not_found");
  EXPECT_EQ(social_->Chain(third->id, 0).status().reason(), "invalid_limit");
  EXPECT_EQ(social_->Stats(article)->forwards, 4);
  EXPECT_EQ(social_->Stats(other)->forwards, 0);

  EXPECT_TRUE(Audit("social.forward_chain.read").empty());
  auto traced = social_->TraceChain({mod, true, {"r-t", "c", ""}}, third->id);
  ASSERT_TRUE(traced.ok());
  EXPECT_EQ(traced->hops.size(), 3u);
  auto audited = Audit("social.forward_chain.read");
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_EQ(audited[0].subject, "forward:" + std::to_string(third->id));
}

TEST_F(SocialTest, PurgedArticlesTakeTheirReadsLikesForwardsAndCountersWithThem) {
  auto account = NewAccount("清理社交号");
  int64_t article = Publish(account, "将被清理", "这篇文章会被删除然后清理。");
  int64_t kept = Publish(account, "保留的文章", "这篇文章会一直保留下去。");
  int64_t a = NewUser(), b = NewUser(), c = NewUser();
  ASSERT_TRUE(social_->RecordRead(article, Reader{a, "", ""}).ok());
  ASSERT_TRUE(social_->RecordRead(article, Reader{std::nullopt, "10.0.0.1", "agent"}).ok());
  ASSERT_TRUE(social_->Like(a, article).ok());
  ASSERT_TRUE(social_->Like(a, kept).ok());
  // A chain and a branch: forwards refer to forwards of the same article.
  auto root = social_->ForwardArticle(a, article, std::nullopt, meta_);
  ASSERT_TRUE(root.ok());
  auto second = social_->ForwardArticle(b, article, root->id, meta_);
  ASSERT_TRUE(second.ok());
  auto third = social_->ForwardArticle(c, article, second->id, meta_);
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(social_->ForwardArticle(c, article, root->id, meta_).ok());
  auto kept_forward = social_->ForwardArticle(b, kept, std::nullopt, meta_);
  ASSERT_TRUE(kept_forward.ok());
  ASSERT_TRUE(articles_->Delete(account.owner_user_id, article, meta_).ok());

  const Micros later = clock_.Now() + 181 * kMicrosPerDay;
  auto dry = articles_->PurgeExpired("cli", later, true, meta_);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  const content::PurgeCounts expected{{"forwards", 4}, {"likes", 1}, {"reads", 2}};
  EXPECT_EQ(dry->related, expected);
  EXPECT_TRUE(social_->GetForward(third->id).ok());

  auto purged = articles_->PurgeExpired("system", later, false, meta_);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->related, expected);
  EXPECT_EQ(social_->GetForward(root->id).status().reason(), "forward_not_found");
  EXPECT_EQ(social_->GetForward(third->id).status().reason(), "forward_not_found");
  EXPECT_FALSE(*social_->HasLiked(a, article));
  auto tx = db_->Begin(storage::TxMode::kRead);
  ASSERT_TRUE(tx.ok());
  for (const char* table :
       {"social_reads", "social_likes", "social_forwards", "social_article_stats"}) {
    auto n = (*tx)->Query(std::string("SELECT COUNT(*) FROM ") + table + " WHERE article_id = ?",
                          {article});
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->rows.at(0).Int(0), 0) << table;
  }
  tx->reset();
  // The kept article keeps its own.
  EXPECT_TRUE(*social_->HasLiked(a, kept));
  EXPECT_TRUE(social_->GetForward(kept_forward->id).ok());
  EXPECT_EQ(social_->Stats(kept)->likes, 1);
}

}  // namespace
}  // namespace herald::social
