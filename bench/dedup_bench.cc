// Near-duplicate index at scale (issue 4, "Benchmarks"): fingerprinting MB/s, lookup latency
// p50/p99 with N articles indexed, memory per article, and precision/recall (F1) against exact
// Jaccard on generated edited copies.
//
//   herald_dedup_bench --articles 1000000 [--mode exact|signature] [--threshold 0.8]
//                      [--queries 10000] [--families 500] [--dict PATH] [--seed 1]
//   herald_dedup_bench --experiment [--families 500]     verification alternatives, no index
//
// Articles are synthetic but realistic in size and content: 330-1,000 Chinese characters
// (about 1-3 KB of UTF-8) of words drawn by frequency from jieba's word list (Debian
// python3-jieba), with Chinese punctuation; article i is generated from seed i, so any article
// can be regenerated to check a reported pair. Steps:
//  1. fill: Add(id, text) for N articles (generation time excluded);
//  2. fingerprint: FingerprintOf on 20,000 fresh articles, MB/s of UTF-8 input;
//  3. lookup: Q queries (half edited copies of indexed articles, half fresh articles), timing
//     FingerprintOf and Lookup separately: p50/p99/max of Lookup alone and of both;
//  4. memory: RSS growth over the fill and MemoryBytes(), per article;
//  5. accuracy: a test set of F families (a base article and 5 edited copies with 0-8% of the
//     characters substituted, deleted or inserted, sometimes a header or footer line added) plus
//     F unrelated articles, added in random order after the fill; every reported pair is checked
//     against exact Jaccard (filler articles are regenerated), every pair within the test set is
//     compared by brute force: precision, recall, F1.
// --experiment compares ways of verifying a candidate pair on the test set alone (all pairs, no
// LSH): exact Jaccard, the MinHash estimate with 32/16/8-bit values, and 64-bit SimHash at its
// best Hamming radius.
//
// Built with -DHERALD_DEDUP_LEGACY_API it uses only Add/Shingles/size (the API before compact
// mode existed), so the same harness measures the earlier design; then lookup = Add (it also
// inserts) and fingerprinting is not measured separately.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_corpus.h"
#include "moderation/dedup.h"
#include "moderation/screen.h"
#include "text/normalizer.h"
#include "text/utf8.h"

namespace {

using herald::moderation::Jaccard;
using herald::moderation::NearDuplicateIndex;
using Clock = std::chrono::steady_clock;
using herald::bench::Article;
using herald::bench::Edit;
using herald::bench::SplitMix;
using herald::bench::Utf8;
using herald::bench::Words;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * 4096;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(std::ceil(p * v.size())) - 1;
  return v[std::min(k, v.size() - 1)];
}

// The accuracy test set: families of a base and 5 copies, plus unrelated articles, shuffled.
struct TestDoc {
  std::string id;
  std::string text;
};
std::vector<TestDoc> TestSet(const Words& words, int families, uint64_t seed) {
  std::vector<TestDoc> docs;
  const uint64_t base_seed = 4'000'000'000ULL + seed * 1'000'000ULL;
  uint64_t s = seed;
  for (int f = 0; f < families; ++f) {
    std::u32string base = Article(words, base_seed + 2 * f);
    docs.push_back({"f" + std::to_string(f) + "b", Utf8(base)});
    for (int c = 0; c < 5; ++c) {
      const double rate = (SplitMix(s) % 8001) / 100000.0;  // 0-8%
      docs.push_back({"f" + std::to_string(f) + "c" + std::to_string(c),
                      Utf8(Edit(words, base, rate, SplitMix(s)))});
    }
    docs.push_back({"u" + std::to_string(f), Utf8(Article(words, base_seed + 2 * f + 1))});
  }
  std::mt19937_64 rng(seed);
  std::shuffle(docs.begin(), docs.end(), rng);
  return docs;
}

struct Args {
  uint64_t articles = 1'000'000;
  std::string mode = "exact";
  double threshold = 0.8;
  int queries = 10'000;
  int families = 500;
  std::string dict = herald::bench::kJiebaDict;
  uint64_t seed = 1;
  bool experiment = false;
};

