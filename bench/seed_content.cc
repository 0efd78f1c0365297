// Content-scale data set and publish throughput for issue 5's benchmarks (bench/ only).
//
//   herald_seed_content seed --data DIR [--accounts 100000] [--articles 1000000]
//                       [--readers 100000] [--follows 50] [--tokens 2000] [--search-index 1]
//                       --tokens-out FILE
//   herald_seed_content publish --data DIR [--rounds 5] [--per-round 2000]
//
// `seed` builds, in a fresh data directory, one operator with a verified subject and one
// account created through the real services (the template), then clones that account row into
// --accounts accounts (distinct names), registers --readers readers through the real
// AuthService (Argon2id at its minimum cost, as bench/seed_users.cc), writes --articles
// published articles (bench_corpus.h text, 330-1,000 characters, rendered to HTML with the
// real renderer, each with its provenance fingerprint row so the server's near-duplicate index
// loads them) spread over the accounts with a skewed popularity, and --follows follows per
// reader (a popular fifth of the accounts draws most follows), then lets the search index catch
// up (feed::FeedService::SyncSearchIndex) and runs ANALYZE. Rows are written with SQL in
// batches: what `publish` measures is the real pipeline, what `seed` makes is its output at
// scale. Prints a JSON line with counts, the article id range and the seconds taken; writes
// session tokens of --tokens readers to --tokens-out (one per line) for the wrk scripts.
//
// `publish` opens the same data directory with the full App (every service, the
// near-duplicate index loaded with all seeded articles) and publishes --per-round new articles
// per round through content::ArticleService::Publish on the template account (one in ten an
// edited copy of an earlier one), printing a JSON line per round (articles/s, outcomes) and the
// median.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/app.h"
#include "bench_corpus.h"
#include "content/markdown.h"
#include "core/crypto.h"
#include "identity/id_numbers.h"
#include "moderation/screen.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"
#include "text/normalizer.h"

using namespace herald;

namespace {

using SteadyClock = std::chrono::steady_clock;
double Since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

constexpr const char* kOperatorPhone = "13900000001";
constexpr const char* kPassword = "bench-password-2026";

struct Flags {
  std::string mode, data, tokens_out;
  long accounts = 100000, articles = 1000000, readers = 100000, follows = 50, tokens = 2000;
  int rounds = 5, per_round = 2000;
  bool search_index = true;
};

int Die(const Status& s) {
  std::fprintf(stderr, "herald_seed_content: %s\n", s.ToString().c_str());
  return 1;
}

class CapturingSms final : public subjects::SmsGateway {
 public:
  Status Send(const subjects::SmsMessage& m) override {
    auto pos = m.text.find_first_of("0123456789");
    last_code_ = pos == std::string::npos ? "" : m.text.substr(pos, 6);
    return Status();
  }
  std::string_view Name() const override { return "bench"; }
  const std::string& last_code() const { return last_code_; }

