// RumourService over the real account, article, provenance, social, sanction, review, screening
// and notification services, on the backend the including file chooses (rumours_test.cc:
// SQLite; rumours_pgtest.cc: PostgreSQL): the verdict and its labels, removal, notifications
// once per user, tracing, the producer's warning and blacklist, later copies and the early
// warning.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "identity/id_numbers.h"
#include "rumours/rumour_service.h"
#include "storage/testing.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"

namespace herald::rumours {
namespace {

namespace fs = std::filesystem;

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

// A rumour text long enough for the near-duplicate index (character 3-shingles).
const char* kRumourBody =
    "紧急扩散：据说本市自来水明天起全部停水三天，所有超市的矿泉水都会涨价五倍，请大家今晚之前"
    "赶紧囤水囤粮，转发给身边的亲朋好友，晚了就来不及了，这是内部人士透露的可靠消息。";

class RumoursTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    db_ = std::move(*storage::OpenDatabase(*url));
    std::vector<storage::Migration> m;
    for (auto& x : audit::AuditLog::Migrations()) m.push_back(x);
    for (auto& x : auth::AuthService::Migrations()) m.push_back(x);
    for (auto& x : review::ReviewQueue::Migrations()) m.push_back(x);
    for (auto& x : sanctions::SanctionService::Migrations()) m.push_back(x);
    for (auto& x : notifications::NotificationService::Migrations()) m.push_back(x);
    for (auto& x : subjects::OtpService::Migrations()) m.push_back(x);
    for (auto& x : subjects::SubjectService::Migrations()) m.push_back(x);
    for (auto& x : accounts::AccountService::Migrations()) m.push_back(x);
    for (auto& x : provenance::ProvenanceService::Migrations()) m.push_back(x);
    for (auto& x : content::ArticleService::Migrations()) m.push_back(x);
    for (auto& x : social::SocialService::Migrations()) m.push_back(x);
    for (auto& x : RumourService::Migrations()) m.push_back(x);
    auto applied = storage::Migrate(*db_, m, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();

    dir_ = fs::temp_directory_path() /
           ("herald_rumours_" + std::to_string(::getpid()) + "_" +
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
    social_ = std::make_unique<social::SocialService>(*db_, audit_, clock_, *accounts_, *articles_,
                                                      std::string(32, 'v'));
    notifications_ = std::make_unique<notifications::NotificationService>(*db_, clock_);
    Options opts;
    opts.warning_min_forwards = 3;
    opts.warning_min_reads = 1000;
    rumours_ = std::make_unique<RumourService>(*db_, audit_, clock_, *accounts_, *articles_,
                                               *provenance_, *social_, *sanctions_, *screening_,
                                               *review_, *notifications_, opts);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  int64_t NewUser(const std::string& name = "读者") {
    const std::string phone = "1390000" + std::to_string(1000 + ++seq_);
    auto u = auth_->Register(phone, "password-123", name, meta_);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    phones_[u->id] = phone;
    return u->id;
  }

  accounts::Account NewAccount(const std::string& name,
                               const std::string& category = "technology") {
    int64_t op = NewUser("运营者");
    const std::string& phone = phones_[op];
    auto ch = otp_->Send(phone, "subject", meta_);
    EXPECT_TRUE(ch.ok()) << ch.status().ToString();
    const std::string id = identity::MakeResidentId("110101", "19900307", 100 + seq_);
    auto subject =
        subjects_->CreateIndividual(op, {"张三", id, phone, ch->id, sms_.last_code()}, meta_);
    EXPECT_TRUE(subject.ok()) << subject.status().ToString();
    auto doc = accounts_->GetDocument(accounts::kServiceAgreement, 0);
    EXPECT_TRUE(
        accounts_->AcceptDocument(op, accounts::kServiceAgreement, doc->version, meta_).ok());
    accounts::AccountInput in;
    in.subject_id = subject->id;
    in.name = name;
    in.bio = "一个测试账号";
    in.category = category;
    in.registered_place = "北京市";
    in.operating_place = "北京市";
    in.contact = "ops@example.cn";
    auto a = accounts_->Create(op, in, meta_);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return *a;
  }

  int64_t Publish(const accounts::Account& account, const std::string& title,
                  const std::string& body = kRumourBody) {
    content::ArticleInput in;
    in.title = title;
    in.body = body;
    auto r = articles_->Publish(account.owner_user_id, account.id, in, meta_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    clock_.Advance(kMicrosPerMinute);
    return r.ok() ? r->article.id : 0;
  }

  void Read(int64_t article, int64_t user) {
    auto r = social_->RecordRead(article, social::Reader{user, "", ""});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  int64_t Forward(int64_t article, int64_t user, std::optional<int64_t> from = std::nullopt) {
    auto f = social_->ForwardArticle(user, article, from, meta_);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    clock_.Advance(kMicrosPerSecond);
    return f.ok() ? f->id : 0;
  }

  NewRumour Verdict(std::optional<int64_t> article, bool remove = false) {
    NewRumour in;
    in.article_id = article;
    in.debunk = "经核实，本市供水正常，没有停水计划。";
    in.source_name = "市水务局";
    in.source_url = "https://water.example.gov.cn/notice/1";
    in.remove = remove;
    return in;
  }

  Caller Mod() { return Caller{"user:9999", meta_}; }

  // The rumour_debunk notifications of a user.
  std::vector<notifications::Notification> Debunks(int64_t user) {
    auto list = notifications_->List(user, false, std::nullopt, 100);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::vector<notifications::Notification> out;
    if (!list.ok()) return out;
    for (const auto& n : *list) {
      if (n.kind == "rumour_debunk") out.push_back(n);
    }
    return out;
  }

  std::vector<sanctions::Sanction> SanctionsOn(const std::string& type, int64_t id) {
    sanctions::ListFilter f;
    f.target = sanctions::Target{type, id, ""};
    auto list = sanctions_->List(f);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : std::vector<sanctions::Sanction>{};
  }

  int64_t Count(const std::string& table) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    auto rows = (*tx)->Query("SELECT COUNT(*) FROM " + table);
    return rows.ok() ? rows->rows[0].Int(0) : -1;
  }

  FakeClock clock_;
  SeededRandom random_{11};
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
  std::unique_ptr<social::SocialService> social_;
  std::unique_ptr<notifications::NotificationService> notifications_;
  std::unique_ptr<RumourService> rumours_;
  std::map<int64_t, std::string> phones_;
  int seq_ = 0;
};

TEST_P(RumoursTest, VerdictLabelsTheArticleItsNearCopiesAndNotTheRest) {
  auto a = NewAccount("水务传闻");
  auto b = NewAccount("转载小号");
  auto c = NewAccount("正经科技");
  const int64_t first = Publish(a, "停水通知");
  // A re-punctuated copy from another subject is a near-copy.
  std::string copy = kRumourBody;
  copy.replace(copy.find("，"), 3, "。");
  const int64_t near = Publish(b, "转：停水通知", copy);
  const int64_t other =
      Publish(c, "新手机评测", "这款手机的电池续航表现不错，拍照也很清晰，值得推荐给大家。");

  auto r = rumours_->Mark(Mod(), Verdict(first));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->article_ids, (std::vector<int64_t>{first, near}));
  EXPECT_EQ(r->source_article_id, first);
  EXPECT_EQ(r->producer_account_id, a.id);

  auto label = rumours_->LabelFor(near);
  ASSERT_TRUE(label.ok()) << label.status().ToString();
  EXPECT_EQ(label->rumour_id, r->id);
  EXPECT_EQ(label->via, "near_copy");
  EXPECT_EQ(label->source_url, "https://water.example.gov.cn/notice/1");
  EXPECT_EQ(rumours_->LabelFor(first)->via, "verdict");
  EXPECT_EQ(rumours_->LabelFor(other).status().reason(), "rumour_not_found");
  // Not removed without `remove`.
  EXPECT_EQ(articles_->Get(first)->status, "published");

  // Marking it again is refused and writes nothing.
  EXPECT_EQ(rumours_->Mark(Mod(), Verdict(first)).status().reason(), "already_debunked");
  EXPECT_EQ(Count("rumours"), 1);

  auto list = rumours_->List(10, std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, r->id);
  EXPECT_EQ(rumours_->Get(r->id + 100).status().reason(), "rumour_not_found");

  audit::Filter f;
  f.action = "rumour.mark";
  auto entries = audit_.Query(*db_, f);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->entries.size(), 1u);
  EXPECT_EQ(entries->entries[0].actor, "user:9999");
}

TEST_P(RumoursTest, BadInputIsRefusedAndLeavesNothing) {
  auto a = NewAccount("水务传闻");
  const int64_t first = Publish(a, "停水通知");
  NewRumour none = Verdict(std::nullopt);
  EXPECT_EQ(rumours_->Mark(Mod(), none).status().reason(), "invalid_target");
  NewRumour both = Verdict(first);
  both.cluster_id = 1;
  EXPECT_EQ(rumours_->Mark(Mod(), both).status().reason(), "invalid_target");
  NewRumour empty = Verdict(first);
  empty.debunk = "  ";
  EXPECT_EQ(rumours_->Mark(Mod(), empty).status().reason(), "invalid_debunk");
  EXPECT_EQ(rumours_->Mark(Mod(), empty).status().field(), "debunk");
  NewRumour long_debunk = Verdict(first);
  long_debunk.debunk = std::string(2001, 'x');
  EXPECT_EQ(rumours_->Mark(Mod(), long_debunk).status().reason(), "invalid_debunk");
  for (const char* url : {"ftp://x.cn/a", "javascript:alert(1)", "https://", "https://a b.cn",
                          "water.example.gov.cn"}) {
    NewRumour bad = Verdict(first);
    bad.source_url = url;
    auto r = rumours_->Mark(Mod(), bad);
    EXPECT_EQ(r.status().reason(), "invalid_source_url") << url;
    EXPECT_EQ(r.status().field(), "source_url") << url;
  }
  NewRumour no_name = Verdict(first);
  no_name.source_name = "";
  EXPECT_EQ(rumours_->Mark(Mod(), no_name).status().reason(), "invalid_source_name");
  EXPECT_EQ(rumours_->Mark(Mod(), Verdict(first + 100)).status().reason(), "article_not_found");
  NewRumour cluster = Verdict(std::nullopt);
  cluster.cluster_id = 77;
  EXPECT_EQ(rumours_->Mark(Mod(), cluster).status().reason(), "cluster_not_found");
  EXPECT_EQ(Count("rumours"), 0);
  EXPECT_EQ(Count("rumour_labels"), 0);
  EXPECT_TRUE(SanctionsOn("account", a.id).empty());
}

TEST_P(RumoursTest, RemoveTakesTheLabelledArticlesDownAndKeepsThem) {
  auto a = NewAccount("水务传闻");
  auto b = NewAccount("转载小号");
  const int64_t first = Publish(a, "停水通知");
  const int64_t near = Publish(b, "转：停水通知");
  auto r = rumours_->Mark(Mod(), Verdict(first, true));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed_count, 2);
  for (int64_t id : {first, near}) {
    auto art = articles_->Get(id);
    ASSERT_TRUE(art.ok());
    EXPECT_EQ(art->status, "removed");
    EXPECT_EQ(art->status_reason, "rumour");
    EXPECT_EQ(articles_->GetPublic(id).status().reason(), "article_not_found");
  }
  // The label stays with the kept record.
  EXPECT_TRUE(rumours_->LabelFor(first).ok());
}

TEST_P(RumoursTest, ReadersAndForwardersAreNotifiedExactlyOncePerRumour) {
  auto a = NewAccount("水务传闻");
  auto b = NewAccount("转载小号");
  const int64_t first = Publish(a, "停水通知");
  const int64_t near = Publish(b, "转：停水通知");
  const int64_t alice = NewUser(), bob = NewUser(), carol = NewUser(), dave = NewUser(),
                erin = NewUser();
  Read(first, alice);
  Read(near, alice);  // read both copies: still one notification
  Forward(first, bob);
  Read(near, carol);
  // An anonymous read is counted but names nobody.
  ASSERT_TRUE(social_->RecordRead(first, social::Reader{std::nullopt, "10.0.0.1", "UA"}).ok());

  auto r = rumours_->Mark(Mod(), Verdict(first));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->notified_count, 3);
  for (int64_t u : {alice, bob, carol}) {
    auto got = Debunks(u);
    ASSERT_EQ(got.size(), 1u) << u;
    EXPECT_EQ(got[0].ref, "rumour:" + std::to_string(r->id));
    EXPECT_NE(got[0].body.find("经核实"), std::string::npos);
  }
  EXPECT_TRUE(Debunks(dave).empty());

