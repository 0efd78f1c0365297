// ProvenanceService behaviour, run on every storage backend (provenance_test.cc: SQLite,
// provenance_pgtest.cc: PostgreSQL). Include once per test binary, then instantiate
// ProvenanceContractTest with the backend.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "moderation/dedup.h"
#include "moderation/screen.h"
#include "provenance/provenance_service.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "text/normalizer.h"

namespace herald::provenance {

// Unrelated articles of about 100 characters each.
inline const char* const kArticles[] = {
    "今年秋天，城市图书馆推出了夜间阅读计划，每周五晚上开放到十点，读者可以在安静的环境里借阅新书，"
    "参加作者见面会，还可以在志愿者的帮助下学习如何查找古籍资料。",
    "足球联赛周末开战，主队在主场以二比一击败了来访的卫冕冠军，两个进球都来自下半场的定位球，"
    "赛后主教练表示球队的防守还需要加强，球迷们则在广场上彻夜庆祝。",
    "山区小学的孩子们第一次用上了远程课堂，城里的老师每周三次通过网络为他们上英语和美术课，"
    "校长说孩子们最喜欢的是画画，他们把家乡的梯田和云海都画进了作业本。",
    "新开的社区菜市场引入了电子秤和扫码支付，摊主们起初不太习惯，后来发现对账更方便了，"
    "不少老人在子女的帮助下也学会了用手机买菜，市场还专门保留了现金窗口。",
    "研究人员在湿地保护区观察到一群罕见的候鸟，它们每年冬天从北方迁徙到这里觅食，"
    "保护区为此调整了游客的参观路线，并在湖边设置了观鸟屏障和科普展板。",
};

// kArticles[0] re-punctuated, re-spaced, partly full-width and in traditional characters.
inline const char kDisguisedCopy0[] =
    "今年秋天 城市圖書館推出了夜間閱讀計劃!每周五晚上開放到十點 讀者可以在安靜的環境裡借閱新書~"
    "參加作者見面會 還可以在志願者的幫助下學習如何查找古籍資料";

// kArticles[0] with a sentence added: still a near-copy, but modified.
inline const char kModifiedCopy0[] =
    "今年秋天，城市图书馆推出了夜间阅读计划，每周五晚上开放到十点，读者可以在安静的环境里借阅新书，"
    "参加作者见面会，还可以在志愿者的帮助下学习如何查找古籍资料。报名请到一楼服务台登记。";

class ProvenanceContractTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  static void SetUpTestSuite() {
    auto n = text::Normalizer::Create(moderation::ScreeningNormalizerOptions());
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    norm_ = std::move(*n).release();
  }
  static void TearDownTestSuite() {
    delete norm_;
    norm_ = nullptr;
  }

  void SetUp() override {
    auto url = storage::NewTestDatabaseUrl(GetParam());
    if (!url.ok()) GTEST_SKIP() << url.status().message();
    auto db = storage::OpenDatabase(*url);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto migrations = audit::AuditLog::Migrations();
    for (auto& m : ProvenanceService::Migrations()) migrations.push_back(m);
    // The caller's own table, written by `store` callbacks.
    migrations.push_back({"test/0001_articles",
                          "CREATE TABLE articles (content_id TEXT PRIMARY KEY, outcome TEXT NOT "
                          "NULL)",
                          ""});
    auto applied = storage::Migrate(*db_, migrations, clock_);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    Restart();
  }

  // A fresh service on the same database, as after a process restart.
  void Restart(Options options = {}) {
    svc_ = std::make_unique<ProvenanceService>(*db_, log_, clock_, *norm_, options);
    Status st = svc_->Load();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  static PublishRequest Req(const std::string& content_id, int64_t account, int64_t subject,
                            const std::string& text, bool original = false) {
    PublishRequest r;
    r.content_id = content_id;
    r.account_id = account;
    r.subject_id = subject;
    r.text = text;
    r.claim_original = original;
    r.url = "https://herald.example/" + content_id;
    r.copyright_holder = "holder of " + content_id;
    r.caller = Caller{"user:" + std::to_string(account), "req-" + content_id};
    return r;
  }

  // Publishes with a store callback that writes the article row; fails the test on error.
  Decision Publish(const PublishRequest& r) {
    auto d = svc_->Publish(r, [&](storage::Transaction& tx, const Decision& d) {
      return tx
          .Execute("INSERT INTO articles (content_id, outcome) VALUES (?, ?)",
                   {r.content_id, d.outcome})
          .status();
    });
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : Decision{};
  }
  Decision Publish(const std::string& content_id, int64_t account, int64_t subject,
                   const std::string& text, bool original = false) {
    return Publish(Req(content_id, account, subject, text, original));
  }

  bool ArticleStored(const std::string& content_id) {
    auto tx = db_->Begin(storage::TxMode::kRead);
    EXPECT_TRUE(tx.ok());
    auto rows = (*tx)->Query("SELECT outcome FROM articles WHERE content_id = ?", {content_id});
    EXPECT_TRUE(rows.ok());
    return rows.ok() && !rows->empty();
  }

  // Actions of the provenance audit entries, oldest first.
  std::vector<std::string> AuditActions() {
    auto page = log_.Query(
        *db_, audit::Filter{.action = "provenance.*", .newest_first = false, .limit = 500});
    EXPECT_TRUE(page.ok());
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& e : page->entries) out.push_back(e.action);
    }
    return out;
  }

  static double Similarity(const std::string& a, const std::string& b) {
    moderation::NearDuplicateIndex probe(*norm_);
    return moderation::Jaccard(*probe.Shingles(a), *probe.Shingles(b));
  }

  static std::vector<std::string> NearIds(const Decision& d) {
    std::vector<std::string> out;
    for (const auto& n : d.near) out.push_back(n.content_id);
    return out;
  }

  static inline text::Normalizer* norm_ = nullptr;
  FakeClock clock_;
  audit::AuditLog log_{clock_};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<ProvenanceService> svc_;
};

