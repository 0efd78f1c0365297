// RumourService: rumours and false information (谣言、虚假信息; PA-13.2, issue 6): early warning,
// discovery, tracing the source, the verdict, the debunking label (辟谣) shown on every copy and
// sent to everyone who saw it, removal, and the producer's loss of credit or blacklisting.
// docs/rumours.md describes the model and the API.
//
//  - Verdict (Mark): a moderator marks an article, or a near-duplicate cluster
//    (provenance::ClusterInfo), as a rumour with a debunk text and a source (a name and an
//    http/https URL), optionally removing the articles. In ONE write transaction: the rumour
//    row; a label on the marked article(s), on every near-copy the provenance index knows at
//    that moment (provenance::ProvenanceService::Check over the article's text) and on every
//    article of the cluster (each labelled article id is recorded, with how it was found); with
//    `remove`, every labelled article still published or held is removed through
//    content::ArticleService::RemoveIn (the record is kept, PA17-16); a `warning` sanction with
//    reason code `rumour` on the producing account (the account of the earliest published
//    labelled article), so its credit drops (credit follows sanctions); when the producer's
//    subject now has `blacklist_after` or more upheld rumour verdicts (their warning not
//    overturned) within `blacklist_window`, a `blacklist` sanction on the subject; a
//    notification to every signed-in reader and forwarder of a labelled article; the audit
//    entry "rumour.mark".
//  - Label: an article carries at most one label (the first rumour that labels it). Label()
//    returns it for any labelled article; a forward shows its article's label.
//  - Readers: this service registers a social::ReadHook that records (article, user, first read)
//    for signed-in readers (social keeps reads anonymous), kept Options::reader_retention and
//    removed with purged articles (a content purge hook, kind "rumour_readers"). A signed-in
//    read of an already labelled article notifies the reader at once; RunJobs catches up
//    forwarders and any reader not yet notified. Every user is notified at most once per rumour
//    (rumour_notified, primary key (rumour, user)); kind "rumour_debunk", ref "rumour:<id>".
//  - Later copies: RunJobs looks again for near-copies of every rumour marked within
//    Options::rescan_window and labels the new ones (via "later_copy").
//  - Early warning (RunJobs at `now`): an article published and not labelled, whose forwards in
//    the hour before `now` reach max(warning_min_forwards, warning_factor x its account's usual
//    hourly forwards) — the usual rate being the account's forwards in the 7 days before that
//    hour divided by 168 — or whose reads in that hour reach max(warning_min_reads,
//    warning_factor x the account's usual hourly reads), AND which is in a rumour-prone category
//    (Options::warning_categories) or is labelled (a near-copy of a debunked rumour still
//    spreading) is queued for review: kind "rumour_warning", at most one open item per article,
//    the figures in the detail. Deciding the item closes the warning; debunking is Mark.
//  - Tracing (Trace, moderators, audited "rumour.trace"): the labelled articles ordered by
//    publication time, the forward chains (who forwarded from whom) of all of them, and the
//    earliest source: the earliest published article and the first root forward.
//
// Reads of other modules' tables (as feed does): articles (content), social_forwards and
// social_reads (social) — SQL reads only, never writes.
//
// Errors (stable reasons): InvalidArgument invalid_target (field article_id: neither or both
// of article_id and cluster_id), invalid_debunk, illegal_content (field debunk),
// invalid_source_name, invalid_source_url, invalid_limit; NotFound article_not_found,
// cluster_not_found, rumour_not_found; FailedPrecondition article_not_published (never
// published), empty_cluster; AlreadyExists already_debunked (the article already carries a
// label). Storage errors and those of sanctions and notifications pass through.
// Thread-safe after construction; all state is in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "content/article_service.h"
#include "core/clock.h"
#include "core/status.h"
#include "moderation/screening_service.h"
#include "notifications/notification_service.h"
#include "provenance/provenance_service.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"
#include "social/social_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::rumours {

struct Options {
  int blacklist_after = 3;  // upheld verdicts against one subject that blacklist it (>= 1)
  Micros blacklist_window = 365 * kMicrosPerDay;
  int64_t warning_min_forwards = 20;  // forwards in one hour that can raise a warning
  int64_t warning_min_reads = 200;    // reads in one hour that can raise a warning
  int64_t warning_factor = 5;         // times the account's usual hourly rate
  std::vector<std::string> warning_categories = {
      "news", "politics_society", "finance", "medical_health", "food", "parenting"};
  Micros rescan_window = 30 * kMicrosPerDay;      // later copies are looked for this long
  Micros reader_retention = 180 * kMicrosPerDay;  // signed-in readers kept this long
};

// The label shown on a labelled article (GET /api/v1/articles/{id}: rumour_label).
struct Label {
  int64_t rumour_id = 0;
  int64_t article_id = 0;  // the labelled article
  std::string debunk, source_name, source_url;
  Micros marked_at = 0;
  std::string via;  // verdict, cluster, near_copy, later_copy
};

