// ArticleService: the publish pipeline of articles, and (editorial.cc) covers and tags, the
// editorial workflow of drafts (PA-16.1), versions of edited articles and the purge after the
// retention period (PA17-16).
//
// Every publish passes, in one write transaction:
//  1. the account's rights (accounts::AccountService): owned by the caller, active, current
//     agreement accepted, a valid qualification for its category, no sanction blocking
//     "publish" (and "advertise" for an advertising article) on the account, its subject or its
//     owner, no emergency freeze of the platform or the category (PA-6.1, PA-19.2);
//  2. the category rule (PA-7.1, PA-15.2): an article is published in its account's registered
//     category; another category is refused (category_mismatch);
//  3. screening of title, summary and body with the platform's live dictionaries
//     (moderation::ScreeningService): a `block` term refuses (illegal_content, with the field);
//     `review` holds the article for the review queue; `flag` publishes it and queues a
//     post-publication check; `replace` terms are masked in what readers see (the submitted
//     text is kept for the regulator);
//  4. provenance (provenance::ProvenanceService, PA-14.2, PA-17.1, PA-18(4), PA-18(6)): a false
//     originality claim is refused (false_originality_claim); a reprint of another's original
//     without the right to it is held (reprint_not_authorised, attribution_required,
//     modification_not_allowed); the attribution shown is completed from the original; a
//     coordinated batch raises a `cluster` review item naming every account involved.
// The body readers see (masked) is rendered to sanitised HTML (RenderMarkdown) and stored with
// the article (Article::body_html).
// Held articles wait in the review queue (kind "content"); the author sees why
// (Article::hold_reasons). Approving publishes them; rejecting keeps them hidden. Rejecting a
// "cluster" item takes down every article of the cluster (batch_content).
//
// Removal never deletes at once: an operator's deletion and the platform's takedowns hide the
// article from the public and keep it, with the submitted text and its versions, for the
// regulator (PA17-16) until PurgeExpired removes it after the retention period. Modules keeping
// rows keyed by article id (comments, social) register a purge hook so those rows go with it.
// Emergency takedowns (PA-6.1) hide every published article matching a term (after the
// screening normalisation) or belonging to a near-duplicate cluster, audited with the count.
//
// Errors (stable reasons): NotFound article_not_found, account_not_found; PermissionDenied
// not_account_owner; InvalidArgument invalid_title, invalid_summary, invalid_body,
// category_mismatch, illegal_content, invalid_attribution, attribution_on_original,
// invalid_reprint_policy; FailedPrecondition false_originality_claim, credit_limited
// (ContentOptions::publish_credit) and every refusal of
// AccountService::CheckCanPublish (account_not_active, agreement_not_accepted,
// qualification_required, sanctioned, publishing_frozen).
// Thread-safe after the purge hooks are registered (register them all before serving).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/random.h"
#include "moderation/screening_service.h"
#include "provenance/provenance_service.h"
#include "review/review_queue.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "text/normalizer.h"

