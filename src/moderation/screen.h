// Text screening: banned-term dictionaries matched against evasion-normalised text.
//
// A Dictionary is compiled once from one or more term files (format below and in
// docs/moderation.md) and then screens any number of texts. Both the terms and every screened
// text pass through the same text::Normalizer, so full-width letters, case, traditional
// characters, look-alike letters and noise inserted between characters (赌*博, 賭·博,
// ＣＡＳＩＮＯ, c a s i n o) do not hide a term. Matching is one Vectorscan literal scan per
// text; every match is reported with the byte span it covers in the ORIGINAL text.
//
// Term file format, one entry per line, UTF-8:
//   term<TAB>category<TAB>action        action: block | review | flag | replace | allow
// Lines starting with `#` (after optional spaces) and blank lines are skipped; a trailing \r is
// stripped; a UTF-8 byte order mark at the start of a file is ignored. The category and action
// columns are trimmed of ASCII whitespace; the term is kept exactly as written (it is reported
// that way) and matched in its normalised form, which must not be empty.
//
// `allow` entries are harmless words that contain a banned term (大麻烦 contains 大麻, 支援交通
// contains 援交). A match lying entirely inside an occurrence of an allow entry (in the
// normalised text) is dropped; allow entries themselves are never reported.
//
// Verdict: the strongest action among the reported matches, block > review > flag > allow,
// where a `replace` match counts as flag (the content may be published once masked, see Mask,
// but someone may want to look at it). No match: allow.
//
// Thread safety: a Dictionary is immutable after Load and Screen may be called concurrently
// from any number of threads (Vectorscan scratch space is taken from an internal pool guarded
// by a mutex, one scratch per concurrent call). Share it as std::shared_ptr<const Dictionary>.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "text/normalizer.h"

namespace herald::moderation {

// Ordered by strength for the verdict (kReplace is never a verdict: it counts as kFlag).
enum class Action { kAllow = 0, kFlag = 1, kReplace = 2, kReview = 3, kBlock = 4 };

// "allow", "flag", "replace", "review", "block".
std::string_view ActionName(Action action);

// The normaliser options screening is meant to use: nfkc_casefold, traditional_to_simplified,
// fold_lookalikes and drop_noise on; fold_cjk_lookalikes off (it would merge real, distinct
// words such as 周末 and 周未).
text::NormalizerOptions ScreeningNormalizerOptions();

struct Match {
  std::string term;  // exactly as written in the dictionary file
  std::string category;
  Action action = Action::kFlag;  // never kAllow
  size_t start = 0;               // byte offset in the original text
  size_t end = 0;                 // exclusive byte offset in the original text
};

struct ScreenResult {
  Action verdict = Action::kAllow;  // kAllow, kFlag, kReview or kBlock
  // Sorted by start, then end, then dictionary order (files in Load order, lines in file
  // order). Overlapping matches are all reported; the same entry is reported once per span.
  std::vector<Match> matches;
};

class Dictionary {
 public:
  // One term file: a name used in error messages (normally its path) and its contents.
  using File = std::pair<std::string, std::string>;

  // Parses and compiles `files` together into one dictionary. Every term is normalised with
  // `norm`, which is kept by reference: it must outlive the Dictionary, and Screen normalises
  // texts with it. Files with no entries are fine (a dictionary with no entries allows
  // everything).
  // Errors: InvalidArgument, reason "invalid_terms", field = the file name, message
  // "<file>:<line>: <what is wrong>", for a line without exactly three tab-separated columns,
  // an unknown action, an empty category, a line that is not valid UTF-8, or a term that is
  // empty after normalisation (only noise, e.g. "***"). Internal, reason "matcher_error", when
  // Vectorscan cannot compile the terms or allocate scratch space (e.g. an unsupported CPU).
  static Result<std::shared_ptr<const Dictionary>> Load(const std::vector<File>& files,
                                                        const text::Normalizer& norm);

  // Screens one text. Errors: InvalidArgument, reason "invalid_utf8", when `text` is not
  // well-formed UTF-8 (reason "text_too_large" at 4 GiB or more); Internal, reason
  // "matcher_error", when Vectorscan fails (out of memory).
  Result<ScreenResult> Screen(std::string_view text) const;

  // Number of entries, allow entries included.
  size_t size() const { return entries_.size(); }

  ~Dictionary();
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

 private:
  struct Entry {
    std::string term;        // as written
    std::string normalized;  // what is matched
    std::string category;
    Action action;
  };
  class ScratchLease;

  explicit Dictionary(const text::Normalizer& norm) : norm_(norm) {}

  const text::Normalizer& norm_;
  std::vector<Entry> entries_;  // pattern id = index
  void* database_ = nullptr;    // hs_database_t*; null when there are no entries
  void* prototype_ = nullptr;   // hs_scratch_t* cloned for each concurrent caller
  mutable std::mutex pool_mu_;
  mutable std::vector<void*> pool_;  // idle hs_scratch_t*, guarded by pool_mu_
};

// Returns `original` with the bytes of every kReplace match replaced by one '*' per code point
// (overlapping spans are masked once); other matches and other text are left unchanged. Spans
// past the end of `original` are clamped. Bytes that are not valid UTF-8 count as one
// character each.
std::string Mask(std::string_view original, const std::vector<Match>& matches);

}  // namespace herald::moderation
