// NameChecker: does a proposed account name use or imply a protected name (a government body,
// medium, enterprise, institution or public figure) or a name closed by sanction?
//
// Both sides are compared after text::Normalizer folding (traditional → simplified, full-width
// and case, Latin and CJK look-alikes, separators/spaces/emoji dropped), so 國務院客服,
// ＣＣＴＶ官方, 人 民 曰 报 and Cyrillic "ССТV" meet 国务院, CCTV, 人民日报. Decision rules
// (docs/names.md):
//
//  1. Normalise the candidate; then strip the affixes in kNameAffixes from either end, longest
//     first, repeatedly, never down to nothing. Every intermediate form is a "core"
//     (e.g. 官方人民日报频道 → 人民日报频道 → 人民日报).
//  2. Exact: a core equals a normalised protected or closed name → score 1.0.
//  3. Contains: the normalised candidate contains a protected/closed name of at least 2 code
//     points (3 when the name is pure ASCII) → score 0.75 + 0.24 × (name length / length of the
//     shortest core containing it), so in [0.75, 0.99].
//  4. Similar: max over cores of max(character-bigram Dice, 1 − Levenshtein/longer length)
//     ≥ kReviewThreshold (0.75) → that score, capped at 0.99.
//     One-character names therefore only ever match exactly, two-character names exactly or by
//     containment.
//  5. A match is "bound" when `subject_id` equals the protected name's bound_subject_id: the
//     caller's own subject is entitled to the name. Bound matches are still reported but never
//     count against the candidate. Closed names are never bound: they can never be registered
//     again by anyone.
//  6. Decision: any unbound exact match → kReject; otherwise any unbound match → kReview;
//     otherwise kAllow.
//
// Cost: protected and closed names are indexed by normalised character bigram (plus a hash map
// for exact lookups). A check costs O(|c|·A) for affix stripping (A affixes), O(|c|) index
// lookups, and O(K·|c|·L) verification, where |c| is the candidate's length, L the longest
// name and K the number of distinct names sharing a bigram with the candidate — typically a few
// dozen for a registry of ~10k names, independent of the registry's total size. Any pair
// scoring ≥ 0.75 by rule 3 or 4 shares a bigram, so the index misses nothing.
//
// Thread safety: immutable after Create(); Check may be called concurrently. The Normalizer
// passed to Create must outlive the checker.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "names/protected_names.h"
#include "text/normalizer.h"

namespace herald::names {

// The one list of affixes that do not change whose name it is: a candidate made of a protected
// name plus any of these (at either end, in any number) is treated as the protected name itself.
// Written in simplified Chinese / lower case; they are normalised with the checker's Normalizer,
// so traditional, full-width and upper-case spellings match too (官方頻道, ＯＦＦＩＣＩＡＬ).
inline constexpr std::string_view kNameAffixes[] = {
    "官方", "官微", "官网", "官号", "客服", "服务号",   "订阅号",  "公众号", "频道",   "中心",
    "在线", "线上", "平台", "账号", "帐号", "official", "service", "online", "channel"};

// Rule 4's threshold: a similarity at or above it is a match (kReview when unbound).
inline constexpr double kReviewThreshold = 0.75;
// At most this many matches are reported (the best ones); the decision considers all.
inline constexpr size_t kMaxReportedMatches = 10;

enum class Decision { kAllow, kReview, kReject };

// "allow", "review", "reject".
std::string_view DecisionName(Decision d);

struct NameMatch {
  std::string protected_name;  // exactly as given to Create (the file's spelling)
  std::string kind;            // the protected kind, or "closed" for a closed name
  double score = 0;            // in [0, 1]; 1.0 only for exact matches (rule 2)
  bool closed = false;         // a name closed by sanction
  bool bound = false;          // the checked subject is entitled to it (rule 5)
  std::string basis;           // "exact", "contains" or "similar"
};

struct NameCheck {
  Decision decision = Decision::kAllow;
  std::vector<NameMatch> matches;  // score descending; closed before protected on ties
  // Why: "exact_closed", "exact_protected", "contains_closed", "contains_protected",
  // "similar_closed", "similar_protected" (from the best unbound match), "bound_subject" (only
  // bound matches), "no_match", or "invalid_utf8" (the candidate is not UTF-8: kReject).
  std::string reason;
};

class NameChecker {
 public:
  // Builds the index. `normalizer` must have fold_cjk_lookalikes and drop_noise on.
  // Errors: FailedPrecondition (reason "normalizer_options") when it does not;
  // InvalidArgument, reason "invalid_protected_names" / "invalid_closed_names", when a name is
  // not UTF-8 or normalises to nothing (e.g. "***").
  static Result<NameChecker> Create(const text::Normalizer& normalizer,
                                    std::vector<ProtectedName> protected_names,
                                    std::vector<std::string> closed_names);

  // Checks a candidate account name; `subject_id` is the subject applying for it, if known.
  // Never fails: invalid UTF-8 yields kReject with reason "invalid_utf8"; a candidate that
  // normalises to nothing is allowed ("no_match") — other rules judge empty names.
  NameCheck Check(std::string_view candidate, std::optional<int64_t> subject_id = {}) const;

  NameChecker(NameChecker&&) = default;
  NameChecker& operator=(NameChecker&&) = default;

 private:
  struct Entry {
    std::string name;
    std::string kind;
    std::optional<int64_t> bound_subject_id;
    bool closed = false;
    std::u32string norm;
    std::vector<uint64_t> bigrams;  // sorted, with repeats
    size_t min_contain_length = 2;
  };

  explicit NameChecker(const text::Normalizer& normalizer) : normalizer_(&normalizer) {}
  Status Add(std::string name, std::string kind, std::optional<int64_t> bound, bool closed);

  const text::Normalizer* normalizer_;
  std::vector<std::u32string> affixes_;  // normalised, longest first
  std::vector<Entry> entries_;
  std::unordered_map<std::u32string, std::vector<uint32_t>> exact_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> postings_;  // bigram → entries
};

}  // namespace herald::names