namespace herald::content {

struct ArticleInput {
  std::string title;     // 1..64 characters
  std::string summary;   // 0..120 characters
  std::string body;      // Markdown, 1..50,000 characters
  std::string category;  // optional; when given it must be the account's category
  bool original = false;
  std::string reprint_policy;    // for an original: "whitelist_only" (default) or "attribution"
  std::string copyright_holder;  // for an original (default: account name)
  std::optional<provenance::Attribution> attribution;  // a repost (转载)
  bool advertising = false;                            // contains advertising (PA-14.1)
  std::string cover_media_id;     // optional: an uploaded image (POST /api/v1/media)
  std::vector<std::string> tags;  // 0..10 tags, each 1..20 characters (normalised, screened)
};

struct Article {
  int64_t id = 0;
  std::string content_id;  // "article:<uid>", the provenance id
  int64_t account_id = 0, subject_id = 0, author_user_id = 0;
  std::string title, summary, body;  // as readers see them (replace terms masked)
  std::string body_html;  // body rendered at publish (content/markdown.h); "" before 0002
  std::string category;
  bool original = false;
  std::string reprint_policy, copyright_holder;
  std::optional<provenance::Attribution> attribution;  // as shown
  bool advertising = false;
  std::string status;  // published, held, rejected, removed, deleted
  std::string status_reason;
  std::vector<std::string>
      hold_reasons;  // why it is held (screening_review, attribution_required, ...)
  std::optional<int64_t> cluster_id;
  Micros created_at = 0;
  std::optional<Micros> published_at, removed_at;
  std::string cover_media_id;       // "" when none
  std::vector<std::string> tags;    // normalised, in the order given
  std::optional<int64_t> draft_id;  // the editorial draft it was published from
  int64_t version = 1;              // 1 at publish, +1 per edit (article_versions keeps the rest)
  int64_t version_by = 0;           // who made the version shown
  Micros version_at = 0;            // when
};

// The fields an edit of a published article may change; unset ones keep their value.
struct ArticleEdit {
  std::optional<std::string> title, summary, body, cover_media_id;
  std::optional<std::vector<std::string>> tags;
};

// One earlier (or the current) version of an article: the text as submitted and as shown.
struct ArticleVersion {
  int64_t version = 0;
  int64_t edited_by = 0;              // who made this version
  Micros edited_at = 0;               // when it was made
  std::optional<Micros> replaced_at;  // when the next version replaced it (none: current)
  std::optional<int64_t> replaced_by;
  std::string title, summary, body;                       // shown
  std::string source_title, source_summary, source_body;  // submitted
  std::string cover_media_id;
  std::vector<std::string> tags;
};

// Editorial workflow (PA-16.1): draft -> submitted -> approved -> published.
struct DraftEvent {
  std::string action;  // create, update, submit, approve, return, publish
  int64_t actor_user_id = 0;
  std::string role;  // the actor's role then: owner, editor, reviewer
  std::string note;
  Micros at = 0;
};

struct Draft {
  int64_t id = 0;
  int64_t account_id = 0;
  ArticleInput content;  // category is the account's
  std::string status;    // draft, submitted, approved, published
  int64_t created_by = 0, updated_by = 0;
  std::optional<int64_t> submitted_by, approved_by, article_id;
  std::string return_note;  // the reviewer's last note when returned
  Micros created_at = 0, updated_at = 0;
  std::vector<DraftEvent> history;  // oldest first
};

// Rows of other modules removed with purged articles (or, on a dry run, that would be), by kind
// of record ("comments", "likes", ...): see ArticleService::RegisterPurgeHook.
using PurgeCounts = std::map<std::string, int64_t, std::less<>>;

struct PurgeReport {
  int articles = 0, versions = 0, tags = 0;
  PurgeCounts related;  // every kind the registered hooks declared, zero included
};

// A module's part of the purge: removes (counts, when `dry_run`) its rows keyed by any of
// `article_ids` in `tx` and returns how many, by kind. See ArticleService::RegisterPurgeHook.
using PurgeHook = std::function<Result<PurgeCounts>(
    storage::Transaction& tx, const std::vector<int64_t>& article_ids, bool dry_run)>;

struct ContentOptions {
  // PA17-16: deleted and removed articles (and their versions and tags) are kept at least this
  // long after their removal; the constructor raises anything shorter to 180 days.
  Micros retention = 180 * kMicrosPerDay;
  // Issue 6 (PA-13.1, PA-7.2): the credit check of every publish, called in the publish path's
  // read transaction after the account's rights, with the account and whether the article is
  // advertising; an error refuses the publish (credit::CreditService::CheckPublish:
  // FailedPrecondition credit_limited). Empty: no credit limits.
  std::function<Status(storage::Transaction&, const accounts::Account&, bool advertising)>
      publish_credit;
};

struct PublishResult {
  Article article;
  provenance::Decision provenance;
  moderation::ScreenResult screening;  // over title, summary and body joined by newlines
  std::optional<int64_t> review_id;    // the review item of a held or flagged article
};

class ArticleService {
 public:
  // `norm` uses moderation::ScreeningNormalizerOptions() (takedowns by term). Registers the
  // review handlers for kinds "content" and "cluster" with `review`.
  ArticleService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                 Random& random, accounts::AccountService& accounts,
                 const moderation::ScreeningService& screening,
                 provenance::ProvenanceService& provenance, review::ReviewQueue& review,
                 const text::Normalizer& norm, ContentOptions options = {});