 private:
  std::string last_code_;
};

Result<std::unique_ptr<app::App>> OpenApp(const std::string& data) {
  HERALD_ASSIGN_OR_RETURN(Config c, LoadConfig("", HeraldEnvironment()));
  c.data_dir = std::filesystem::absolute(data).lexically_normal().string();
  c.auth.registrations_per_client_per_hour = 0;
  HERALD_RETURN_IF_ERROR(ValidateConfig(c));
  auto a = std::make_unique<app::App>(std::move(c));
  HERALD_RETURN_IF_ERROR(a->OpenStorage());
  HERALD_RETURN_IF_ERROR(a->OpenServices());
  return a;
}

// A title, summary and Markdown body from corpus article `seed`.
struct Text {
  std::string title, summary, body;
};
Text MakeText(const bench::Words& words, uint64_t seed, double edit_rate = 0) {
  std::u32string a = bench::Article(words, seed);
  if (edit_rate > 0) a = bench::Edit(words, a, edit_rate, seed ^ 0x5eed);
  std::u32string t = bench::Article(words, seed ^ 0x7177);
  Text out;
  out.title = bench::Utf8(t.substr(0, 8 + seed % 16));
  out.summary = bench::Utf8(a.substr(0, 40));
  // Paragraphs at every third full stop.
  std::u32string body;
  int stops = 0;
  for (char32_t c : a) {
    body += c;
    if (c == U'。' && ++stops % 3 == 0) body += U"\n\n";
  }
  out.body = bench::Utf8(body);
  return out;
}

// Accounts clone the template's row; popularity is skewed: a fifth of the accounts get 80% of
// the follows and articles.
int64_t PickAccount(uint64_t& s, int64_t first, long n) {
  const uint64_t r = bench::SplitMix(s);
  const long hot = std::max(1L, n / 5);
  const long i = (r % 10 < 8) ? static_cast<long>((r >> 8) % hot) : static_cast<long>((r >> 8) % n);
  return first + i;
}

Status Seed(const Flags& f) {
  auto start = SteadyClock::now();
  HERALD_ASSIGN_OR_RETURN(auto app, OpenApp(f.data));
  auth::RequestMeta meta{"seed", "bench"};
  // The template: an operator, a verified individual and one account, through the services.
  HERALD_ASSIGN_OR_RETURN(
      auto op, app->auth().CreateOrGrant(kOperatorPhone, kPassword, auth::Role::kOperator, meta));
  HERALD_ASSIGN_OR_RETURN(auto existing, app->accounts().ListByOwner(op.id));
  if (!existing.empty()) return FailedPrecondition("already seeded: use a fresh --data", "seeded");
  CapturingSms sms;
  subjects::DevIdentityVerifier verifier;
  SystemRandom random;
  subjects::OtpOptions otp_opts;
  otp_opts.resend_cooldown = 0;
  subjects::OtpService otp(app->db(), sms, app->clock(), random, app->pii_keys().index_key,
                           otp_opts);
  subjects::SubjectService subjects(app->db(), app->audit(), app->clock(), otp, verifier,
                                    app->pii_keys());
  HERALD_ASSIGN_OR_RETURN(auto ch, otp.Send(kOperatorPhone, "subject", meta));
  HERALD_ASSIGN_OR_RETURN(
      auto person,
      subjects.CreateIndividual(op.id,
                                {"测试基准", identity::MakeResidentId("110101", "19900101", 7),
                                 kOperatorPhone, ch.id, sms.last_code()},
                                meta));
  HERALD_ASSIGN_OR_RETURN(auto version,
                          app->accounts().GetDocument(accounts::kServiceAgreement, 0));
  HERALD_RETURN_IF_ERROR(
      app->accounts().AcceptDocument(op.id, accounts::kServiceAgreement, version.version, meta));
  accounts::AccountInput in;
  in.subject_id = person.id;
  in.name = "基准测试科技";
  in.bio = "基准测试用的账号。";
  in.category = "technology";
  in.registered_place = "北京市";
  in.operating_place = "北京市海淀区";
  in.contact = "bench@example.cn";
  HERALD_ASSIGN_OR_RETURN(auto tmpl, app->accounts().Create(op.id, in, meta));
  if (tmpl.status != "active") return Internal("template account not active: " + tmpl.status);

  bench::Words words(bench::kJiebaDict);
  storage::Database& db = app->db();
  const Micros now = app->clock().Now();

  // Accounts: clones of the template row with distinct names.
  auto t = SteadyClock::now();
  const long batch = 5000;
  int64_t first_account = 0;
  uint64_t s = 42;
  for (long done = 1; done < f.accounts;) {
    HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kWrite));
    for (long k = 0; k < batch && done < f.accounts; ++k, ++done) {
      std::string name =
          bench::Utf8(words.Pick(s) + words.Pick(s)) + std::to_string(done);  // unique
      HERALD_ASSIGN_OR_RETURN(
          auto r,
          tx->Query(
              "INSERT INTO accounts (subject_id, owner_user_id, name, bio, "
              "avatar_caption, category, registered_place, operating_place, contact, "
              "business_scope, status, status_reason, status_changed_at, "
              "agreement_version, created_at, last_active_at) SELECT subject_id, "
              "owner_user_id, ?, ?, avatar_caption, category, registered_place, "
              "operating_place, contact, business_scope, status, status_reason, "
              "status_changed_at, agreement_version, created_at, last_active_at FROM "
              "accounts WHERE id = ? RETURNING id",
              {name, bench::Utf8(bench::Article(words, 900000000 + done).substr(0, 30)), tmpl.id}));
      if (first_account == 0) first_account = r.rows[0].Int(0);
    }
    HERALD_RETURN_IF_ERROR(tx->Commit());
  }
  if (first_account == 0) first_account = tmpl.id;
  const long n_accounts = std::max(1L, f.accounts - 1);
  std::fprintf(stderr, "accounts: %ld in %.1f s\n", f.accounts, Since(t));

  // Readers through the real AuthService at the minimum password cost.
  t = SteadyClock::now();
  auth::AuthOptions aopts;
  aopts.registrations_per_client_per_hour = 0;
  aopts.password_profile = crypto::PasswordHashProfile::kMinimum;
  auth::AuthService readers(db, app->audit(), app->clock(), random, app->pii_keys(), aopts);
  std::vector<int64_t> reader_ids;
  reader_ids.reserve(f.readers);
  for (long i = 0; i < f.readers; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "151%08ld", i);
    HERALD_ASSIGN_OR_RETURN(auto u, readers.Register(phone, kPassword, "", meta));
    reader_ids.push_back(u.id);
  }
  std::fprintf(stderr, "readers: %ld in %.1f s\n", f.readers, Since(t));

  // Articles with their provenance rows.
  t = SteadyClock::now();
  HERALD_ASSIGN_OR_RETURN(auto fold,
                          text::Normalizer::Create(moderation::ScreeningNormalizerOptions()));
  int64_t first_article = 0, last_article = 0;
  uint64_t pick = 7;
  for (long done = 0; done < f.articles;) {
    HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kWrite));
    for (long k = 0; k < batch && done < f.articles; ++k, ++done) {
      const Text x = MakeText(words, static_cast<uint64_t>(done));
      HERALD_ASSIGN_OR_RETURN(auto html, content::RenderMarkdown(x.body));
      const int64_t account = PickAccount(pick, first_account, n_accounts);
      const std::string uid = crypto::HexEncode(random.Bytes(8));
      // Evenly over the last 60 days, oldest first.
      const Micros at = now - (f.articles - done) * (60LL * 86400 * 1000000 / f.articles);
      HERALD_ASSIGN_OR_RETURN(
          auto r,
          tx->Query("INSERT INTO articles (uid, account_id, subject_id, author_user_id, title, "
                    "summary, body, source_title, source_summary, source_body, category, "
                    "original, reprint_policy, copyright_holder, has_attribution, "
                    "attr_account_id, attr_content_id, attr_url, attr_holder, advertising, "
                    "status, status_reason, hold_reasons, created_at, published_at, updated_at, "
                    "body_html) VALUES (?, ?, ?, ?, ?, ?, '', '', '', '', 'technology', 0, "
                    "'whitelist_only', '', 0, 0, '', '', '', 0, 'published', '', '', ?, ?, ?, "
                    "?) RETURNING id",
                    {uid, account, person.id, op.id, x.title, x.summary, at, at, at, html.html}));
      last_article = r.rows[0].Int(0);
      // The Markdown and submitted texts beside the row (content/0006_article_sources).
      HERALD_RETURN_IF_ERROR(
          tx->Execute("INSERT INTO article_sources (article_id, body, source_title, "
                      "source_summary, source_body) VALUES (?, ?, ?, ?, ?)",
                      {last_article, x.body, x.title, x.summary, x.body})
              .status());
      if (first_article == 0) first_article = last_article;
      HERALD_ASSIGN_OR_RETURN(auto folded, fold->Fold(x.title + "\n" + x.summary + "\n" + x.body));
      HERALD_RETURN_IF_ERROR(
          tx->Execute(
                "INSERT INTO provenance_fingerprints (content_id, account_id, subject_id, "
                "original, reprint_policy, url, copyright_holder, outcome, reason, "
                "folded_text, published_at) VALUES (?, ?, ?, 0, 'whitelist_only', ?, '', "
                "'accept', '', ?, ?)",
                {"article:" + uid, account, person.id, "/api/v1/article-uids/" + uid, folded, at})
              .status());
    }
    HERALD_RETURN_IF_ERROR(tx->Commit());
    if (done % 100000 == 0) std::fprintf(stderr, "  %ld articles, %.1f s\n", done, Since(t));
  }
  std::fprintf(stderr, "articles: %ld in %.1f s\n", f.articles, Since(t));

  // Follows.
  t = SteadyClock::now();
  long follows = 0;
  uint64_t fs = 99;
  for (size_t i = 0; i < reader_ids.size();) {
    HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kWrite));
    for (long k = 0; k < batch / 50 && i < reader_ids.size(); ++k, ++i) {
      std::vector<int64_t> chosen;
      while (static_cast<long>(chosen.size()) < std::min(f.follows, n_accounts)) {
        int64_t a = PickAccount(fs, first_account, n_accounts);
        if (std::find(chosen.begin(), chosen.end(), a) == chosen.end()) chosen.push_back(a);
      }
      for (int64_t a : chosen) {
        HERALD_RETURN_IF_ERROR(
            tx->Execute(
                  "INSERT INTO social_follows (user_id, account_id, created_at) VALUES (?, ?, ?)",
                  {reader_ids[i], a, now})
                .status());
        ++follows;
      }
    }
    HERALD_RETURN_IF_ERROR(tx->Commit());
  }
  {
    HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kWrite));
    HERALD_RETURN_IF_ERROR(
        tx->Execute("INSERT INTO social_account_stats (account_id, followers) SELECT account_id, "
                    "COUNT(*) FROM social_follows GROUP BY account_id",
                    {})
            .status());
    HERALD_RETURN_IF_ERROR(tx->Commit());
  }
  std::fprintf(stderr, "follows: %ld in %.1f s\n", follows, Since(t));
  // The search index (fed by triggers through a queue, as in production) catches up now, so
  // the server does not index in the background while it is measured.
  // With --search-index 0 the seeded articles are left out of it (their queue entries are
  // dropped): indexing a million articles takes tens of minutes on two cores, and neither the
  // timeline, article reads nor publishing read the index.
  t = SteadyClock::now();
  long indexed = 0;
  if (!f.search_index) {
    HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kWrite));
    HERALD_RETURN_IF_ERROR(
        tx->Execute("DELETE FROM feed_search_dirty WHERE kind = 'article'", {}).status());
    HERALD_RETURN_IF_ERROR(tx->Commit());
  }
  for (;;) {
    HERALD_ASSIGN_OR_RETURN(auto sync, app->feed().SyncSearchIndex(5000));
    indexed += sync.applied;
    if (sync.drained) break;
    if (indexed % 100000 < 5000) std::fprintf(stderr, "  indexed %ld, %.1f s\n", indexed, Since(t));
  }
  std::fprintf(stderr, "search index: %ld changes in %.1f s\n", indexed, Since(t));
  {
    t = SteadyClock::now();
    HERALD_ASSIGN_OR_RETURN(auto tx, db.Begin(storage::TxMode::kWrite));
    HERALD_RETURN_IF_ERROR(tx->Execute("ANALYZE", {}).status());
    HERALD_RETURN_IF_ERROR(tx->Commit());
    std::fprintf(stderr, "analyze: %.1f s\n", Since(t));
  }

  // Session tokens for the wrk scripts.
  std::ofstream out(f.tokens_out);
  for (long i = 0; i < std::min<long>(f.tokens, f.readers); ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "151%08ld", i * std::max(1L, f.readers / f.tokens));
    HERALD_ASSIGN_OR_RETURN(auto login, readers.Login(phone, kPassword, meta));
    out << login.token << "\n";
  }
  if (!out) return Internal("cannot write " + f.tokens_out);
  std::printf(
      "{\"accounts\": %ld, \"readers\": %ld, \"articles\": %ld, \"follows\": %ld, "
      "\"first_article\": %lld, \"last_article\": %lld, \"seconds\": %.1f}\n",
      f.accounts, f.readers, f.articles, follows, static_cast<long long>(first_article),
      static_cast<long long>(last_article), Since(start));
  return Status();
}

