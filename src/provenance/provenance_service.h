// ProvenanceService: originality protection and coordinated-batch detection at publish time
// (PA-14.2, PA-17.1, PA-18(4), PA-18(6)).
//
// Content is opaque here. The content module calls Publish with its own content id
// ("article:42"), the publishing account and that account's subject (operator), and the plain
// text to fingerprint (title + body). Publish finds the earlier near-copies of the text with
// moderation::NearDuplicateIndex (Jaccard of character 3-shingles after the screening
// normalisation, so re-punctuated, re-spaced, full-width or traditional-script copies are
// found), decides, and records the publish in the same transaction as the caller's own write.
//
// Decision rules, in this order (docs/provenance.md has them with the reason codes). "Near" means
// similarity >= Options::near_threshold; "another subject" means a subject other than the
// publisher's (a subject's accounts share their texts freely):
//  1. claim_original, and an earlier near-copy from another subject exists (original or not):
//     refuse, reason "false_originality_claim". Nothing is recorded but the audit entry.
//  2. For each earlier near-copy that is an ORIGINAL of another subject, oldest first, the
//     publish must have the right to reprint it, and the first original it has no right to
//     decides a hold:
//       - a whitelist entry of the original's account names the publishing account (for all
//         its originals, or for this one) and grants the right to modify, or the similarity to
//         the original is at least Options::unmodified_similarity (0.98: the same text up to
//         normalisation, i.e. punctuation, spacing, script, case; a changed or added sentence in
//         an article of a few hundred characters drops below it, but in an article of several
//         thousand characters a change of under about 1% of the text passes as unmodified); or
//       - the original's reprint policy is kAttribution and the request's attribution names
//         the original (its account or its content id) and a copyright holder.
//     Otherwise hold, with reason "modification_not_allowed" (whitelisted, but without the right
//     to modify, and the text differs), else "reprint_not_authorised" (policy kWhitelistOnly,
//     the default), else "attribution_required" (policy kAttribution).
//  3. Otherwise accept: no near-copy, near-copies of non-original text, of the publisher's own
//     subject, or reprints allowed by rule 2.
// A held publish is recorded (it counts as a near-copy and toward clusters): the caller stores
// it as held and queues it for review; if review rejects it the caller calls Remove.
//
// Attribution shown (Decision::attribution): for a reprint of another subject's original, the
// request's attribution when it names that original (the oldest one), with empty fields
// (account, content id, link, copyright holder) completed from the original; otherwise, for a
// whitelisted reprint, the original's own attribution (its account, content id, url and
// copyright_holder as given when it was published). In every other case the request's
// attribution as given (or none).
//
// Coordinated batches (PA-18(4)): the near-copies published within Options::cluster_window
// before now (24 h) form the window. If any of them belongs to a cluster, the publish joins
// the cluster with the lowest id (with the window's near-copies not yet in it); otherwise, when
// the window and this publish together come from at least Options::cluster_min_accounts
// distinct accounts (5), a new cluster of all of them is raised (Decision::cluster with
// raised_now = true, audited "provenance.cluster_raise"); the caller puts it in the review
// queue. Held publishes count; refused ones do not.
//
// Storage (tables owned here, Migrations()): provenance_fingerprints (one row per recorded
// publish: ids, original flag, reprint policy, link, copyright holder, outcome, attribution,
// the folded text), provenance_whitelist, provenance_clusters, provenance_cluster_members.
// Account and subject ids are not foreign keys: this module does not know the accounts tables.
// The row keeps the text after the screening fold (Normalizer::Fold: case, width, script,
// look-alikes folded, noise dropped), not the shingle set, because: Fold is idempotent, so
// fingerprinting the folded text again at Load gives the same shingles; it is about 3 bytes per
// CJK character where a shingle costs 8 (and the MinHash signature would be needed too); and it
// stays valid when the shingling or hashing in moderation/dedup.* changes, as it already has
// once. Remove deletes it.
//
// Limits:
//  - The index is per process and in memory. Several servers on one PostgreSQL database would
//    each hold their own index and see each other's publishes only after Load (or the automatic
//    rebuild below); the decision itself reads whitelists, policies and clusters from the
//    database and takes Transaction::LockExclusive("provenance"), so publishes are serialised
//    across processes, but near-copies published by another process since its last Load are
//    missed.
//  - Memory per article, measured with 2,000-character articles of random CJK text (about 2,000
//    distinct shingles each, 5,000 articles, SQLite): the index 16.4 KB
//    (NearDuplicateIndex::MemoryBytes: 8 bytes per distinct shingle plus band entries), the
//    whole process 17.0 KB of resident memory per article. A million such articles need about
//    17 GB: fine for a platform of thousands of accounts, not for tens of millions of articles
//    without a more compact index. Load re-fingerprints about 5,000 such articles per second.
//  - The index is updated only after a publish commits (NearDuplicateIndex::Lookup, then
//    Insert), so Check, refusals and failed publishes leave no trace in it. It has no removal:
//    removed content stays in it as an unreachable entry (never reported); when those outnumber
//    both the live entries and Options::rebuild_min_unreachable, the next Publish rebuilds the
//    index from the database under the publish mutex (O(articles), amortised over as many
//    removals).
//  - Similarities are exact Jaccard, recomputed from the stored folded texts of the near-copies
//    (one database read per 200 of them).
//
// Thread safety: all methods may be called from any thread. Publish, Check, Remove, Load and
// Stats are serialised by one mutex (the index is not thread-safe); the other methods only use
// the database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/status.h"
#include "moderation/dedup.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "text/normalizer.h"