// Brute-force truth on the test set: pairs (i, j), j earlier than i, with exact J ≥ t.
std::vector<std::vector<double>> PairwiseJaccard(const std::vector<std::vector<uint64_t>>& sets) {
  std::vector<std::vector<double>> jac(sets.size());
  for (size_t i = 0; i < sets.size(); ++i) {
    jac[i].resize(i);
    for (size_t j = 0; j < i; ++j) {
      const size_t a = sets[i].size(), b = sets[j].size();
      // J ≤ min/max: skip the merge when even that is far below any threshold of interest.
      jac[i][j] = std::min(a, b) < 0.25 * std::max(a, b) ? 0.0 : Jaccard(sets[i], sets[j]);
    }
  }
  return jac;
}

void Report(const char* what, long tp, long fp, long fn) {
  const double precision = tp + fp ? double(tp) / (tp + fp) : 1.0;
  const double recall = tp + fn ? double(tp) / (tp + fn) : 1.0;
  const double f1 = 2.0 * tp / std::max(1.0, 2.0 * tp + fp + fn);
  std::printf(
      "{\"step\":\"accuracy\",\"what\":\"%s\",\"true_pairs\":%ld,\"tp\":%ld,\"fp\":%ld,\"fn\":%ld,"
      "\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f}\n",
      what, tp + fn, tp, fp, fn, precision, recall, f1);
}