TEST_P(ProvenanceContractTest, FirstPublishIsAcceptedAndRecorded) {
  PublishRequest r = Req("article:1", 11, 1, kArticles[0], true);
  r.reprint_policy = ReprintPolicy::kAttribution;
  Decision d = Publish(r);
  EXPECT_EQ(d.outcome, kAccept);
  EXPECT_EQ(d.reason, "");
  EXPECT_TRUE(d.near.empty());
  EXPECT_FALSE(d.cluster);
  EXPECT_TRUE(ArticleStored("article:1"));
  auto rec = svc_->Get("article:1");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->account_id, 11);
  EXPECT_EQ(rec->subject_id, 1);
  EXPECT_TRUE(rec->original);
  EXPECT_EQ(rec->reprint_policy, ReprintPolicy::kAttribution);
  EXPECT_EQ(rec->url, "https://herald.example/article:1");
  EXPECT_EQ(rec->outcome, kAccept);
  EXPECT_EQ(rec->published_at, clock_.Now());
  EXPECT_EQ(svc_->Stats().live, 1u);
  EXPECT_TRUE(AuditActions().empty());  // an accept is not audited here
}

TEST_P(ProvenanceContractTest, DisguisedCopiesAreNearCopies) {
  // The premises: the copies differ as bytes but not after the screening fold.
  ASSERT_NE(std::string(kDisguisedCopy0), kArticles[0]);
  ASSERT_EQ(Similarity(kDisguisedCopy0, kArticles[0]), 1.0);
  Publish("article:1", 11, 1, kArticles[0]);
  Publish("article:2", 12, 2, kArticles[1]);
  Decision d = Publish("article:3", 13, 3, kDisguisedCopy0);
  EXPECT_EQ(d.outcome, kAccept);  // a copy of non-original text
  ASSERT_EQ(NearIds(d), std::vector<std::string>{"article:1"});
  EXPECT_EQ(d.near[0].account_id, 11);
  EXPECT_EQ(d.near[0].subject_id, 1);
  EXPECT_DOUBLE_EQ(d.near[0].similarity, 1.0);
  EXPECT_FALSE(d.near[0].original);
  // Full-width letters and case, too.
  Publish("article:4", 14, 4, "Herald NEWS: the CITY library opens late on Fridays until ten pm");
  Decision e =
      Publish("article:5", 15, 5,
              "ｈｅｒａｌｄ ｎｅｗｓ — The city LIBRARY opens late on fridays, until ten PM!");
  EXPECT_EQ(NearIds(e), std::vector<std::string>{"article:4"});
}

TEST_P(ProvenanceContractTest, NearCopiesAreListedOldestFirstFromAnyAccount) {
  Publish("article:1", 11, 1, kArticles[0]);
  clock_.Advance(kMicrosPerMinute);
  Publish("article:2", 11, 1, kModifiedCopy0);  // the same account
  clock_.Advance(kMicrosPerMinute);
  Publish("article:3", 12, 2, kDisguisedCopy0);
  clock_.Advance(kMicrosPerMinute);
  Decision d = Publish("article:4", 13, 3, kArticles[0]);
  EXPECT_EQ(NearIds(d), (std::vector<std::string>{"article:1", "article:2", "article:3"}));
  EXPECT_LT(d.near[0].published_at, d.near[1].published_at);
  EXPECT_LT(d.near[1].published_at, d.near[2].published_at);
  EXPECT_DOUBLE_EQ(d.near[0].similarity, 1.0);
  EXPECT_LT(d.near[1].similarity, 1.0);
  EXPECT_GE(d.near[1].similarity, 0.8);
}

TEST_P(ProvenanceContractTest, FalseOriginalityClaimOnAnotherSubjectsTextIsRefused) {
  Publish("article:1", 11, 1, kArticles[0]);  // not even claimed original
  bool stored = false;
  auto d = svc_->Publish(Req("article:2", 22, 2, kDisguisedCopy0, true),
                         [&](storage::Transaction&, const Decision&) {
                           stored = true;
                           return Status();
                         });
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, kRefuse);
  EXPECT_EQ(d->reason, kFalseOriginalityClaim);
  EXPECT_EQ(d->decided_by, "article:1");
  EXPECT_EQ(NearIds(*d), std::vector<std::string>{"article:1"});
  EXPECT_FALSE(stored);  // the caller's write never runs for a refusal
  EXPECT_EQ(svc_->Get("article:2").status().reason(), "content_not_found");
  EXPECT_EQ(AuditActions(), std::vector<std::string>{"provenance.refuse"});
  EXPECT_EQ(svc_->Stats().live, 1u);
  EXPECT_EQ(svc_->Stats().entries, 1u);
  // The refused text is not a near-copy of anything later.
  Decision later = Publish("article:3", 33, 3, kArticles[0]);
  EXPECT_EQ(NearIds(later), std::vector<std::string>{"article:1"});
  // A claim on someone else's ORIGINAL is refused just the same.
  Publish("article:4", 11, 1, kArticles[1], true);
  Decision e = Publish("article:5", 22, 2, kArticles[1], true);
  EXPECT_EQ(e.reason, kFalseOriginalityClaim);
  EXPECT_EQ(e.decided_by, "article:4");
}