namespace herald::provenance {

// Who reprints an original without a whitelist entry (set by the original's owner).
enum class ReprintPolicy {
  kWhitelistOnly,  // "whitelist_only": only whitelisted accounts (the default, like WeChat)
  kAttribution,    // "attribution": anyone, with an attribution naming the original
};
std::string_view ReprintPolicyName(ReprintPolicy p);
// InvalidArgument ("invalid_reprint_policy", field "reprint_policy") for an unknown name.
Result<ReprintPolicy> ParseReprintPolicy(std::string_view name);

// Who acts, for the audit log: an audit actor ("user:42", "cli", "system") and the HTTP
// request id ("" outside a request).
struct Caller {
  std::string actor = "system";
  std::string request_id;
};

// A repost's credit to its source (PA-14.2). At least one field must be set.
struct Attribution {
  int64_t source_account_id = 0;  // 0 = not given
  std::string source_content_id;  // at most 200 bytes
  std::string source_url;         // at most 2048 bytes
  std::string copyright_holder;   // at most 200 bytes
  bool operator==(const Attribution&) const = default;
};

struct PublishRequest {
  std::string content_id;  // e.g. "article:42"; 1-200 bytes of UTF-8, unique
  int64_t account_id = 0;  // the publishing account (> 0)
  int64_t subject_id = 0;  // its subject (> 0)
  std::string text;        // plain text to fingerprint (title + body), UTF-8, <= max_text_bytes
  std::string url;         // public link of this content, used when it is attributed (<= 2048)
  std::string copyright_holder;  // for an original: shown in attributions of it (<= 200)
  bool claim_original = false;   // the operator declares the text original (原创声明)
  ReprintPolicy reprint_policy = ReprintPolicy::kWhitelistOnly;  // for an original
  std::optional<Attribution> attribution;  // a repost (转载); not allowed with claim_original
  Caller caller;                           // for the audit entries of a refusal or hold
};

// An earlier recorded publish whose text is near this one.
struct NearCopy {
  std::string content_id;
  int64_t account_id = 0;
  int64_t subject_id = 0;
  double similarity = 0;  // exact Jaccard of the shingle sets, in [near_threshold, 1]
  bool original = false;
  Micros published_at = 0;
};

struct ClusterInfo {
  int64_t id = 0;                        // 0 only in Check: a cluster this publish would raise
  std::vector<int64_t> account_ids;      // distinct, ascending
  std::vector<int64_t> subject_ids;      // distinct, ascending
  std::vector<std::string> content_ids;  // in the order they joined
  Micros created_at = 0;
  Micros updated_at = 0;
  bool raised_now = false;  // created by this publish (the caller queues it for review)
};

// Decision::outcome values.
inline constexpr std::string_view kAccept = "accept";
inline constexpr std::string_view kHold = "hold";
inline constexpr std::string_view kRefuse = "refuse";

// Decision::reason values (stable; never rename). Empty for a plain accept.
inline constexpr std::string_view kFalseOriginalityClaim = "false_originality_claim";    // refuse
inline constexpr std::string_view kReprintNotAuthorised = "reprint_not_authorised";      // hold
inline constexpr std::string_view kAttributionRequired = "attribution_required";         // hold
inline constexpr std::string_view kModificationNotAllowed = "modification_not_allowed";  // hold

struct Decision {
  std::string outcome;         // kAccept, kHold or kRefuse
  std::string reason;          // "" (accept) or one of the reason values above
  std::vector<NearCopy> near;  // earlier near-copies (any account), oldest first
  // For a hold or refusal: the content id of the earlier text that decided it.
  std::string decided_by;
  std::optional<Attribution> attribution;  // the attribution to show (see the top of the file)
  std::optional<ClusterInfo> cluster;      // a batch cluster this publish raised or joined
};

// What is recorded about one publish.
struct ContentRecord {
  std::string content_id;
  int64_t account_id = 0;
  int64_t subject_id = 0;
  bool original = false;
  ReprintPolicy reprint_policy = ReprintPolicy::kWhitelistOnly;
  std::string url;
  std::string copyright_holder;
  std::string outcome;  // kAccept or kHold
  std::string reason;
  std::optional<Attribution> attribution;
  Micros published_at = 0;
};

// The owner of originals lets `grantee_account_id` reprint them (PA-14.2).
struct WhitelistEntry {
  int64_t id = 0;
  int64_t owner_account_id = 0;
  int64_t grantee_account_id = 0;
  std::string content_id;  // "" = every original of the owner, now and later
  bool may_modify = false;
  Micros granted_at = 0;
  std::string granted_by;  // audit actor
};

struct ClusterQuery {
  Micros since = 0;                  // clusters created at or after
  std::optional<int64_t> before_id;  // cursor: clusters with a smaller id
  int limit = 50;                    // 1..500
};

// Load refuses values out of the stated ranges.
struct Options {
  double near_threshold = 0.8;            // (0, 1]: Jaccard at or above which texts are near
  double unmodified_similarity = 0.98;    // (0, 1]: at or above, a reprint counts as unmodified
  int cluster_min_accounts = 5;           // >= 2 distinct accounts, this one included
  Micros cluster_window = kMicrosPerDay;  // > 0: how far back near-copies count for clusters
  size_t max_text_bytes = 1 << 20;        // a longer text: InvalidArgument "text_too_large"
  // Removed entries tolerated in the index before a rebuild (and at least as many as live).
  size_t rebuild_min_unreachable = 10000;
};

class ProvenanceService {
 public:
  // `norm` must be built with moderation::ScreeningNormalizerOptions() (Load checks) and, like
  // `db`, `audit` and `clock`, outlive the service. Call Load before anything else.
  ProvenanceService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                    const text::Normalizer& norm, Options options = {});
  ~ProvenanceService();

