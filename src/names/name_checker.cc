#include "names/name_checker.h"

#include <algorithm>
#include <cmath>

#include "text/utf8.h"

namespace herald::names {
namespace {

uint64_t BigramKey(char32_t a, char32_t b) { return (uint64_t{a} << 21) | uint64_t{b}; }

std::vector<uint64_t> Bigrams(std::u32string_view s) {
  std::vector<uint64_t> out;
  if (s.size() < 2) return out;
  out.reserve(s.size() - 1);
  for (size_t i = 0; i + 1 < s.size(); ++i) out.push_back(BigramKey(s[i], s[i + 1]));
  std::sort(out.begin(), out.end());
  return out;
}

// Dice coefficient of two sorted bigram multisets.
double Dice(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) {
      ++common;
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

size_t Levenshtein(std::u32string_view a, std::u32string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// max(Dice, 1 - Levenshtein/longer), skipping each measure when its upper bound from the
// lengths alone cannot reach the threshold.
double Similarity(std::u32string_view a, const std::vector<uint64_t>& a_bigrams,
                  std::u32string_view b, const std::vector<uint64_t>& b_bigrams) {
  double best = 0;
  const size_t na = a_bigrams.size(), nb = b_bigrams.size();
  if (na + nb > 0 && 2.0 * static_cast<double>(std::min(na, nb)) / static_cast<double>(na + nb) >=
                         kReviewThreshold) {
    best = Dice(a_bigrams, b_bigrams);
  }
  const size_t longer = std::max(a.size(), b.size());
  const size_t diff = longer - std::min(a.size(), b.size());
  if (longer > 0 &&
      1.0 - static_cast<double>(diff) / static_cast<double>(longer) >= kReviewThreshold) {
    best =
        std::max(best, 1.0 - static_cast<double>(Levenshtein(a, b)) / static_cast<double>(longer));
  }
  return best;
}

bool IsAscii(std::u32string_view s) {
  return std::all_of(s.begin(), s.end(), [](char32_t c) { return c < 0x80; });
}

bool StartsWith(std::u32string_view s, std::u32string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}
bool EndsWith(std::u32string_view s, std::u32string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::optional<std::u32string> NormaliseToCodePoints(const text::Normalizer& n, std::string_view s) {
  auto folded = n.Fold(s);
  if (!folded.ok()) return std::nullopt;
  return text::DecodeUtf8String(*folded);
}

constexpr double kMaxInexactScore = 0.99;

}  // namespace

std::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "allow";
    case Decision::kReview:
      return "review";
    case Decision::kReject:
      return "reject";
  }
  return "allow";
}

Result<NameChecker> NameChecker::Create(const text::Normalizer& normalizer,
                                        std::vector<ProtectedName> protected_names,
                                        std::vector<std::string> closed_names) {
  if (!normalizer.options().fold_cjk_lookalikes || !normalizer.options().drop_noise) {
    return FailedPrecondition(
        "NameChecker needs a Normalizer with fold_cjk_lookalikes and drop_noise on",
        "normalizer_options");
  }
  NameChecker checker(normalizer);
  for (std::string_view affix : kNameAffixes) {
    auto norm = NormaliseToCodePoints(normalizer, affix);
    if (norm && !norm->empty()) checker.affixes_.push_back(std::move(*norm));
  }
  std::sort(checker.affixes_.begin(), checker.affixes_.end(),
            [](const std::u32string& a, const std::u32string& b) {
              return a.size() != b.size() ? a.size() > b.size() : a < b;
            });
  checker.affixes_.erase(std::unique(checker.affixes_.begin(), checker.affixes_.end()),
                         checker.affixes_.end());
  for (auto& p : protected_names) {
    HERALD_RETURN_IF_ERROR(
        checker.Add(std::move(p.name), std::move(p.kind), p.bound_subject_id, false));
  }
  for (auto& c : closed_names) {
    HERALD_RETURN_IF_ERROR(checker.Add(std::move(c), "closed", std::nullopt, true));
  }
  return checker;
}

Status NameChecker::Add(std::string name, std::string kind, std::optional<int64_t> bound,
                        bool closed) {
  const char* reason = closed ? "invalid_closed_names" : "invalid_protected_names";
  auto norm = NormaliseToCodePoints(*normalizer_, name);
  if (!norm) return InvalidArgument("name is not valid UTF-8", reason);
  if (norm->empty()) {
    return InvalidArgument("name '" + name + "' is empty after normalisation", reason);
  }
  Entry e;
  e.name = std::move(name);
  e.kind = std::move(kind);
  e.bound_subject_id = bound;
  e.closed = closed;
  e.norm = std::move(*norm);
  e.bigrams = Bigrams(e.norm);
  e.min_contain_length = IsAscii(e.norm) ? 3 : 2;
  const auto id = static_cast<uint32_t>(entries_.size());
  exact_[e.norm].push_back(id);
  std::vector<uint64_t> distinct = e.bigrams;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (uint64_t g : distinct) postings_[g].push_back(id);
  entries_.push_back(std::move(e));
  return Status::Ok();
}

NameCheck NameChecker::Check(std::string_view candidate, std::optional<int64_t> subject_id) const {
  NameCheck result;
  auto norm = NormaliseToCodePoints(*normalizer_, candidate);
  if (!norm) {
    result.decision = Decision::kReject;
    result.reason = "invalid_utf8";
    return result;
  }
  const std::u32string& full = *norm;
  if (full.empty()) {
    result.reason = "no_match";
    return result;
  }

  // Rule 1: cores, from the full name down to the most stripped form.
  std::vector<std::u32string_view> cores{full};
  for (std::u32string_view cur = full;;) {
    bool stripped = false;
    for (const auto& affix : affixes_) {
      if (cur.size() <= affix.size()) continue;
      if (StartsWith(cur, affix)) {
        cur.remove_prefix(affix.size());
        stripped = true;
      } else if (EndsWith(cur, affix)) {
        cur.remove_suffix(affix.size());
        stripped = true;
      }
      if (stripped) break;
    }
    if (!stripped) break;
    cores.push_back(cur);
  }
  std::vector<std::vector<uint64_t>> core_bigrams;
  core_bigrams.reserve(cores.size());
  for (auto core : cores) core_bigrams.push_back(Bigrams(core));

  struct Hit {
    uint32_t id;
    double score;
    const char* basis;
  };
  std::vector<Hit> hits;

  // Rule 2: exact.
  std::vector<uint32_t> exact_ids;
  for (auto core : cores) {
    auto it = exact_.find(std::u32string(core));
    if (it == exact_.end()) continue;
    exact_ids.insert(exact_ids.end(), it->second.begin(), it->second.end());
  }
  std::sort(exact_ids.begin(), exact_ids.end());
  exact_ids.erase(std::unique(exact_ids.begin(), exact_ids.end()), exact_ids.end());
  for (uint32_t id : exact_ids) hits.push_back({id, 1.0, "exact"});

  // Rules 3 and 4 on every name sharing a bigram with the candidate.
  std::vector<uint32_t> candidates;
  for (uint64_t g : core_bigrams.front()) {
    auto it = postings_.find(g);
    if (it != postings_.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (uint32_t id : candidates) {
    if (std::binary_search(exact_ids.begin(), exact_ids.end(), id)) continue;
    const Entry& e = entries_[id];
    double score = 0;
    const char* basis = "similar";
    if (e.norm.size() >= e.min_contain_length) {
      // Cores are nested, so the last one containing the name is the shortest.
      std::u32string_view shortest;
      for (auto core : cores) {
        if (core.find(e.norm) != std::u32string_view::npos) shortest = core;
      }
      if (!shortest.empty()) {
        score =
            0.75 + 0.24 * static_cast<double>(e.norm.size()) / static_cast<double>(shortest.size());
        basis = "contains";
      }
    }
    for (size_t k = 0; k < cores.size(); ++k) {
      double s = Similarity(cores[k], core_bigrams[k], e.norm, e.bigrams);
      if (s >= kReviewThreshold && s > score) {
        score = s;
        basis = "similar";
      }
    }
    if (score >= kReviewThreshold) hits.push_back({id, std::min(score, kMaxInexactScore), basis});
  }

  // Rules 5 and 6.
  const Hit* decisive = nullptr;
  for (const Hit& h : hits) {
    const Entry& e = entries_[h.id];
    NameMatch m{e.name, e.kind, h.score, e.closed, false, h.basis};
    m.bound = !e.closed && subject_id && e.bound_subject_id == subject_id;
    result.matches.push_back(std::move(m));
    if (result.matches.back().bound) continue;
    const Decision d = h.score >= 1.0 ? Decision::kReject : Decision::kReview;
    const bool better = decisive == nullptr || d > result.decision ||
                        (d == result.decision &&
                         (h.score > decisive->score || (h.score == decisive->score && e.closed &&
                                                        !entries_[decisive->id].closed)));
    if (better) {
      decisive = &h;
      result.decision = d;
    }
  }
  if (decisive != nullptr) {
    const Entry& e = entries_[decisive->id];
    result.reason = std::string(decisive->basis) + (e.closed ? "_closed" : "_protected");
  } else {
    result.reason = result.matches.empty() ? "no_match" : "bound_subject";
  }
  std::sort(result.matches.begin(), result.matches.end(),
            [](const NameMatch& a, const NameMatch& b) {
              if (a.score != b.score) return a.score > b.score;
              if (a.closed != b.closed) return a.closed;
              return a.protected_name < b.protected_name;
            });
  if (result.matches.size() > kMaxReportedMatches) result.matches.resize(kMaxReportedMatches);
  return result;
}

}  // namespace herald::names