TEST_P(ProvenanceContractTest, SameSubjectMayClaimItsOwnTextThroughAnotherAccount) {
  Publish("article:1", 11, 1, kArticles[0], true);
  Decision d = Publish("article:2", 12, 1, kDisguisedCopy0, true);  // account 12, subject 1
  EXPECT_EQ(d.outcome, kAccept);
  EXPECT_EQ(NearIds(d), std::vector<std::string>{"article:1"});
  EXPECT_TRUE(svc_->Get("article:2")->original);
  // ... and reprint it without a whitelist.
  Decision e = Publish("article:3", 13, 1, kModifiedCopy0);
  EXPECT_EQ(e.outcome, kAccept);
}

TEST_P(ProvenanceContractTest, ReprintOfAnOriginalWithoutWhitelistIsHeld) {
  Publish("article:1", 11, 1, kArticles[0], true);  // default policy: whitelist_only
  PublishRequest r = Req("article:2", 22, 2, kDisguisedCopy0);
  r.attribution = Attribution{11, "article:1", "https://herald.example/article:1", "Author"};
  std::string seen_outcome;
  auto d = svc_->Publish(r, [&](storage::Transaction& tx, const Decision& d) {
    seen_outcome = d.outcome;
    return tx
        .Execute("INSERT INTO articles (content_id, outcome) VALUES (?, ?)",
                 {r.content_id, d.outcome})
        .status();
  });
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, kHold);
  EXPECT_EQ(d->reason, kReprintNotAuthorised);
  EXPECT_EQ(d->decided_by, "article:1");
  EXPECT_EQ(seen_outcome, kHold);  // the caller stores it as held
  EXPECT_TRUE(ArticleStored("article:2"));
  auto rec = svc_->Get("article:2");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->outcome, kHold);
  EXPECT_EQ(rec->reason, kReprintNotAuthorised);
  EXPECT_FALSE(rec->original);
  ASSERT_TRUE(rec->attribution);
  EXPECT_EQ(rec->attribution->copyright_holder, "Author");
  EXPECT_EQ(AuditActions(), std::vector<std::string>{"provenance.hold"});
  // A held publish is recorded and is itself a near-copy for later publishes.
  Decision later = Publish("article:3", 11, 1, kArticles[0]);
  EXPECT_EQ(NearIds(later), (std::vector<std::string>{"article:1", "article:2"}));
}

TEST_P(ProvenanceContractTest, NearCopyOfNonOriginalTextIsAccepted) {
  Publish("article:1", 11, 1, kArticles[0]);
  Decision d = Publish("article:2", 22, 2, kModifiedCopy0);
  EXPECT_EQ(d.outcome, kAccept);
  EXPECT_EQ(NearIds(d), std::vector<std::string>{"article:1"});
  EXPECT_FALSE(d.attribution);
  EXPECT_TRUE(AuditActions().empty());
}

TEST_P(ProvenanceContractTest, WhitelistedReprintIsAcceptedWithAttributionFilledIn) {
  Publish("article:1", 11, 1, kArticles[0], true);
  auto e = svc_->Grant(Caller{"user:11", "r1"}, 11, 22, "", false);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_GT(e->id, 0);
  EXPECT_EQ(e->granted_by, "user:11");
  Decision d = Publish("article:2", 22, 2, kDisguisedCopy0);  // unmodified up to normalisation
  EXPECT_EQ(d.outcome, kAccept) << d.reason;
  ASSERT_TRUE(d.attribution);
  EXPECT_EQ(*d.attribution, (Attribution{11, "article:1", "https://herald.example/article:1",
                                         "holder of article:1"}));
  EXPECT_EQ(svc_->Get("article:2")->attribution, d.attribution);
  // A given attribution naming the original is kept, its empty fields completed.
  auto e3 = svc_->Grant(Caller{"user:11", "r2"}, 11, 33, "", false);
  ASSERT_TRUE(e3.ok());
  PublishRequest r = Req("article:3", 33, 3, kArticles[0]);
  r.attribution = Attribution{0, "article:1", "", "Zhang San"};
  Decision f = Publish(r);
  EXPECT_EQ(f.outcome, kAccept);
  EXPECT_EQ(*f.attribution,
            (Attribution{11, "article:1", "https://herald.example/article:1", "Zhang San"}));
  // The grantee does not pass its right to the grantee's own subject's other accounts.
  Decision g = Publish("article:4", 23, 2, kArticles[0]);
  EXPECT_EQ(g.outcome, kHold);
  EXPECT_EQ(g.reason, kReprintNotAuthorised);
}

