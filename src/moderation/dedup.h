// NearDuplicateIndex: which earlier documents are near-copies of this one (PA-14.2, PA-17.1,
// PA-18(4), PA-18(6)).
//
// Similarity is the Jaccard index of the documents' sets of character 3-shingles, taken after
// the screening normalisation (full-width, case, traditional → simplified, look-alikes, noise
// dropped), so re-punctuated, re-spaced or traditional-script copies still match. Texts shorter
// than three characters are one shingle.
//
// Lookup: MinHash signatures (128 hash functions) banded for locality-sensitive hashing (32
// bands × 4 rows: pairs at Jaccard 0.8 collide in some band with probability > 0.999, pairs at
// 0.3 with about 0.23); every candidate is then checked against the exact Jaccard of the stored
// shingle sets, so the answer has no false positives and misses a pair at J ≥ 0.8 with
// probability < 0.1%. Memory per document: the shingle set (8 bytes per distinct shingle) plus
// 32 band keys.
//
// Not thread-safe: callers serialise Add (publishing is serialised by the database anyway).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "text/normalizer.h"

namespace herald::moderation {

// Exact Jaccard of two sorted, de-duplicated shingle sets.
double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

class NearDuplicateIndex {
 public:
  // `threshold`: the Jaccard similarity at or above which two documents are near-duplicates,
  // in (0, 1]. `norm` must use ScreeningNormalizerOptions() and outlive the index.
  NearDuplicateIndex(const text::Normalizer& norm, double threshold = 0.8);

  // The sorted shingle set of `text`. InvalidArgument ("invalid_utf8").
  Result<std::vector<uint64_t>> Shingles(std::string_view text) const;

  // Ids of earlier documents with similarity ≥ threshold to `text`, in the order they were
  // added; then adds `text` under `id`. InvalidArgument ("invalid_utf8"); a text that
  // normalises to nothing matches nothing and is still added.
  Result<std::vector<std::string>> Add(std::string id, std::string_view text);

  size_t size() const { return docs_.size(); }

 private:
  struct Doc {
    std::string id;
    std::vector<uint64_t> shingles;
  };
  const text::Normalizer& norm_;
  double threshold_;
  std::vector<Doc> docs_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> buckets_;  // band key → doc indexes
};

}  // namespace herald::moderation