  // Later: a new reader is notified at once; a repeat read, and the job, add nothing.
  clock_.Advance(kMicrosPerDay);
  Read(first, dave);
  Read(first, alice);
  EXPECT_EQ(Debunks(dave).size(), 1u);
  EXPECT_EQ(Debunks(alice).size(), 1u);
  // A later forwarder is caught up by the job, once.
  Forward(near, erin);
  EXPECT_TRUE(Debunks(erin).empty());
  auto job = rumours_->RunJobs(clock_.Now());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->notified, 1);
  EXPECT_EQ(Debunks(erin).size(), 1u);
  job = rumours_->RunJobs(clock_.Now());
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->notified, 0);
  EXPECT_EQ(rumours_->Get(r->id)->notified_count, 5);
}

TEST_P(RumoursTest, TraceNamesTheEarliestSourceAndTheForwardChains) {
  auto a = NewAccount("水务传闻");
  auto b = NewAccount("转载小号");
  const int64_t first = Publish(a, "停水通知");
  const int64_t near = Publish(b, "转：停水通知");
  const int64_t u1 = NewUser(), u2 = NewUser(), u3 = NewUser();
  const int64_t root = Forward(first, u1);
  const int64_t hop = Forward(first, u2, root);
  Forward(near, u3);
  // The verdict names the later copy; the trace still finds the earlier original.
  auto r = rumours_->Mark(Mod(), Verdict(near));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source_article_id, first);
  EXPECT_EQ(r->producer_account_id, a.id);
  auto t = rumours_->TraceSource(Mod(), r->id);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->articles.size(), 2u);
  EXPECT_EQ(t->articles[0].article_id, first);
  EXPECT_EQ(t->articles[1].article_id, near);
  ASSERT_TRUE(t->earliest_article);
  EXPECT_EQ(t->earliest_article->article_id, first);
  EXPECT_EQ(t->earliest_article->account_id, a.id);
  ASSERT_EQ(t->forwards.size(), 3u);
  EXPECT_EQ(t->forwards[1].id, hop);
  EXPECT_EQ(t->forwards[1].from_forward_id, root);
  EXPECT_EQ(t->forwards[1].from_user_id, u1);
  ASSERT_TRUE(t->earliest_forward);
  EXPECT_EQ(t->earliest_forward->id, root);
  audit::Filter f;
  f.action = "rumour.trace";
  EXPECT_EQ(audit_.Query(*db_, f)->entries.size(), 1u);
}

