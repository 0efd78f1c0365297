#include "core/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <vector>

extern char** environ;

namespace herald {

std::string Config::DatabaseUrl() const {
  if (!db.empty()) return db;
  return "sqlite:///" + data_dir + "/herald.db";
}

namespace {

struct Key {
  std::string section;  // "" for top level
  std::string name;
  std::function<Status(const toml::node&)> from_toml;
  std::function<Status(const std::string&)> from_env;
};

Status BadKey(const std::string& key, const std::string& why) {
  return InvalidArgument("config " + key + ": " + why, "invalid_config", key);
}

Key IntKey(std::string section, std::string name, int64_t* target) {
  std::string full = section.empty() ? name : section + "." + name;
  return Key{section, name,
             [=](const toml::node& n) -> Status {
               auto v = n.value<int64_t>();
               if (!v) return BadKey(full, "expected an integer");
               *target = *v;
               return Status();
             },
             [=](const std::string& s) -> Status {
               int64_t v = 0;
               auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
               if (ec != std::errc() || p != s.data() + s.size()) {
                 return BadKey(full, "expected an integer, got '" + s + "'");
               }
               *target = v;
               return Status();
             }};
}

Key StrKey(std::string section, std::string name, std::string* target) {
  std::string full = section.empty() ? name : section + "." + name;
  return Key{section, name,
             [=](const toml::node& n) -> Status {
               auto v = n.value<std::string>();
               if (!v) return BadKey(full, "expected a string");
               *target = *v;
               return Status();
             },
             [=](const std::string& s) -> Status {
               *target = s;
               return Status();
             }};
}

std::string EnvName(const Key& k) {
  std::string n = "HERALD_";
  if (!k.section.empty()) n += k.section + "_";
  n += k.name;
  for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return n;
}

}  // namespace

std::map<std::string, std::string> HeraldEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("HERALD_", 0) != 0) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

