// Publish path (issue 4, "Benchmarks"): articles/s through screening + fingerprinting + storage
// on SQLite, single thread. Articles (issue 5) do not exist yet, so this is a stand-in for the
// real pipeline: per article, Dictionary::Screen, NearDuplicateIndex::Add and one INSERT of
// the text (with verdict and near-copy count) in its own write transaction through
// herald::storage. It will be re-measured through the real publish pipeline in issue 5.
//
//   herald_publish_bench [--terms /tmp/herald-bench/screen/terms.tsv] [--db /tmp/x.db]
//                        [--prefill 100000] [--rounds 5] [--per-round 5000]
//                        [--mode exact|signature] [--dict PATH]
//
// The near-duplicate index is first filled with --prefill articles (not stored), so that
// lookups run against a non-trivial index; then each round publishes --per-round fresh articles
// (one in ten an edited copy of an earlier one) into the same database, which grows over the
// rounds. Prints one JSON line per round with articles/s and the time split between the three
// steps, then the medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_corpus.h"
#include "moderation/dedup.h"
#include "moderation/screen.h"
#include "storage/database.h"
#include "text/normalizer.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string terms_path = "/tmp/herald-bench/screen/terms.tsv";
  std::string db_path = "/tmp/herald-publish-bench.db";
  std::string dict = herald::bench::kJiebaDict;
  std::string mode = "exact";
  uint64_t prefill = 100'000;
  int rounds = 5, per_round = 5'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--terms") {
      terms_path = v;
    } else if (k == "--db") {
      db_path = v;
    } else if (k == "--dict") {
      dict = v;
    } else if (k == "--mode") {
      mode = v;
    } else if (k == "--prefill") {
      prefill = std::stoull(v);
    } else if (k == "--rounds") {
      rounds = std::stoi(v);
    } else if (k == "--per-round") {
      per_round = std::stoi(v);
    } else {
      std::cerr << "usage: herald_publish_bench [--terms F] [--db PATH] [--prefill N] "
                   "[--rounds R] [--per-round N] [--mode exact|signature] [--dict PATH]\n";
      return 2;
    }
  }
  std::ifstream tin(terms_path);
  if (!tin) {
    std::cerr << "cannot read " << terms_path << " (run node bench/screen_corpus.mjs first)\n";
    return 2;
  }
  std::stringstream terms;
  terms << tin.rdbuf();

  auto norm = herald::text::Normalizer::Create(herald::moderation::ScreeningNormalizerOptions());
  if (!norm.ok()) {
    std::cerr << norm.status().ToString() << "\n";
    return 1;
  }
  auto dictionary = herald::moderation::Dictionary::Load({{terms_path, terms.str()}}, **norm);
  if (!dictionary.ok()) {
    std::cerr << dictionary.status().ToString() << "\n";
    return 1;
  }
  using Index = herald::moderation::NearDuplicateIndex;
  Index index(**norm, 0.8,
              mode == "signature" ? Index::Verification::kSignature : Index::Verification::kExact);
  const herald::bench::Words words(dict);

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  auto db = herald::storage::OpenDatabase("sqlite://" + db_path);
  if (!db.ok()) {
    std::cerr << db.status().ToString() << "\n";
    return 1;
  }
  {
    auto tx = (*db)->Begin(herald::storage::TxMode::kWrite);
    auto st = (*tx)->ExecuteScript(
        "CREATE TABLE bench_articles (id INTEGER PRIMARY KEY, account_id BIGINT NOT NULL, "
        "body TEXT NOT NULL, verdict TEXT NOT NULL, near_copies BIGINT NOT NULL, "
        "created_at BIGINT NOT NULL)");
    if (!st.ok() || !(*tx)->Commit().ok()) {
      std::cerr << st.ToString() << "\n";
      return 1;
    }
  }

  auto t0 = Clock::now();
  for (uint64_t i = 0; i < prefill; ++i) {
    (void)index.Add("p" + std::to_string(i), herald::bench::Utf8(herald::bench::Article(words, i)));
  }
  std::fprintf(stderr, "prefilled the index with %llu articles in %.1f s\n",
               (unsigned long long)prefill, Seconds(t0, Clock::now()));

  std::vector<double> rate, screen_us, dedup_us, store_us, mbps;
  uint64_t next = 1'000'000'000ULL, s = 42;
  for (int r = 1; r <= rounds; ++r) {
    std::vector<std::string> batch;
    size_t bytes = 0;
    for (int k = 0; k < per_round; ++k) {
      const uint64_t seed = next++;
      if (k % 10 == 9) {  // an edited copy of an earlier article
        const uint64_t of = herald::bench::SplitMix(s) % prefill;
        batch.push_back(herald::bench::Utf8(herald::bench::Edit(
            words, herald::bench::Article(words, of), 0.02, herald::bench::SplitMix(s))));
      } else {
        batch.push_back(herald::bench::Utf8(herald::bench::Article(words, seed)));
      }
      bytes += batch.back().size();
    }
    double t_screen = 0, t_dedup = 0, t_store = 0;
    size_t blocked = 0, near = 0;
    auto start = Clock::now();
    for (size_t k = 0; k < batch.size(); ++k) {
      const std::string& text = batch[k];
      auto a = Clock::now();
      auto verdict = (*dictionary)->Screen(text);
      auto b = Clock::now();
      auto copies = index.Add("n" + std::to_string(r) + "-" + std::to_string(k), text);
      auto c = Clock::now();
      if (!verdict.ok() || !copies.ok()) return 1;
      blocked += verdict->verdict == herald::moderation::Action::kBlock;
      near += !copies->empty();
      auto tx = (*db)->Begin(herald::storage::TxMode::kWrite);
      if (!tx.ok()) return 1;
      auto ins = (*tx)->Execute(
          "INSERT INTO bench_articles (account_id, body, verdict, near_copies, created_at) "
          "VALUES (?, ?, ?, ?, ?)",
          {int64_t(k % 1000), text, std::string(ActionName(verdict->verdict)),
           int64_t(copies->size()),
           int64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count())});
      if (!ins.ok() || !(*tx)->Commit().ok()) {
        std::cerr << ins.status().ToString() << "\n";
        return 1;
      }
      auto d = Clock::now();
      t_screen += Seconds(a, b);
      t_dedup += Seconds(b, c);
      t_store += Seconds(c, d);
    }
    const double total = Seconds(start, Clock::now());
    rate.push_back(batch.size() / total);
    mbps.push_back(bytes / total / 1e6);
    screen_us.push_back(t_screen / batch.size() * 1e6);
    dedup_us.push_back(t_dedup / batch.size() * 1e6);
    store_us.push_back(t_store / batch.size() * 1e6);
    std::printf(
        "{\"round\":%d,\"articles\":%zu,\"avg_bytes\":%zu,\"articles_per_s\":%.0f,\"mbps\":%.2f,"
        "\"screen_us\":%.1f,\"dedup_us\":%.1f,\"store_us\":%.1f,\"blocked\":%zu,"
        "\"with_near_copies\":%zu}\n",
        r, batch.size(), bytes / batch.size(), rate.back(), mbps.back(), screen_us.back(),
        dedup_us.back(), store_us.back(), blocked, near);
    std::fflush(stdout);
  }
  std::printf(
      "{\"median\":true,\"mode\":\"%s\",\"prefill\":%llu,\"articles_per_s\":%.0f,\"mbps\":%.2f,"
      "\"screen_us\":%.1f,\"dedup_us\":%.1f,\"store_us\":%.1f}\n",
      mode.c_str(), (unsigned long long)prefill, Median(rate), Median(mbps), Median(screen_us),
      Median(dedup_us), Median(store_us));
  return 0;
}
