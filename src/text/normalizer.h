// Normalizer: evasion-resistant text folding with a map back to the original bytes.
//
// Content screening and name checks compare text after folding away the usual disguises:
// full-width and case (ＡＢＣ → abc), traditional characters (賭博 → 赌博), look-alike letters
// (Cyrillic "сasinо" → casino), and inserted separators, zero-width characters, punctuation,
// symbols and emoji (赌*博, 賭·博, c a s i n o → 赌博, casino). A screening engine matches banned
// terms (normalised with the same Normalizer) on `Normalized::text` and maps each match back to
// the original with MapSpan.
//
// How it works: Create() precomputes one fold per code point — code point → replacement UTF-8
// (possibly empty) — from ICU's NFKC_Casefold, OpenCC's TSCharacters table, ICU's confusable
// skeletons and a curated CJK look-alike table, then closes it under repetition so that
// Normalize(Normalize(x)) == Normalize(x). Normalize is then one pass of two-level table lookups.
//
// Approximations, by design (per code point, not per sequence):
//  - NFKC is applied to each code point alone: canonical composition across code points (e.g.
//    "e" + U+0301 → "é") does not happen; with drop_noise the combining mark is simply dropped.
//  - Traditional → simplified is character by character (OpenCC's phrase table is not used),
//    so a one-to-many character takes its most common simplified form (乾隆 → 干隆).
//  - Combining marks (Mn, Me) are treated as noise, which suits Chinese and Latin text but
//    strips vowel signs from e.g. Thai or Devanagari.
//
// Thread safety: a Normalizer is immutable after Create(); all methods are const and may be
// called concurrently from any number of threads. It holds no ICU or OpenCC objects after
// construction (about 400 KB of tables and an 8 KB bitmap).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace herald::text {

// Which folds Create() builds into the table. Every step is independent; the defaults suit
// content screening. Name checks additionally turn on fold_cjk_lookalikes.
struct NormalizerOptions {
  // Unicode NFKC_Casefold per code point: full-width → half-width, compatibility forms
  // (①→1, ㈱→(株), ﬁ→fi), case folding (ABC→abc, ß→ss), and removal of default-ignorable
  // code points (zero-width characters, variation selectors).
  bool nfkc_casefold = true;
  // Traditional → simplified Chinese, one character at a time, from OpenCC's TSCharacters.
  bool traditional_to_simplified = true;
  // Letters and digits of other scripts that look like an ASCII letter or digit fold to it:
  // Cyrillic/Greek homoglyphs (а→a, о→o, е→e, р→p, с→c, ο→o, ν→v), accented Latin (é→e),
  // dotless ı → i, mathematical letters. Built from ICU's confusable skeletons (UTS #39) for
  // Latin, Greek, Cyrillic, Armenian, Cherokee, Coptic, Lisu, Canadian syllabics and Common;
  // other scripts (Han, kana, Hangul, Arabic, Hebrew, Indic, ...) are never folded to ASCII.
  // ASCII itself is never changed by this step. Text in Cyrillic or Greek is thereby folded
  // too (Б → 6, З → 3): compare only texts normalised by the same Normalizer.
  bool fold_lookalikes = true;
  // A small curated table of visually confusable CJK characters folded to one representative
  // (曰→日, 末→未, 已/巳→己, 士→土, 戌/戍→戊, 候→侯, 入→人, katakana ロ→口, エ→工, ...).
  // Intended for NAME checks only: these are all real, distinct characters, so turning this on
  // for general screening would merge unrelated words (周末 → 周未).
  bool fold_cjk_lookalikes = false;
  // Drop whitespace, control and format characters (including U+200B..U+200D, U+2060, U+FEFF),
  // all default-ignorable code points, punctuation (P*), symbols (S*: emoji, ·, *, currency),
  // combining marks (Mn, Me; includes variation selectors) and private-use characters.
  bool drop_noise = true;
  // Directory holding OpenCC's TSCharacters.ocd2. Empty: the build default, CMake option
  // HERALD_OPENCC_DATA_DIR (normally /usr/share/opencc).
  std::string opencc_data_dir;
};

// The result of Normalize. Offsets are PER BYTE of `text`: byte k of `text` was produced by
// the original code point occupying bytes [start[k], end[k]) of the input. Every output byte
// comes from exactly one input code point; an input code point may produce zero bytes (noise)
// or several code points (ß → ss). start/end are non-decreasing. Inputs are limited to
// 4 GiB - 1 bytes so offsets fit in uint32_t.
struct Normalized {
  std::string text;  // well-formed UTF-8
  std::vector<uint32_t> start;
  std::vector<uint32_t> end;
};

// Maps the byte range [norm_begin, norm_end) of n.text (e.g. a Vectorscan match) to the byte
// range of the original input it came from: from the start of the first contributing code point
// to the end of the last, so noise in between (賭·博) is included. Arguments past the end are
// clamped. An empty range maps to an empty range at the original position of norm_begin (the end
// of the last contributing code point when norm_begin == n.text.size(); {0, 0} for empty text).
std::pair<size_t, size_t> MapSpan(const Normalized& n, size_t norm_begin, size_t norm_end);

class Normalizer {
 public:
  // Builds the fold table (tens of milliseconds; do it once at start-up and share the result).
  // Errors: FailedPrecondition (reason "opencc_data_missing") when TSCharacters.ocd2 cannot be
  // opened or read while traditional_to_simplified is on; Internal (reason "icu_error") when
  // ICU fails to provide its normalisation or confusable data.
  static Result<std::unique_ptr<Normalizer>> Create(const NormalizerOptions& options);

  // Normalises `utf8` and records, per output byte, the original byte span (see Normalized).
  // Errors: InvalidArgument, reason "invalid_utf8", when `utf8` is not well-formed UTF-8;
  // InvalidArgument, reason "text_too_large", when it is 4 GiB or longer.
  Result<Normalized> Normalize(std::string_view utf8) const;

  // The same text as Normalize(utf8)->text without the offset vectors (about twice as fast).
  // Same errors as Normalize.
  Result<std::string> Fold(std::string_view utf8) const;

  // The fold of a single code point as UTF-8 (empty when it is dropped, or when `cp` is not a
  // Unicode scalar value).
  std::string FoldCodePoint(char32_t cp) const;

  const NormalizerOptions& options() const { return options_; }

  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

 private:
  Normalizer() = default;
  template <bool kWithOffsets>
  Status Run(std::string_view in, std::string* text, std::vector<uint32_t>* start,
             std::vector<uint32_t>* end) const;
  uint32_t Entry(char32_t cp) const {
    return blocks_[(static_cast<size_t>(stage1_[cp >> 8]) << 8) | (cp & 0xFF)];
  }

  NormalizerOptions options_;
  // Two-level table: stage1_[cp >> 8] selects a 256-entry block in blocks_ (identical blocks
  // are shared). An entry is kIdentity (copy the input bytes) or (length << 24 | offset) into
  // pool_ (length 0: drop the code point).
  std::vector<uint16_t> stage1_;
  std::vector<uint32_t> blocks_;
  std::string pool_;
  // One bit per BMP code point, set when its entry is kIdentity: the common case of Run answered
  // from 8 KB (stays in L1) instead of two dependent loads into ~100 KB of blocks.
  std::vector<uint64_t> bmp_identity_;
};

}  // namespace herald::text
