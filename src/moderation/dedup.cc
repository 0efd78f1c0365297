#include "moderation/dedup.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>

namespace herald::moderation {

namespace {

constexpr int kShingle = 3;
constexpr int kHashes = 128;   // signature values (bins of one-permutation hashing)
constexpr int kBinShift = 57;  // top 7 bits of a shingle hash choose its bin
constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();

// splitmix64 finaliser: a fast, well-mixed 64-bit hash step.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Decodes the next code point of well-formed UTF-8 (Normalizer output) at p[i].
inline char32_t NextCodePoint(const unsigned char* p, size_t* i) {
  const unsigned c = p[*i];
  if (c < 0x80) {
    *i += 1;
    return c;
  }
  if (c < 0xE0) {
    char32_t v = (char32_t(c & 0x1F) << 6) | (p[*i + 1] & 0x3F);
    *i += 2;
    return v;
  }
  if (c < 0xF0) {
    char32_t v =
        (char32_t(c & 0x0F) << 12) | (char32_t(p[*i + 1] & 0x3F) << 6) | (p[*i + 2] & 0x3F);
    *i += 3;
    return v;
  }
  char32_t v = (char32_t(c & 0x07) << 18) | (char32_t(p[*i + 1] & 0x3F) << 12) |
               (char32_t(p[*i + 2] & 0x3F) << 6) | (p[*i + 3] & 0x3F);
  *i += 4;
  return v;
}

// Calls f(hash) for every character 3-shingle of folded (well-formed UTF-8) text, or once for a
// text of one or two characters. A shingle packs its three 21-bit code points into one integer
// (injective), marked in bit 63 when shorter than three, then mixed.
template <typename F>
void ForEachShingle(const std::string& folded, F&& f) {
  const auto* p = reinterpret_cast<const unsigned char*>(folded.data());
  const size_t n = folded.size();
  size_t i = 0;
  uint64_t window = 0;
  int have = 0;
  while (i < n) {
    window = ((window << 21) | NextCodePoint(p, &i)) & ((uint64_t{1} << 63) - 1);
    if (++have >= kShingle) f(Mix(window));
  }
  if (have > 0 && have < kShingle) f(Mix(window | (uint64_t{1} << 63) | uint64_t(have) << 61));
}

// One-permutation MinHash with optimal densification: bin = some bits of the shingle hash, each
// bin keeps its minimum; an empty bin i takes the value of the first non-empty bin in a fixed
// pseudo-random sequence of bins for i, so two documents' values in bin i agree with
// probability equal to their Jaccard similarity. `k` is a power of two.
void Densify(uint64_t* sig, int k) {
  bool any = false;
  for (int i = 0; i < k; ++i) any |= sig[i] != kEmpty;
  if (!any) return;
  const int shift = 64 - std::countr_zero(static_cast<unsigned>(k));
  std::vector<uint64_t> filled(sig, sig + k);
  for (int i = 0; i < k; ++i) {
    if (sig[i] != kEmpty) continue;
    uint64_t attempt = 0;
    int j;
    do {
      ++attempt;
      j = attempt <= 4096 ? static_cast<int>(Mix((uint64_t(i) << 32) | attempt) >> shift)
                          : static_cast<int>((attempt - 4097) % static_cast<uint64_t>(k));
    } while (sig[j] == kEmpty);
    filled[static_cast<size_t>(i)] = sig[j];
  }
  std::copy(filled.begin(), filled.end(), sig);
}

// kSignature keeps a second, larger one-permutation sketch for verification: 1,024 bins chosen
// by 10 bits of the shingle hash below the 7 that choose the LSH bin, 8 bits kept per value,
// 0 for an empty bin (not densified: the estimator skips bins empty in both documents).
constexpr int kSketch = 1024;
constexpr int kSketchShift = 47;
// Sketches live in chunks of 4 MB so that the index never reallocates (and briefly doubles)
// gigabytes as it grows.
constexpr uint32_t kSketchesPerChunk = 4096;
uint8_t Short(uint64_t v) { return static_cast<uint8_t>(1 + (Mix(v) >> 32) % 255); }

// The number of rows per band: the largest r ≤ 8 whose floor(128 / r) bands miss a pair at the
// threshold with probability ≤ 1e-4.
int RowsFor(double threshold) {
  for (int r = 8; r > 1; --r) {
    const double miss = std::pow(1.0 - std::pow(threshold, r), kHashes / r);
    if (miss <= 1e-4) return r;
  }
  return 1;
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

void NearDuplicateIndex::BandTable::Insert(uint32_t key, uint32_t doc) {
  if (slots.empty() || (used + 1) * 5 > slots.size() * 4) {
    std::vector<uint64_t> old(slots.empty() ? 1024 : slots.size() * 2, 0);
    old.swap(slots);
    const size_t mask = slots.size() - 1;
    for (uint64_t s : old) {
      if (s == 0) continue;
      size_t at = (s >> 32) & mask;
      while (slots[at] != 0) at = (at + 1) & mask;
      slots[at] = s;
    }
  }
  const size_t mask = slots.size() - 1;
  size_t at = key & mask;
  while (slots[at] != 0) at = (at + 1) & mask;
  slots[at] = (uint64_t{key} << 32) | (uint64_t{doc} + 1);
  ++used;
}

template <typename F>
void NearDuplicateIndex::BandTable::ForEach(uint32_t key, F&& f) const {
  if (slots.empty()) return;
  const size_t mask = slots.size() - 1;
  for (size_t at = key & mask; slots[at] != 0; at = (at + 1) & mask) {
    if ((slots[at] >> 32) == key) f(static_cast<uint32_t>(slots[at] & 0xFFFFFFFFu) - 1);
  }
}

NearDuplicateIndex::NearDuplicateIndex(const text::Normalizer& norm, double threshold,
                                       Verification verification)
    : norm_(norm), threshold_(threshold), verification_(verification) {
  rows_ = RowsFor(std::clamp(threshold_, 0.01, 1.0));
  bands_ = kHashes / rows_;
  tables_.resize(static_cast<size_t>(bands_));
}

Result<std::vector<uint64_t>> NearDuplicateIndex::Shingles(std::string_view text) const {
  HERALD_ASSIGN_OR_RETURN(std::string folded, norm_.Fold(text));
  std::vector<uint64_t> out;
  out.reserve(folded.size() / 2 + 1);
  ForEachShingle(folded, [&](uint64_t h) { out.push_back(h); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<NearDuplicateIndex::Fingerprint> NearDuplicateIndex::FingerprintOf(
    std::string_view text) const {
  HERALD_ASSIGN_OR_RETURN(std::string folded, norm_.Fold(text));
  Fingerprint fp;
  uint64_t sig[kHashes];
  std::fill(sig, sig + kHashes, kEmpty);
  bool any = false;
  const bool exact = verification_ == Verification::kExact;
  std::vector<uint64_t> sketch;
  if (exact) {
    fp.shingles.reserve(folded.size() / 2 + 1);
  } else {
    sketch.assign(kSketch, kEmpty);
  }
  ForEachShingle(folded, [&](uint64_t h) {
    any = true;
    uint64_t& bin = sig[h >> kBinShift];
    bin = std::min(bin, h);
    if (exact) {
      fp.shingles.push_back(h);
    } else {
      uint64_t& s = sketch[(h >> kSketchShift) & (kSketch - 1)];
      s = std::min(s, h);
    }
  });
  if (!any) return fp;
  Densify(sig, kHashes);
  fp.minhash.assign(sig, sig + kHashes);
  if (exact) {
    std::sort(fp.shingles.begin(), fp.shingles.end());
    fp.shingles.erase(std::unique(fp.shingles.begin(), fp.shingles.end()), fp.shingles.end());
  } else {
    fp.sketch.reserve(kSketch);
    for (uint64_t v : sketch) fp.sketch.push_back(v == kEmpty ? 0 : Short(v));
  }
  return fp;
}

std::vector<uint32_t> NearDuplicateIndex::BandKeys(const std::vector<uint64_t>& minhash) const {
  std::vector<uint32_t> keys;
  if (minhash.size() != kHashes) return keys;
  keys.reserve(static_cast<size_t>(bands_));
  for (int b = 0; b < bands_; ++b) {
    uint64_t key = Mix(static_cast<uint64_t>(b));
    for (int r = 0; r < rows_; ++r) key = Mix(key ^ minhash[static_cast<size_t>(b * rows_ + r)]);
    keys.push_back(static_cast<uint32_t>(key >> 32));
  }
  return keys;
}

bool NearDuplicateIndex::Verify(const Fingerprint& fp, uint32_t doc) const {
  if (verification_ == Verification::kExact) {
    return Jaccard(fp.shingles, sets_[doc]) >= threshold_;
  }
  if (fp.sketch.size() != kSketch) return false;
  // The one-permutation estimator (Li, Owen and Zhang 2012): among the bins non-empty in either
  // document, the fraction whose minimum is shared. Two different values agree in their 8 kept
  // bits with probability 1/255: the count of agreements is unbiased for that.
  const uint8_t* mine = fp.sketch.data();
  const uint8_t* other = sketches_[doc / kSketchesPerChunk].get() +
                         static_cast<size_t>(doc % kSketchesPerChunk) * kSketch;
  int equal = 0, both = 0, either = 0;
  for (int i = 0; i < kSketch; ++i) {
    const bool a = mine[i] != 0, b = other[i] != 0;
    either += a | b;
    both += a & b;
    equal += a & b & (mine[i] == other[i]);
  }
  if (either == 0) return false;
  constexpr double kChance = 1.0 / 255.0;
  const double shared = (equal - kChance * both) / (1.0 - kChance);
  return shared / either >= threshold_ - 1e-12;
}

std::vector<std::string> NearDuplicateIndex::Lookup(const Fingerprint& fp) const {
  std::vector<std::string> near;
  const std::vector<uint32_t> keys = BandKeys(fp.minhash);
  if (keys.empty()) return near;
  std::vector<uint32_t> candidates;
  for (size_t b = 0; b < keys.size(); ++b) {
    tables_[b].ForEach(keys[b], [&](uint32_t doc) { candidates.push_back(doc); });
  }
  if (candidates.empty()) return near;
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (uint32_t c : candidates) {
    if (!Verify(fp, c)) continue;
    const size_t begin = c == 0 ? 0 : id_end_[c - 1];
    near.emplace_back(ids_, begin, id_end_[c] - begin);
  }
  return near;
}

Result<std::vector<std::string>> NearDuplicateIndex::Find(std::string_view text) const {
  HERALD_ASSIGN_OR_RETURN(Fingerprint fp, FingerprintOf(text));
  return Lookup(fp);
}

void NearDuplicateIndex::Insert(std::string id, Fingerprint fp) {
  const auto doc = static_cast<uint32_t>(id_end_.size());
  ids_ += id;
  id_end_.push_back(ids_.size());
  if (verification_ == Verification::kExact) {
    fp.shingles.shrink_to_fit();
    sets_.push_back(std::move(fp.shingles));
  } else {
    if (doc % kSketchesPerChunk == 0) {
      sketches_.push_back(
          std::make_unique_for_overwrite<uint8_t[]>(size_t{kSketchesPerChunk} * kSketch));
    }
    uint8_t* to = sketches_.back().get() + static_cast<size_t>(doc % kSketchesPerChunk) * kSketch;
    if (fp.sketch.size() == kSketch) {
      std::copy(fp.sketch.begin(), fp.sketch.end(), to);
    } else {
      std::fill(to, to + kSketch, 0);  // no shingles: all bins empty
    }
  }
  const std::vector<uint32_t> keys = BandKeys(fp.minhash);
  for (size_t b = 0; b < keys.size(); ++b) tables_[b].Insert(keys[b], doc);
}

Result<std::vector<std::string>> NearDuplicateIndex::Add(std::string id, std::string_view text) {
  HERALD_ASSIGN_OR_RETURN(Fingerprint fp, FingerprintOf(text));
  std::vector<std::string> near = Lookup(fp);
  Insert(std::move(id), std::move(fp));
  return near;
}

size_t NearDuplicateIndex::MemoryBytes() const {
  size_t bytes = ids_.capacity() + id_end_.capacity() * sizeof(uint64_t) +
                 sets_.capacity() * sizeof(std::vector<uint64_t>) +
                 sketches_.size() * size_t{kSketchesPerChunk} * kSketch;
  for (const auto& s : sets_) bytes += s.capacity() * sizeof(uint64_t);
  for (const auto& t : tables_) bytes += t.slots.capacity() * sizeof(uint64_t);
  return bytes;
}

}  // namespace herald::moderation
