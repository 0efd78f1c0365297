#include "text/normalizer.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "text/utf8.h"

namespace herald::text {
namespace {

// Building the table takes a while; share one per option set across the tests.
const Normalizer& Screening() {
  static const std::unique_ptr<Normalizer> n = [] {
    auto r = Normalizer::Create(NormalizerOptions{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }();
  return *n;
}

const Normalizer& Names() {
  static const std::unique_ptr<Normalizer> n = [] {
    NormalizerOptions o;
    o.fold_cjk_lookalikes = true;
    auto r = Normalizer::Create(o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::move(r).value();
  }();
  return *n;
}

std::string Norm(const Normalizer& n, std::string_view s) {
  auto r = n.Normalize(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->text : std::string("<error>");
}

std::string Norm(std::string_view s) { return Norm(Screening(), s); }

TEST(Utf8, DecodeRejectsMalformedSequences) {
  char32_t cp;
  EXPECT_EQ(DecodeUtf8("a", 0, &cp), 1u);
  EXPECT_EQ(cp, U'a');
  EXPECT_EQ(DecodeUtf8("赌", 0, &cp), 3u);
  EXPECT_EQ(cp, U'赌');
  EXPECT_EQ(DecodeUtf8("\xF0\x9F\x98\x80", 0, &cp), 4u);
  EXPECT_EQ(cp, char32_t{0x1F600});
  EXPECT_EQ(DecodeUtf8("\xC0\xAF", 0, &cp), 0u);          // overlong '/'
  EXPECT_EQ(DecodeUtf8("\xE0\x80\xAF", 0, &cp), 0u);      // overlong 3-byte
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80", 0, &cp), 0u);      // surrogate U+D800
  EXPECT_EQ(DecodeUtf8("\xF4\x90\x80\x80", 0, &cp), 0u);  // above U+10FFFF
  EXPECT_EQ(DecodeUtf8("\xE8\xB5", 0, &cp), 0u);          // truncated
  EXPECT_EQ(DecodeUtf8("\x80", 0, &cp), 0u);              // lone continuation
}

TEST(Utf8, SanitizeReplacesEachBadByte) {
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xE8\xB5"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("赌博"), "赌博");
  EXPECT_EQ(EncodeUtf8(*DecodeUtf8String("國務院 abc")), "國務院 abc");
  EXPECT_FALSE(DecodeUtf8String("\xFF").has_value());
}

TEST(Normalizer, FullWidthAndCase) {
  EXPECT_EQ(Norm("ＡＢＣ"), "abc");
  EXPECT_EQ(Norm("ＣＣＴＶ"), "cctv");
  EXPECT_EQ(Norm("CaSiNo"), "casino");
  EXPECT_EQ(Norm("１２３"), "123");
  EXPECT_EQ(Norm("Straße"), "strasse");
  EXPECT_EQ(Norm("①"), "1");
}

TEST(Normalizer, TraditionalToSimplified) {
  EXPECT_EQ(Norm("賭博"), "赌博");
  EXPECT_EQ(Norm("國務院"), "国务院");
  EXPECT_EQ(Norm("人民日報"), "人民日报");
  EXPECT_EQ(Norm("新華社"), "新华社");
  // Simplified text is left alone.
  EXPECT_EQ(Norm("中国银行"), "中国银行");
}

TEST(Normalizer, LatinLookalikesFromOtherScripts) {
  // Cyrillic а, о, е, р, с and Greek ο, ν.
  EXPECT_EQ(Norm("c\u0430sin\u043E"), "casino");
  EXPECT_EQ(Norm("\u0440\u0435\u0441"), "pec");
  EXPECT_EQ(Norm("\u03BF\u03BD"), "ov");
  // Upper-case Cyrillic С, С, Т next to Latin V: "ССТV" → cctv.
  EXPECT_EQ(Norm("\u0421\u0421\u0422V"), "cctv");
  // Lower-case т folds like its capital, so case folding stays consistent.
  EXPECT_EQ(Norm("\u0442"), Norm("\u0422"));
  // Accented Latin letters fold to the base letter.
  EXPECT_EQ(Norm("cas\u00EDn\u00F6"), "casino");
  // ASCII digits and letters are never re-mapped.
  EXPECT_EQ(Norm("l1I0o"), "l1i0o");
  // Han characters are never folded to Latin.
  EXPECT_EQ(Norm("口〇"), "口〇");
}

TEST(Normalizer, LookalikesCanBeSwitchedOff) {
  NormalizerOptions o;
  o.fold_lookalikes = false;
  auto n = Normalizer::Create(o);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(Norm(**n, "c\u0430sino"), "c\u0430sino");
  EXPECT_EQ(Norm(**n, "ＡＢＣ"), "abc");
}

TEST(Normalizer, NoiseIsDropped) {
  EXPECT_EQ(Norm("赌*博"), "赌博");
  EXPECT_EQ(Norm("赌 博"), "赌博");
  EXPECT_EQ(Norm("賭·博"), "赌博");
  EXPECT_EQ(Norm("c a s i n o"), "casino");
  EXPECT_EQ(Norm("赌\u200B博"), "赌博");
  EXPECT_EQ(Norm("赌\u200C\u200D\u2060\uFEFF博"), "赌博");
  EXPECT_EQ(Norm("赌，博。"), "赌博");
  EXPECT_EQ(Norm("赌\t\n\u3000博"), "赌博");
  EXPECT_EQ(Norm("c-a_s.i/n\\o!"), "casino");
}

TEST(Normalizer, EmojiAndVariationSelectorsAreDropped) {
  EXPECT_EQ(Norm("赌😀博"), "赌博");
  EXPECT_EQ(Norm("赌\u2764\uFE0F博"), "赌博");                                // ❤️
  EXPECT_EQ(Norm("赌\U0001F468\u200D\U0001F469\u200D\U0001F467博"), "赌博");  // family ZWJ
  EXPECT_EQ(Norm("赌\U0001F44D\U0001F3FD博"), "赌博");                        // skin tone
  EXPECT_EQ(Norm("赌\U0001F1E8\U0001F1F3博"), "赌博");                        // flag
  EXPECT_EQ(Norm("赌\u0336博"), "赌博");                                      // combining stroke
}

TEST(Normalizer, NoiseKeptWhenDisabled) {
  NormalizerOptions o;
  o.drop_noise = false;
  o.traditional_to_simplified = false;
  auto n = Normalizer::Create(o);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(Norm(**n, "賭 * 博"), "賭 * 博");
  EXPECT_EQ(Norm(**n, "ＡＢＣ!"), "abc!");
}

TEST(Normalizer, CjkLookalikesOnlyWhenAsked) {
  EXPECT_EQ(Norm(Names(), "人民曰报"), "人民日报");
  EXPECT_EQ(Norm(Names(), "周末"), Norm(Names(), "周未"));
  EXPECT_EQ(Norm(Names(), "已巳己"), "己己己");
  EXPECT_EQ(Norm(Names(), "戌戍戊"), "戊戊戊");
  EXPECT_EQ(Norm(Names(), "士"), "土");
  EXPECT_EQ(Norm(Names(), "候"), "侯");
  // Half-width katakana ｴ → エ (NFKC) → 工.
  EXPECT_EQ(Norm(Names(), "ｴロ"), "工口");
  // The screening normaliser keeps these distinct.
  EXPECT_EQ(Norm("人民曰报"), "人民曰报");
  EXPECT_EQ(Norm("周末"), "周末");
}

TEST(Normalizer, IsIdempotent) {
  const char* samples[] = {"ＣＣＴＶ官方",    "國務院客服",   "c\u0430sin\u043E",   "賭·博😀",
                           "Straße ﬁ ㈱ ① Ⅻ", "人民曰报頻道", "\u0421\u0421\u0422V"};
  for (const char* s : samples) {
    std::string once = Norm(Names(), s);
    EXPECT_EQ(Norm(Names(), once), once) << s;
    once = Norm(s);
    EXPECT_EQ(Norm(once), once) << s;
  }
}

TEST(Normalizer, OffsetsMapEveryByteBack) {
  const std::string in = "a賭·博b";  // a(0) 賭(1..4) ·(4..6) 博(6..9) b(9)
  auto r = Screening().Normalize(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "a赌博b");
  ASSERT_EQ(r->start.size(), r->text.size());
  ASSERT_EQ(r->end.size(), r->text.size());
  const size_t pos = r->text.find("赌博");
  ASSERT_EQ(pos, 1u);
  auto [b, e] = MapSpan(*r, pos, pos + std::string("赌博").size());
  EXPECT_EQ(in.substr(b, e - b), "賭·博");
  auto [b2, e2] = MapSpan(*r, 0, 1);
  EXPECT_EQ(in.substr(b2, e2 - b2), "a");
  auto [b3, e3] = MapSpan(*r, r->text.size() - 1, r->text.size());
  EXPECT_EQ(in.substr(b3, e3 - b3), "b");
  // Each byte of 赌 maps to the whole of 賭.
  for (size_t k = 1; k < 4; ++k) {
    EXPECT_EQ(r->start[k], 1u);
    EXPECT_EQ(r->end[k], 4u);
  }
}

TEST(Normalizer, OffsetsAcrossExpansionsAndNoise) {
  const std::string in = "  ＣＡＳ ｉｎｏ ß!";
  auto r = Screening().Normalize(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "casinoss");
  auto [b, e] = MapSpan(*r, 0, 6);
  EXPECT_EQ(in.substr(b, e - b), "ＣＡＳ ｉｎｏ");
  auto [b2, e2] = MapSpan(*r, 6, 7);  // first "s" of ß's expansion
  EXPECT_EQ(in.substr(b2, e2 - b2), "ß");
  auto [b3, e3] = MapSpan(*r, 7, 8);
  EXPECT_EQ(in.substr(b3, e3 - b3), "ß");
  // Offsets are non-decreasing.
  for (size_t k = 1; k < r->start.size(); ++k) EXPECT_LE(r->start[k - 1], r->start[k]);
}

TEST(Normalizer, MapSpanEdgeCases) {
  auto r = Screening().Normalize("x赌y");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(MapSpan(*r, 1, 1), (std::pair<size_t, size_t>{1, 1}));
  EXPECT_EQ(MapSpan(*r, 100, 200), (std::pair<size_t, size_t>{5, 5}));
  EXPECT_EQ(MapSpan(*r, 4, 100), (std::pair<size_t, size_t>{4, 5}));
  auto empty = Screening().Normalize(" ! ");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->text, "");
  EXPECT_EQ(MapSpan(*empty, 0, 0), (std::pair<size_t, size_t>{0, 0}));
}

TEST(Normalizer, FoldMatchesNormalize) {
  const char* s = "ＣＣＴＶ 國務院 c\u0430sino 😀";
  auto full = Screening().Normalize(s);
  auto text = Screening().Fold(s);
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(full->text, *text);
  EXPECT_EQ(Screening().FoldCodePoint(U'Ａ'), "a");
  EXPECT_EQ(Screening().FoldCodePoint(U'國'), "国");
  EXPECT_EQ(Screening().FoldCodePoint(U'·'), "");
  EXPECT_EQ(Screening().FoldCodePoint(U'中'), "中");
}

// Normalize and Fold (one hand-optimised loop, docs/benchmarks.md) agree with the obvious
// per-code-point definition on random mixes of ASCII, CJK, traditional characters, full-width
// forms, noise, expansions (ß, ﬁ, ㈱), 4-byte characters and broken UTF-8, at every length.
TEST(Normalizer, NormalizeAgreesWithPerCodePointFold) {
  const std::vector<std::string> valid_pieces = {
      "a", "Z", " ",  "!", "\t",     "中", "國", "赌", "賭",     "·",      "，", "Ａ",
      "ß", "ﬁ", "㈱", "①", "\u200B", "😀",  "𠀀", "é",  "\u0301", "\u0430", "ロ", "e\u0301"};
  const std::vector<std::string> broken_pieces = {"\xFF", "\xE8\xB5", "\xC0\xAF", "\xED\xA0\x80",
                                                  "\xF0\x9F"};
  uint64_t state = 7;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  for (const Normalizer* norm : {&Screening(), &Names()}) {
    for (int round = 0; round < 3000; ++round) {
      std::string in;
      const int count = static_cast<int>(next() % 24);
      for (int k = 0; k < count; ++k) {
        // Broken sequences are rare so that most inputs are valid.
        in += next() % 64 == 0 ? broken_pieces[next() % broken_pieces.size()]
                               : valid_pieces[next() % valid_pieces.size()];
      }
      std::string want;
      std::vector<uint32_t> want_start, want_end;
      bool valid = true;
      for (size_t i = 0; i < in.size();) {
        char32_t cp;
        const size_t len = DecodeUtf8(in, i, &cp);
        if (len == 0) {
          valid = false;
          break;
        }
        const std::string f = norm->FoldCodePoint(cp);
        want += f;
        want_start.insert(want_start.end(), f.size(), static_cast<uint32_t>(i));
        want_end.insert(want_end.end(), f.size(), static_cast<uint32_t>(i + len));
        i += len;
      }
      auto got = norm->Normalize(in);
      auto folded = norm->Fold(in);
      ASSERT_EQ(got.ok(), valid) << in;
      ASSERT_EQ(folded.ok(), valid) << in;
      if (!valid) {
        EXPECT_EQ(got.status().reason(), "invalid_utf8");
        continue;
      }
      EXPECT_EQ(got->text, want) << in;
      EXPECT_EQ(got->start, want_start) << in;
      EXPECT_EQ(got->end, want_end) << in;
      EXPECT_EQ(*folded, want) << in;
    }
  }
}

TEST(Normalizer, InvalidUtf8IsRejected) {
  for (std::string_view bad : {std::string_view("a\xFF"), std::string_view("\xE8\xB5"),
                               std::string_view("\xC0\xAF"), std::string_view("ok\xED\xA0\x80")}) {
    auto r = Screening().Normalize(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().reason(), "invalid_utf8");
    auto f = Screening().Fold(bad);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().reason(), "invalid_utf8");
  }
}

TEST(Normalizer, MissingOpenccDataFailsAtCreate) {
  NormalizerOptions o;
  o.opencc_data_dir = "/nonexistent/opencc";
  auto r = Normalizer::Create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "opencc_data_missing");
  // Without traditional → simplified the data is not needed.
  o.traditional_to_simplified = false;
  auto ok = Normalizer::Create(o);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Norm(**ok, "國"), "國");
}

TEST(Normalizer, ConcurrentUseGivesTheSameResults) {
  const Normalizer& n = Screening();
  const std::string in = "ＣＣＴＶ 國務院 賭·博 c\u0430sino";
  const std::string want = Norm(in);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        auto r = n.Normalize(in);
        if (!r.ok() || r->text != want) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace herald::text
