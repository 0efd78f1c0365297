// The composition root: builds config → logging → storage (+ migrations) → keys → audit →
// domain services → HTTP server, in that order, and tears them down in reverse. Used by main.cc
// for every subcommand; each command asks only for the parts it needs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "appeals/appeal_service.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "comments/comment_service.h"
#include "content/article_service.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/random.h"
#include "credit/credit_service.h"
#include "feed/feed_service.h"
#include "groups/group_service.h"
#include "media/media_library.h"
#include "moderation/screening_service.h"
#include "notifications/notification_service.h"
#include "provenance/provenance_service.h"
#include "reports/report_service.h"
#include "review/review_queue.h"
#include "rumours/rumour_service.h"
#include "sanctions/sanction_service.h"
#include "social/social_service.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "subjects/otp.h"
#include "subjects/sms.h"
#include "subjects/subject_service.h"
#include "subjects/verifier.h"
#include "text/normalizer.h"

namespace herald::app {

// Threads for database-bound handlers: the configured number, or by default max(1, cores/2)
// for SQLite and 4 x cores for PostgreSQL.
int DatabaseWorkers(const Config& config, storage::Backend backend);

// Every module's migrations in dependency order.
std::vector<storage::Migration> AllMigrations();

class App {
 public:
  explicit App(Config config) : config_(std::move(config)) {}
  // For `herald jobs run --at TIME`: services read this clock instead of the system clock.
  App(Config config, const Clock& clock) : config_(std::move(config)), clock_override_(&clock) {}
  ~App();

  // Creates the data directory, opens the database and applies pending migrations.
  Status OpenStorage();
  // Loads (or creates) the master key and builds audit and auth services. Needs OpenStorage.
  Status OpenServices();
  // Replaces the master key (PA17-9): creates a new key, re-seals every piece of personal data
  // and recomputes the blind indexes in one transaction, then installs the new key file and
  // moves the old one to keys/retired/ (take it offline). A crash in between is finished or
  // undone at the next start. Needs OpenStorage; the server must not be running.
  Status RotateKeys();

  // Runs the HTTP server until SIGINT or SIGTERM. Needs OpenServices.
  Status Serve();

  const Config& config() const { return config_; }
  storage::Database& db() { return *db_; }
  audit::AuditLog& audit() { return *audit_; }
  auth::AuthService& auth() { return *auth_; }
  const Clock& clock() const { return clock_override_ ? *clock_override_ : clock_; }
  subjects::SubjectService& subjects() { return *subjects_; }
  subjects::OtpService& otp() { return *otp_; }
  accounts::AccountService& accounts() { return *accounts_; }
  sanctions::SanctionService& sanctions() { return *sanctions_; }
  credit::CreditService& credit() { return *credit_; }
  content::ArticleService& articles() { return *articles_; }
  social::SocialService& social() { return *social_; }
  comments::CommentService& comments() { return *comments_; }
  feed::FeedService& feed() { return *feed_; }
  rumours::RumourService& rumours() { return *rumours_; }
  appeals::AppealService& appeals() { return *appeals_; }
  reports::ReportService& reports() { return *reports_; }
  review::ReviewQueue& review() { return *review_; }
  notifications::NotificationService& notifications() { return *notifications_; }
  moderation::ScreeningService& screening() { return *screening_; }
  const text::Normalizer& normalizer() const { return *normalizer_; }
  const auth::PiiKeys& pii_keys() const { return *keys_; }
  std::string outbox_dir() const { return config_.data_dir + "/outbox"; }
  std::string dictionaries_dir() const {
    return config_.moderation.dictionaries_dir.empty() ? config_.data_dir + "/dictionaries"
                                                       : config_.moderation.dictionaries_dir;
  }
  int migrations_applied() const { return migrations_applied_; }

 private:
  Config config_;
  SystemClock clock_;
  SystemRandom random_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  const Clock* clock_override_ = nullptr;
  std::unique_ptr<auth::PiiKeys> keys_;
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<text::Normalizer> normalizer_;
  std::unique_ptr<subjects::SmsGateway> sms_;
  std::unique_ptr<subjects::IdentityVerifier> verifier_;
  std::unique_ptr<subjects::OtpService> otp_;
  std::unique_ptr<review::ReviewQueue> review_;
  std::unique_ptr<sanctions::SanctionService> sanctions_;
  std::unique_ptr<credit::CreditService> credit_;  // issue 6; registers sanction hooks
  std::unique_ptr<notifications::NotificationService> notifications_;
  std::unique_ptr<subjects::SubjectService> subjects_;
  std::unique_ptr<media::MediaStore> media_store_;
  std::unique_ptr<media::MediaLibrary> media_;
  std::unique_ptr<text::Normalizer> screening_normalizer_;  // moderation's options
  std::unique_ptr<moderation::ScreeningService> screening_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<provenance::ProvenanceService> provenance_;
  std::unique_ptr<content::ArticleService> articles_;
  std::unique_ptr<groups::GroupService> groups_;
  std::unique_ptr<social::SocialService> social_;
  std::unique_ptr<comments::CommentService> comments_;
  std::unique_ptr<text::Normalizer> search_normalizer_;  // feed::SearchNormalizerOptions()
  std::unique_ptr<feed::FeedService> feed_;
  std::unique_ptr<rumours::RumourService> rumours_;
  std::unique_ptr<appeals::AppealService> appeals_;
  std::unique_ptr<reports::ReportService> reports_;
  int migrations_applied_ = 0;
};

}  // namespace herald::app
