// herald: the single binary. Subcommands: serve, migrate, admin create, demo, audit verify,
// routes, names check|import, screen, dedup, jobs run, purge, keys rotate. Run `herald --help` for
// the list. Each command has its own --help.
//
// Exit codes: 0 success, 1 the command failed (message on stderr), 2 bad usage or configuration,
// 3 `audit verify` found the chain broken.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/dedup_cli.h"
#include "api/report.h"
#include "app/app.h"
#include "app/demo.h"
#include "auth/roles.h"
#include "core/config.h"
#include "core/log.h"
#include "identity/id_numbers.h"
#include "moderation/screen_cli.h"
#include "names/names_cli.h"
#include "names/protected_names.h"
#include "subjects/sms.h"

namespace herald::app {
namespace {

struct CommonFlags {
  std::string config_path;
  std::string db;
  std::string data;
  std::optional<int> port;
  std::string host;
  std::string web;
};

int Fail(const Status& s, int code = 1) {
  std::fprintf(stderr, "herald: %s\n", s.ToString().c_str());
  return code;
}

Result<Config> ResolveConfig(const CommonFlags& f) {
  HERALD_ASSIGN_OR_RETURN(Config c, LoadConfig(f.config_path, HeraldEnvironment()));
  if (!f.data.empty()) c.data_dir = f.data;
  if (!f.db.empty()) c.db = f.db;
  if (f.port) c.server.port = *f.port;
  if (!f.host.empty()) c.server.host = f.host;
  if (!f.web.empty()) c.server.web_root = f.web;
  HERALD_RETURN_IF_ERROR(ValidateConfig(c));
  // Make the default SQLite path absolute so "sqlite:///" + path stays well-formed.
  std::error_code ec;
  auto abs = std::filesystem::absolute(c.data_dir, ec);
  if (!ec) c.data_dir = abs.lexically_normal().string();
  if (!c.data_dir.empty() && c.data_dir.size() > 1 && c.data_dir.back() == '/')
    c.data_dir.pop_back();
  return c;
}

Result<std::unique_ptr<App>> Open(const CommonFlags& f, bool services,
                                  const Clock* clock = nullptr) {
  HERALD_ASSIGN_OR_RETURN(Config c, ResolveConfig(f));
  auto app =
      clock ? std::make_unique<App>(std::move(c), *clock) : std::make_unique<App>(std::move(c));
  HERALD_RETURN_IF_ERROR(app->OpenStorage());
  if (services) HERALD_RETURN_IF_ERROR(app->OpenServices());
  return app;
}

void AddDataFlags(CLI::App* cmd, CommonFlags& f) {
  cmd->add_option("--db", f.db,
                  "Database URL: sqlite:///path/to.db or postgresql://user@host:port/db "
                  "(default: sqlite under the data directory)");
  cmd->add_option("--data", f.data,
                  "Data directory for logs, media, keys and outbox (default ./data)");
}

std::string ReadPassword(bool from_stdin) {
  if (const char* env = std::getenv("HERALD_ADMIN_PASSWORD"); env && *env) return env;
  if (!from_stdin) return "";
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App cli{"Herald: a platform for public accounts (公众账号) and groups (群组)", "herald"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", HERALD_VERSION);
  CommonFlags flags;
  cli.add_option("--config", flags.config_path, "TOML config file (HERALD_* variables override it)")
      ->check(CLI::ExistingFile);

  auto* serve = cli.add_subcommand("serve", "Run the HTTP server (migrates the database first)");
  AddDataFlags(serve, flags);
  serve->add_option("--port", flags.port, "TCP port; 0 picks a free one and prints it")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--host", flags.host, "Address to bind (default 127.0.0.1)");
  serve->add_option("--web", flags.web,
                    "The built web front end to serve at / (web/dist; default: [server] web_root, "
                    "else API only)");

  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
  AddDataFlags(migrate, flags);

  auto* admin = cli.add_subcommand("admin", "Administer users from the command line");
  admin->require_subcommand(1);
  auto* admin_create =
      admin->add_subcommand("create",
                            "Create a user with a role (or grant the role to an existing "
                            "user); password from HERALD_ADMIN_PASSWORD or stdin");
  AddDataFlags(admin_create, flags);
  std::string role_name = "platform_admin", phone;
  bool password_stdin = false;
  admin_create->add_option("--role", role_name, "Role to grant (default platform_admin)");
  admin_create->add_option("--phone", phone, "Mobile number of the user")->required();
  admin_create->add_flag("--password-stdin", password_stdin, "Read the password from stdin");

  auto* demo = cli.add_subcommand("demo", "Load the demo data set and print the demo logins");
  AddDataFlags(demo, flags);

  auto* audit = cli.add_subcommand("audit", "Audit log tools");
  audit->require_subcommand(1);
  auto* verify =
      audit->add_subcommand("verify", "Recompute the audit hash chain; exit 3 if broken");
  AddDataFlags(verify, flags);

  auto* routes = cli.add_subcommand("routes", "List the HTTP routes with their permissions");
  bool routes_json = false;
  routes->add_flag("--json", routes_json, "Print JSON instead of text");

  auto* names = cli.add_subcommand("names", "Protected-name tools");
  names->require_subcommand(1);
  auto* names_check = names->add_subcommand(
      "check",
      "Check account names (one per line on stdin) against protected names; prints "
      "one JSON object per line (docs/names.md)");
  std::string protected_file;
  names_check->add_option("--protected", protected_file, "Protected names file (name<TAB>kind)")
      ->required();
  auto* names_import = names->add_subcommand(
      "import",
      "Load a protected-names file (name<TAB>kind[<TAB>bound_subject_id]) into the "
      "registry used for account registration; audited");
  std::string import_file;
  names_import->add_option("FILE", import_file, "Protected names file")->required();
  AddDataFlags(names_import, flags);

  auto* screen = cli.add_subcommand(
      "screen",
      "Screen text (one item per line on stdin) against moderation term files; prints one "
      "JSON object per line (docs/moderation.md)");
  std::vector<std::string> term_files;
  screen->add_option("--terms", term_files, "Term file (term<TAB>category<TAB>action); repeatable")
      ->required();

  auto* dedup = cli.add_subcommand(
      "dedup",
      "Find near-duplicate documents: JSON lines {\"id\",\"text\"} on stdin, one "
      "{\"id\",\"near\"} line per document on stdout (docs/moderation.md)");
  double dedup_threshold = 0.8;
  dedup
      ->add_option("--threshold", dedup_threshold,
                   "Jaccard similarity of character 3-shingles at which two texts are "
                   "near-duplicates (default 0.8)")
      ->check(CLI::Range(0.01, 1.0));

  auto* keys = cli.add_subcommand("keys", "Encryption keys of personal data");
  keys->require_subcommand(1);
  auto* keys_rotate = keys->add_subcommand(
      "rotate",
      "Create a new master key and re-encrypt all personal data under it (stop the "
      "server first); the old key moves to keys/retired/");
  AddDataFlags(keys_rotate, flags);

  auto* report = cli.add_subcommand("report", "Reports for the regulator");
  report->require_subcommand(1);
  auto* report_sanctions = report->add_subcommand(
      "sanctions",
      "Export the sanctions issued in [--from, --to) as JSON or CSV on stdout "
      "(docs/moderation.md)");
  AddDataFlags(report_sanctions, flags);
  std::string report_from, report_to, report_format = "json";
  report_sanctions
      ->add_option("--from", report_from, "Start, inclusive: RFC 3339 time or YYYY-MM-DD (UTC)")
      ->required();
  report_sanctions
      ->add_option("--to", report_to, "End, exclusive: RFC 3339 time or YYYY-MM-DD (UTC)")
      ->required();
  report_sanctions->add_option("--format", report_format, "json (default) or csv")
      ->check(CLI::IsMember({"json", "csv"}));

  auto* jobs = cli.add_subcommand("jobs", "Scheduled jobs");
  jobs->require_subcommand(1);
  auto* jobs_run = jobs->add_subcommand(
      "run",
      "Run the scheduled jobs once (correction deadlines, inactivity, qualification "
      "expiry, cancellations, purging) and print a JSON report");
  AddDataFlags(jobs_run, flags);
  std::string jobs_at;
  jobs_run->add_option("--at", jobs_at,
                       "Run as if the time were this RFC 3339 time (rehearsals and tests)");

  auto* purge = cli.add_subcommand(
      "purge",
      "Physically remove articles deleted or removed more than content.retention_days (at least "
      "180) ago, with their versions, tags, comments, reads, likes and forwards (PA17-16); prints "
      "the counts as JSON");
  AddDataFlags(purge, flags);
  bool purge_dry_run = false;
  purge->add_flag("--dry-run", purge_dry_run, "Count what would be removed; change nothing");
  std::string purge_at;
  purge->add_option("--at", purge_at,
                    "Purge as if the time were this RFC 3339 time (rehearsals and tests)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2.
    return cli.exit(e) == 0 ? 0 : 2;
  }

  if (dedup->parsed()) return api::RunDedup(dedup_threshold, std::cin, std::cout, std::cerr);
  if (names_check->parsed()) {
    return names::RunNamesCheck(protected_file, std::cin, std::cout, std::cerr);
  }
  if (screen->parsed()) {
    return moderation::RunScreen(term_files, std::cin, std::cout, std::cerr);
  }
  if (routes->parsed()) {
    api::ApiServices none;
    http::Router router = api::BuildRouter(none);
    if (routes_json) std::printf("[");
    bool first = true;
    for (const auto& r : router.routes()) {
      std::string m(http::MethodName(r.method));
      if (routes_json) {
        std::printf("%s{\"method\":\"%s\",\"path\":\"%s\",\"permission\":\"%s\"}", first ? "" : ",",
                    m.c_str(), r.pattern.c_str(), r.permission.c_str());
      } else {
        std::printf("%-7s %-40s %s\n", m.c_str(), r.pattern.c_str(),
                    r.permission.empty() ? "(public)" : r.permission.c_str());
      }
      first = false;
    }
    if (routes_json) std::printf("]\n");
    return 0;
  }

  const bool is_serve = serve->parsed();
  {
    auto cfg = ResolveConfig(flags);
    if (!cfg.ok()) return Fail(cfg.status(), 2);
    Status logging = log::InitLogging(cfg->log.level, is_serve ? cfg->data_dir + "/logs" : "");
    if (!logging.ok()) return Fail(logging);
  }

  if (migrate->parsed()) {
    auto app = Open(flags, /*services=*/false);
    if (!app.ok()) return Fail(app.status());
    std::printf("migrations applied: %d (database %s)\n", (*app)->migrations_applied(),
                (*app)->config().DatabaseUrl().c_str());
    return 0;
  }
  if (admin_create->parsed()) {
    auto role = auth::ParseRole(role_name);
    if (!role) {
      std::fprintf(stderr, "herald: unknown role '%s'; roles:", role_name.c_str());
      for (auto r : auth::AllRoles())
        std::fprintf(stderr, " %s", std::string(auth::RoleName(r)).c_str());
      std::fprintf(stderr, "\n");
      return 2;
    }
    auto app = Open(flags, /*services=*/true);
    if (!app.ok()) return Fail(app.status());
    std::string password = ReadPassword(password_stdin);
    auto user = (*app)->auth().CreateOrGrant(phone, password, *role, {"cli", "cli"});
    if (!user.ok()) return Fail(user.status());
    std::printf("user %lld (%s) now holds role %s\n", static_cast<long long>(user->id),
                user->phone_masked.c_str(), role_name.c_str());
    return 0;
  }
  if (keys_rotate->parsed()) {
    auto app = Open(flags, /*services=*/false);
    if (!app.ok()) return Fail(app.status());
    Status st = (*app)->RotateKeys();
    if (!st.ok()) return Fail(st);
    std::printf(
        "personal data re-encrypted under a new master key; the old key is in %s/keys/retired/\n",
        (*app)->config().data_dir.c_str());
    return 0;
  }
  if (names_import->parsed()) {
    std::ifstream in(import_file, std::ios::binary);
    if (!in) return Fail(InvalidArgument("cannot read " + import_file), 2);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = names::ParseProtectedNames(text);
    if (!parsed.ok()) return Fail(parsed.status(), 2);
    auto app = Open(flags, /*services=*/true);
    if (!app.ok()) return Fail(app.status());
    std::vector<accounts::ProtectedNameEntry> entries;
    for (const auto& p : *parsed) entries.push_back({0, p.name, p.kind, p.bound_subject_id});
    auto n = (*app)->accounts().ImportProtectedNames("cli", entries, {"names-import", "cli", ""});
    if (!n.ok()) return Fail(n.status());
    std::printf("imported %d protected names\n", *n);
    return 0;
  }
  if (purge->parsed()) {
    Micros now = SystemClock().Now();
    if (!purge_at.empty() && !ParseRfc3339(purge_at, &now)) {
      std::fprintf(stderr, "herald: --at must be an RFC 3339 time such as 2027-01-01T00:00:00Z\n");
      return 2;
    }
    auto app = Open(flags, /*services=*/true);
    if (!app.ok()) return Fail(app.status());
    auto r = (*app)->articles().PurgeExpired("cli", now, purge_dry_run, {"purge", "cli", ""});
    if (!r.ok()) return Fail(r.status());
    // The articles' own counts, then what the modules' purge hooks removed, by kind.
    std::printf("{\"dry_run\":%s,\"articles\":%d,\"versions\":%d,\"tags\":%d",
                purge_dry_run ? "true" : "false", r->articles, r->versions, r->tags);
    for (const auto& [kind, n] : r->related) {
      std::printf(",\"%s\":%lld", kind.c_str(), static_cast<long long>(n));
    }
    std::printf("}\n");
    return 0;
  }
  if (jobs_run->parsed()) {
    FakeClock at_clock;
    const Clock* clock = nullptr;
    if (!jobs_at.empty()) {
      Micros t = 0;
      if (!ParseRfc3339(jobs_at, &t)) {
        std::fprintf(stderr,
                     "herald: --at must be an RFC 3339 time such as 2027-01-01T00:00:00Z\n");
        return 2;
      }
      at_clock.Set(t);
      clock = &at_clock;
    }
    auto app = Open(flags, /*services=*/true, clock);
    if (!app.ok()) return Fail(app.status());
    auto r = (*app)->accounts().RunJobs({"jobs", "cli", ""});
    if (!r.ok()) return Fail(r.status());
    // Issue 6: credit recovery, qualification bonuses and every account's grade.
    auto c = (*app)->credit().RunJobs(/*grades=*/true);
    if (!c.ok()) return Fail(c.status());
    // PA-13.2: later copies labelled, readers notified, early warning.
    auto rumour_jobs = (*app)->rumours().RunJobs((*app)->clock().Now());
    if (!rumour_jobs.ok()) return Fail(rumour_jobs.status());
    // PA-20.1: overdue reports escalated to the content security officer.
    auto report_jobs = (*app)->reports().RunJobs((*app)->clock().Now());
    if (!report_jobs.ok()) return Fail(report_jobs.status());
    std::printf(
        "{\"credit\":{\"recovered\":%d,\"bonuses_granted\":%d,\"bonuses_withdrawn\":%d,"
        "\"grades_computed\":%d},"
        "\"corrections_closed\":%d,\"inactivity_notices\":%d,\"inactivity_suspensions\":%d,"
        "\"qualifications_expired\":%d,\"cancellations_completed\":%d,\"purged\":%d,"
        "\"subjects_reverified\":%d,\"subjects_revoked\":%d,"
        "\"rumours\":{\"warnings_queued\":%d,\"labels_added\":%d,\"notified\":%d,"
        "\"readers_pruned\":%d},"
        "\"reports\":{\"escalated\":%lld,\"marked_overdue\":%lld}}\n",
        c->recovered, c->bonuses_granted, c->bonuses_withdrawn, c->grades_computed,
        r->corrections_closed, r->inactivity_notices, r->inactivity_suspensions,
        r->qualifications_expired, r->cancellations_completed, r->purged, r->subjects_reverified,
        r->subjects_revoked, rumour_jobs->warnings_queued, rumour_jobs->labels_added,
        rumour_jobs->notified, rumour_jobs->readers_pruned,
        static_cast<long long>(report_jobs->escalated),
        static_cast<long long>(report_jobs->marked_overdue));
    return 0;
  }
  if (report_sanctions->parsed()) {
    auto parse = [](std::string text, Micros* out) {
      if (text.size() == 10) text += "T00:00:00Z";
      return ParseRfc3339(text, out);
    };
    Micros from = 0, to = 0;
    if (!parse(report_from, &from) || !parse(report_to, &to) || to <= from) {
      std::fprintf(stderr,
                   "herald: --from and --to must be RFC 3339 times or dates (YYYY-MM-DD), "
                   "--from before --to\n");
      return 2;
    }
    auto app = Open(flags, /*services=*/true);
    if (!app.ok()) return Fail(app.status());
    auto list = (*app)->sanctions().IssuedBetween(from, to);
    if (!list.ok()) return Fail(list.status());
    auto audited = (*app)->audit().AppendNow(
        (*app)->db(), {"cli", "report.sanctions", "",
                       "{\"from\":\"" + FormatRfc3339(from) + "\",\"to\":\"" + FormatRfc3339(to) +
                           "\",\"count\":" + std::to_string(list->size()) + ",\"format\":\"" +
                           report_format + "\"}",
                       ""});
    if (!audited.ok()) return Fail(audited.status());
    const Micros now = (*app)->clock().Now();
    std::string out = report_format == "csv"
                          ? api::SanctionsCsv(*list, now)
                          : api::SanctionsReportJson(*list, from, to, now) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  if (demo->parsed()) {
    auto app = Open(flags, /*services=*/true);
    if (!app.ok()) return Fail(app.status());
    return RunDemo(**app);
  }
  if (verify->parsed()) {
    auto app = Open(flags, /*services=*/false);
    if (!app.ok()) return Fail(app.status());
    audit::AuditLog log((*app)->clock());
    auto report = log.Verify((*app)->db());
    if (!report.ok()) return Fail(report.status());
    if (report->ok) {
      std::printf("audit chain OK: %lld entries, head %lld %s\n",
                  static_cast<long long>(report->entries_checked),
                  static_cast<long long>(report->head_seq), report->head_hash.c_str());
      return 0;
    }
    std::printf("audit chain BROKEN at entry %lld: %s (%s)\n",
                static_cast<long long>(report->first_bad_seq), report->problem.c_str(),
                report->detail.c_str());
    return 3;
  }
  if (is_serve) {
    auto app = Open(flags, /*services=*/true);
    if (!app.ok()) return Fail(app.status());
    Status st = (*app)->Serve();
    if (!st.ok()) return Fail(st);
    return 0;
  }
  return 2;
}

}  // namespace herald::app

int main(int argc, char** argv) {
  // The line-oriented commands (names check, screen) read std::cin and write std::cout only.
  std::ios::sync_with_stdio(false);
  return herald::app::Main(argc, argv);
}
