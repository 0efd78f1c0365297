// ArticleService: the publish pipeline of articles (the first part of the content module; issue
// 5 grows it with rendering, editorial workflow, versions, feeds and search).
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
// Removal never deletes: an operator's deletion and the platform's takedowns hide the article
// from the public and keep it, with the submitted text, for the regulator (PA17-16).
// Emergency takedowns (PA-6.1) hide every published article matching a term (after the
// screening normalisation) or belonging to a near-duplicate cluster, audited with the count.
//
// Errors (stable reasons): NotFound article_not_found, account_not_found; PermissionDenied
// not_account_owner; InvalidArgument invalid_title, invalid_summary, invalid_body,
// category_mismatch, illegal_content, invalid_attribution, attribution_on_original,
// invalid_reprint_policy; FailedPrecondition false_originality_claim and every refusal of
// AccountService::CheckCanPublish (account_not_active, agreement_not_accepted,
// qualification_required, sanctioned, publishing_frozen).
// Thread-safe.
#pragma once

#include <cstdint>
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
                 const text::Normalizer& norm);

  Result<PublishResult> Publish(int64_t user_id, int64_t account_id, const ArticleInput& in,
                                const auth::RequestMeta& meta);
  // Any status (the author and staff).
  Result<Article> Get(int64_t id) const;
  // Published only; NotFound article_not_found otherwise.
  Result<Article> GetPublic(int64_t id) const;
  // By the uid of its content id ("article:<uid>", the link attributions carry).
  Result<Article> GetPublicByUid(std::string_view uid) const;
  // Newest first. `all`: every status (the owner's view), else published only.
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

  static std::vector<storage::Migration> Migrations();

 private:
  Result<Article> Load(storage::Transaction& tx, int64_t id) const;
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
};

}  // namespace herald::content