TEST_P(ProvenanceContractTest, ModifiedReprintNeedsTheRightToModify) {
  const double j = Similarity(kModifiedCopy0, kArticles[0]);
  ASSERT_GE(j, 0.8);   // a near-copy ...
  ASSERT_LT(j, 0.98);  // ... but modified
  Publish("article:1", 11, 1, kArticles[0], true);
  ASSERT_TRUE(svc_->Grant(Caller{"user:11", ""}, 11, 22, "", false).ok());
  ASSERT_TRUE(svc_->Grant(Caller{"user:11", ""}, 11, 33, "article:1", true).ok());
  Decision held = Publish("article:2", 22, 2, kModifiedCopy0);
  EXPECT_EQ(held.outcome, kHold);
  EXPECT_EQ(held.reason, kModificationNotAllowed);
  EXPECT_EQ(held.decided_by, "article:1");
  Decision ok = Publish("article:3", 33, 3, kModifiedCopy0);
  EXPECT_EQ(ok.outcome, kAccept) << ok.reason;
  // Granting again updates the same entry: now account 22 may modify.
  auto again = svc_->Grant(Caller{"user:11", ""}, 11, 22, "", true);
  ASSERT_TRUE(again.ok());
  auto list = svc_->ListWhitelist(11);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].grantee_account_id, 22);
  EXPECT_TRUE((*list)[0].may_modify);
  EXPECT_EQ((*list)[1].content_id, "article:1");
  Decision now_ok = Publish("article:4", 22, 2, kModifiedCopy0);
  EXPECT_EQ(now_ok.outcome, kAccept) << now_ok.reason;
  // Of two entries for one grantee (all originals without, this one with the right to modify),
  // the more generous decides.
  ASSERT_TRUE(svc_->Grant(Caller{"user:11", ""}, 11, 44, "", false).ok());
  ASSERT_TRUE(svc_->Grant(Caller{"user:11", ""}, 11, 44, "article:1", true).ok());
  Decision both = Publish("article:5", 44, 4, kModifiedCopy0);
  EXPECT_EQ(both.outcome, kAccept) << both.reason;
}

TEST_P(ProvenanceContractTest, WhitelistForOneOriginalDoesNotCoverAnother) {
  Publish("article:1", 11, 1, kArticles[0], true);
  Publish("article:2", 11, 1, kArticles[1], true);
  ASSERT_TRUE(svc_->Grant(Caller{"user:11", ""}, 11, 22, "article:1", false).ok());
  EXPECT_EQ(Publish("article:3", 22, 2, kArticles[0]).outcome, kAccept);
  Decision d = Publish("article:4", 22, 2, kArticles[1]);
  EXPECT_EQ(d.outcome, kHold);
  EXPECT_EQ(d.reason, kReprintNotAuthorised);
  EXPECT_EQ(d.decided_by, "article:2");
  // A whitelist of another owner's original, or of a non-original, is refused.
  EXPECT_EQ(svc_->Grant(Caller{}, 12, 22, "article:1", false).status().reason(),
            "original_not_found");
  EXPECT_EQ(svc_->Grant(Caller{}, 22, 33, "article:3", false).status().reason(),
            "original_not_found");
  EXPECT_EQ(svc_->Grant(Caller{}, 11, 11, "", false).status().reason(), "invalid_grantee");
  EXPECT_EQ(svc_->Grant(Caller{}, 11, 0, "", false).status().reason(), "invalid_grantee");
  EXPECT_EQ(svc_->Grant(Caller{}, 0, 22, "", false).status().reason(), "invalid_account_id");
}

TEST_P(ProvenanceContractTest, RevokeEndsTheRightAndIsAudited) {
  Publish("article:1", 11, 1, kArticles[0], true);
  auto e = svc_->Grant(Caller{"user:11", "r1"}, 11, 22, "", false);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Publish("article:2", 22, 2, kArticles[0]).outcome, kAccept);
  EXPECT_EQ(svc_->Revoke(Caller{"user:99", ""}, 12, e->id).reason(),
            "whitelist_entry_not_found");  // not the owner's entry
  ASSERT_TRUE(svc_->Revoke(Caller{"user:11", "r2"}, 11, e->id).ok());
  EXPECT_EQ(svc_->Revoke(Caller{"user:11", "r3"}, 11, e->id).reason(), "whitelist_entry_not_found");
  EXPECT_TRUE(svc_->ListWhitelist(11)->empty());
  Decision d = Publish("article:3", 22, 2, kArticles[0]);
  EXPECT_EQ(d.outcome, kHold);
  EXPECT_EQ(d.reason, kReprintNotAuthorised);
  EXPECT_EQ(AuditActions(),
            (std::vector<std::string>{"provenance.whitelist_grant", "provenance.whitelist_revoke",
                                      "provenance.hold"}));
  auto page = log_.Query(*db_, audit::Filter{.action = "provenance.whitelist_revoke"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].actor, "user:11");
  EXPECT_EQ(page->entries[0].subject, "account:11");
  EXPECT_EQ(page->entries[0].request_id, "r2");
}

