// Screening throughput (issue 4, "Benchmarks"): Herald's full pipeline against a plain Vectorscan
// literal scan of the same text, single thread, all matches reported.
//
//   herald_screen_bench [--dir /tmp/herald-bench/screen] [--rounds 1] [--variants LIST]
//
// DIR holds terms.tsv, docs.txt (~3 KB documents, one per line) and messages.txt (the same text
// as ~300 B messages), written by bench/screen_corpus.mjs. Every line is screened as one item.
// Variants (LIST is comma-separated; default herald,plain,normalize,fold,scan_normalized):
//   herald           moderation::Dictionary::Screen (normalise + match + allow filter + offset
//                    mapping + sorted Match records): the full pipeline
//   plain            (a) hs_compile_lit_multi of the raw terms, hs_scan of the raw text, every
//                    match pushed into a reused vector: no normalisation, the practical limit
//   normalize        text::Normalizer::Normalize alone (text + per-byte offsets)
//   fold             text::Normalizer::Fold alone (text only)
//   scan_normalized  hs_scan of pre-normalised items with a database of normalised terms
//                    (Herald's matching step alone)
// Rounds interleave the variants (docs then messages for each). Prints one JSON line per
// measurement: {"round","split","variant","bytes","items","seconds","mbps","matches"}; MB/s is
// 10^6 bytes of ORIGINAL text per second for every variant. bench/screen_bench.mjs drives this
// binary and the npm baselines and prints the medians.
#include <hs/hs.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "moderation/screen.h"
#include "text/normalizer.h"

namespace {

using herald::moderation::Dictionary;
using herald::text::Normalizer;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << " (run node bench/screen_corpus.mjs first)\n";
    std::exit(2);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    if (nl > pos) out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

struct Hit {
  unsigned id;
  unsigned long long to;
};

int OnMatch(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  static_cast<std::vector<Hit>*>(ctx)->push_back(Hit{id, to});
  return 0;
}

// A literal database over `terms` with a scratch, for the plain and scan_normalized variants.
class LiteralScanner {
 public:
  explicit LiteralScanner(const std::vector<std::string>& terms) {
    std::vector<const char*> exprs;
    std::vector<size_t> lens;
    std::vector<unsigned> ids, flags;
    for (size_t i = 0; i < terms.size(); ++i) {
      exprs.push_back(terms[i].data());
      lens.push_back(terms[i].size());
      ids.push_back(static_cast<unsigned>(i));
      flags.push_back(0);
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db_,
                             &err) != HS_SUCCESS) {
      std::cerr << "hs_compile_lit_multi: " << (err ? err->message : "?") << "\n";
      std::exit(1);
    }
    if (hs_alloc_scratch(db_, &scratch_) != HS_SUCCESS) std::exit(1);
  }
  ~LiteralScanner() {
    hs_free_scratch(scratch_);
    hs_free_database(db_);
  }
  // Number of matches in `s`; every match is recorded in hits_ (cleared per call).
  size_t Scan(std::string_view s) {
    hits_.clear();
    if (hs_scan(db_, s.data(), static_cast<unsigned>(s.size()), 0, scratch_, OnMatch, &hits_) !=
        HS_SUCCESS) {
      std::cerr << "hs_scan failed\n";
      std::exit(1);
    }
    return hits_.size();
  }

 private:
  hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
  std::vector<Hit> hits_;
};

struct Split {
  std::string name;
  std::vector<std::string_view> items;
  std::vector<std::string> normalized;  // for scan_normalized, filled on demand
  size_t bytes = 0;
};

