// NearDuplicateIndex: which earlier documents are near-copies of this one (PA-14.2, PA-17.1,
// PA-18(4), PA-18(6)).
//
// Similarity is the Jaccard index of the documents' sets of character 3-shingles, taken after
// the screening normalisation (full-width, case, traditional → simplified, look-alikes, noise
// dropped), so re-punctuated, re-spaced or traditional-script copies still match. Texts shorter
// than three characters are one shingle.
//
// Lookup: a 128-value MinHash signature per document (one-permutation hashing: each shingle's
// hash goes to one of 128 bins by its top bits and each bin keeps its minimum; empty bins are
// filled by optimal densification, Shrivastava 2017 — one hash per shingle instead of 128),
// banded for locality-sensitive hashing. The band shape follows the threshold: r rows per band,
// the largest r ≤ 8 for which a pair AT the threshold is missed with probability ≤ 1e-4 (at the
// default 0.8: 25 bands × 5 rows, a miss probability of 5e-5 at J = 0.8; at 0.3: 128 bands of one
// row). Every candidate is then verified, according to Verification:
//  - kExact (the default): exact Jaccard of the stored shingle sets. No false positives. Memory
//    per document: 8 bytes per distinct shingle (about one per character) plus the band entries.
//  - kSignature: Jaccard estimated from a stored sketch: a second one-permutation MinHash of
//    1,024 bins, 8 bits kept per value, not densified (the fraction of equal values among the
//    bins non-empty in either document, corrected for the 1/255 chance agreement). Pairs within a
//    few hundredths of the threshold can fall on either side (measured F1 0.97 on edited copies
//    crowded around the threshold, where the 128 signature values alone gave 0.90). About 1 KB plus
//    the band entries
//    (~13 bytes each) per document, whatever its length: the mode for indexes of millions of
//    articles (docs/benchmarks.md has the measured memory, latency and F1 of both modes).
//
// Not thread-safe: callers serialise Insert/Add (publishing is serialised by the database
// anyway); const methods may run concurrently with each other but not with Insert/Add.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "text/normalizer.h"

namespace herald::moderation {

// Exact Jaccard of two sorted, de-duplicated shingle sets.
double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

class NearDuplicateIndex {
 public:
  enum class Verification { kExact, kSignature };

  // What the index needs of one text; FingerprintOf computes it, Lookup and Insert use it, so a
  // caller can fingerprint outside its lock.
  struct Fingerprint {
    std::vector<uint64_t> shingles;  // sorted, distinct; left empty in kSignature mode
    std::vector<uint64_t> minhash;   // 128 values; empty when the text has no shingles
    std::vector<uint8_t> sketch;     // kSignature: 1,024 8-bit values; otherwise empty
  };

  // `threshold`: the Jaccard similarity at or above which two documents are near-duplicates,
  // in (0, 1]. `norm` must use ScreeningNormalizerOptions() and outlive the index.
  NearDuplicateIndex(const text::Normalizer& norm, double threshold = 0.8,
                     Verification verification = Verification::kExact);

  // The sorted shingle set of `text`. InvalidArgument ("invalid_utf8").
  Result<std::vector<uint64_t>> Shingles(std::string_view text) const;

  // The fingerprint of `text`. InvalidArgument ("invalid_utf8").
  Result<Fingerprint> FingerprintOf(std::string_view text) const;

  // Ids of indexed documents with similarity ≥ threshold to the fingerprinted text, in the
  // order they were added. Adds nothing.
  std::vector<std::string> Lookup(const Fingerprint& fp) const;

  // Lookup of `text` without adding it. InvalidArgument ("invalid_utf8").
  Result<std::vector<std::string>> Find(std::string_view text) const;

  // Adds a fingerprinted document under `id` (ids need not be unique).
  void Insert(std::string id, Fingerprint fp);

  // Ids of earlier documents with similarity ≥ threshold to `text`, in the order they were
  // added; then adds `text` under `id`. InvalidArgument ("invalid_utf8"); a text that
  // normalises to nothing matches nothing and is still added.
  Result<std::vector<std::string>> Add(std::string id, std::string_view text);

  size_t size() const { return id_end_.size(); }

  // Bytes held by the index's own arrays (capacity, not counting allocator overhead).
  size_t MemoryBytes() const;

  double threshold() const { return threshold_; }
  Verification verification() const { return verification_; }
  int bands() const { return bands_; }
  int rows() const { return rows_; }

 private:
  // One band's multimap from 32-bit band key to document index: open addressing with linear
  // probing; a slot is (key << 32) | (doc + 1), 0 when empty. Grows at 80% load.
  struct BandTable {
    std::vector<uint64_t> slots;
    size_t used = 0;
    void Insert(uint32_t key, uint32_t doc);
    template <typename F>
    void ForEach(uint32_t key, F&& f) const;
  };

  std::vector<uint32_t> BandKeys(const std::vector<uint64_t>& minhash) const;
  bool Verify(const Fingerprint& fp, uint32_t doc) const;

  const text::Normalizer& norm_;
  double threshold_;
  Verification verification_;
  int rows_ = 5;
  int bands_ = 25;
  std::string ids_;                                   // all ids, concatenated
  std::vector<uint64_t> id_end_;                      // id i = ids_[id_end_[i-1], id_end_[i])
  std::vector<std::vector<uint64_t>> sets_;           // kExact: shingle set per document
  std::vector<std::unique_ptr<uint8_t[]>> sketches_;  // kSignature: 1,024 B per document
  std::vector<BandTable> tables_;                     // one per band
};

}  // namespace herald::moderation
