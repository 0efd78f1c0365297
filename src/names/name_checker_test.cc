#include "names/name_checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "text/utf8.h"

namespace herald::names {
namespace {

const text::Normalizer& NameNormalizer() {
  static const std::unique_ptr<text::Normalizer> n = [] {
    text::NormalizerOptions o;
    o.fold_cjk_lookalikes = true;
    o.drop_noise = true;
    auto r = text::Normalizer::Create(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }();
  return *n;
}

std::vector<ProtectedName> SampleNames() {
  return {
      {"国务院", "government", std::nullopt},
      {"人民日报", "media", std::nullopt},
      {"中央电视台", "media", std::nullopt},
      {"CCTV", "media", int64_t{42}},
      {"新华社", "media", std::nullopt},
      {"中国银行", "enterprise", std::nullopt},
      {"北京大学", "institution", std::nullopt},
      {"京", "government", std::nullopt},  // one character: exact only
  };
}

NameChecker MakeChecker(std::vector<std::string> closed = {"诚信理财"}) {
  auto r = NameChecker::Create(NameNormalizer(), SampleNames(), std::move(closed));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

const NameChecker& Checker() {
  static const NameChecker c = MakeChecker();
  return c;
}

const NameMatch* Find(const NameCheck& c, std::string_view protected_name) {
  for (const auto& m : c.matches) {
    if (m.protected_name == protected_name) return &m;
  }
  return nullptr;
}

void ExpectRejectedAs(std::string_view candidate, std::string_view protected_name) {
  NameCheck c = Checker().Check(candidate);
  EXPECT_EQ(c.decision, Decision::kReject) << candidate;
  const NameMatch* m = Find(c, protected_name);
  ASSERT_NE(m, nullptr) << candidate << " should match " << protected_name;
  EXPECT_DOUBLE_EQ(m->score, 1.0) << candidate;
  EXPECT_EQ(m->basis, "exact");
  EXPECT_EQ(c.reason, "exact_protected") << candidate;
}

TEST(NameChecker, ExactNamesAreRejected) {
  ExpectRejectedAs("国务院", "国务院");
  ExpectRejectedAs("人民日报", "人民日报");
  ExpectRejectedAs("CCTV", "CCTV");
}

TEST(NameChecker, TraditionalCharactersAndAffixes) {
  ExpectRejectedAs("國務院客服", "国务院");
  ExpectRejectedAs("國務院", "国务院");
  ExpectRejectedAs("人民日報频道", "人民日报");
  ExpectRejectedAs("人民日報頻道", "人民日报");
  ExpectRejectedAs("官方人民日报服务号", "人民日报");
  ExpectRejectedAs("中國銀行官方客服中心", "中国银行");
}

TEST(NameChecker, FullWidthCaseAndLatinAffixes) {
  ExpectRejectedAs("ＣＣＴＶ官方", "CCTV");
  ExpectRejectedAs("cctv", "CCTV");
  ExpectRejectedAs("CCTV Official", "CCTV");
  ExpectRejectedAs("cctv-service", "CCTV");
}

TEST(NameChecker, LookalikeCharacters) {
  ExpectRejectedAs("人民曰报", "人民日报");
  ExpectRejectedAs("\u0421\u0421\u0422V", "CCTV");         // Cyrillic С С Т
  ExpectRejectedAs("\u0441\u0441tv\u5B98\u65B9", "CCTV");  // Cyrillic с с + 官方
}

TEST(NameChecker, SeparatorsAndSpaces) {
  ExpectRejectedAs("人 民 日 报", "人民日报");
  ExpectRejectedAs("人·民·日·报", "人民日报");
  ExpectRejectedAs("人\u200B民日报", "人民日报");
  ExpectRejectedAs("新华社😀", "新华社");
  ExpectRejectedAs("C C T V", "CCTV");
}

TEST(NameChecker, ContainmentIsReviewed) {
  NameCheck c = Checker().Check("人民日报读者俱乐部");
  EXPECT_EQ(c.decision, Decision::kReview);
  EXPECT_EQ(c.reason, "contains_protected");
  const NameMatch* m = Find(c, "人民日报");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->basis, "contains");
  EXPECT_GE(m->score, kReviewThreshold);
  EXPECT_LT(m->score, 1.0);
  EXPECT_EQ(m->kind, "media");
  EXPECT_FALSE(m->closed);

  // More of the name covered by the protected name → higher score.
  NameCheck closer = Checker().Check("人民日报社");
  ASSERT_NE(Find(closer, "人民日报"), nullptr);
  EXPECT_GT(Find(closer, "人民日报")->score, m->score);
}

TEST(NameChecker, SimilarNamesAreReviewed) {
  // One character changed in a four-character name: Levenshtein similarity 0.75.
  NameCheck c = Checker().Check("人民日抱");
  EXPECT_EQ(c.decision, Decision::kReview);
  EXPECT_EQ(c.reason, "similar_protected");
  const NameMatch* m = Find(c, "人民日报");
  ASSERT_NE(m, nullptr);
  EXPECT_NEAR(m->score, 0.75, 1e-9);
  EXPECT_EQ(m->basis, "similar");

  NameCheck typo = Checker().Check("中央电枧台");  // 视 → 枧: Levenshtein similarity 0.8
  EXPECT_EQ(typo.decision, Decision::kReview);
  ASSERT_NE(Find(typo, "中央电视台"), nullptr);
  EXPECT_NEAR(Find(typo, "中央电视台")->score, 0.8, 1e-9);

  NameCheck latin = Checker().Check("CCCTV");
  EXPECT_EQ(latin.decision, Decision::kReview);
  ASSERT_NE(Find(latin, "CCTV"), nullptr);
}

TEST(NameChecker, UnrelatedNamesAreAllowed) {
  for (const char* name : {"美食日记", "小明的旅行", "Daily Coffee", "人民", "日报", "北京烤鸭",
                           "银行卡", "", "***"}) {
    NameCheck c = Checker().Check(name);
    EXPECT_EQ(c.decision, Decision::kAllow) << name;
    EXPECT_TRUE(c.matches.empty()) << name << " matched " << c.matches.front().protected_name;
    EXPECT_EQ(c.reason, "no_match") << name;
  }
}

TEST(NameChecker, OneCharacterNamesMatchOnlyExactly) {
  EXPECT_EQ(Checker().Check("北京烤鸭京味").decision, Decision::kAllow);
  EXPECT_EQ(Checker().Check("京东").decision, Decision::kAllow);
  NameCheck c = Checker().Check("京官方");
  EXPECT_EQ(c.decision, Decision::kReject);
  ASSERT_NE(Find(c, "京"), nullptr);
}

TEST(NameChecker, ShortAsciiNamesDoNotMatchInsideWords) {
  auto r = NameChecker::Create(
      NameNormalizer(), {{"BBC", "media", std::nullopt}, {"QQ", "enterprise", std::nullopt}}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Check("QQ").decision, Decision::kReject);
  EXPECT_EQ(r->Check("qqmusic fans").decision, Decision::kAllow);  // 2 letters: exact only
  EXPECT_EQ(r->Check("bbc fans").decision, Decision::kReview);     // 3 letters: contains
}

TEST(NameChecker, BoundSubjectIsAllowed) {
  NameCheck own = Checker().Check("CCTV官方", int64_t{42});
  EXPECT_EQ(own.decision, Decision::kAllow);
  EXPECT_EQ(own.reason, "bound_subject");
  const NameMatch* m = Find(own, "CCTV");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->bound);
  EXPECT_DOUBLE_EQ(m->score, 1.0);

  // Another subject, or none, is rejected.
  EXPECT_EQ(Checker().Check("CCTV官方", int64_t{7}).decision, Decision::kReject);
  EXPECT_EQ(Checker().Check("CCTV官方").decision, Decision::kReject);
  // The binding covers only the bound name.
  EXPECT_EQ(Checker().Check("人民日报", int64_t{42}).decision, Decision::kReject);
}

TEST(NameChecker, ClosedNamesAreRejectedForEveryone) {
  NameCheck c = Checker().Check("誠信理財官方", int64_t{42});
  EXPECT_EQ(c.decision, Decision::kReject);
  EXPECT_EQ(c.reason, "exact_closed");
  ASSERT_FALSE(c.matches.empty());
  EXPECT_EQ(c.matches.front().protected_name, "诚信理财");
  EXPECT_TRUE(c.matches.front().closed);
  EXPECT_EQ(c.matches.front().kind, "closed");

  NameCheck near = Checker().Check("诚信理财2号");
  EXPECT_EQ(near.decision, Decision::kReview);
  EXPECT_EQ(near.reason, "contains_closed");
}

TEST(NameChecker, MatchesAreSortedByScore) {
  auto r = NameChecker::Create(NameNormalizer(),
                               {{"人民日报", "media", std::nullopt},
                                {"人民日报海外版", "media", std::nullopt},
                                {"日报", "media", std::nullopt}},
                               {});
  ASSERT_TRUE(r.ok());
  NameCheck c = r->Check("人民日报海外版");
  EXPECT_EQ(c.decision, Decision::kReject);
  ASSERT_EQ(c.matches.size(), 3u);
  EXPECT_EQ(c.matches[0].protected_name, "人民日报海外版");
  EXPECT_DOUBLE_EQ(c.matches[0].score, 1.0);
  for (size_t i = 1; i < c.matches.size(); ++i) {
    EXPECT_GE(c.matches[i - 1].score, c.matches[i].score);
    EXPECT_GE(c.matches[i].score, kReviewThreshold);
    EXPECT_LT(c.matches[i].score, 1.0);
  }
}

TEST(NameChecker, InvalidUtf8CandidateIsRejected) {
  NameCheck c = Checker().Check("人民\xFF日报");
  EXPECT_EQ(c.decision, Decision::kReject);
  EXPECT_EQ(c.reason, "invalid_utf8");
  EXPECT_TRUE(c.matches.empty());
}

TEST(NameChecker, CreateRejectsBadInput) {
  auto empty = NameChecker::Create(NameNormalizer(), {{"***", "media", std::nullopt}}, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().reason(), "invalid_protected_names");
  auto closed = NameChecker::Create(NameNormalizer(), {}, {"ok", "\xFF"});
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().reason(), "invalid_closed_names");