TEST_P(ProvenanceContractTest, AttributionPolicyAcceptsReprintsThatCreditTheOriginal) {
  Publish("article:1", 11, 1, kArticles[0], true);
  EXPECT_EQ(svc_->SetReprintPolicy(Caller{"user:12"}, 12, "article:1", ReprintPolicy::kAttribution)
                .reason(),
            "original_not_found");  // not the owner
  ASSERT_TRUE(
      svc_->SetReprintPolicy(Caller{"user:11"}, 11, "article:1", ReprintPolicy::kAttribution).ok());
  EXPECT_EQ(svc_->Get("article:1")->reprint_policy, ReprintPolicy::kAttribution);

  auto attempt = [&](const std::string& id, std::optional<Attribution> a) {
    PublishRequest r = Req(id, 22, 2, kModifiedCopy0);
    r.attribution = std::move(a);
    return Publish(r);
  };
  Decision none = attempt("article:2", std::nullopt);
  EXPECT_EQ(none.outcome, kHold);
  EXPECT_EQ(none.reason, kAttributionRequired);
  Decision no_holder = attempt("article:3", Attribution{11, "", "https://x.example/1", ""});
  EXPECT_EQ(no_holder.reason, kAttributionRequired);
  Decision wrong_source = attempt("article:4", Attribution{99, "article:99", "", "Somebody"});
  EXPECT_EQ(wrong_source.reason, kAttributionRequired);
  Decision by_account = attempt("article:5", Attribution{11, "", "", "Zhang San"});
  EXPECT_EQ(by_account.outcome, kAccept) << by_account.reason;
  EXPECT_EQ(*by_account.attribution,
            (Attribution{11, "article:1", "https://herald.example/article:1", "Zhang San"}));
  Decision by_content = attempt("article:6", Attribution{0, "article:1", "", "Zhang San"});
  EXPECT_EQ(by_content.outcome, kAccept) << by_content.reason;
  EXPECT_EQ(by_content.attribution->source_account_id, 11);

  // The policy can also be chosen at publish time.
  PublishRequest orig = Req("article:7", 11, 1, kArticles[1], true);
  orig.reprint_policy = ReprintPolicy::kAttribution;
  Publish(orig);
  PublishRequest copy = Req("article:8", 33, 3, kArticles[1]);
  copy.attribution = Attribution{0, "article:7", "", "Li Si"};
  EXPECT_EQ(Publish(copy).outcome, kAccept);

  auto actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "provenance.reprint_policy"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "provenance.hold"), 3);
}

TEST_P(ProvenanceContractTest, FailedStoreRecordsNothingAndLeavesTheIndexUnchanged) {
  Publish("article:1", 11, 1, kArticles[0], true);
  const auto before = svc_->Stats();
  bool saw_own_row = false;
  auto d = svc_->Publish(
      Req("article:2", 22, 2, kArticles[0]),
      [&](storage::Transaction& tx, const Decision& d) -> Status {
        // The provenance row is already written in this same transaction.
        auto rows = tx.Query("SELECT outcome FROM provenance_fingerprints WHERE content_id = ?",
                             {std::string("article:2")});
        saw_own_row = rows.ok() && rows->size() == 1 && rows->rows[0].Text(0) == d.outcome;
        auto ins = tx.Execute("INSERT INTO articles (content_id, outcome) VALUES (?, ?)",
                              {std::string("article:2"), d.outcome});
        if (!ins.ok()) return ins.status();
        return FailedPrecondition("disk full", "store_failed");
      });
  EXPECT_EQ(d.status().reason(), "store_failed");
  EXPECT_TRUE(saw_own_row);
  EXPECT_FALSE(ArticleStored("article:2"));  // the caller's own write rolled back too
  EXPECT_EQ(svc_->Get("article:2").status().reason(), "content_not_found");
  EXPECT_TRUE(AuditActions().empty());  // the hold's audit entry rolled back with it
  EXPECT_EQ(svc_->Stats().live, before.live);
  EXPECT_EQ(svc_->Stats().unreachable, before.unreachable);
  EXPECT_EQ(svc_->Stats().entries, before.entries);
  // Nothing later sees it, and the same content id can be published again.
  Decision later = Publish("article:3", 33, 3, kArticles[0]);
  EXPECT_EQ(NearIds(later), std::vector<std::string>{"article:1"});
  Decision retry = Publish("article:2", 22, 2, kArticles[2]);
  EXPECT_EQ(retry.outcome, kAccept);
  EXPECT_TRUE(retry.near.empty());
}