template <typename F>
void Measure(int round, Split& split, const std::string& variant, F&& per_item) {
  size_t matches = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < split.items.size(); ++i) matches += per_item(i);
  auto t1 = std::chrono::steady_clock::now();
  double s = std::chrono::duration<double>(t1 - t0).count();
  std::printf(
      "{\"round\":%d,\"split\":\"%s\",\"variant\":\"%s\",\"bytes\":%zu,\"items\":%zu,"
      "\"seconds\":%.4f,\"mbps\":%.2f,\"matches\":%zu}\n",
      round, split.name.c_str(), variant.c_str(), split.bytes, split.items.size(), s,
      split.bytes / s / 1e6, matches);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/herald-bench/screen";
  int rounds = 1;
  std::string variants = "herald,plain,normalize,fold,scan_normalized";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--dir") {
      dir = argv[i + 1];
    } else if (k == "--rounds") {
      rounds = std::stoi(argv[i + 1]);
    } else if (k == "--variants") {
      variants = argv[i + 1];
    } else {
      std::cerr << "usage: herald_screen_bench [--dir D] [--rounds N] [--variants LIST]\n";
      return 2;
    }
  }
  auto has = [&](const char* v) {
    return ("," + variants + ",").find(std::string(",") + v + ",") != std::string::npos;
  };

  auto t_setup = std::chrono::steady_clock::now();
  auto norm_or = Normalizer::Create(herald::moderation::ScreeningNormalizerOptions());
  if (!norm_or.ok()) {
    std::cerr << norm_or.status().ToString() << "\n";
    return 1;
  }
  const Normalizer& norm = **norm_or;
  auto t_norm = std::chrono::steady_clock::now();

  std::string terms_file = ReadFile(dir + "/terms.tsv");
  auto dict_or = Dictionary::Load({{dir + "/terms.tsv", terms_file}}, norm);
  if (!dict_or.ok()) {
    std::cerr << dict_or.status().ToString() << "\n";
    return 1;
  }
  const Dictionary& dict = **dict_or;
  auto t_dict = std::chrono::steady_clock::now();

  std::vector<std::string> raw_terms, norm_terms;
  for (std::string_view line : Lines(terms_file)) {
    std::string term(line.substr(0, line.find('\t')));
    norm_terms.push_back(*norm.Fold(term));
    raw_terms.push_back(std::move(term));
  }
  LiteralScanner plain(raw_terms);
  auto t_plain = std::chrono::steady_clock::now();
  std::unique_ptr<LiteralScanner> normalized_scanner;
  if (has("scan_normalized")) normalized_scanner = std::make_unique<LiteralScanner>(norm_terms);

  std::string docs_file = ReadFile(dir + "/docs.txt");
  std::string msgs_file = ReadFile(dir + "/messages.txt");
  std::vector<Split> splits(2);
  splits[0].name = "docs";
  splits[0].items = Lines(docs_file);
  splits[1].name = "messages";
  splits[1].items = Lines(msgs_file);
  for (Split& s : splits) {
    for (auto item : s.items) s.bytes += item.size();
    if (has("scan_normalized")) {
      for (auto item : s.items) s.normalized.push_back(*norm.Fold(item));
    }
  }
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::fprintf(stderr,
               "setup: Normalizer::Create %.0f ms, Dictionary::Load (%zu entries) %.0f ms, plain "
               "literal database %.0f ms\n",
               ms(t_setup, t_norm), dict.size(), ms(t_norm, t_dict), ms(t_dict, t_plain));

  // Warm-up: page in the tables and the text once, untimed.
  for (Split& s : splits) {
    for (size_t i = 0; i < s.items.size() && i < 200; ++i) {
      (void)dict.Screen(s.items[i]);
      plain.Scan(s.items[i]);
    }
  }

  for (int r = 1; r <= rounds; ++r) {
    for (Split& s : splits) {
      if (has("herald")) {
        Measure(r, s, "herald", [&](size_t i) {
          auto res = dict.Screen(s.items[i]);
          return res.ok() ? res->matches.size() : 0;
        });
      }
      if (has("plain")) {
        Measure(r, s, "plain", [&](size_t i) { return plain.Scan(s.items[i]); });
      }
      if (has("normalize")) {
        Measure(r, s, "normalize", [&](size_t i) {
          auto n = norm.Normalize(s.items[i]);
          return n.ok() ? size_t{0} : size_t{1};
        });
      }
      if (has("fold")) {
        Measure(r, s, "fold", [&](size_t i) {
          auto n = norm.Fold(s.items[i]);
          return n.ok() ? size_t{0} : size_t{1};
        });
      }
      if (has("scan_normalized")) {
        Measure(r, s, "scan_normalized",
                [&](size_t i) { return normalized_scanner->Scan(s.normalized[i]); });
      }
    }
  }
  return 0;
}