Status ValidateConfig(const Config& c) {
  if (c.server.port < 0 || c.server.port > 65535) return BadKey("server.port", "out of range");
  if (c.server.io_threads < 0 || c.server.io_threads > 256)
    return BadKey("server.io_threads", "out of range");
  if (c.server.sqlite_cache_mib < 1 || c.server.sqlite_cache_mib > 4096)
    return BadKey("server.sqlite_cache_mib", "must be between 1 and 4096");
  if (c.server.db_workers < 0 || c.server.db_workers > 1024)
    return BadKey("server.db_workers", "out of range");
  if (c.server.body_limit_bytes < 1024 || c.server.body_limit_bytes > (1ll << 30))
    return BadKey("server.body_limit_bytes", "must be between 1 KiB and 1 GiB");
  if (c.server.header_timeout_ms < 100 || c.server.body_timeout_ms < 100 ||
      c.server.idle_timeout_ms < 100)
    return BadKey("server.*_timeout_ms", "must be at least 100");
  if (c.auth.session_ttl_hours < 1) return BadKey("auth.session_ttl_hours", "must be >= 1");
  if (c.auth.login_burst_threshold < 1) return BadKey("auth.login_burst_threshold", "must be >= 1");
  if (c.auth.login_burst_window_minutes < 1 || c.auth.lockout_minutes < 0)
    return BadKey("auth.login_burst_window_minutes", "out of range");
  if (c.auth.password_hash != "interactive" && c.auth.password_hash != "moderate")
    return BadKey("auth.password_hash", "must be \"interactive\" or \"moderate\"");
  if (c.auth.registrations_per_client_per_hour < 0)
    return BadKey("auth.registrations_per_client_per_hour", "must be >= 0");
  if (c.log.retention_days < 180)
    return BadKey("log.retention_days", "logs must be kept at least 180 days (PA17-16, GR-13)");
  if (c.log.access_log_max_bytes < 4096)
    return BadKey("log.access_log_max_bytes", "must be at least 4096");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (auto* l : kLevels) level_ok = level_ok || c.log.level == l;
  if (!level_ok) return BadKey("log.level", "must be one of trace/debug/info/warn/error/off");
  if (c.data_dir.empty()) return BadKey("data_dir", "must not be empty");
  if (c.identity.sms_gateway != "outbox" && c.identity.sms_gateway != "http")
    return BadKey("identity.sms_gateway", "must be \"outbox\" or \"http\"");
  if (c.identity.sms_gateway == "http" && c.identity.sms_url.empty())
    return BadKey("identity.sms_url", "is required with sms_gateway = \"http\"");
  if (c.identity.verifier != "development" && c.identity.verifier != "http")
    return BadKey("identity.verifier", "must be \"development\" or \"http\"");
  if (c.identity.verifier == "http" && c.identity.verifier_url.empty())
    return BadKey("identity.verifier_url", "is required with verifier = \"http\"");
  if (c.identity.otp_ttl_seconds < 30 || c.identity.otp_ttl_seconds > 3600)
    return BadKey("identity.otp_ttl_seconds", "must be between 30 and 3600");
  if (c.identity.otp_resend_cooldown_seconds < 0 || c.identity.otp_resend_cooldown_seconds > 3600)
    return BadKey("identity.otp_resend_cooldown_seconds", "must be between 0 and 3600");
  if (c.accounts.cap_individual < 1 || c.accounts.cap_organisation < 1)
    return BadKey("accounts.cap_individual", "caps must be at least 1");
  if (c.accounts.cancel_cooling_off_days < 0 || c.accounts.cancel_cooling_off_days > 90)
    return BadKey("accounts.cancel_cooling_off_days", "must be between 0 and 90");
  if (c.accounts.inactivity_days < 180)
    return BadKey("accounts.inactivity_days", "must be at least 180 (PA-10.2: six months)");
  if (c.accounts.reverify_days < 1) return BadKey("accounts.reverify_days", "must be at least 1");
  if (c.accounts.jobs_interval_seconds < 1)
    return BadKey("accounts.jobs_interval_seconds", "must be at least 1");
  if (c.moderation.dictionary_poll_seconds < 1)
    return BadKey("moderation.dictionary_poll_seconds", "must be at least 1");
  if (c.moderation.review_due_hours < 1 || c.moderation.review_due_hours_registration < 1)
    return BadKey("moderation.review_due_hours", "must be at least 1");
  if (c.moderation.review_claim_minutes < 1)
    return BadKey("moderation.review_claim_minutes", "must be at least 1");
  if (c.rumours.blacklist_after < 1 || c.rumours.blacklist_after > 100)
    return BadKey("rumours.blacklist_after", "must be between 1 and 100");
  if (c.rumours.blacklist_window_days < 1 || c.rumours.blacklist_window_days > 3650)
    return BadKey("rumours.blacklist_window_days", "must be between 1 and 3650");
  if (c.rumours.warning_min_forwards < 1 || c.rumours.warning_min_reads < 1)
    return BadKey("rumours.warning_min_forwards", "warning minimums must be at least 1");
  if (c.rumours.warning_factor < 1 || c.rumours.warning_factor > 1000)
    return BadKey("rumours.warning_factor", "must be between 1 and 1000");
  if (c.rumours.rescan_days < 0 || c.rumours.rescan_days > 3650)
    return BadKey("rumours.rescan_days", "must be between 0 and 3650");
  if (c.rumours.reader_retention_days < 1 || c.rumours.reader_retention_days > 3650)
    return BadKey("rumours.reader_retention_days", "must be between 1 and 3650");
  if (c.reports.daily_limit_user < 0 || c.reports.daily_limit_anonymous < 0)
    return BadKey("reports.daily_limit_user", "daily limits must be 0 (unlimited) or more");
  if (c.reports.accept_hours < 1 || c.reports.handle_hours < 1 ||
      c.reports.handle_hours_urgent < 1 || c.reports.handle_hours_urgent > c.reports.handle_hours)
    return BadKey("reports.handle_hours",
                  "time limits must be at least 1 hour, the urgent one no longer than the others");
  if (c.reports.campaign_min_reports < 2)
    return BadKey("reports.campaign_min_reports", "must be at least 2");
  if (c.appeals.window_days < 0 || c.appeals.window_days > 365)
    return BadKey("appeals.window_days", "must be between 1 and 365 (0 only in tests)");
  if (c.appeals.decide_days < 1 || c.appeals.decide_days > 90)
    return BadKey("appeals.decide_days", "must be between 1 and 90");
  if (c.content.retention_days < 180 || c.content.retention_days > 36500)
    return BadKey("content.retention_days",
                  "deleted articles must be kept at least 180 days (PA17-16)");
  return Status();
}

Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  Config c;
  int64_t port = c.server.port, io = c.server.io_threads, dbw = c.server.db_workers,
          hto = c.server.header_timeout_ms, bto = c.server.body_timeout_ms,
          ito = c.server.idle_timeout_ms, ttl = c.auth.session_ttl_hours,
          burst = c.auth.login_burst_threshold, window = c.auth.login_burst_window_minutes,
          lockout = c.auth.lockout_minutes, retention = c.log.retention_days;
  std::vector<Key> keys = {
      StrKey("", "data_dir", &c.data_dir),
      StrKey("", "db", &c.db),
      StrKey("server", "host", &c.server.host),
      IntKey("server", "port", &port),
      IntKey("server", "io_threads", &io),
      IntKey("server", "db_workers", &dbw),
      IntKey("server", "body_limit_bytes", &c.server.body_limit_bytes),
      IntKey("server", "header_timeout_ms", &hto),
      IntKey("server", "body_timeout_ms", &bto),
      IntKey("server", "idle_timeout_ms", &ito),
      IntKey("server", "sqlite_cache_mib", &c.server.sqlite_cache_mib),
      StrKey("server", "web_root", &c.server.web_root),
      IntKey("auth", "session_ttl_hours", &ttl),
      IntKey("auth", "login_burst_threshold", &burst),
      IntKey("auth", "login_burst_window_minutes", &window),
      IntKey("auth", "lockout_minutes", &lockout),
      StrKey("auth", "password_hash", &c.auth.password_hash),
      IntKey("auth", "registrations_per_client_per_hour",
             &c.auth.registrations_per_client_per_hour),
      StrKey("log", "level", &c.log.level),
      IntKey("log", "access_log_max_bytes", &c.log.access_log_max_bytes),
      IntKey("log", "retention_days", &retention),
      StrKey("identity", "sms_gateway", &c.identity.sms_gateway),
      StrKey("identity", "sms_url", &c.identity.sms_url),
      StrKey("identity", "verifier", &c.identity.verifier),
      StrKey("identity", "verifier_url", &c.identity.verifier_url),
      IntKey("identity", "otp_ttl_seconds", &c.identity.otp_ttl_seconds),
      IntKey("identity", "otp_resend_cooldown_seconds", &c.identity.otp_resend_cooldown_seconds),
      IntKey("accounts", "cap_individual", &c.accounts.cap_individual),
      IntKey("accounts", "cap_organisation", &c.accounts.cap_organisation),
      IntKey("accounts", "cancel_cooling_off_days", &c.accounts.cancel_cooling_off_days),
      IntKey("accounts", "inactivity_days", &c.accounts.inactivity_days),
      IntKey("accounts", "jobs_interval_seconds", &c.accounts.jobs_interval_seconds),
      IntKey("accounts", "reverify_days", &c.accounts.reverify_days),
      StrKey("accounts", "registration_terms_file", &c.accounts.registration_terms_file),
      StrKey("moderation", "dictionaries_dir", &c.moderation.dictionaries_dir),
      IntKey("moderation", "dictionary_poll_seconds", &c.moderation.dictionary_poll_seconds),
      IntKey("moderation", "review_due_hours", &c.moderation.review_due_hours),
      IntKey("moderation", "review_due_hours_registration",
             &c.moderation.review_due_hours_registration),
      IntKey("moderation", "review_claim_minutes", &c.moderation.review_claim_minutes),
      IntKey("content", "retention_days", &c.content.retention_days),
      StrKey("credit", "rules_file", &c.credit.rules_file),
      IntKey("reports", "daily_limit_user", &c.reports.daily_limit_user),
      IntKey("reports", "daily_limit_anonymous", &c.reports.daily_limit_anonymous),
      IntKey("reports", "accept_hours", &c.reports.accept_hours),
      IntKey("reports", "handle_hours", &c.reports.handle_hours),
      IntKey("reports", "handle_hours_urgent", &c.reports.handle_hours_urgent),
      IntKey("reports", "campaign_min_reports", &c.reports.campaign_min_reports),
      IntKey("appeals", "window_days", &c.appeals.window_days),
      IntKey("appeals", "decide_days", &c.appeals.decide_days),
      IntKey("rumours", "blacklist_after", &c.rumours.blacklist_after),
      IntKey("rumours", "blacklist_window_days", &c.rumours.blacklist_window_days),
      IntKey("rumours", "warning_min_forwards", &c.rumours.warning_min_forwards),
      IntKey("rumours", "warning_min_reads", &c.rumours.warning_min_reads),
      IntKey("rumours", "warning_factor", &c.rumours.warning_factor),
      StrKey("rumours", "warning_categories", &c.rumours.warning_categories),
      IntKey("rumours", "rescan_days", &c.rumours.rescan_days),
      IntKey("rumours", "reader_retention_days", &c.rumours.reader_retention_days),
  };

  if (!path.empty()) {
    toml::table tbl;
    try {
      tbl = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      std::string why = std::string(e.description());
      return InvalidArgument(
          "config file " + path + " line " + std::to_string(e.source().begin.line) + ": " + why,
          "invalid_config");
    }
    // Reject unknown keys so typos do not silently fall back to defaults.
    for (auto& [k, v] : tbl) {
      std::string name(k.str());
      if (v.is_table()) {
        for (auto& [k2, v2] : *v.as_table()) {
          std::string sub(k2.str());
          bool known = false;
          for (auto& key : keys) {
            if (key.section == name && key.name == sub) {
              HERALD_RETURN_IF_ERROR(key.from_toml(v2));
              known = true;
            }
          }
          if (!known) return BadKey(name + "." + sub, "unknown key");
        }
      } else {
        bool known = false;
        for (auto& key : keys) {
          if (key.section.empty() && key.name == name) {
            HERALD_RETURN_IF_ERROR(key.from_toml(v));
            known = true;
          }
        }
        if (!known) return BadKey(name, "unknown key");
      }
    }
  }
  for (auto& key : keys) {
    auto it = env.find(EnvName(key));
    if (it != env.end()) HERALD_RETURN_IF_ERROR(key.from_env(it->second));
  }
  auto narrow = [](int64_t v, int* out) {
    if (v < INT32_MIN || v > INT32_MAX) return false;
    *out = static_cast<int>(v);
    return true;
  };
  if (!narrow(port, &c.server.port) || !narrow(io, &c.server.io_threads) ||
      !narrow(dbw, &c.server.db_workers) || !narrow(hto, &c.server.header_timeout_ms) ||
      !narrow(bto, &c.server.body_timeout_ms) || !narrow(ito, &c.server.idle_timeout_ms) ||
      !narrow(ttl, &c.auth.session_ttl_hours) || !narrow(burst, &c.auth.login_burst_threshold) ||
      !narrow(window, &c.auth.login_burst_window_minutes) ||
      !narrow(lockout, &c.auth.lockout_minutes) || !narrow(retention, &c.log.retention_days)) {
    return InvalidArgument("config value out of range", "invalid_config");
  }
  HERALD_RETURN_IF_ERROR(ValidateConfig(c));
  return c;
}

}  // namespace herald