TEST_P(ProvenanceContractTest, PublishesAreSerialised) {
  // Eight subjects claim the same text original at once: exactly one claim can be first.
  std::atomic<int> accepted{0}, refused{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto d = svc_->Publish(Req("article:" + std::to_string(i), 100 + i, 1 + i,
                                 i % 2 ? kDisguisedCopy0 : kArticles[0], true),
                             nullptr);
      if (!d.ok()) {
        ++errors;
      } else if (d->outcome == kAccept) {
        ++accepted;
      } else if (d->outcome == kRefuse && d->reason == kFalseOriginalityClaim) {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(svc_->Stats().live, 1u);
}

TEST_P(ProvenanceContractTest, LoadAfterRestartFindsEarlierContent) {
  Publish("article:1", 11, 1, kArticles[0], true);
  Publish("article:2", 12, 2, kArticles[1]);
  ProvenanceService cold(*db_, log_, clock_, *norm_);
  EXPECT_EQ(cold.Publish(Req("article:9", 1, 1, kArticles[3]), nullptr).status().reason(),
            "not_loaded");
  EXPECT_EQ(cold.Check(Req("article:9", 1, 1, kArticles[3])).status().reason(), "not_loaded");

  Restart();
  EXPECT_EQ(svc_->Stats().live, 2u);
  EXPECT_EQ(svc_->Stats().unreachable, 0u);
  Decision d = Publish("article:3", 33, 3, kDisguisedCopy0, true);
  EXPECT_EQ(d.outcome, kRefuse);
  EXPECT_EQ(d.decided_by, "article:1");
  Decision e = Publish("article:4", 33, 3, kArticles[1]);
  EXPECT_EQ(NearIds(e), std::vector<std::string>{"article:2"});
  EXPECT_EQ(Publish("article:5", 33, 3, kArticles[0]).reason, kReprintNotAuthorised);
  // Publishing an id that is already recorded is refused, before and after a restart.
  EXPECT_EQ(svc_->Publish(Req("article:1", 11, 1, kArticles[2]), nullptr).status().reason(),
            "already_published");
}

TEST_P(ProvenanceContractTest, LoadRefusesAnotherNormaliser) {
  text::NormalizerOptions o = moderation::ScreeningNormalizerOptions();
  o.drop_noise = false;
  auto other = text::Normalizer::Create(o);
  ASSERT_TRUE(other.ok());
  ProvenanceService svc(*db_, log_, clock_, **other);
  EXPECT_EQ(svc.Load().reason(), "wrong_normalizer");
  Options bad;
  bad.cluster_min_accounts = 1;
  ProvenanceService svc2(*db_, log_, clock_, *norm_, bad);
  EXPECT_EQ(svc2.Load().reason(), "invalid_provenance_options");
}

TEST_P(ProvenanceContractTest, CheckDecidesLikePublishButRecordsNothing) {
  Publish("article:1", 11, 1, kArticles[0], true);
  auto refused = svc_->Check(Req("article:2", 22, 2, kArticles[0], true));
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->outcome, kRefuse);
  EXPECT_EQ(refused->reason, kFalseOriginalityClaim);
  auto held = svc_->Check(Req("article:2", 22, 2, kArticles[0]));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->outcome, kHold);
  EXPECT_EQ(held->reason, kReprintNotAuthorised);
  EXPECT_EQ(svc_->Get("article:2").status().reason(), "content_not_found");
  EXPECT_TRUE(AuditActions().empty());
  EXPECT_EQ(svc_->Stats().live, 1u);
  EXPECT_EQ(svc_->Stats().entries, 1u);
  // What Check said is what Publish does.
  Decision d = Publish("article:2", 22, 2, kArticles[0]);
  EXPECT_EQ(d.outcome, held->outcome);
  EXPECT_EQ(d.reason, held->reason);
  EXPECT_EQ(NearIds(d), std::vector<std::string>{"article:1"});  // no trace of the Checks
  EXPECT_EQ(svc_->Check(Req("article:2", 22, 2, kArticles[0])).status().reason(),
            "already_published");
}

TEST_P(ProvenanceContractTest, RemovedEntriesAreNeverReportedAndRebuiltAway) {
  Options o;
  o.rebuild_min_unreachable = 3;
  Restart(o);
  Publish("article:1", 11, 1, kArticles[0]);
  Publish("article:2", 12, 2, kArticles[1]);
  for (int i = 0; i < 12; ++i) {
    const std::string id = "tmp:" + std::to_string(i);
    Decision d = Publish(id, 33, 3, kArticles[2], true);
    EXPECT_EQ(d.outcome, kAccept);
    EXPECT_TRUE(d.near.empty()) << i;  // the removed copies before it are not reported
    ASSERT_TRUE(svc_->Remove(id).ok());
    // Rebuilt by the next Publish once unreachable entries pass max(3, live).
    EXPECT_LE(svc_->Stats().unreachable, 4u) << i;
  }
  EXPECT_EQ(svc_->Stats().live, 2u);
  EXPECT_EQ(Publish("article:3", 33, 3, kArticles[0], true).reason, kFalseOriginalityClaim);
  EXPECT_EQ(NearIds(Publish("article:4", 33, 3, kArticles[1])),
            std::vector<std::string>{"article:2"});
}

TEST_P(ProvenanceContractTest, RemoveDropsContentFromIndexAndTables) {
  Publish("article:1", 11, 1, kArticles[0], true);
  ASSERT_TRUE(svc_->Grant(Caller{"user:11"}, 11, 22, "article:1", false).ok());
  ASSERT_TRUE(svc_->Grant(Caller{"user:11"}, 11, 33, "", false).ok());
  ASSERT_TRUE(svc_->Remove("article:1").ok());
  EXPECT_EQ(svc_->Remove("article:1").reason(), "content_not_found");
  EXPECT_EQ(svc_->Get("article:1").status().reason(), "content_not_found");
  auto list = svc_->ListWhitelist(11);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);  // the entry naming the removed content is gone
  EXPECT_EQ((*list)[0].grantee_account_id, 33);
  EXPECT_EQ(svc_->Stats().live, 0u);
  // Its text is free again, in this process and after a restart.
  Decision d = Publish("article:2", 22, 2, kArticles[0], true);
  EXPECT_EQ(d.outcome, kAccept);
  EXPECT_TRUE(d.near.empty());
  // The removed id may be used again for another text (the caller's own row is left alone
  // here, so no store); the old text is not found under it.
  auto again = svc_->Publish(Req("article:1", 11, 1, kArticles[3]), nullptr);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, kAccept);
  EXPECT_EQ(NearIds(Publish("article:5", 55, 5, kArticles[0])),
            std::vector<std::string>{"article:2"});
  EXPECT_EQ(NearIds(Publish("article:6", 55, 5, kArticles[3])),
            std::vector<std::string>{"article:1"});
  ASSERT_TRUE(svc_->Remove("article:5").ok());
  ASSERT_TRUE(svc_->Remove("article:2").ok());
  Restart();
  EXPECT_EQ(svc_->Stats().live, 2u);  // article:1 (the new text) and article:6
  EXPECT_TRUE(Publish("article:3", 33, 3, kArticles[0], true).near.empty());
}

