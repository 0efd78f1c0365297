// NearDuplicateIndex: evasion-resistant shingles, exact verification, and recall against exact
// Jaccard on generated edited copies.
#include "moderation/dedup.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "moderation/screen.h"
#include "text/utf8.h"

namespace herald::moderation {
namespace {

class DedupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = text::Normalizer::Create(ScreeningNormalizerOptions());
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    norm_ = std::move(*n);
  }
  std::unique_ptr<text::Normalizer> norm_;
};

const char* kArticle =
    "今年秋天，城市图书馆推出了夜间阅读计划，每周五晚上开放到十点，读者可以在安静的环境里借阅新书，"
    "参加作者见面会，还可以在志愿者的帮助下学习如何查找古籍资料。";

TEST_F(DedupTest, CopiesWithPunctuationSpacingAndTraditionalScriptAreNear) {
  NearDuplicateIndex index(*norm_, 0.8);
  ASSERT_TRUE(index.Add("a", kArticle).ok());
  auto unrelated =
      index.Add("b", "足球联赛周末开战，主队在主场以二比一击败了来访的卫冕冠军，球迷们彻夜庆祝。");
  ASSERT_TRUE(unrelated.ok());
  EXPECT_TRUE(unrelated->empty());
  // The same article re-spaced, with other punctuation and in traditional characters.
  auto copy =
      index.Add("c",
                "今年秋天 城市圖書館推出了夜間閱讀計劃!每周五晚上開放到十點 讀者可以在安靜的"
                "環境裡借閱新書~參加作者見面會 還可以在志願者的幫助下學習如何查找古籍資料");
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(*copy, std::vector<std::string>{"a"});
}

TEST_F(DedupTest, ThresholdDecides) {
  auto cps = *text::DecodeUtf8String(kArticle);
  std::string half = text::EncodeUtf8(cps.substr(0, cps.size() / 2));
  NearDuplicateIndex probe(*norm_);
  auto a = *probe.Shingles(kArticle);
  auto b = *probe.Shingles(half);
  double j = Jaccard(a, b);
  EXPECT_GT(j, 0.3);
  EXPECT_LT(j, 0.7);
  NearDuplicateIndex strict(*norm_, 0.8), loose(*norm_, 0.3);
  ASSERT_TRUE(strict.Add("a", kArticle).ok());
  ASSERT_TRUE(loose.Add("a", kArticle).ok());
  EXPECT_TRUE(strict.Add("h", half)->empty());
  EXPECT_EQ(*loose.Add("h", half), std::vector<std::string>{"a"});
}

TEST_F(DedupTest, InvalidUtf8IsRefusedAndEmptyTextsMatchNothing) {
  NearDuplicateIndex index(*norm_);
  EXPECT_EQ(index.Add("x", std::string("\xff\xfe", 2)).status().reason(), "invalid_utf8");
  EXPECT_TRUE(index.Add("e1", "!!! ...")->empty());
  EXPECT_TRUE(index.Add("e2", "   ")->empty());
}

TEST_F(DedupTest, RecallAndPrecisionAgainstExactJaccard) {
  // 300 random documents of 200 characters from a 400-character alphabet, then 300 edited
  // copies (a few characters replaced) and compare the index with brute-force exact Jaccard.
  std::mt19937 rng(42);
  std::vector<std::string> docs;
  for (int d = 0; d < 300; ++d) {
    std::u32string s;
    for (int i = 0; i < 200; ++i) s += static_cast<char32_t>(0x4E00 + rng() % 400);
    docs.push_back(text::EncodeUtf8(s));
  }
  std::vector<std::string> all = docs;
  for (int d = 0; d < 300; ++d) {
    auto cps = *text::DecodeUtf8String(docs[d]);
    int edits = 1 + static_cast<int>(rng() % 12);
    for (int e = 0; e < edits; ++e)
      cps[rng() % cps.size()] = static_cast<char32_t>(0x4E00 + rng() % 400);
    all.push_back(text::EncodeUtf8(cps));
  }
  const double t = 0.8;
  NearDuplicateIndex index(*norm_, t);
  std::vector<std::vector<uint64_t>> sets;
  int true_pos = 0, false_neg = 0, false_pos = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    auto near = *index.Add(std::to_string(i), all[i]);
    sets.push_back(*index.Shingles(all[i]));
    std::set<std::string> got(near.begin(), near.end());
    for (size_t j = 0; j < i; ++j) {
      bool truth = Jaccard(sets[i], sets[j]) >= t;
      bool found = got.count(std::to_string(j)) > 0;
      true_pos += truth && found;
      false_neg += truth && !found;
      false_pos += !truth && found;
    }
  }
  EXPECT_GT(true_pos, 100);              // the edited copies with few edits
  EXPECT_EQ(false_pos, 0);               // candidates are verified exactly
  EXPECT_LE(false_neg, true_pos / 100);  // recall ≥ 0.99
}

