#include "app/app.h"

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/strings.h"
#include "gateways/http_gateways.h"
#include "http/access_log.h"
#include "http/metrics.h"
#include "http/server.h"
#include "web/static_site.h"

#ifndef HERALD_VERSION
#define HERALD_VERSION "dev"
#endif

namespace herald::app {

int DatabaseWorkers(const Config& config, storage::Backend backend) {
  if (config.server.db_workers > 0) return config.server.db_workers;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // SQLite work is microseconds of CPU: few threads keep them hot (measured in
  // docs/benchmarks.md). PostgreSQL work waits on the network: more threads overlap the waits.
  return backend == storage::Backend::kSqlite ? std::max(1, cores / 2) : 4 * cores;
}

std::vector<storage::Migration> AllMigrations() {
  std::vector<storage::Migration> all;
  for (auto& m : audit::AuditLog::Migrations()) all.push_back(m);
  for (auto& m : auth::AuthService::Migrations()) all.push_back(m);
  for (auto& m : review::ReviewQueue::Migrations()) all.push_back(m);
  for (auto& m : sanctions::SanctionService::Migrations()) all.push_back(m);
  for (auto& m : notifications::NotificationService::Migrations()) all.push_back(m);
  for (auto& m : subjects::OtpService::Migrations()) all.push_back(m);
  for (auto& m : subjects::SubjectService::Migrations()) all.push_back(m);
  for (auto& m : media::MediaLibrary::Migrations()) all.push_back(m);
  for (auto& m : accounts::AccountService::Migrations()) all.push_back(m);
  for (auto& m : provenance::ProvenanceService::Migrations()) all.push_back(m);
  for (auto& m : content::ArticleService::Migrations()) all.push_back(m);
  for (auto& m : social::SocialService::Migrations()) all.push_back(m);
  for (auto& m : comments::CommentService::Migrations()) all.push_back(m);
  for (auto& m : feed::FeedService::Migrations()) all.push_back(m);
  for (auto& m : groups::GroupService::Migrations()) all.push_back(m);
  // After content, accounts, social and groups: it indexes articles and reads their tables.
  for (auto& m : credit::CreditService::Migrations()) all.push_back(m);
  for (auto& m : rumours::RumourService::Migrations()) all.push_back(m);
  for (auto& m : appeals::AppealService::Migrations()) all.push_back(m);
  for (auto& m : reports::ReportService::Migrations()) all.push_back(m);
  return all;
}

App::~App() {
  // Reverse order of construction.
  reports_.reset();
  appeals_.reset();
  rumours_.reset();
  feed_.reset();
  search_normalizer_.reset();
  comments_.reset();
  social_.reset();
  groups_.reset();
  articles_.reset();
  provenance_.reset();
  accounts_.reset();
  screening_.reset();
  screening_normalizer_.reset();
  media_.reset();
  media_store_.reset();
  subjects_.reset();
  notifications_.reset();
  credit_.reset();
  sanctions_.reset();
  review_.reset();
  otp_.reset();
  verifier_.reset();
  sms_.reset();
  normalizer_.reset();
  auth_.reset();
  keys_.reset();
  audit_.reset();
  db_.reset();
}

Status App::OpenStorage() {
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec) {
    return Unavailable("cannot create data directory " + config_.data_dir + ": " + ec.message(),
                       "data_dir");
  }
  storage::DatabaseOptions opts;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Enough connections for every worker thread plus the heavy pool and housekeeping.
  opts.readers = std::max(4, std::max(config_.server.db_workers, 4 * cores) + cores);
  opts.sqlite_cache_kib = static_cast<int>(config_.server.sqlite_cache_mib * 1024);
  HERALD_ASSIGN_OR_RETURN(db_, storage::OpenDatabase(config_.DatabaseUrl(), opts));
  HERALD_ASSIGN_OR_RETURN(migrations_applied_, storage::Migrate(*db_, AllMigrations(), clock_));
  return Status();
}