TEST_P(RumoursTest, ProducerIsWarnedAndARepeatProducerBlacklisted) {
  auto a = NewAccount("水务传闻");
  std::vector<int64_t> ids;
  const std::vector<std::string> bodies = {
      kRumourBody,
      "重大消息：明天全市地铁停运一周，公交也全部停开，所有学校和单位放假，消息来自内部文件，"
      "请大家提前做好准备，互相转告，千万不要等到最后一刻才知道。",
      "最新通知：本周六起本市所有银行暂停取款业务十天，储户的存款将被冻结，赶紧把钱取出来，"
      "这是银行朋友私下透露的，请尽快转发给家人朋友。"};
  for (size_t i = 0; i < bodies.size(); ++i)
    ids.push_back(Publish(a, "通知" + std::to_string(i), bodies[i]));

  for (size_t i = 0; i < ids.size(); ++i) {
    auto r = rumours_->Mark(Mod(), Verdict(ids[i]));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->warning_sanction_id);
    auto w = sanctions_->Get(*r->warning_sanction_id);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->measure, "warning");
    EXPECT_EQ(w->reason_code, "rumour");
    EXPECT_EQ(w->target, (sanctions::Target{"account", a.id, ""}));
    EXPECT_EQ(w->party_user_id, a.owner_user_id);
    // Blacklisted at the third upheld verdict, not before.
    EXPECT_EQ(r->blacklist_sanction_id.has_value(), i == 2) << i;
    clock_.Advance(kMicrosPerDay);
  }
  auto on_subject = SanctionsOn("subject", a.subject_id);
  ASSERT_EQ(on_subject.size(), 1u);
  EXPECT_EQ(on_subject[0].measure, "blacklist");
  EXPECT_EQ(on_subject[0].reason_code, "rumour");
  EXPECT_EQ(on_subject[0].evidence.size(), 3u);
  EXPECT_EQ(SanctionsOn("account", a.id).size(), 3u);
  // The producer is told each time, the last time of the blacklist too.
  auto told = notifications_->List(a.owner_user_id, false, std::nullopt, 100);
  ASSERT_TRUE(told.ok());
  std::vector<std::string> verdicts;
  for (const auto& n : *told) {
    if (n.kind == "rumour_verdict") verdicts.push_back(n.body);
  }
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_NE(verdicts.front().find("blacklist"), std::string::npos);  // newest first
  EXPECT_EQ(verdicts.back().find("blacklist"), std::string::npos);
}