TEST_P(ProvenanceContractTest, BatchFromManyAccountsRaisesOneCluster) {
  // Five accounts (two of them one subject's) publish the same text within an hour.
  const int64_t accounts[] = {101, 102, 103, 104, 105};
  const int64_t subjects[] = {1, 2, 3, 3, 4};
  for (int i = 0; i < 4; ++i) {
    Decision d = Publish("post:" + std::to_string(i), accounts[i], subjects[i],
                         i % 2 ? kDisguisedCopy0 : kArticles[0]);
    EXPECT_FALSE(d.cluster) << i;  // at most four accounts so far
    clock_.Advance(10 * kMicrosPerMinute);
  }
  Decision fifth = Publish("post:4", accounts[4], subjects[4], kArticles[0]);
  ASSERT_TRUE(fifth.cluster);
  EXPECT_TRUE(fifth.cluster->raised_now);
  EXPECT_GT(fifth.cluster->id, 0);
  EXPECT_EQ(fifth.cluster->account_ids, (std::vector<int64_t>{101, 102, 103, 104, 105}));
  EXPECT_EQ(fifth.cluster->subject_ids, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(fifth.cluster->content_ids,
            (std::vector<std::string>{"post:0", "post:1", "post:2", "post:3", "post:4"}));
  EXPECT_EQ(AuditActions(), std::vector<std::string>{"provenance.cluster_raise"});

  // A sixth account joins the same cluster; it is not raised again.
  clock_.Advance(kMicrosPerMinute);
  Decision sixth = Publish("post:5", 106, 5, kModifiedCopy0);
  ASSERT_TRUE(sixth.cluster);
  EXPECT_FALSE(sixth.cluster->raised_now);
  EXPECT_EQ(sixth.cluster->id, fifth.cluster->id);
  EXPECT_EQ(sixth.cluster->account_ids.size(), 6u);
  EXPECT_EQ(sixth.cluster->content_ids.back(), "post:5");
  EXPECT_EQ(AuditActions().size(), 1u);

  auto stored = svc_->GetCluster(fifth.cluster->id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->content_ids, sixth.cluster->content_ids);
  EXPECT_EQ(stored->account_ids, sixth.cluster->account_ids);
  EXPECT_FALSE(stored->raised_now);
  auto list = svc_->ListClusters(ClusterQuery{});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, fifth.cluster->id);
  EXPECT_EQ(svc_->GetCluster(fifth.cluster->id + 1).status().reason(), "cluster_not_found");
  EXPECT_EQ(svc_->ListClusters(ClusterQuery{.limit = 0}).status().reason(), "invalid_limit");

  // Unrelated text raises nothing; membership survives removal of the content.
  EXPECT_FALSE(Publish("post:6", 107, 6, kArticles[1]).cluster);
  ASSERT_TRUE(svc_->Remove("post:0").ok());
  EXPECT_EQ(svc_->GetCluster(fifth.cluster->id)->content_ids.size(), 6u);
}

TEST_P(ProvenanceContractTest, ClustersCountOnlyDistinctAccountsWithinTheWindow) {
  // One account publishing the same text many times is not a batch of accounts.
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(Publish("self:" + std::to_string(i), 100, 1, kArticles[2]).cluster);
  }
  // Four accounts, then a day and an hour later a fifth: the first four are out of the window.
  for (int i = 0; i < 4; ++i) {
    Publish("old:" + std::to_string(i), 201 + i, 10 + i, kArticles[0]);
    clock_.Advance(kMicrosPerMinute);
  }
  clock_.Advance(25 * kMicrosPerHour);
  Decision late = Publish("new:0", 301, 20, kArticles[0]);
  EXPECT_EQ(late.near.size(), 4u);  // still near-copies ...
  EXPECT_FALSE(late.cluster);       // ... but not within the window
  for (int i = 1; i < 4; ++i) {
    clock_.Advance(kMicrosPerMinute);
    EXPECT_FALSE(Publish("new:" + std::to_string(i), 301 + i, 20 + i, kArticles[0]).cluster);
  }
  clock_.Advance(kMicrosPerMinute);
  Decision fifth = Publish("new:4", 305, 24, kArticles[0]);
  ASSERT_TRUE(fifth.cluster);
  EXPECT_TRUE(fifth.cluster->raised_now);
  EXPECT_EQ(fifth.cluster->content_ids,
            (std::vector<std::string>{"new:0", "new:1", "new:2", "new:3", "new:4"}));
  // The window is inclusive of exactly 24 hours: a copy 24 h after new:4 still joins.
  clock_.Advance(kMicrosPerDay);
  Decision edge = Publish("new:5", 306, 25, kArticles[0]);
  ASSERT_TRUE(edge.cluster);
  EXPECT_EQ(edge.cluster->id, fifth.cluster->id);
  EXPECT_FALSE(edge.cluster->raised_now);
  // A day and a minute later no near-copy is within the window: nothing to raise or join.
  clock_.Advance(kMicrosPerDay + kMicrosPerMinute);
  EXPECT_FALSE(Publish("new:6", 307, 26, kArticles[0]).cluster);
}