#ifndef HERALD_DEDUP_LEGACY_API
// Verification alternatives on the test set, all pairs, no LSH.
int Experiment(const Args& a, const Words& words, const herald::text::Normalizer& norm) {
  auto docs = TestSet(words, a.families, a.seed);
  NearDuplicateIndex exact(norm, a.threshold);
  std::vector<std::vector<uint64_t>> sets, sigs;
  std::vector<uint64_t> simhash;
  for (const auto& d : docs) {
    auto fp = *exact.FingerprintOf(d.text);
    int votes[64] = {0};
    for (uint64_t h : fp.shingles) {
      for (int b = 0; b < 64; ++b) votes[b] += (h >> b) & 1 ? 1 : -1;
    }
    uint64_t sh = 0;
    for (int b = 0; b < 64; ++b) sh |= uint64_t(votes[b] > 0) << b;
    simhash.push_back(sh);
    sets.push_back(std::move(fp.shingles));
    sigs.push_back(std::move(fp.minhash));
  }
  auto jac = PairwiseJaccard(sets);
  auto mix = [](uint64_t x) {
    uint64_t s = x;
    return SplitMix(s);
  };
  for (int bits : {64, 32, 16, 8, 4}) {
    long tp = 0, fp = 0, fn = 0;
    const uint64_t mask = bits == 64 ? ~0ULL : ((1ULL << bits) - 1);
    const double chance = bits == 64 ? 0 : 1.0 / double(1ULL << bits);
    for (size_t i = 0; i < docs.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        int eq = 0;
        for (int k = 0; k < 128; ++k) eq += (mix(sigs[i][k]) & mask) == (mix(sigs[j][k]) & mask);
        const double est = (eq / 128.0 - chance) / (1 - chance);
        const bool truth = jac[i][j] >= a.threshold, said = est >= a.threshold - 1e-12;
        tp += truth && said;
        fp += !truth && said;
        fn += truth && !said;
      }
    }
    std::string what = "minhash128 estimate, " + std::to_string(bits) + "-bit values";
    Report(what.c_str(), tp, fp, fn);
  }
  long best_tp = 0, best_fp = 0, best_fn = 0;
  int best_k = -1;
  double best_f1 = -1;
  for (int k = 0; k <= 32; ++k) {
    long tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        const bool truth = jac[i][j] >= a.threshold;
        const bool said = __builtin_popcountll(simhash[i] ^ simhash[j]) <= k;
        tp += truth && said;
        fp += !truth && said;
        fn += truth && !said;
      }
    }
    const double f1 = 2.0 * tp / std::max(1.0, 2.0 * tp + fp + fn);
    if (f1 > best_f1) best_f1 = f1, best_k = k, best_tp = tp, best_fp = fp, best_fn = fn;
  }
  std::string what = "simhash64, best radius " + std::to_string(best_k);
  Report(what.c_str(), best_tp, best_fp, best_fn);
  // One-permutation MinHash with k bins, values cut to b bits: densified (empty bins borrow a
  // value, as the library's 128-bin LSH signature does) or not (empty bins stay empty and the
  // estimate is taken over the bins non-empty in either document, as the library's kSignature
  // sketch does with k = 1024, b = 8).
  auto oph = [](const std::vector<uint64_t>& shingles, int k, bool densify) {
    std::vector<uint64_t> sig(k, ~0ULL);
    const int shift = 64 - static_cast<int>(std::log2(k));
    for (uint64_t h : shingles) {
      uint64_t x = h * 0x9E3779B97F4A7C15ULL;  // re-hash: independent of the library's bins
      x ^= x >> 29;
      sig[x >> shift] = std::min(sig[x >> shift], x);
    }
    if (!densify) return sig;
    std::vector<uint64_t> out = sig;
    for (int i = 0; i < k; ++i) {
      if (sig[i] != ~0ULL) continue;
      for (uint64_t t = 1;; ++t) {
        uint64_t st = (uint64_t(i) << 32) | t;
        int j = static_cast<int>(SplitMix(st) >> shift);
        if (sig[j] != ~0ULL) {
          out[i] = sig[j];
          break;
        }
      }
    }
    return out;
  };
  for (int k : {128, 256, 512, 1024}) {
    for (bool densify : {true, false}) {
      std::vector<std::vector<uint64_t>> ks;
      for (const auto& set : sets) ks.push_back(oph(set, k, densify));
      for (int bits : {16, 8}) {
        long tp = 0, fp = 0, fn = 0;
        const uint64_t values = (1ULL << bits) - 1;  // 1..values; 0 marks an empty bin
        auto cut = [&](uint64_t v) { return v == ~0ULL ? 0 : 1 + mix(v) % values; };
        const double chance = 1.0 / double(values);
        for (size_t i = 0; i < docs.size(); ++i) {
          for (size_t j = 0; j < i; ++j) {
            if (jac[i][j] < 0.3 && (i * 31 + j) % 16 != 0) {
              // Far pairs cannot reach an estimate of 0.8 (that would take over 60 of 128
              // chance agreements); estimating all 6 million costs minutes, so only every
              // 16th is checked. F1 counts no true negatives, so skipping them changes
              // nothing else.
              continue;
            }
            int eq = 0, both = 0, either = 0;
            for (int b = 0; b < k; ++b) {
              const uint64_t x = cut(ks[i][b]), y = cut(ks[j][b]);
              either += x != 0 || y != 0;
              both += x != 0 && y != 0;
              eq += x != 0 && x == y;
            }
            const double shared = (eq - chance * both) / (1 - chance);
            const double est = either ? shared / either : 0;
            const bool truth = jac[i][j] >= a.threshold, said = est >= a.threshold - 1e-12;
            tp += truth && said;
            fp += !truth && said;
            fn += truth && !said;
          }
        }
        std::string w = "oph" + std::to_string(k) + (densify ? " densified" : " sparse") + ", " +
                        std::to_string(bits) + "-bit values (" + std::to_string(k * bits / 8) +
                        " B)";
        Report(w.c_str(), tp, fp, fn);
      }
    }
  }
  long pairs = 0, near = 0;
  for (auto& row : jac) {
    for (double j : row) pairs += 1, near += j >= a.threshold;
  }
  std::printf("{\"step\":\"testset\",\"docs\":%zu,\"pairs\":%ld,\"pairs_at_or_above\":%ld}\n",
              docs.size(), pairs, near);
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << k << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--articles") {
      a.articles = std::stoull(next());
    } else if (k == "--mode") {
      a.mode = next();
    } else if (k == "--threshold") {
      a.threshold = std::stod(next());
    } else if (k == "--queries") {
      a.queries = std::stoi(next());
    } else if (k == "--families") {
      a.families = std::stoi(next());
    } else if (k == "--dict") {
      a.dict = next();
    } else if (k == "--seed") {
      a.seed = std::stoull(next());
    } else if (k == "--experiment") {
      a.experiment = true;
    } else {
      std::cerr << "usage: herald_dedup_bench [--articles N] [--mode exact|signature] "
                   "[--threshold T] [--queries Q] [--families F] [--dict PATH] [--seed S] "
                   "[--experiment]\n";
      return 2;
    }
  }
  auto norm_or = herald::text::Normalizer::Create(herald::moderation::ScreeningNormalizerOptions());
  if (!norm_or.ok()) {
    std::cerr << norm_or.status().ToString() << "\n";
    return 1;
  }
  const herald::text::Normalizer& norm = **norm_or;
  const Words words(a.dict);