  // Direct publish. On an individual account only its owner publishes. On an organisation
  // account the owner may still publish directly (the owner answers for the account and is
  // recorded as such); its members must use the editorial workflow (PermissionDenied
  // editorial_workflow_required). Also InvalidArgument invalid_cover_media_id, invalid_tag,
  // too_many_tags, illegal_content (field tags).
  Result<PublishResult> Publish(int64_t user_id, int64_t account_id, const ArticleInput& in,
                                const auth::RequestMeta& meta);
  // Any status (the author and staff).
  Result<Article> Get(int64_t id) const;
  // Published only; NotFound article_not_found otherwise.
  Result<Article> GetPublic(int64_t id) const;
  // By the uid of its content id ("article:<uid>", the link attributions carry). A reader's
  // view: `body` (the Markdown) is "" -- readers get `body_html`.
  Result<Article> GetPublicByUid(std::string_view uid) const;
  // The same in any status (staff: near-duplicate neighbours that are held or removed).
  // NotFound article_not_found.
  Result<Article> GetByUid(std::string_view uid) const;
  // Newest first. `all`: every status (the owner's view), else published only and, as a
  // reader's view, without the Markdown `body` ("").
  Result<std::vector<Article>> ListByAccount(int64_t account_id, bool all, int limit,
                                             std::optional<int64_t> before_id) const;
  // The operator deletes: hidden, kept (PA17-16). Audited "article.delete".
  Status Delete(int64_t user_id, int64_t id, const auth::RequestMeta& meta);
  // PA-6.1 emergency takedowns; return how many articles were hidden. Audited
  // "emergency.takedown". InvalidArgument invalid_term; NotFound cluster_not_found.
  Result<int> TakeDownByTerm(const std::string& actor, std::string_view term,
                             std::string_view reason, const auth::RequestMeta& meta);
  Result<int> TakeDownCluster(const std::string& actor, int64_t cluster_id, std::string_view reason,
                              const auth::RequestMeta& meta);
  // An appeal overturned the hold, rejection or removal of article `id` (issue 6, PA-14.3):
  // inside the caller's write transaction it is published again (status reason cleared, the
  // first published_at kept), audited "article.restore" with `reason`, and its author gets a
  // notice. FailedPrecondition article_not_restorable unless held, rejected or removed; NotFound
  // article_not_found.
  Result<Article> RestoreIn(storage::Transaction& tx, int64_t id, std::string_view reason,
                            const std::string& actor, const std::string& request_id);
  // Any status, read in the caller's transaction. NotFound article_not_found.
  Result<Article> Get(storage::Transaction& tx, int64_t id) const { return Load(tx, id); }
  // Published only, read in the caller's transaction. NotFound article_not_found.
  Result<Article> GetPublic(storage::Transaction& tx, int64_t id) const;
  // The article page a reader sees: as GetPublic, but `body` (the Markdown, kept in
  // article_sources for the owner's and staff's views) is "" -- readers get `body_html`. One
  // statement, one b-tree row for an article of a few thousand characters.
  Result<Article> GetPage(storage::Transaction& tx, int64_t id) const;
  // The platform removes one published or held article inside the caller's write transaction
  // (e.g. a rumour verdict, issue 6): status "removed" with `reason` as its status reason, the
  // record kept (PA17-16). Returns false, changing nothing, when it is in another status. The
  // caller audits. NotFound article_not_found.
  Result<bool> RemoveIn(storage::Transaction& tx, int64_t id, std::string_view reason);