TEST_P(RumoursTest, OverturnedWarningsAndOldVerdictsDoNotCount) {
  auto a = NewAccount("水务传闻");
  const int64_t x = Publish(a, "通知一");
  auto r1 = rumours_->Mark(Mod(), Verdict(x));
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  // Overturned on appeal: no longer an upheld verdict.
  ASSERT_TRUE(
      storage::RunInTransaction(*db_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        return sanctions_
            ->Lift(tx, *r1->warning_sanction_id, "appeal upheld", {"user:1", ""},
                   sanctions::LiftKind::kOverturned)
            .status();
      }).ok());
  const int64_t y = Publish(a, "通知二",
                            "重大消息：明天全市地铁停运一周，公交也全部停开，所有学校和单位放假，"
                            "消息来自内部文件，请大家提前做好准备，互相转告。");
  ASSERT_TRUE(rumours_->Mark(Mod(), Verdict(y)).ok());
  const int64_t z = Publish(a, "通知三",
                            "最新通知：本周六起本市所有银行暂停取款业务十天，储户的存款将被冻结，"
                            "赶紧把钱取出来，这是银行朋友私下透露的。");
  auto r3 = rumours_->Mark(Mod(), Verdict(z));
  ASSERT_TRUE(r3.ok()) << r3.status().ToString();
  EXPECT_FALSE(r3->blacklist_sanction_id);  // two upheld, one overturned
  // More than a year later the two upheld ones have aged out of the window.
  clock_.Advance(400 * kMicrosPerDay);
  const int64_t w = Publish(a, "通知四",
                            "内部爆料：下个月起全国高速公路全部收费翻倍，私家车一律限行单双号，"
                            "有车的朋友赶紧转发，政府还没有正式公布。");
  auto r4 = rumours_->Mark(Mod(), Verdict(w));
  ASSERT_TRUE(r4.ok()) << r4.status().ToString();
  EXPECT_FALSE(r4->blacklist_sanction_id);
  EXPECT_TRUE(SanctionsOn("subject", a.subject_id).empty());
}