TEST_F(DedupTest, FindLooksUpWithoutAddingAndAddIsFingerprintLookupInsert) {
  NearDuplicateIndex index(*norm_);
  ASSERT_TRUE(index.Add("a", kArticle).ok());
  EXPECT_EQ(*index.Find(kArticle), std::vector<std::string>{"a"});
  EXPECT_EQ(*index.Find(kArticle), std::vector<std::string>{"a"});
  EXPECT_EQ(index.size(), 1u);
  auto fp = index.FingerprintOf(kArticle);
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(fp->minhash.size(), 128u);
  EXPECT_EQ(fp->shingles, *index.Shingles(kArticle));
  EXPECT_EQ(index.Lookup(*fp), std::vector<std::string>{"a"});
  index.Insert("b", std::move(*fp));
  EXPECT_EQ(*index.Add("c", kArticle), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(index.Find(std::string("\xff", 1)).status().reason(), "invalid_utf8");
  EXPECT_TRUE(index.FingerprintOf("!!!")->minhash.empty());
}

TEST_F(DedupTest, BandShapeFollowsTheThreshold) {
  NearDuplicateIndex def(*norm_), low(*norm_, 0.3), high(*norm_, 0.95);
  EXPECT_EQ(def.rows(), 5);
  EXPECT_EQ(def.bands(), 25);
  EXPECT_EQ(low.rows(), 1);
  EXPECT_EQ(low.bands(), 128);
  EXPECT_GT(high.rows(), def.rows());
}

TEST_F(DedupTest, SignatureVerificationEstimatesJaccard) {
  // The same generated copies as above, verified against the stored 16-bit signature instead of
  // the shingle sets: pairs far from the threshold are decided right, and overall F1 is high.
  std::mt19937 rng(7);
  std::vector<std::string> all;
  for (int d = 0; d < 200; ++d) {
    std::u32string s;
    for (int i = 0; i < 300; ++i) s += static_cast<char32_t>(0x4E00 + rng() % 2000);
    all.push_back(text::EncodeUtf8(s));
    int edits = static_cast<int>(rng() % 40);
    for (int e = 0; e < edits; ++e)
      s[rng() % s.size()] = static_cast<char32_t>(0x4E00 + rng() % 2000);
    all.push_back(text::EncodeUtf8(s));
  }
  const double t = 0.8;
  NearDuplicateIndex index(*norm_, t, NearDuplicateIndex::Verification::kSignature);
  std::vector<std::vector<uint64_t>> sets;
  int tp = 0, fn = 0, fp = 0, far_wrong = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    auto near = *index.Add(std::to_string(i), all[i]);
    sets.push_back(*index.Shingles(all[i]));
    std::set<std::string> got(near.begin(), near.end());
    for (size_t j = 0; j < i; ++j) {
      const double jac = Jaccard(sets[i], sets[j]);
      const bool truth = jac >= t;
      const bool found = got.count(std::to_string(j)) > 0;
      tp += truth && found;
      fn += truth && !found;
      fp += !truth && found;
      far_wrong += truth != found && std::abs(jac - t) > 0.15;
    }
  }
  EXPECT_EQ(index.size(), all.size());
  EXPECT_EQ(far_wrong, 0);
  EXPECT_GT(tp, 50);
  EXPECT_GE(2.0 * tp / (2.0 * tp + fp + fn), 0.9);
}

}  // namespace
}  // namespace herald::moderation