Status Publish(const Flags& f) {
  auto t = SteadyClock::now();
  HERALD_ASSIGN_OR_RETURN(auto app, OpenApp(f.data));
  std::fprintf(stderr, "opened (index loaded) in %.1f s\n", Since(t));
  auth::RequestMeta meta{"publish-bench", "bench"};
  HERALD_ASSIGN_OR_RETURN(
      auto op, app->auth().CreateOrGrant(kOperatorPhone, kPassword, auth::Role::kOperator, meta));
  HERALD_ASSIGN_OR_RETURN(auto owned, app->accounts().ListByOwner(op.id));
  if (owned.empty()) return FailedPrecondition("run `seed` first", "not_seeded");
  const int64_t account = owned.front().id;
  bench::Words words(bench::kJiebaDict);
  std::vector<double> rates;
  uint64_t next = 50000000;  // corpus seeds beyond the seeded articles
  for (int r = 0; r < f.rounds; ++r) {
    long published = 0, held = 0, refused = 0;
    // The round's texts are made before the clock starts: generating them is not publishing.
    std::vector<Text> texts;
    texts.reserve(static_cast<size_t>(f.per_round));
    for (int i = 0; i < f.per_round; ++i) {
      // One in ten an edited copy of an earlier article of this run.
      const uint64_t seed = next + static_cast<uint64_t>(i);
      texts.push_back(i % 10 == 9 ? MakeText(words, seed - 5, 0.05) : MakeText(words, seed));
    }
    auto t0 = SteadyClock::now();
    for (int i = 0; i < f.per_round; ++i, ++next) {
      const Text& x = texts[static_cast<size_t>(i)];
      content::ArticleInput in;
      in.title = x.title;
      in.summary = x.summary;
      in.body = x.body;
      auto res = app->articles().Publish(op.id, account, in, meta);
      if (!res.ok()) {
        ++refused;
        if (refused <= 3) std::fprintf(stderr, "refused: %s\n", res.status().ToString().c_str());
      } else if (res->article.status == "published") {
        ++published;
      } else {
        ++held;
      }
    }
    const double secs = Since(t0);
    rates.push_back(f.per_round / secs);
    std::printf(
        "{\"round\": %d, \"articles\": %d, \"seconds\": %.2f, \"articles_per_s\": %.0f, "
        "\"published\": %ld, \"held\": %ld, \"refused\": %ld}\n",
        r + 1, f.per_round, secs, rates.back(), published, held, refused);
    std::fflush(stdout);
  }
  std::sort(rates.begin(), rates.end());
  std::printf("{\"median_articles_per_s\": %.0f}\n", rates[rates.size() / 2]);
  return Status();
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  if (argc >= 2) f.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--data")
      f.data = v;
    else if (k == "--tokens-out")
      f.tokens_out = v;
    else if (k == "--accounts")
      f.accounts = std::atol(v.c_str());
    else if (k == "--articles")
      f.articles = std::atol(v.c_str());
    else if (k == "--readers")
      f.readers = std::atol(v.c_str());
    else if (k == "--follows")
      f.follows = std::atol(v.c_str());
    else if (k == "--tokens")
      f.tokens = std::atol(v.c_str());
    else if (k == "--rounds")
      f.rounds = std::atoi(v.c_str());
    else if (k == "--search-index")
      f.search_index = v != "0";
    else if (k == "--per-round")
      f.per_round = std::atoi(v.c_str());
    else
      return std::fprintf(stderr, "unknown flag %s\n", k.c_str()), 2;
  }
  const bool ok_args = !f.data.empty() && f.accounts >= 1 && f.articles >= 1 && f.readers >= 1 &&
                       f.tokens >= 1 && f.rounds >= 1 && f.per_round >= 1 &&
                       ((f.mode == "seed" && !f.tokens_out.empty()) || f.mode == "publish");
  if (!ok_args) {
    std::fprintf(stderr,
                 "usage: herald_seed_content seed --data DIR --tokens-out FILE [--accounts N] "
                 "[--articles N] [--readers N] [--follows N] [--tokens N] [--search-index 0|1]\n"
                 "       herald_seed_content publish --data DIR [--rounds N] [--per-round N]\n");
    return 2;
  }
  Status st = f.mode == "seed" ? Seed(f) : Publish(f);
  return st.ok() ? 0 : Die(st);
}