#ifndef HERALD_DEDUP_LEGACY_API
  if (a.experiment) return Experiment(a, words, norm);
  const auto verification = a.mode == "signature" ? NearDuplicateIndex::Verification::kSignature
                                                  : NearDuplicateIndex::Verification::kExact;
  NearDuplicateIndex index(norm, a.threshold, verification);
  const char* design = a.mode == "signature" ? "signature" : "exact";
#else
  NearDuplicateIndex index(norm, a.threshold);
  const char* design = "legacy";
#endif

  // 1. Fill.
  const size_t rss0 = RssBytes();
  double add_seconds = 0;
  size_t fill_bytes = 0;
  auto t_fill = Clock::now();
  for (uint64_t i = 0; i < a.articles; ++i) {
    std::string text = Utf8(Article(words, i));
    fill_bytes += text.size();
    auto t0 = Clock::now();
    auto r = index.Add("a" + std::to_string(i), text);
    add_seconds += Seconds(t0, Clock::now());
    if (!r.ok()) {
      std::cerr << r.status().ToString() << "\n";
      return 1;
    }
    if ((i + 1) % 1'000'000 == 0) {
      std::fprintf(stderr, "  %llu articles, %.0f s, RSS %.2f GB\n", (unsigned long long)(i + 1),
                   Seconds(t_fill, Clock::now()), RssBytes() / 1e9);
    }
  }
  const size_t rss1 = RssBytes();
  std::printf(
      "{\"step\":\"fill\",\"design\":\"%s\",\"articles\":%llu,\"bytes\":%zu,\"avg_bytes\":%.0f,"
      "\"add_seconds\":%.2f,\"add_mbps\":%.2f,\"add_us_per_article\":%.2f,\"wall_seconds\":%.1f}\n",
      design, (unsigned long long)a.articles, fill_bytes, double(fill_bytes) / a.articles,
      add_seconds, fill_bytes / add_seconds / 1e6, add_seconds / a.articles * 1e6,
      Seconds(t_fill, Clock::now()));
#ifndef HERALD_DEDUP_LEGACY_API
  std::printf(
      "{\"step\":\"memory\",\"rss_growth_bytes\":%zu,\"rss_bytes_per_article\":%.0f,"
      "\"index_bytes\":%zu,\"index_bytes_per_article\":%.0f,\"bands\":%d,\"rows\":%d}\n",
      rss1 - rss0, double(rss1 - rss0) / a.articles, index.MemoryBytes(),
      double(index.MemoryBytes()) / a.articles, index.bands(), index.rows());
#else
  std::printf("{\"step\":\"memory\",\"rss_growth_bytes\":%zu,\"rss_bytes_per_article\":%.0f}\n",
              rss1 - rss0, double(rss1 - rss0) / a.articles);
#endif
  std::fflush(stdout);

  // 2. Fingerprinting throughput on fresh articles.