namespace {

std::string KeyPath(const Config& c) { return c.data_dir + "/keys/master.key"; }
std::string NextKeyPath(const Config& c) { return c.data_dir + "/keys/master.key.next"; }

// Installs keys/master.key.next as keys/master.key, keeping the old key under keys/retired/.
Status InstallNextKey(const Config& c, Micros now) {
  std::error_code ec;
  std::string retired_dir = c.data_dir + "/keys/retired";
  std::filesystem::create_directories(retired_dir, ec);
  ::chmod(retired_dir.c_str(), 0700);
  std::string retired = retired_dir + "/master-" + std::to_string(now) + ".key";
  std::filesystem::rename(KeyPath(c), retired, ec);
  if (ec) return Unavailable("cannot retire the old key: " + ec.message(), "key_file");
  std::filesystem::rename(NextKeyPath(c), KeyPath(c), ec);
  if (ec) return Unavailable("cannot install the new key: " + ec.message(), "key_file");
  return Status();
}

// Finishes or undoes a rotation interrupted between the database commit and the key install.
Status RecoverRotation(const Config& c, storage::Database& db, const Clock& clock) {
  if (!std::filesystem::exists(NextKeyPath(c))) return Status();
  HERALD_ASSIGN_OR_RETURN(std::string next, crypto::LoadOrCreateKeyFile(NextKeyPath(c)));
  if (auth::PiiKeys::Derive(next).CheckAgainst(db, clock).ok()) {
    log::Warn("finishing an interrupted key rotation");
    return InstallNextKey(c, clock.Now());
  }
  std::filesystem::remove(NextKeyPath(c));
  return Status();
}

}  // namespace

Status App::RotateKeys() {
  const Clock& clock = this->clock();
  HERALD_RETURN_IF_ERROR(RecoverRotation(config_, *db_, clock));
  HERALD_ASSIGN_OR_RETURN(std::string master, crypto::LoadOrCreateKeyFile(KeyPath(config_)));
  auth::PiiKeys from = auth::PiiKeys::Derive(master);
  HERALD_RETURN_IF_ERROR(from.CheckAgainst(*db_, clock));
  HERALD_ASSIGN_OR_RETURN(std::string next, crypto::LoadOrCreateKeyFile(NextKeyPath(config_)));
  auth::PiiKeys to = auth::PiiKeys::Derive(next);
  audit::AuditLog audit(clock);
  Status st = storage::RunInTransaction(
      *db_, storage::TxMode::kWrite,
      [&](storage::Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(auth::AuthService::ReencryptPii(tx, from, to));
        HERALD_RETURN_IF_ERROR(subjects::SubjectService::ReencryptPii(tx, from, to));
        HERALD_RETURN_IF_ERROR(reports::ReportService::ReencryptPii(tx, from, to));
        return audit
            .Append(tx, audit::NewEntry{"cli", "keys.rotate", "pii_keys",
                                        "{\"key_id\":\"" + to.key_id + "\"}", "keys-rotate"})
            .status();
      },
      /*attempts=*/1);
  if (!st.ok()) {
    std::filesystem::remove(NextKeyPath(config_));
    return st;
  }
  return InstallNextKey(config_, clock.Now());
}