  // --- editorial workflow (PA-16.1; editorial.cc) ---
  // Roles come from accounts::AccountService::RoleIn: the owner may do every step; an editor
  // creates, edits, submits and publishes approved drafts; a reviewer approves and returns.
  // Every step is recorded in the draft's history (who, role, when, note) and audited
  // "draft.<action>". Errors: NotFound draft_not_found, account_not_found; PermissionDenied
  // not_account_member (no role in the account), role_not_allowed (the role may not take this
  // step), self_approval (a non-owner approving their own submission); FailedPrecondition
  // invalid_draft_state (e.g. editing a submitted draft, publishing an unapproved one);
  // InvalidArgument invalid_title, invalid_summary, invalid_body, invalid_note and the tag and
  // cover reasons.
  Result<Draft> CreateDraft(int64_t user_id, int64_t account_id, const ArticleInput& in,
                            const auth::RequestMeta& meta);
  // Only in status draft (a returned draft is a draft again).
  Result<Draft> UpdateDraft(int64_t user_id, int64_t draft_id, const ArticleInput& in,
                            const auth::RequestMeta& meta);
  Result<Draft> SubmitDraft(int64_t user_id, int64_t draft_id, const auth::RequestMeta& meta);
  Result<Draft> ApproveDraft(int64_t user_id, int64_t draft_id, std::string_view note,
                             const auth::RequestMeta& meta);
  // From submitted or approved back to draft; the note (1..500 characters) is required.
  Result<Draft> ReturnDraft(int64_t user_id, int64_t draft_id, std::string_view note,
                            const auth::RequestMeta& meta);
  // Runs the full publish pipeline (as Publish) on an approved draft, in the name of the
  // draft's creator; the article records the draft (Article::draft_id) and the draft becomes
  // published with the article id in the same transaction. A held article still ends the draft
  // (the article waits in the review queue). Every refusal of Publish applies.
  Result<PublishResult> PublishDraft(int64_t user_id, int64_t draft_id,
                                     const auth::RequestMeta& meta);
  // `staff`: the caller may read every account's drafts (staff and auditors); otherwise the
  // caller must have a role in the draft's account (not_account_member).
  Result<Draft> GetDraft(int64_t user_id, bool staff, int64_t draft_id) const;
  // Newest first; `status` filters when non-empty.
  Result<std::vector<Draft>> ListDrafts(int64_t user_id, bool staff, int64_t account_id,
                                        std::string_view status) const;

  // --- versions (editorial.cc) ---
  // The account's owner edits a published article: the new text passes the account's rights,
  // screening and provenance again (block and a false originality claim refuse; a review term
  // or a provenance hold holds the article for review, hidden until approved); the version shown
  // until now is kept in article_versions and the articles row shows the new one. Audited
  // "article.edit". FailedPrecondition article_not_active (not published); InvalidArgument
  // no_changes when nothing is given.
  Result<PublishResult> Edit(int64_t user_id, int64_t article_id, const ArticleEdit& in,
                             const auth::RequestMeta& meta);
  // Every version, oldest first, the current one last. The caller checks who may see them.
  Result<std::vector<ArticleVersion>> Versions(int64_t article_id) const;

  // --- tags ---
  // Published articles carrying `tag` (normalised first), newest first. InvalidArgument
  // invalid_tag.
  Result<std::vector<Article>> ListByTag(std::string_view tag, int limit,
                                         std::optional<int64_t> before_id) const;
  // The normalised form of one tag (trimmed, a leading '#' dropped, ASCII lower-cased);
  // InvalidArgument invalid_tag (field "tags") when empty, longer than 20 characters or
  // containing whitespace, control characters or any of , / ? # %.
  static Result<std::string> NormalizeTag(std::string_view tag);
  // A cover's media id has the shape of one (64 lower-case hex digits) or is empty;
  // InvalidArgument invalid_cover_media_id otherwise. Whether the image exists is the caller's
  // check (api/ asks media::MediaLibrary).
  static Status CheckCoverId(const std::string& id);