  text::NormalizerOptions o;  // screening defaults: no CJK look-alikes
  auto screening = text::Normalizer::Create(o);
  ASSERT_TRUE(screening.ok());
  auto wrong = NameChecker::Create(**screening, SampleNames(), {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().reason(), "normalizer_options");
}

// A registry of 10k generated names: checks stay fast because only names sharing a bigram with
// the candidate are compared, and the planted names are still found.
TEST(NameChecker, LargeRegistry) {
  const std::u32string pool =
      U"安北川达东方飞港光海华江金京开蓝龙美明南鹏平青庆山盛泰天通文西祥新兴阳一原云振中州";
  std::vector<ProtectedName> names;
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % pool.size();
  };
  for (int i = 0; i < 10000; ++i) {
    std::u32string n;
    for (int k = 0; k < 4; ++k) n.push_back(pool[next()]);
    names.push_back({text::EncodeUtf8(n) + "集团", "enterprise", std::nullopt});
  }
  names.push_back({"人民日报", "media", std::nullopt});
  auto r = NameChecker::Create(NameNormalizer(), std::move(names), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto start = std::chrono::steady_clock::now();
  int rejected = 0;
  for (int i = 0; i < 1000; ++i) {
    if (r->Check("人民日報官方").decision == Decision::kReject) ++rejected;
    (void)r->Check("华东新闻频道");
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rejected, 1000);
  EXPECT_LT(ms, 2000.0) << "2000 checks against 10k names took " << ms << " ms";
}

}  // namespace
}  // namespace herald::names
