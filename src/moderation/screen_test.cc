#include "moderation/screen.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "moderation/screen_cli.h"

namespace herald::moderation {
namespace {

const text::Normalizer& Norm() {
  static const text::Normalizer* norm = [] {
    auto n = text::Normalizer::Create(ScreeningNormalizerOptions());
    if (!n.ok()) {
      ADD_FAILURE() << n.status().ToString();
      std::abort();
    }
    return n->release();
  }();
  return *norm;
}

std::shared_ptr<const Dictionary> Load(const std::string& text) {
  auto d = Dictionary::Load({{"terms.tsv", text}}, Norm());
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : nullptr;
}

ScreenResult MustScreen(const Dictionary& d, std::string_view text) {
  auto r = d.Screen(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ScreenResult{};
}

// "term@start-end" for compact comparisons.
std::vector<std::string> Spans(const ScreenResult& r) {
  std::vector<std::string> out;
  for (const Match& m : r.matches) {
    out.push_back(m.term + "@" + std::to_string(m.start) + "-" + std::to_string(m.end));
  }
  return out;
}

using Strings = std::vector<std::string>;

const char kBasic[] =
    "# test dictionary\n"
    "\n"
    "赌博\tgambling\tblock\n"
    "casino\tgambling\tblock\n"
    "大麻\tdrugs\tblock\n"
    "大麻烦\tharmless\tallow\n"
    "援交\tprostitution\tblock\n"
    "支援交通\tharmless\tallow\n"
    "贷款\tfinance\treview\n"
    "代购\tcommerce\tflag\n"
    "傻逼\tabuse\treplace\n";

TEST(DictionaryTest, PlainMatchAndVerdict) {
  auto d = Load(kBasic);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size(), 9u);
  auto r = MustScreen(*d, "网上赌博平台");
  EXPECT_EQ(r.verdict, Action::kBlock);
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].term, "赌博");
  EXPECT_EQ(r.matches[0].category, "gambling");
  EXPECT_EQ(r.matches[0].action, Action::kBlock);
  EXPECT_EQ(r.matches[0].start, 6u);
  EXPECT_EQ(r.matches[0].end, 12u);

  r = MustScreen(*d, "今天天气很好");
  EXPECT_EQ(r.verdict, Action::kAllow);
  EXPECT_TRUE(r.matches.empty());
  r = MustScreen(*d, "");
  EXPECT_EQ(r.verdict, Action::kAllow);
  EXPECT_TRUE(r.matches.empty());
}

TEST(DictionaryTest, AllowEntrySuppressesContainedMatchOnly) {
  auto d = Load(kBasic);
  ASSERT_TRUE(d);
  // 大麻 inside 大麻烦 is dropped; the allow entry itself is never reported.
  auto r = MustScreen(*d, "真是大麻烦");
  EXPECT_EQ(r.verdict, Action::kAllow);
  EXPECT_TRUE(r.matches.empty()) << testing::PrintToString(Spans(r));
  r = MustScreen(*d, "支援交通建设");
  EXPECT_EQ(r.verdict, Action::kAllow);
  EXPECT_TRUE(r.matches.empty());
  // Another 大麻 in the same text, outside the allow occurrence, is still reported.
  r = MustScreen(*d, "大麻烦和大麻");
  EXPECT_EQ(r.verdict, Action::kBlock);
  EXPECT_EQ(Spans(r), Strings({"大麻@12-18"}));
  // Evasion of the allow word is normalised too: 大·麻·烦 is still harmless.
  r = MustScreen(*d, "大·麻·烦");
  EXPECT_TRUE(r.matches.empty()) << testing::PrintToString(Spans(r));
  // A match that only overlaps an allow occurrence is kept: 援交 in 支援交友 is not inside
  // 支援交通.
  r = MustScreen(*d, "支援交友");
  EXPECT_EQ(Spans(r), Strings({"援交@3-9"}));
}

TEST(DictionaryTest, OverlappingMatchesAreAllReported) {
  auto d = Load(
      "赌博\tgambling\tblock\n"
      "博彩\tgambling\tblock\n"
      "网上赌博\tgambling\treview\n"
      "aa\ttest\tflag\n");
  ASSERT_TRUE(d);
  auto r = MustScreen(*d, "网上赌博彩票");
  // Sorted by start, then end: 网上赌博 [0,12), 赌博 [6,12), 博彩 [9,15).
  EXPECT_EQ(Spans(r), Strings({"网上赌博@0-12", "赌博@6-12", "博彩@9-15"}));
  EXPECT_EQ(r.verdict, Action::kBlock);
  // Overlapping occurrences of one term.
  r = MustScreen(*d, "aaaa");
  EXPECT_EQ(Spans(r), Strings({"aa@0-2", "aa@1-3", "aa@2-4"}));
  EXPECT_EQ(r.verdict, Action::kFlag);
}