  // Rebuilds the in-memory index from provenance_fingerprints (at start-up; again at any time to
  // pick up other processes' publishes). FailedPrecondition ("wrong_normalizer") when the
  // normaliser's options differ from ScreeningNormalizerOptions(); InvalidArgument
  // ("invalid_provenance_options") for Options out of range; database errors. On failure the
  // previous index stays in force.
  Status Load();

  // Decides and, unless refused, records the publish. `store` (may be empty) is the caller's
  // own write (the article row): it runs in the SAME write transaction after the decision and
  // the provenance rows, for accept and hold (never for refuse). If it fails, or the commit
  // does, nothing is recorded, the index is unchanged, and its status is returned. When the
  // database reports a conflict (Aborted) the whole attempt, `store` included, is retried in a
  // fresh transaction (storage::RunInTransaction). Publishes are serialised by a mutex and
  // across processes by LockExclusive("provenance"). A refusal is an OK result with outcome
  // kRefuse, audited "provenance.refuse"; a hold is audited "provenance.hold" in the publish's
  // transaction (both with req.caller as actor); a raised cluster "provenance.cluster_raise"
  // (actor "system").
  // Errors: InvalidArgument with field: "invalid_content_id" (content_id), "invalid_account_id",
  // "invalid_subject_id", "text_too_large" and "invalid_utf8" (text), "invalid_url" (url),
  // "invalid_copyright_holder", "invalid_attribution" (attribution: no field set, a field too
  // long or not UTF-8), "attribution_on_original" (attribution with claim_original);
  // AlreadyExists "already_published" (content_id is recorded); FailedPrecondition "not_loaded"
  // (Load not called or failed); whatever `store` returns; database errors.
  Result<Decision> Publish(
      const PublishRequest& req,
      const std::function<Status(storage::Transaction&, const Decision&)>& store);