TEST_P(ProvenanceContractTest, HeldPublishesCountTowardClustersRefusedOnesDoNot) {
  Options o;
  o.cluster_min_accounts = 3;
  Restart(o);
  Publish("p:0", 101, 1, kArticles[0], true);
  EXPECT_EQ(Publish("p:1", 102, 2, kArticles[0], true).outcome, kRefuse);
  EXPECT_FALSE(Publish("p:2", 102, 2, kArticles[0]).cluster);  // held; two accounts so far
  Decision third = Publish("p:3", 103, 3, kArticles[0]);
  EXPECT_EQ(third.outcome, kHold);
  ASSERT_TRUE(third.cluster);
  EXPECT_EQ(third.cluster->content_ids, (std::vector<std::string>{"p:0", "p:2", "p:3"}));
  // Check previews the cluster without writing it.
  auto preview = svc_->Check(Req("p:4", 104, 4, kArticles[0]));
  ASSERT_TRUE(preview.ok());
  ASSERT_TRUE(preview->cluster);
  EXPECT_EQ(preview->cluster->id, third.cluster->id);
  EXPECT_EQ(preview->cluster->content_ids.back(), "p:4");
  EXPECT_EQ(svc_->GetCluster(third.cluster->id)->content_ids.size(), 3u);
}

TEST_P(ProvenanceContractTest, CheckShowsAClusterItWouldRaiseWithIdZero) {
  Options o;
  o.cluster_min_accounts = 2;
  Restart(o);
  Publish("p:0", 101, 1, kArticles[0]);
  auto preview = svc_->Check(Req("p:1", 102, 2, kArticles[0]));
  ASSERT_TRUE(preview.ok());
  ASSERT_TRUE(preview->cluster);
  EXPECT_EQ(preview->cluster->id, 0);
  EXPECT_TRUE(preview->cluster->raised_now);
  EXPECT_TRUE(svc_->ListClusters(ClusterQuery{})->empty());
  EXPECT_TRUE(AuditActions().empty());
}

TEST_P(ProvenanceContractTest, InvalidRequestsAreRefusedWithReasons) {
  auto reason = [&](PublishRequest r) { return svc_->Publish(r, nullptr).status(); };
  PublishRequest ok = Req("article:1", 11, 1, kArticles[0]);
  PublishRequest r = ok;
  r.content_id = "";
  EXPECT_EQ(reason(r).reason(), "invalid_content_id");
  EXPECT_EQ(reason(r).field(), "content_id");
  r = ok;
  r.content_id = std::string(201, 'a');
  EXPECT_EQ(reason(r).reason(), "invalid_content_id");
  r = ok;
  r.account_id = 0;
  EXPECT_EQ(reason(r).reason(), "invalid_account_id");
  r = ok;
  r.subject_id = -1;
  EXPECT_EQ(reason(r).reason(), "invalid_subject_id");
  r = ok;
  r.text = std::string("\xff\xfe", 2);
  EXPECT_EQ(reason(r).reason(), "invalid_utf8");
  EXPECT_EQ(reason(r).field(), "text");
  r = ok;
  r.text = std::string((1 << 20) + 1, 'a');
  EXPECT_EQ(reason(r).reason(), "text_too_large");
  r = ok;
  r.url = std::string(2049, 'u');
  EXPECT_EQ(reason(r).reason(), "invalid_url");
  r = ok;
  r.copyright_holder = std::string(201, 'h');
  EXPECT_EQ(reason(r).reason(), "invalid_copyright_holder");
  r = ok;
  r.attribution = Attribution{};
  EXPECT_EQ(reason(r).reason(), "invalid_attribution");
  r.attribution = Attribution{0, "", std::string(2049, 'u'), ""};
  EXPECT_EQ(reason(r).reason(), "invalid_attribution");
  r = ok;
  r.claim_original = true;
  r.attribution = Attribution{5, "", "", ""};
  EXPECT_EQ(reason(r).reason(), "attribution_on_original");
  EXPECT_EQ(svc_->Stats().entries, 0u);  // refused before the index was touched
  EXPECT_EQ(ParseReprintPolicy("everyone").status().reason(), "invalid_reprint_policy");
  EXPECT_EQ(*ParseReprintPolicy("attribution"), ReprintPolicy::kAttribution);
  EXPECT_EQ(ReprintPolicyName(ReprintPolicy::kWhitelistOnly), "whitelist_only");
}

TEST_P(ProvenanceContractTest, AuditChainStaysValid) {
  Publish("article:1", 11, 1, kArticles[0], true);
  ASSERT_TRUE(svc_->Grant(Caller{"user:11"}, 11, 22, "", false).ok());
  Publish("article:2", 22, 2, kModifiedCopy0);      // held
  Publish("article:3", 33, 3, kArticles[0], true);  // refused
  auto report = log_.Verify(*db_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->detail;
  EXPECT_EQ(report->entries_checked, 3);
}

}  // namespace herald::provenance