TEST_P(RumoursTest, AClusterIsDebunkedAsAWholeAndItsEarliestAccountWarned) {
  std::vector<accounts::Account> accs;
  std::vector<int64_t> ids;
  std::optional<int64_t> cluster;
  for (int i = 0; i < 5; ++i) {
    accs.push_back(NewAccount("批量号" + std::to_string(i)));
    content::ArticleInput in;
    in.title = "扩散" + std::to_string(i);
    in.body = std::string(kRumourBody) + std::string(static_cast<size_t>(i), '!');
    auto r = articles_->Publish(accs.back().owner_user_id, accs.back().id, in, meta_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ids.push_back(r->article.id);
    if (r->article.cluster_id) cluster = r->article.cluster_id;
    clock_.Advance(kMicrosPerMinute);
  }
  ASSERT_TRUE(cluster) << "a cluster was raised";
  NewRumour in = Verdict(std::nullopt, true);
  in.cluster_id = cluster;
  auto r = rumours_->Mark(Mod(), in);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cluster_id, cluster);
  EXPECT_EQ(r->article_ids, ids);
  EXPECT_EQ(r->removed_count, 5);
  EXPECT_EQ(r->article_id, ids.front());
  EXPECT_EQ(r->producer_account_id, accs.front().id);
  for (int64_t id : ids) {
    auto label = rumours_->LabelFor(id);
    ASSERT_TRUE(label.ok());
    EXPECT_EQ(label->rumour_id, r->id);
  }
  // Only the producer of the earliest article is warned.
  EXPECT_EQ(SanctionsOn("account", accs.front().id).size(), 1u);
  EXPECT_TRUE(SanctionsOn("account", accs.back().id).empty());
}