Status App::OpenServices() {
  HERALD_RETURN_IF_ERROR(RecoverRotation(config_, *db_, clock()));
  HERALD_ASSIGN_OR_RETURN(std::string master, crypto::LoadOrCreateKeyFile(KeyPath(config_)));
  keys_ = std::make_unique<auth::PiiKeys>(auth::PiiKeys::Derive(master));
  const Clock& clock = this->clock();
  HERALD_RETURN_IF_ERROR(keys_->CheckAgainst(*db_, clock));
  audit_ = std::make_unique<audit::AuditLog>(clock);
  auth::AuthOptions opts;
  opts.session_ttl = config_.auth.session_ttl_hours * kMicrosPerHour;
  opts.login_burst_threshold = config_.auth.login_burst_threshold;
  opts.login_burst_window = config_.auth.login_burst_window_minutes * kMicrosPerMinute;
  opts.lockout = config_.auth.lockout_minutes * kMicrosPerMinute;
  opts.registrations_per_client_per_hour =
      static_cast<int>(config_.auth.registrations_per_client_per_hour);
  opts.password_profile = config_.auth.password_hash == "moderate"
                              ? crypto::PasswordHashProfile::kModerate
                              : crypto::PasswordHashProfile::kInteractive;
  auth_ = std::make_unique<auth::AuthService>(*db_, *audit_, clock, random_, *keys_, opts);

  text::NormalizerOptions nopts;
  nopts.fold_cjk_lookalikes = true;
  nopts.drop_noise = true;
  HERALD_ASSIGN_OR_RETURN(normalizer_, text::Normalizer::Create(nopts));
  if (config_.identity.sms_gateway == "http") {
    HERALD_ASSIGN_OR_RETURN(sms_, gateways::NewHttpSmsGateway(config_.identity.sms_url));
  } else {
    sms_ = std::make_unique<subjects::OutboxSmsGateway>(outbox_dir(), clock);
  }
  if (config_.identity.verifier == "http") {
    HERALD_ASSIGN_OR_RETURN(verifier_,
                            gateways::NewHttpIdentityVerifier(config_.identity.verifier_url));
  } else {
    verifier_ = std::make_unique<subjects::DevIdentityVerifier>();
  }
  subjects::OtpOptions otp_opts;
  otp_opts.ttl = config_.identity.otp_ttl_seconds * kMicrosPerSecond;
  otp_opts.resend_cooldown = config_.identity.otp_resend_cooldown_seconds * kMicrosPerSecond;
  otp_ = std::make_unique<subjects::OtpService>(*db_, *sms_, clock, random_, keys_->index_key,
                                                otp_opts);
  review::Options ropts;
  ropts.default_due = config_.moderation.review_due_hours * kMicrosPerHour;
  for (const char* kind : {"name", "over_cap", "registration_data", "qualification", "transfer"}) {
    ropts.due_by_kind[kind] = config_.moderation.review_due_hours_registration * kMicrosPerHour;
  }
  ropts.claim_ttl = config_.moderation.review_claim_minutes * kMicrosPerMinute;
  ropts.due_by_kind["appeal"] = config_.appeals.decide_days * kMicrosPerDay;  // PA-20.1
  review_ = std::make_unique<review::ReviewQueue>(*db_, *audit_, clock, ropts);
  sanctions_ = std::make_unique<sanctions::SanctionService>(*db_, *audit_, clock);
  // Issue 6 (PA-13.1, PA-7.2, GR-7.2): credit per subject and grades per account; registers
  // its sanction hooks now, before any service issues sanctions. The providers below ask it.
  HERALD_ASSIGN_OR_RETURN(credit::Rules credit_rules, credit::LoadRules(config_.credit.rules_file));
  credit_ = std::make_unique<credit::CreditService>(*db_, *audit_, clock, *sanctions_,
                                                    std::move(credit_rules));
  notifications_ = std::make_unique<notifications::NotificationService>(*db_, clock);
  subjects_ = std::make_unique<subjects::SubjectService>(
      *db_, *audit_, clock, *otp_, *verifier_, *keys_, subjects::SubjectLimits{}, sanctions_.get());
  HERALD_ASSIGN_OR_RETURN(media::MediaStore store,
                          media::MediaStore::Open(config_.data_dir + "/media"));
  media_store_ = std::make_unique<media::MediaStore>(std::move(store));
  // POST /api/v1/media accepts bodies up to the image byte limit (its own route body limit).
  media::ImageLimits image_limits;
  media_ = std::make_unique<media::MediaLibrary>(*db_, *media_store_, clock, image_limits);
  accounts::AccountOptions aopts;
  aopts.cap_individual = static_cast<int>(config_.accounts.cap_individual);
  aopts.cap_organisation = static_cast<int>(config_.accounts.cap_organisation);
  aopts.cancel_cooling_off = config_.accounts.cancel_cooling_off_days * kMicrosPerDay;
  aopts.inactivity = config_.accounts.inactivity_days * kMicrosPerDay;
  aopts.reverify_after = config_.accounts.reverify_days * kMicrosPerDay;
  aopts.subject_cap = [this](storage::Transaction& tx, int64_t subject, int cap) {
    return credit_->AccountCap(tx, subject, cap);
  };
  HERALD_ASSIGN_OR_RETURN(screening_normalizer_,
                          text::Normalizer::Create(moderation::ScreeningNormalizerOptions()));
  std::vector<std::string> extra_terms;
  if (!config_.accounts.registration_terms_file.empty()) {
    extra_terms.push_back(config_.accounts.registration_terms_file);
  }
  HERALD_ASSIGN_OR_RETURN(screening_,
                          moderation::ScreeningService::Open(dictionaries_dir(), extra_terms,
                                                             *screening_normalizer_, clock));
  accounts_ = std::make_unique<accounts::AccountService>(*db_, *audit_, clock, *auth_, *subjects_,
                                                         *normalizer_, *review_, *sanctions_, aopts,
                                                         screening_.get());
  provenance_ =
      std::make_unique<provenance::ProvenanceService>(*db_, *audit_, clock, *screening_normalizer_);
  HERALD_RETURN_IF_ERROR(provenance_->Load());
  content::ContentOptions copts;
  copts.retention = config_.content.retention_days * kMicrosPerDay;
  copts.publish_credit = [this](storage::Transaction& tx, const accounts::Account& a, bool ad) {
    return credit_->CheckPublish(tx, a.id, a.subject_id, ad);
  };
  articles_ = std::make_unique<content::ArticleService>(*db_, *audit_, clock, random_, *accounts_,
                                                        *screening_, *provenance_, *review_,
                                                        *screening_normalizer_, copts);
  groups::GroupOptions gopts;
  gopts.credit = [this](storage::Transaction& tx, int64_t user, std::string_view service) {
    return credit_->CheckGroupService(tx, user, service);
  };
  groups_ = std::make_unique<groups::GroupService>(*db_, *audit_, clock, *sanctions_, *screening_,
                                                   *review_, std::move(gopts));
  social_ = std::make_unique<social::SocialService>(*db_, *audit_, clock, *accounts_, *articles_,
                                                    keys_->index_key);
  // PA-17.2: comment-management powers follow the subject type and the account's credit level
  // (comments::PowersFor): the subject's credit level's `comments` standing (credit rules).
  comments::Options comment_opts;
  comment_opts.credit = [this](const accounts::Account& a) {
    auto level = credit_->LevelOfSubject(a.subject_id);
    if (!level.ok()) return comments::CreditLevel::kPoor;  // fail closed on a database error
    if (level->comments == "good") return comments::CreditLevel::kGood;
    return level->comments == "fair" ? comments::CreditLevel::kFair : comments::CreditLevel::kPoor;
  };
  comments_ = std::make_unique<comments::CommentService>(*db_, *audit_, clock, *accounts_,
                                                         *articles_, *sanctions_, *screening_,
                                                         *review_, std::move(comment_opts));
  HERALD_ASSIGN_OR_RETURN(search_normalizer_,
                          text::Normalizer::Create(feed::SearchNormalizerOptions()));
  // PA-7.2: the credit rules say which account grades are not recommended.
  feed::FeedOptions feed_opts;
  for (const auto& g : credit_->rules().grades) {
    if (!g.recommendable) feed_opts.unrecommended_grades.push_back(g.grade);
  }
  feed_ = std::make_unique<feed::FeedService>(*db_, *search_normalizer_, std::move(feed_opts));
  // PA-13.2: rumours registers its read hook (social), purge hook (content) and review handler.
  rumours::Options rumour_opts;
  rumour_opts.blacklist_after = static_cast<int>(config_.rumours.blacklist_after);
  rumour_opts.blacklist_window = config_.rumours.blacklist_window_days * kMicrosPerDay;
  rumour_opts.warning_min_forwards = config_.rumours.warning_min_forwards;
  rumour_opts.warning_min_reads = config_.rumours.warning_min_reads;
  rumour_opts.warning_factor = config_.rumours.warning_factor;
  rumour_opts.warning_categories.clear();
  for (auto c : Split(config_.rumours.warning_categories, ',')) {
    c = Trim(c);
    if (c.empty()) continue;
    if (!accounts::FindCategory(c)) {
      return InvalidArgument(
          "config rumours.warning_categories: unknown category " + std::string(c),
          "invalid_config");
    }
    rumour_opts.warning_categories.emplace_back(c);
  }
  rumour_opts.rescan_window = config_.rumours.rescan_days * kMicrosPerDay;
  rumour_opts.reader_retention = config_.rumours.reader_retention_days * kMicrosPerDay;
  rumours_ = std::make_unique<rumours::RumourService>(
      *db_, *audit_, clock, *accounts_, *articles_, *provenance_, *social_, *sanctions_,
      *screening_, *review_, *notifications_, std::move(rumour_opts));
  // PA-14.3, PA-20.1: appeals register the review handler for kind "appeal".
  appeals::Options appeal_opts;
  appeal_opts.window = config_.appeals.window_days * kMicrosPerDay;
  appeal_opts.decide_within = config_.appeals.decide_days * kMicrosPerDay;
  appeals_ = std::make_unique<appeals::AppealService>(
      *db_, *audit_, clock, *review_, *sanctions_, *accounts_, *articles_, groups_.get(),
      comments_.get(), notifications_.get(), appeal_opts);
  // PA-20.1, PA-20.2, GR-12: reports register the review handler for kind "report".
  reports::Options report_opts;
  report_opts.daily_limit_user = static_cast<int>(config_.reports.daily_limit_user);
  report_opts.daily_limit_anonymous = static_cast<int>(config_.reports.daily_limit_anonymous);
  report_opts.accept_within = config_.reports.accept_hours * kMicrosPerHour;
  report_opts.handle_within = config_.reports.handle_hours * kMicrosPerHour;
  report_opts.handle_within_urgent = config_.reports.handle_hours_urgent * kMicrosPerHour;
  report_opts.campaign_min_reports = static_cast<int>(config_.reports.campaign_min_reports);
  report_opts.relations = reports::SqlRelationResolver();
  reports_ = std::make_unique<reports::ReportService>(*db_, *audit_, clock, random_, *keys_,
                                                      *review_, *notifications_, report_opts);
  // A sanction citing "review:<item>" or "report:<id>" is linked to those reports.
  sanctions_->OnIssued(
      [r = reports_.get()](storage::Transaction& tx, const sanctions::Sanction& s) {
        return r->LinkSanction(tx, s.id, s.evidence);
      });
  return Status();
}

