#include "moderation/dedup.h"

#include <algorithm>
#include <limits>

#include "text/utf8.h"

namespace herald::moderation {

namespace {

constexpr int kShingle = 3;
constexpr int kBands = 32;
constexpr int kRows = 4;
constexpr int kHashes = kBands * kRows;

// splitmix64 finaliser: a fast, well-mixed 64-bit hash step.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() && b.empty()) return 1.0;
  size_t i = 0, j = 0, both = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) {
      ++both;
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return static_cast<double>(both) / static_cast<double>(a.size() + b.size() - both);
}

NearDuplicateIndex::NearDuplicateIndex(const text::Normalizer& norm, double threshold)
    : norm_(norm), threshold_(threshold) {}

Result<std::vector<uint64_t>> NearDuplicateIndex::Shingles(std::string_view text) const {
  HERALD_ASSIGN_OR_RETURN(std::string folded, norm_.Fold(text));
  auto cps = text::DecodeUtf8String(folded);
  if (!cps) return InvalidArgument("text is not valid UTF-8", "invalid_utf8");
  std::vector<uint64_t> out;
  if (cps->empty()) return out;
  const size_t n = cps->size();
  const size_t k = std::min<size_t>(kShingle, n);
  out.reserve(n - k + 1);
  for (size_t i = 0; i + k <= n; ++i) {
    uint64_t h = 0x84222325cbf29ce4ULL;
    for (size_t j = 0; j < k; ++j) h = Mix(h ^ (*cps)[i + j]);
    out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<std::string>> NearDuplicateIndex::Add(std::string id, std::string_view text) {
  HERALD_ASSIGN_OR_RETURN(std::vector<uint64_t> shingles, Shingles(text));
  std::vector<uint64_t> keys;
  if (!shingles.empty()) {
    uint64_t sig[kHashes];
    for (int h = 0; h < kHashes; ++h) sig[h] = std::numeric_limits<uint64_t>::max();
    for (uint64_t s : shingles) {
      for (int h = 0; h < kHashes; ++h) {
        sig[h] = std::min(sig[h], Mix(s ^ (0x51ed270b27e3f1a5ULL * (h + 1))));
      }
    }
    for (int b = 0; b < kBands; ++b) {
      uint64_t key = Mix(static_cast<uint64_t>(b));
      for (int r = 0; r < kRows; ++r) key = Mix(key ^ sig[b * kRows + r]);
      keys.push_back(key);
    }
  }
  std::vector<uint32_t> candidates;
  for (uint64_t key : keys) {
    auto it = buckets_.find(key);
    if (it != buckets_.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<std::string> near;
  for (uint32_t c : candidates) {
    if (Jaccard(shingles, docs_[c].shingles) >= threshold_) near.push_back(docs_[c].id);
  }
  const uint32_t index = static_cast<uint32_t>(docs_.size());
  docs_.push_back(Doc{std::move(id), std::move(shingles)});
  for (uint64_t key : keys) buckets_[key].push_back(index);
  return near;
}

}  // namespace herald::moderation