TEST(DictionaryTest, EvasionsMapBackToOriginalOffsets) {
  auto d = Load(kBasic);
  ASSERT_TRUE(d);
  struct Case {
    std::string text, term;
    size_t start, end;
  };
  const std::vector<Case> cases = {
      // Traditional + middle dot (U+00B7, 2 bytes): 賭(3) ·(2) 博(3).
      {"賭·博", "赌博", 0, 8},
      {"来玩賭·博吧", "赌博", 6, 14},
      {"赌*博", "赌博", 0, 7},
      {"赌 博", "赌博", 0, 7},
      // Full-width Latin: 3 bytes per letter.
      {"ＣＡＳＩＮＯ", "casino", 0, 18},
      {"去ＣＡＳＩＮＯ玩", "casino", 3, 21},
      {"c a s i n o", "casino", 0, 11},
      {"the CaSiNo!", "casino", 4, 10},
      // Cyrillic look-alikes с (U+0441) and о (U+043E), 2 bytes each.
      {"\xD1\x81\x61sin\xD0\xBE", "casino", 0, 8},
      // Zero-width space inside (3 bytes).
      {"赌\xE2\x80\x8B博", "赌博", 0, 9},
  };
  for (const Case& c : cases) {
    auto r = MustScreen(*d, c.text);
    ASSERT_EQ(r.matches.size(), 1u) << c.text << " " << testing::PrintToString(Spans(r));
    EXPECT_EQ(r.matches[0].term, c.term) << c.text;
    EXPECT_EQ(r.matches[0].start, c.start) << c.text;
    EXPECT_EQ(r.matches[0].end, c.end) << c.text;
    EXPECT_EQ(r.verdict, Action::kBlock) << c.text;
  }
}

TEST(DictionaryTest, TermsAreNormalisedAndReportedAsWritten) {
  auto d = Load("賭博\tgambling\tblock\nＣＡＳＩＮＯ\tgambling\treview\n");
  ASSERT_TRUE(d);
  auto r = MustScreen(*d, "赌博casino");
  EXPECT_EQ(Spans(r), Strings({"賭博@0-6", "ＣＡＳＩＮＯ@6-12"}));
}

TEST(DictionaryTest, VerdictIsTheStrongestAction) {
  auto d = Load(kBasic);
  ASSERT_TRUE(d);
  EXPECT_EQ(MustScreen(*d, "代购").verdict, Action::kFlag);
  EXPECT_EQ(MustScreen(*d, "傻逼").verdict, Action::kFlag);  // replace counts as flag
  EXPECT_EQ(MustScreen(*d, "代购贷款").verdict, Action::kReview);
  EXPECT_EQ(MustScreen(*d, "贷款代购傻逼").verdict, Action::kReview);
  EXPECT_EQ(MustScreen(*d, "代购贷款赌博傻逼").verdict, Action::kBlock);
  EXPECT_EQ(MustScreen(*d, "赌博代购").verdict, Action::kBlock);
  auto r = MustScreen(*d, "傻逼");
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].action, Action::kReplace);
  EXPECT_EQ(ActionName(Action::kReplace), "replace");
  EXPECT_EQ(ActionName(r.verdict), "flag");
}

TEST(DictionaryTest, MaskReplacesReplaceMatchesPerCharacter) {
  auto d = Load(kBasic + std::string("sb\tabuse\treplace\n逼\tabuse\treplace\n"));
  ASSERT_TRUE(d);
  std::string text = "你这个傻·逼, S B 赌博";
  auto r = MustScreen(*d, text);
  // 傻·逼 (3 code points) and its overlapping 逼, and S B; 赌博 is block, not masked.
  EXPECT_EQ(Mask(text, r.matches), "你这个***, *** 赌博");
  EXPECT_EQ(Mask(text, {}), text);
  // Spans past the end are clamped; a span ending inside a code point masks it whole.
  Match m{"x", "c", Action::kReplace, 2, 100};
  EXPECT_EQ(Mask("ab赌博", {m}), "ab**");
  Match inside{"x", "c", Action::kReplace, 2, 4};
  EXPECT_EQ(Mask("ab赌博", {inside}), "ab*博");
  Match block{"x", "c", Action::kBlock, 0, 2};
  EXPECT_EQ(Mask("ab", {block}), "ab");
}

TEST(DictionaryTest, BrokenFilesNameFileAndLine) {
  struct Case {
    std::string text, message;
  };
  const std::vector<Case> cases = {
      {"# c\n赌博\tgambling\tblock\n赌场\tgambling\n", "bad.tsv:3: expected"},
      {"赌博\tgambling\tblock\textra\n", "bad.tsv:1: expected"},
      {"\n\n赌博\tgambling\tban\n", "bad.tsv:3: unknown action 'ban'"},
      {"赌博\t\tblock\n", "bad.tsv:1: empty category"},
      {"ok\tc\tflag\n***\tc\tblock\n", "bad.tsv:2: the term '***' is empty after normalisation"},
      {"ok\tc\tflag\n\xFF\tc\tblock\n", "bad.tsv:2: not valid UTF-8"},
      {"\tc\tblock\n", "bad.tsv:1: the term '' is empty"},
  };
  for (const Case& c : cases) {
    auto d =
        Dictionary::Load({{"good.tsv", "赌博\tgambling\tblock\n"}, {"bad.tsv", c.text}}, Norm());
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().reason(), "invalid_terms");
    EXPECT_EQ(d.status().field(), "bad.tsv");
    EXPECT_EQ(d.status().message().rfind(c.message, 0), 0u) << d.status().message();
  }
}