Status App::Serve() {
  // Block the stop signals in every thread; this one waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http::Metrics metrics;
  metrics.AddCollector([this] {
    storage::PoolStats st = db_->Stats();
    std::string out;
    out += "# HELP herald_db_pool_connections Database connections opened.\n";
    out += "# TYPE herald_db_pool_connections gauge\n";
    out += "herald_db_pool_connections " + std::to_string(st.size) + "\n";
    out += "# HELP herald_db_pool_in_use Database connections inside a transaction now.\n";
    out += "# TYPE herald_db_pool_in_use gauge\n";
    out += "herald_db_pool_in_use " + std::to_string(st.in_use) + "\n";
    out += "# HELP herald_db_pool_waits_total Transactions that waited for a connection.\n";
    out += "# TYPE herald_db_pool_waits_total counter\n";
    out += "herald_db_pool_waits_total " + std::to_string(st.waits) + "\n";
    return out;
  });
  HERALD_ASSIGN_OR_RETURN(
      auto access_log,
      http::AccessLog::Open(config_.data_dir + "/logs", config_.log.access_log_max_bytes,
                            config_.log.retention_days, clock_));

  api::ApiServices services;
  services.db = db_.get();
  services.audit = audit_.get();
  services.auth = auth_.get();
  services.otp = otp_.get();
  services.subjects = subjects_.get();
  services.accounts = accounts_.get();
  services.review = review_.get();
  services.sanctions = sanctions_.get();
  services.screening = screening_.get();
  services.provenance = provenance_.get();
  services.articles = articles_.get();
  services.groups = groups_.get();
  services.social = social_.get();
  services.comments = comments_.get();
  services.feed = feed_.get();
  services.credit = credit_.get();
  services.rumours = rumours_.get();
  services.media = media_.get();
  services.notifications = notifications_.get();
  services.appeals = appeals_.get();
  services.reports = reports_.get();
  services.metrics = &metrics;
  services.clock = &clock_;
  services.version = HERALD_VERSION;
  http::Router router = api::BuildRouter(services);
  std::shared_ptr<const web::StaticSite> site;
  if (!config_.server.web_root.empty()) {
    HERALD_ASSIGN_OR_RETURN(site, web::StaticSite::Load(config_.server.web_root));
    router.SetFallback(site->AsRoute());
    log::Info("serving the web front end from " + config_.server.web_root + " (" +
              std::to_string(site->file_count()) + " files)");
  }

  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  http::ServerOptions opts;
  opts.host = config_.server.host;
  opts.port = config_.server.port;
  opts.io_threads = config_.server.io_threads ? config_.server.io_threads : cores;
  opts.worker_threads = DatabaseWorkers(config_, db_->backend());
  opts.heavy_threads = cores;
  opts.body_limit_bytes = config_.server.body_limit_bytes;
  opts.header_timeout_ms = config_.server.header_timeout_ms;
  opts.body_timeout_ms = config_.server.body_timeout_ms;
  opts.idle_timeout_ms = config_.server.idle_timeout_ms;
  http::Server server(opts, router, metrics, access_log.get(), clock_, random_);
  HERALD_RETURN_IF_ERROR(server.Start());

  std::printf("Herald %s listening on http://%s:%d (database: %s, data: %s)\n", HERALD_VERSION,
              opts.host.c_str(), server.port(),
              std::string(storage::BackendName(db_->backend())).c_str(), config_.data_dir.c_str());
  std::fflush(stdout);
  log::Info("listening on port " + std::to_string(server.port()));

  // Housekeeping: flush and prune the access log while serving.
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread housekeeper([&] {
    std::unique_lock<std::mutex> lock(mu);
    int ticks = 0;
    Micros last_grades = 0;
    while (!stopping) {
      cv.wait_for(lock, std::chrono::seconds(1));
      access_log->Flush();
      if (ticks % config_.accounts.jobs_interval_seconds == 0) {
        auto report = accounts_->RunJobs(auth::RequestMeta{"jobs", "local", ""});
        if (!report.ok()) log::Warn("scheduled jobs failed: " + report.status().ToString());
        // Issue 6: credit recovery and qualification bonuses; every account's grade nightly.
        const bool grades = clock().Now() - last_grades >= kMicrosPerDay;
        auto credit_jobs = credit_->RunJobs(grades);
        if (!credit_jobs.ok()) {
          log::Warn("credit jobs failed: " + credit_jobs.status().ToString());
        } else if (grades) {
          last_grades = clock().Now();
        }
        // PA17-16: deleted and removed articles past the retention period.
        auto purged = articles_->PurgeExpired("system", clock().Now(), false,
                                              auth::RequestMeta{"purge", "local", ""});
        // PA-13.2: later copies labelled, readers notified, early warning.
        auto rumour_jobs = rumours_->RunJobs(clock().Now());
        if (!rumour_jobs.ok()) log::Warn("rumour jobs failed: " + rumour_jobs.status().ToString());
        // PA-20.1: open reports past their time limit go to the content security officer.
        auto report_jobs = reports_->RunJobs(clock().Now());
        if (!report_jobs.ok()) log::Warn("report jobs failed: " + report_jobs.status().ToString());
        if (!purged.ok()) {
          log::Warn("content purge failed: " + purged.status().ToString());
        } else if (purged->articles > 0) {
          log::Info("purged " + std::to_string(purged->articles) + " expired articles");
        }
      }
      if (ticks % config_.moderation.dictionary_poll_seconds == 0) {
        // Hot reload of edited dictionary files; a broken edit keeps the old version.
        auto reloaded = screening_->PollForChanges();
        if (!reloaded.ok()) {
          log::Warn("screening dictionaries not reloaded: " + reloaded.status().message());
        } else if (*reloaded) {
          log::Info("screening dictionaries reloaded, version " +
                    std::to_string(screening_->Info().version));
        }
      }
      // Changes queued for the search index (searches also apply them before they run), in
      // short write transactions so publishes interleave, for at most a quarter of a second per
      // tick: a bulk load's backlog is worked off in the background without taking a core.
      const auto index_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
      while (std::chrono::steady_clock::now() < index_until) {
        auto synced = feed_->SyncSearchIndex();
        if (!synced.ok()) log::Warn("search index not updated: " + synced.status().ToString());
        if (!synced.ok() || synced->drained) break;
      }
      if (ticks % 60 == 0) {
        auto pruned = feed_->PruneTimelineChanges();
        if (!pruned.ok())
          log::Warn("timeline change log not pruned: " + pruned.status().ToString());
      }
      if (ticks++ % 3600 == 0) {
        int pruned = access_log->Prune();
        if (pruned > 0) log::Info("pruned " + std::to_string(pruned) + " expired access logs");
      }
    }
  });

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("signal " + std::to_string(sig) + " received, stopping");
  server.Stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  housekeeper.join();
  access_log->Flush();
  std::printf("Herald stopped\n");
  return Status();
}

}  // namespace herald::app