struct Rumour {
  int64_t id = 0;
  int64_t article_id = 0;             // the article marked (for a cluster: its earliest)
  std::optional<int64_t> cluster_id;  // when a cluster was marked
  std::string debunk, source_name, source_url;
  bool removed = false;           // the verdict removed the articles
  int64_t source_article_id = 0;  // the earliest published labelled article
  int64_t producer_account_id = 0, producer_subject_id = 0;
  std::optional<int64_t> warning_sanction_id, blacklist_sanction_id;
  std::string marked_by;
  Micros marked_at = 0;
  std::vector<int64_t> article_ids;  // every labelled article, ascending
  int64_t removed_count = 0;         // articles removed by the verdict
  int64_t notified_count = 0;        // users notified so far
};

struct NewRumour {
  std::optional<int64_t> article_id, cluster_id;  // exactly one
  std::string debunk;                             // 1..2000 characters, screened
  std::string source_name;                        // 1..100 characters
  std::string source_url;                         // http(s)://..., at most 2048 bytes
  bool remove = false;
};

struct Caller {
  std::string actor;  // "user:<id>"
  auth::RequestMeta meta;
};

struct TracedArticle {
  int64_t article_id = 0, account_id = 0;
  std::string account_name, title, status, via;
  std::optional<Micros> published_at;
};

struct TracedForward {
  int64_t id = 0, article_id = 0, user_id = 0;
  std::optional<int64_t> from_forward_id, from_user_id;
  int64_t origin_id = 0, depth = 0;
  Micros created_at = 0;
};

struct Trace {
  int64_t rumour_id = 0;
  std::vector<TracedArticle> articles;  // by publication time, then id
  std::vector<TracedForward> forwards;  // by time, then id
  std::optional<TracedArticle> earliest_article;
  std::optional<TracedForward> earliest_forward;  // the first root forward (depth 0)
};

struct JobReport {
  int warnings_queued = 0;  // rumour_warning review items opened
  int labels_added = 0;     // later copies labelled
  int notified = 0;         // users notified (catch-up)
  int readers_pruned = 0;   // reader records past the retention
};

class RumourService {
 public:
  // Registers the review handler for kind "rumour_warning", a read hook with `social` and a purge
  // hook (kind "rumour_readers") with `articles`. All keep `this`: the service must outlive
  // them. Construct before serving.
  RumourService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                const accounts::AccountService& accounts, content::ArticleService& articles,
                const provenance::ProvenanceService& provenance, social::SocialService& social,
                const sanctions::SanctionService& sanctions,
                const moderation::ScreeningService& screening, review::ReviewQueue& review,
                const notifications::NotificationService& notifications, Options options = {});

  // The verdict (see the header comment). Returns the rumour with its labelled articles.
  Result<Rumour> Mark(const Caller& who, const NewRumour& in);
  // NotFound rumour_not_found.
  Result<Rumour> Get(int64_t id) const;
  // Newest first; ids below `before`. InvalidArgument invalid_limit (1..100).
  Result<std::vector<Rumour>> List(int limit, std::optional<int64_t> before) const;
  // The label of an article. NotFound rumour_not_found when it carries none.
  Result<Label> LabelFor(int64_t article_id) const;
  // Labels of many articles at once (absent ones are left out).
  Result<std::vector<Label>> LabelsFor(const std::vector<int64_t>& article_ids) const;
  // The same in the caller's transaction (an article page reads its label in the article's).
  Result<std::vector<Label>> LabelsFor(storage::Transaction& tx,
                                       const std::vector<int64_t>& article_ids) const;
  // Audited "rumour.trace". NotFound rumour_not_found.
  Result<Trace> TraceSource(const Caller& who, int64_t id);
  // Later copies, notification catch-up, early warning and the readers' retention, at `now`.
  Result<JobReport> RunJobs(Micros now);

  static std::vector<storage::Migration> Migrations();

 private:
  Status OnRead(storage::Transaction& tx, int64_t article_id, int64_t user_id, Micros now);
  Status HandleWarningDecision(storage::Transaction& tx, const review::Item& item);
  // Notifies every reader and forwarder of the rumour's labelled articles not notified yet.
  Result<int> NotifyPending(storage::Transaction& tx, int64_t rumour_id);
  Result<int> Notify(storage::Transaction& tx, int64_t rumour_id, int64_t user_id);
  // Article ids of the near-copies of `article_id` now known to the provenance index.
  Result<std::vector<int64_t>> NearCopies(int64_t article_id) const;
  Result<Rumour> Load(storage::Transaction& tx, int64_t id) const;
  Result<int> ScanLaterCopies(Micros now);
  Result<int> EarlyWarning(Micros now);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  const accounts::AccountService& accounts_;
  content::ArticleService& articles_;
  const provenance::ProvenanceService& provenance_;
  const sanctions::SanctionService& sanctions_;
  const moderation::ScreeningService& screening_;
  review::ReviewQueue& review_;
  const notifications::NotificationService& notifications_;
  Options options_;
};

}  // namespace herald::rumours