  // The decision Publish would take now; records nothing (no rows, no audit entries). A cluster
  // it would raise has id 0; one it would join is shown with this content added. Same errors
  // as Publish except those of `store`.
  Result<Decision> Check(const PublishRequest& req) const;

  // The content was deleted or purged: drops it from the index and deletes its fingerprint row
  // (with its folded text) and the whitelist entries naming it. Cluster memberships are kept:
  // they are ids only and the evidence of a batch (PA-18(4)) must survive its deletion.
  // Works before Load too (then only the tables change). NotFound ("content_not_found");
  // database errors.
  Status Remove(std::string_view content_id);

  // What was recorded for one publish. NotFound ("content_not_found").
  Result<ContentRecord> Get(std::string_view content_id) const;

  // The owner of an original changes who may reprint it without a whitelist entry. Audited
  // "provenance.reprint_policy". NotFound ("original_not_found") unless `content_id` is a
  // recorded original of `owner_account_id`.
  Status SetReprintPolicy(const Caller& caller, int64_t owner_account_id,
                          std::string_view content_id, ReprintPolicy policy);

  // Whitelist by the original's owner (PA-14.2): `grantee_account_id` may reprint the originals
  // of `owner_account_id` (all of them when `content_id` is empty, or that one), modified or not
  // per `may_modify`. Granting again for the same (owner, grantee, content_id) updates
  // may_modify. Audited "provenance.whitelist_grant". The caller checks that whoever acts
  // controls the owner account.
  // Errors: InvalidArgument "invalid_account_id" (owner_account_id), "invalid_grantee"
  // (grantee_account_id: not positive, or the owner itself); NotFound "original_not_found"
  // (content_id given but not a recorded original of the owner).
  Result<WhitelistEntry> Grant(const Caller& caller, int64_t owner_account_id,
                               int64_t grantee_account_id, std::string_view content_id,
                               bool may_modify);
  // Deletes entry `entry_id` of `owner_account_id`. Audited "provenance.whitelist_revoke".
  // NotFound ("whitelist_entry_not_found") when no such entry belongs to the owner.
  Status Revoke(const Caller& caller, int64_t owner_account_id, int64_t entry_id);
  // The owner's entries, by id.
  Result<std::vector<WhitelistEntry>> ListWhitelist(int64_t owner_account_id) const;

  // Clusters, newest first. InvalidArgument ("invalid_limit", field "limit").
  Result<std::vector<ClusterInfo>> ListClusters(const ClusterQuery& query) const;
  // NotFound ("cluster_not_found").
  Result<ClusterInfo> GetCluster(int64_t id) const;

  // The state of the in-memory index, for tests and metrics.
  struct IndexStats {
    size_t live = 0;         // recorded publishes in the index
    size_t unreachable = 0;  // entries of removed content, until the next rebuild
    size_t entries = 0;      // documents in the index: live + unreachable
    size_t index_bytes = 0;  // NearDuplicateIndex::MemoryBytes()
  };
  IndexStats Stats() const;

  static std::vector<storage::Migration> Migrations();

  ProvenanceService(const ProvenanceService&) = delete;
  ProvenanceService& operator=(const ProvenanceService&) = delete;

 private:
  struct Live {
    size_t slot = 0;  // position in index_
    int64_t seq = 0;  // provenance_fingerprints.id: publish order
  };
  struct Lookup;
  struct Outcome {
    Decision decision;
    int64_t seq = 0;  // the new provenance_fingerprints.id when recorded
  };

  Status Validate(const PublishRequest& req) const;
  Status LoadLocked();
  Status RebuildIfNeededLocked();
  // Fingerprints `req.text` and finds its live earlier near-copies; changes nothing.
  Result<Lookup> LookupLocked(const PublishRequest& req) const;
  // Applies the rules; when `record`, writes the rows and audit entries in `tx`.
  Result<Outcome> DecideLocked(storage::Transaction& tx, const PublishRequest& req,
                               const Lookup& lookup, bool record) const;

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  const text::Normalizer& norm_;
  const Options options_;

  mutable std::mutex mu_;  // guards everything below
  bool loaded_ = false;
  std::unique_ptr<moderation::NearDuplicateIndex> index_;
  std::vector<std::string> slots_;  // index position -> content id (live or removed)
  size_t unreachable_ = 0;
  std::unordered_map<std::string, Live> live_;  // content id -> its entry
};

}  // namespace herald::provenance