TEST_P(RumoursTest, LaterCopiesAreLabelledByTheJob) {
  auto a = NewAccount("水务传闻");
  auto b = NewAccount("转载小号");
  const int64_t first = Publish(a, "停水通知");
  auto r = rumours_->Mark(Mod(), Verdict(first, true));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const int64_t later = Publish(b, "再转：停水通知");
  EXPECT_FALSE(rumours_->LabelFor(later).ok());
  const int64_t reader = NewUser();
  Read(later, reader);
  auto job = rumours_->RunJobs(clock_.Now());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->labels_added, 1);
  auto label = rumours_->LabelFor(later);
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(label->via, "later_copy");
  EXPECT_EQ(label->rumour_id, r->id);
  EXPECT_EQ(Debunks(reader).size(), 1u);
  EXPECT_EQ(rumours_->RunJobs(clock_.Now())->labels_added, 0);
}

TEST_P(RumoursTest, EarlyWarningQueuesFastSpreadingArticlesInRumourProneCategories) {
  auto food = NewAccount("美食传闻", "food");
  auto tech = NewAccount("科技快讯", "technology");
  const int64_t hot =
      Publish(food, "吃这个能防病", "听说每天吃三瓣大蒜就能预防所有流感病毒，医生都不会告诉你。");
  const int64_t slow = Publish(food, "家常菜谱", "今天教大家做一道简单的番茄炒蛋，先把鸡蛋打散。");
  const int64_t tech_hot =
      Publish(tech, "新品发布", "某品牌今天发布了新款笔记本电脑，续航二十小时。");
  for (int i = 0; i < 3; ++i) {
    const int64_t u = NewUser();
    Forward(hot, u);
    Forward(tech_hot, u);
  }
  Forward(slow, NewUser());
  auto job = rumours_->RunJobs(clock_.Now());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->warnings_queued, 1);
  review::Filter f;
  f.kinds = {"rumour_warning"};
  auto items = review_->List(f);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].ref_id, hot);
  EXPECT_NE((*items)[0].detail.find("\"forwards_last_hour\":3"), std::string::npos)
      << (*items)[0].detail;
  // At most one open item per article.
  EXPECT_EQ(rumours_->RunJobs(clock_.Now())->warnings_queued, 0);
  // After the decision, spreading further can raise a new one.
  ASSERT_TRUE(
      review_->Decide((*items)[0].id, "approve", "compliant", "", false, {"user:9", ""}).ok());
  Forward(hot, NewUser());
  EXPECT_EQ(rumours_->RunJobs(clock_.Now())->warnings_queued, 1);
  // Two hours later the burst is over.
  clock_.Advance(2 * kMicrosPerHour);
  EXPECT_EQ(rumours_->RunJobs(clock_.Now())->warnings_queued, 0);
}

TEST_P(RumoursTest, UsualTrafficRaisesTheBar) {
  auto food = NewAccount("热门美食号", "food");
  const int64_t old = Publish(food, "老文章", "红烧肉的做法其实很简单，关键是火候和调料的比例。");
  // 60 forwards a day over the past week: about 2.5 an hour, so 5x is 13 an hour.
  for (int d = 0; d < 7; ++d) {
    for (int i = 0; i < 60; ++i) {
      auto f = social_->ForwardArticle(NewUser(), old, std::nullopt, meta_);
      ASSERT_TRUE(f.ok());
    }
    clock_.Advance(kMicrosPerDay);
  }
  const int64_t post = Publish(food, "新文章", "听说吃生鸡蛋能治百病，专家都在偷偷这么做。");
  for (int i = 0; i < 5; ++i) Forward(post, NewUser());
  auto job = rumours_->RunJobs(clock_.Now());
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->warnings_queued, 0);
  for (int i = 0; i < 10; ++i) Forward(post, NewUser());
  EXPECT_EQ(rumours_->RunJobs(clock_.Now())->warnings_queued, 1);
}

}  // namespace
}  // namespace herald::rumours
