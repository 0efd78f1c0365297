// Config: Herald's settings, read from a TOML file, then overridden by environment variables,
// then by command-line flags (the CLI applies those). Invalid configuration fails fast with
// InvalidArgument naming the key.
//
// File layout (every key optional; see herald.example.toml):
//   data_dir = "./data"              HERALD_DATA_DIR
//   db = "sqlite:///./data/herald.db" HERALD_DB  (empty: sqlite under data_dir)
//   [server] host, port, io_threads, db_workers, body_limit_bytes, header_timeout_ms,
//            body_timeout_ms, idle_timeout_ms, sqlite_cache_mib (page cache per SQLite
//            connection, allocated as used; 1..4096), web_root (the built web front end,
//            e.g. ./web/dist; empty: API only)      HERALD_SERVER_<KEY>
//   [auth]   session_ttl_hours, login_burst_threshold, login_burst_window_minutes,
//            lockout_minutes, password_hash ("interactive"|"moderate"),
//            registrations_per_client_per_hour                HERALD_AUTH_<KEY>
//   [log]    level, access_log_max_bytes, retention_days (never below 180)  HERALD_LOG_<KEY>
//   [identity] sms_gateway ("outbox"|"http"), sms_url, verifier ("development"|"http"),
//            verifier_url, otp_ttl_seconds, otp_resend_cooldown_seconds  HERALD_IDENTITY_<KEY>
//   [accounts] cap_individual, cap_organisation, cancel_cooling_off_days, inactivity_days
//            (never below 180), jobs_interval_seconds, reverify_days,
//            registration_terms_file (an extra, read-only screening dictionary)
//                                                          HERALD_ACCOUNTS_<KEY>
//   [moderation] dictionaries_dir, dictionary_poll_seconds, review_due_hours,
//            review_due_hours_registration, review_claim_minutes   HERALD_MODERATION_<KEY>
//   [content] retention_days (deleted and removed articles kept this long before the purge;
//            never below 180, PA17-16)                      HERALD_CONTENT_<KEY>
//   [rumours] blacklist_after (upheld rumour verdicts within blacklist_window_days that
//            blacklist a subject; >= 1), blacklist_window_days, warning_min_forwards,
//            warning_min_reads, warning_factor, warning_categories (comma-separated account
//            categories prone to rumours), rescan_days, reader_retention_days (PA-13.2)
//                                                           HERALD_RUMOURS_<KEY>
//   [reports] daily_limit_user, daily_limit_anonymous (reports per reporter per 24 h; 0 =
//            unlimited), accept_hours, handle_hours, handle_hours_urgent (illegal_content,
//            pornography, fraud), campaign_min_reports (PA-20.1, PA-20.2)  HERALD_REPORTS_<KEY>
//   [credit] rules_file (a TOML file replacing the embedded credit and grade rules, issue 6;
//            empty: the embedded rules)                     HERALD_CREDIT_<KEY>
//   [appeals] window_days (appeal within this many days of the decision; 1..365, or 0 in tests
//            only: every window closed), decide_days (the published time limit to decide an
//            appeal, also the review item's due time; 1..90)   HERALD_APPEALS_<KEY>
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"

namespace herald {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  int io_threads = 0;  // 0: one per core
  int db_workers = 0;  // 0: two per core
  int64_t body_limit_bytes = 1 << 20;
  int header_timeout_ms = 10'000;
  int body_timeout_ms = 30'000;
  int idle_timeout_ms = 60'000;
  int64_t sqlite_cache_mib = 64;
  // The built web front end (web/dist) served at "/" by `herald serve`; empty: API only.
  std::string web_root;
};

struct AuthConfig {
  int session_ttl_hours = 24 * 30;
  int login_burst_threshold = 5;
  int login_burst_window_minutes = 15;
  int lockout_minutes = 15;
  std::string password_hash = "interactive";
  int64_t registrations_per_client_per_hour = 50;  // PA-10.3; 0 = unlimited
};

struct LogConfig {
  std::string level = "info";
  int64_t access_log_max_bytes = 64ll << 20;
  int retention_days = 180;  // PA17-16, GR-13: never fewer than 180
};

struct IdentityConfig {
  std::string sms_gateway = "outbox";    // DEVELOPMENT default: messages land in <data>/outbox
  std::string sms_url;                   // for "http"
  std::string verifier = "development";  // DEVELOPMENT default; "http" for a real service
  std::string verifier_url;
  int64_t otp_ttl_seconds = 300;
  int64_t otp_resend_cooldown_seconds = 60;
};

struct AccountsConfig {
  int64_t cap_individual = 2;
  int64_t cap_organisation = 5;
  int64_t cancel_cooling_off_days = 15;
  int64_t inactivity_days = 180;  // PA-10.2: more than six months
  int64_t jobs_interval_seconds = 600;
  int64_t reverify_days = 365;  // PA-9.3: identities re-checked after this many days
  // PA-8.2: an extra term list (term<TAB>category<TAB>action) loaded with the platform's
  // screening dictionaries (read-only through the API, hot-reloaded on change).
  std::string registration_terms_file;
};

struct ModerationConfig {
  std::string dictionaries_dir;  // empty: <data_dir>/dictionaries
  int64_t dictionary_poll_seconds = 2;
  int64_t review_due_hours = 24;  // content, clusters, reports, ...
  int64_t review_due_hours_registration =
      72;  // names, registration data, qualifications, transfers
  int64_t review_claim_minutes = 30;
};

struct ContentConfig {
  int64_t retention_days = 180;  // PA17-16: at least six months
};

struct RumoursConfig {  // PA-13.2, docs/rumours.md
  int64_t blacklist_after = 3;
  int64_t blacklist_window_days = 365;
  int64_t warning_min_forwards = 20;
  int64_t warning_min_reads = 200;
  int64_t warning_factor = 5;
  std::string warning_categories = "news,politics_society,finance,medical_health,food,parenting";
  int64_t rescan_days = 30;
  int64_t reader_retention_days = 180;
};

struct ReportsConfig {  // PA-20.1, PA-20.2, docs/reports.md
  int64_t daily_limit_user = 20;
  int64_t daily_limit_anonymous = 5;
  int64_t accept_hours = 24;
  int64_t handle_hours = 168;
  int64_t handle_hours_urgent = 48;
  int64_t campaign_min_reports = 3;
};

struct CreditConfig {
  std::string rules_file;  // empty: credit::DefaultRulesToml()
};

struct AppealsConfig {  // PA-14.3, PA-20.1, docs/appeals.md
  int64_t window_days = 30;
  int64_t decide_days = 7;
};

struct Config {
  std::string data_dir = "./data";
  std::string db;  // empty: sqlite:///<data_dir>/herald.db
  ServerConfig server;
  AuthConfig auth;
  LogConfig log;
  IdentityConfig identity;
  AccountsConfig accounts;
  ModerationConfig moderation;
  ContentConfig content;
  CreditConfig credit;
  AppealsConfig appeals;
  RumoursConfig rumours;
  ReportsConfig reports;

  // The database URL in force: `db`, or the default SQLite file under data_dir.
  std::string DatabaseUrl() const;
};

// Reads `path` (when non-empty; a missing named file is an error) and then applies
// environment overrides from `env` (name → value). Returns InvalidArgument with the key name
// on a syntax error, a wrong type or an out-of-range value.
Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment's HERALD_* variables.
std::map<std::string, std::string> HeraldEnvironment();

// Checks ranges; called by LoadConfig and again after CLI flags are applied.
Status ValidateConfig(const Config& config);

}  // namespace herald