#ifndef HERALD_DEDUP_LEGACY_API
  {
    std::vector<std::string> texts;
    size_t bytes = 0;
    for (int i = 0; i < 20'000; ++i) {
      texts.push_back(Utf8(Article(words, 3'000'000'000ULL + i)));
      bytes += texts.back().size();
    }
    size_t sink = 0;
    auto t0 = Clock::now();
    for (const auto& t : texts) sink += index.FingerprintOf(t)->minhash.size();
    const double s = Seconds(t0, Clock::now());
    std::printf(
        "{\"step\":\"fingerprint\",\"articles\":%zu,\"bytes\":%zu,\"mbps\":%.2f,"
        "\"us_per_article\":%.2f,\"check\":%zu}\n",
        texts.size(), bytes, bytes / s / 1e6, s / texts.size() * 1e6, sink);
  }
#endif

  // 3. Lookup latency: half edited copies of indexed articles, half fresh articles.
  {
    std::vector<std::string> queries;
    uint64_t s = a.seed * 77 + 5;
    for (int q = 0; q < a.queries; ++q) {
      if (q % 2 == 0 && a.articles > 0) {
        const uint64_t of = SplitMix(s) % a.articles;
        queries.push_back(
            Utf8(Edit(words, Article(words, of), (SplitMix(s) % 5001) / 100000.0, SplitMix(s))));
      } else {
        queries.push_back(Utf8(Article(words, 2'000'000'000ULL + q)));
      }
    }
    std::vector<double> lookup_us, total_us;
    size_t found = 0;
    for (size_t q = 0; q < queries.size(); ++q) {
#ifndef HERALD_DEDUP_LEGACY_API
      auto t0 = Clock::now();
      auto fp = index.FingerprintOf(queries[q]);
      auto t1 = Clock::now();
      auto near = index.Lookup(*fp);
      auto t2 = Clock::now();
      lookup_us.push_back(Seconds(t1, t2) * 1e6);
      total_us.push_back(Seconds(t0, t2) * 1e6);
#else
      auto t0 = Clock::now();
      auto near = *index.Add("q" + std::to_string(q), queries[q]);
      auto t2 = Clock::now();
      total_us.push_back(Seconds(t0, t2) * 1e6);
      lookup_us.push_back(total_us.back());
#endif
      found += !near.empty();
    }
    std::printf(
        "{\"step\":\"lookup\",\"articles\":%llu,\"queries\":%zu,\"with_near\":%zu,"
        "\"lookup_p50_us\":%.2f,\"lookup_p99_us\":%.2f,\"lookup_max_us\":%.2f,"
        "\"fingerprint_and_lookup_p50_us\":%.2f,\"fingerprint_and_lookup_p99_us\":%.2f}\n",
        (unsigned long long)a.articles, queries.size(), found, Percentile(lookup_us, 0.5),
        Percentile(lookup_us, 0.99), Percentile(lookup_us, 1.0), Percentile(total_us, 0.5),
        Percentile(total_us, 0.99));
    std::fflush(stdout);
  }

  // 5. Accuracy with the test set added after the fill.
  {
    auto docs = TestSet(words, a.families, a.seed);
    std::unordered_map<std::string, size_t> pos;
    std::vector<std::vector<uint64_t>> sets;
    std::vector<std::vector<std::string>> said;
    for (size_t i = 0; i < docs.size(); ++i) {
      pos[docs[i].id] = i;
      sets.push_back(*index.Shingles(docs[i].text));
      said.push_back(*index.Add(docs[i].id, docs[i].text));
    }
    auto jac = PairwiseJaccard(sets);
    long tp = 0, fp = 0, fn = 0, filler_tp = 0, filler_fp = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      std::set<size_t> got;
      for (const std::string& id : said[i]) {
        auto it = pos.find(id);
        if (it != pos.end()) {
          got.insert(it->second);
          continue;
        }
        if (id[0] != 'a') continue;  // a legacy-mode query id: not part of the count
        // A filler article: regenerate it and check exactly.
        const uint64_t n = std::stoull(id.substr(1));
        const double j = Jaccard(sets[i], *index.Shingles(Utf8(Article(words, n))));
        (j >= a.threshold ? filler_tp : filler_fp)++;
      }
      for (size_t j = 0; j < i; ++j) {
        const bool truth = jac[i][j] >= a.threshold, found = got.count(j) > 0;
        tp += truth && found;
        fp += !truth && found;
        fn += truth && !found;
      }
    }
    Report(design, tp + filler_tp, fp + filler_fp, fn);
    // Unrelated articles are far below any threshold: the largest exact Jaccard between test
    // documents and a sample of filler articles.
    double max_j = 0;
    for (uint64_t k = 0; k < 200 && a.articles > 0; ++k) {
      auto filler = *index.Shingles(Utf8(Article(words, (k * 7919) % a.articles)));
      for (size_t i = 0; i < sets.size(); i += 7) max_j = std::max(max_j, Jaccard(sets[i], filler));
    }
    std::printf("{\"step\":\"filler_check\",\"max_jaccard_test_vs_filler_sample\":%.4f}\n", max_j);
  }
  return 0;
}
