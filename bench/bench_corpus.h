// Synthetic Chinese articles for the benchmarks (bench/ only): words drawn by frequency from
// jieba's word list (Debian python3-jieba, /usr/lib/python3/dist-packages/jieba/dict.txt), with
// Chinese punctuation; article i is generated from seed i, so any article can be regenerated.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "text/utf8.h"

namespace herald::bench {

inline constexpr const char* kJiebaDict = "/usr/lib/python3/dist-packages/jieba/dict.txt";

inline uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Frequency-weighted word sampler (Vose's alias method) over jieba's Han words.
class Words {
 public:
  explicit Words(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "cannot read " << path << " (Debian package python3-jieba)\n";
      std::exit(2);
    }
    std::string line;
    std::vector<double> w;
    while (std::getline(in, line)) {
      std::istringstream ss(line);
      std::string word;
      double f = 1;
      ss >> word >> f;
      auto cps = herald::text::DecodeUtf8String(word);
      if (!cps || cps->empty()) continue;
      bool han = true;
      for (char32_t c : *cps) han &= (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
      if (!han) continue;
      words_.push_back(*cps);
      w.push_back(std::max(f, 1.0));
    }
    const size_t n = w.size();
    double sum = 0;
    for (double x : w) sum += x;
    prob_.resize(n);
    alias_.resize(n);
    std::vector<size_t> small, large;
    std::vector<double> p(n);
    for (size_t i = 0; i < n; ++i) {
      p[i] = w[i] * n / sum;
      (p[i] < 1 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      size_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = p[s];
      alias_[s] = static_cast<uint32_t>(l);
      p[l] = p[l] + p[s] - 1;
      if (p[l] < 1) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (size_t i : large) prob_[i] = 1;
    for (size_t i : small) prob_[i] = 1;
  }
  const std::u32string& Pick(uint64_t& s) const {
    uint64_t r = SplitMix(s);
    size_t i = (r >> 32) % words_.size();
    double u = (r & 0xFFFFFFFF) / 4294967296.0;
    return words_[u < prob_[i] ? i : alias_[i]];
  }
  size_t size() const { return words_.size(); }

 private:
  std::vector<std::u32string> words_;
  std::vector<double> prob_;
  std::vector<uint32_t> alias_;
};

inline constexpr char32_t kPunct[] = {U'，', U'，', U'，', U'。', U'。',
                                      U'、', U'；', U'！', U'？'};

// Article `seed`: 330-1,000 characters of words and punctuation.
inline std::u32string Article(const Words& words, uint64_t seed) {
  uint64_t s = seed * 0x2545F4914F6CDD1DULL + 0x1234567;
  const size_t len = 330 + SplitMix(s) % 671;
  std::u32string out;
  out.reserve(len + 8);
  size_t clause = 0;
  while (out.size() < len) {
    out += words.Pick(s);
    if (++clause >= 4 + SplitMix(s) % 12) {
      out += kPunct[SplitMix(s) % (sizeof(kPunct) / sizeof(kPunct[0]))];
      clause = 0;
    }
  }
  return out;
}

// An edited copy: a fraction `rate` of the characters substituted, deleted or followed by an
// inserted word; sometimes a header or footer line (a reprint notice) added.
inline std::u32string Edit(const Words& words, const std::u32string& base, double rate,
                           uint64_t seed) {
  uint64_t s = seed ^ 0xABCDEF12345ULL;
  std::u32string out;
  out.reserve(base.size() + 64);
  const uint64_t cut = static_cast<uint64_t>(rate * 1e6);
  for (char32_t c : base) {
    if (SplitMix(s) % 1000000 >= cut) {
      out += c;
      continue;
    }
    switch (SplitMix(s) % 3) {
      case 0:  // substitute
        out += words.Pick(s)[0];
        break;
      case 1:  // delete
        break;
      default:  // insert a word after the character
        out += c;
        out += words.Pick(s);
    }
  }
  const uint64_t extra = SplitMix(s) % 10;
  if (extra < 3) {
    std::u32string note = U"本文转载自";
    while (note.size() < 12 + SplitMix(s) % 30) note += words.Pick(s);
    note += U'。';
    out = extra == 0 ? note + out : out + note;
  }
  return out;
}

inline std::string Utf8(const std::u32string& s) { return herald::text::EncodeUtf8(s); }

}  // namespace herald::bench