TEST(DictionaryTest, CrLfBomCommentsAndWhitespaceAreAccepted) {
  auto d = Load(
      "\xEF\xBB\xBF# bom then comment\r\n  # indented comment\r\n   \r\n"
      "赌博\t gambling \t block \r\n");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size(), 1u);
  auto r = MustScreen(*d, "赌博");
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].term, "赌博");
  EXPECT_EQ(r.matches[0].category, "gambling");
  EXPECT_EQ(r.matches[0].action, Action::kBlock);
}

TEST(DictionaryTest, MultipleDictionariesLoadTogether) {
  auto d = Dictionary::Load({{"a.tsv", "赌博\tgambling\tblock\n大麻\tdrugs\tblock\n"},
                             {"b.tsv", "大麻烦\tharmless\tallow\n赌博\tgambling_b\treview\n"},
                             {"empty.tsv", "# nothing\n"}},
                            Norm());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->size(), 4u);
  // The allow entry from b.tsv suppresses a.tsv's 大麻.
  EXPECT_TRUE(MustScreen(**d, "大麻烦").matches.empty());
  // The same term in two files: both entries reported, in file order.
  auto r = MustScreen(**d, "赌博");
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].category, "gambling");
  EXPECT_EQ(r.matches[1].category, "gambling_b");
  EXPECT_EQ(r.verdict, Action::kBlock);
}

TEST(DictionaryTest, EmptyDictionaryAllowsEverything) {
  auto d = Dictionary::Load({}, Norm());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->size(), 0u);
  auto r = MustScreen(**d, "赌博");
  EXPECT_EQ(r.verdict, Action::kAllow);
  EXPECT_TRUE(r.matches.empty());
}

TEST(DictionaryTest, InvalidUtf8IsAnError) {
  auto d = Load(kBasic);
  ASSERT_TRUE(d);
  for (std::string bad : {std::string("赌博\xFF"), std::string("\xE8\xB5"), std::string("\xC0\xAF"),
                          std::string("\xED\xA0\x80")}) {
    auto r = d->Screen(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().reason(), "invalid_utf8");
  }
}

TEST(DictionaryTest, ConcurrentScreeningGivesTheSameResults) {
  auto d = Load(kBasic);
  ASSERT_TRUE(d);
  std::string text;
  for (int i = 0; i < 200; ++i) text += "正常文字賭·博 大麻烦 c a s i n o 大麻 ";
  const auto expected = Spans(MustScreen(*d, text));
  ASSERT_EQ(expected.size(), 600u);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = d->Screen(text);
        if (r.ok() && Spans(*r) == expected) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[t], 50);
}

class ScreenCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herald-screen-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string dir_;
};

TEST_F(ScreenCliTest, OneJsonLinePerInputLine) {
  std::string a = WriteFile("a.tsv", kBasic);
  std::string b = WriteFile("b.tsv", "ＣＡＳＩＮＯ\tgambling\treview\n");
  std::istringstream in("賭·博\r\nhello\n\xE8\xB5\xFF\n\n大麻烦 ＣＡＳＩＮＯ");
  std::ostringstream out, err;
  EXPECT_EQ(RunScreen({a, b}, in, out, err), 0);
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(out.str(),
            "{\"line\":1,\"verdict\":\"block\",\"matches\":[{\"term\":\"赌博\",\"category\":"
            "\"gambling\",\"action\":\"block\",\"start\":0,\"end\":8}]}\n"
            "{\"line\":2,\"verdict\":\"allow\",\"matches\":[]}\n"
            "{\"line\":3,\"verdict\":\"allow\",\"matches\":[],\"error\":\"invalid_utf8\"}\n"
            "{\"line\":4,\"verdict\":\"allow\",\"matches\":[]}\n"
            "{\"line\":5,\"verdict\":\"block\",\"matches\":["
            "{\"term\":\"casino\",\"category\":\"gambling\",\"action\":\"block\",\"start\":10,"
            "\"end\":28},"
            "{\"term\":\"ＣＡＳＩＮＯ\",\"category\":\"gambling\",\"action\":\"review\","
            "\"start\":10,\"end\":28}]}\n");
}

TEST_F(ScreenCliTest, BadFilesExitTwo) {
  std::string good = WriteFile("good.tsv", kBasic);
  std::string bad = WriteFile("bad.tsv", "赌博\tgambling\tblock\n赌场 gambling block\n");
  std::istringstream in("赌博\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunScreen({good, bad}, in, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find(bad + ":2:"), std::string::npos) << err.str();

  std::ostringstream out2, err2;
  EXPECT_EQ(RunScreen({dir_ + "/missing.tsv"}, in, out2, err2), 2);
  EXPECT_NE(err2.str().find("missing.tsv"), std::string::npos) << err2.str();
}

}  // namespace
}  // namespace herald::moderation