  // --- retention (PA17-16; editorial.cc) ---
  // Physically removes articles deleted, removed or rejected more than the retention period
  // before `now`, with their versions and tags (and their provenance fingerprints, after the
  // commit). `dry_run` counts without changing anything. Audited "content.purge" with the counts
  // (not on a dry run), the hooks' counts included. Whatever a purge hook returns other than OK
  // is returned, and nothing is removed.
  Result<PurgeReport> PurgeExpired(const std::string& actor, Micros now, bool dry_run,
                                   const auth::RequestMeta& meta);
  // The purge's query for its candidates (one parameter: the cutoff); it must be answered from
  // the partial index articles_removed, never by a scan of every article (tested).
  static const char* const kPurgeCandidatesSql;
  // Registers a module's part of the purge, for rows it keys by article id (content must not
  // know those modules; they depend on it). PurgeExpired runs every hook, in registration order,
  // inside its own transaction (a write transaction; a read one on a dry run) once per batch of
  // at most 500 article ids, before the articles' rows are deleted; the ids are sorted and only
  // of articles being purged. On a dry run the hook only counts. A hook must not open its own
  // transaction or keep the ids; an error it returns rolls the whole purge back (earlier batches
  // included) and is PurgeExpired's result. `kinds` names what the hook counts (plural nouns, not
  // "articles", "versions", "tags" or "before", each kind declared by one hook only): each
  // appears in PurgeReport::related, the audit details and `herald purge`'s output, zero
  // included; counts of undeclared kinds are added too. Not thread-safe: call before any purge
  // can run (the services register in their constructors).
  void RegisterPurgeHook(std::vector<std::string> kinds, PurgeHook hook);

  static std::vector<storage::Migration> Migrations();

 private:
  // Title, summary and body through the screening dictionaries, masked and rendered.
  struct Screened {
    std::string title, summary, body;  // as readers see them (replace terms masked)
    std::string html;                  // the shown body rendered
    moderation::ScreenResult screening;
    bool hold = false, flagged = false;
    std::string matches_json = "[]";
    std::string top_category;
  };
  Result<Screened> ScreenText(const std::string& title, const std::string& summary,
                              const std::string& body) const;
  Result<std::vector<std::string>> CheckTags(const std::vector<std::string>& tags) const;
  Status AttachTags(storage::Transaction& tx, std::vector<Article>& articles) const;
  static Status WriteTags(storage::Transaction& tx, int64_t article_id,
                          const std::vector<std::string>& tags);
  // Writes (or replaces) the article's row in article_sources (content/0006): the shown
  // Markdown and the texts as submitted.
  static Status WriteSources(storage::Transaction& tx, int64_t article_id,
                             const std::string& shown_body, const std::string& source_title,
                             const std::string& source_summary, const std::string& source_body);
  struct DraftLink {
    int64_t draft_id = 0;
    int64_t author_user_id = 0;
  };
  Result<PublishResult> PublishImpl(int64_t user_id, int64_t account_id, const ArticleInput& in,
                                    const DraftLink* draft, const auth::RequestMeta& meta);
  Result<Draft> LoadDraft(storage::Transaction& tx, int64_t id) const;
  using DraftStep = std::function<Status(storage::Transaction&, const Draft&, const std::string&)>;
  Result<Draft> DraftTransition(int64_t user_id, int64_t draft_id, std::string_view action,
                                std::string_view note, const DraftStep& step,
                                const auth::RequestMeta& meta);
  // `page`: without the Markdown body (GetPage).
  Result<Article> Load(storage::Transaction& tx, int64_t id, bool page = false) const;
  Status HandleContentDecision(storage::Transaction& tx, const review::Item& item);
  Status HandleClusterDecision(storage::Transaction& tx, const review::Item& item);
  Status Hide(storage::Transaction& tx, const Article& a, std::string_view status,
              std::string_view reason, const std::string& actor, const std::string& request_id);

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  accounts::AccountService& accounts_;
  const moderation::ScreeningService& screening_;
  provenance::ProvenanceService& provenance_;
  review::ReviewQueue& review_;
  const text::Normalizer& norm_;
  ContentOptions options_;
  struct RegisteredPurgeHook {
    std::vector<std::string> kinds;
    PurgeHook run;
  };
  std::vector<RegisteredPurgeHook> purge_hooks_;  // fixed once serving
};

}  // namespace herald::content
