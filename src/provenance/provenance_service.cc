#include "provenance/provenance_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/json_writer.h"
#include "core/strings.h"
#include "moderation/screen.h"

namespace herald::provenance {

namespace {

using storage::Transaction;
using storage::TxMode;
using storage::Value;

constexpr size_t kMaxIdBytes = 200;
constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxHolderBytes = 200;
constexpr size_t kChunk = 200;       // ids per IN (...) query
constexpr int64_t kLoadPage = 1000;  // fingerprint rows per Load query
constexpr int kMaxListLimit = 500;

std::string Str(int64_t v) { return std::to_string(v); }

// "?, ?, ?" for n placeholders.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

bool FieldOk(std::string_view s, size_t max_bytes) {
  return s.size() <= max_bytes && IsValidUtf8(s);
}

// True when `a` credits the recorded publish (account, content).
bool Names(const Attribution& a, int64_t account_id, std::string_view content_id) {
  return (a.source_account_id != 0 && a.source_account_id == account_id) ||
         (!a.source_content_id.empty() && a.source_content_id == content_id);
}

// One earlier near-copy, as read from provenance_fingerprints.
struct NearRow {
  NearCopy copy;
  int64_t seq = 0;
  ReprintPolicy policy = ReprintPolicy::kWhitelistOnly;
  std::string url;
  std::string copyright_holder;
};

Attribution AttributionOf(const NearRow& o) {
  return Attribution{o.copy.account_id, o.copy.content_id, o.url, o.copyright_holder};
}

// `given` with its empty fields completed from the original `o`.
Attribution Complete(Attribution given, const NearRow& o) {
  if (given.source_account_id == 0) given.source_account_id = o.copy.account_id;
  if (given.source_content_id.empty()) given.source_content_id = o.copy.content_id;
  if (given.source_url.empty()) given.source_url = o.url;
  if (given.copyright_holder.empty()) given.copyright_holder = o.copyright_holder;
  return given;
}

const char kFingerprintColumns[] =
    "id, content_id, account_id, subject_id, original, reprint_policy, url, copyright_holder, "
    "outcome, reason, attribution_account_id, attribution_content_id, attribution_url, "
    "attribution_holder, published_at";

ContentRecord RecordFromRow(const storage::Row& r) {
  ContentRecord c;
  c.content_id = r.Text(1);
  c.account_id = r.Int(2);
  c.subject_id = r.Int(3);
  c.original = r.Int(4) != 0;
  c.reprint_policy =
      r.Text(5) == "attribution" ? ReprintPolicy::kAttribution : ReprintPolicy::kWhitelistOnly;
  c.url = r.Text(6);
  c.copyright_holder = r.Text(7);
  c.outcome = r.Text(8);
  c.reason = r.Text(9);
  if (!r.IsNull(10)) {
    c.attribution = Attribution{r.Int(10), r.Text(11), r.Text(12), r.Text(13)};
  }
  c.published_at = r.Int(14);
  return c;
}

WhitelistEntry WhitelistFromRow(const storage::Row& r) {
  return WhitelistEntry{r.Int(0),      r.Int(1), r.Int(2), r.Text(3),
                        r.Int(4) != 0, r.Int(5), r.Text(6)};
}

const char kWhitelistColumns[] =
    "id, owner_account_id, grantee_account_id, content_id, may_modify, granted_at, granted_by";

Result<ClusterInfo> LoadCluster(Transaction& tx, int64_t id) {
  HERALD_ASSIGN_OR_RETURN(
      auto head,
      tx.Query("SELECT created_at, updated_at FROM provenance_clusters WHERE id = ?", {id}));
  if (head.empty()) return NotFound("no such cluster", "cluster_not_found");
  ClusterInfo c;
  c.id = id;
  c.created_at = head.rows[0].Int(0);
  c.updated_at = head.rows[0].Int(1);
  HERALD_ASSIGN_OR_RETURN(auto members,
                          tx.Query("SELECT content_id, account_id, subject_id FROM "
                                   "provenance_cluster_members WHERE cluster_id = ? ORDER BY id",
                                   {id}));
  std::set<int64_t> accounts, subjects;
  for (const auto& r : members.rows) {
    c.content_ids.push_back(r.Text(0));
    accounts.insert(r.Int(1));
    subjects.insert(r.Int(2));
  }
  c.account_ids.assign(accounts.begin(), accounts.end());
  c.subject_ids.assign(subjects.begin(), subjects.end());
  return c;
}

}  // namespace

std::string_view ReprintPolicyName(ReprintPolicy p) {
  return p == ReprintPolicy::kAttribution ? "attribution" : "whitelist_only";
}

Result<ReprintPolicy> ParseReprintPolicy(std::string_view name) {
  if (name == "whitelist_only") return ReprintPolicy::kWhitelistOnly;
  if (name == "attribution") return ReprintPolicy::kAttribution;
  return InvalidArgument("reprint policy must be whitelist_only or attribution",
                         "invalid_reprint_policy", "reprint_policy");
}

// The result of looking a text up in the index: its folded text and fingerprint (inserted into
// the index once the publish commits) and the live earlier near-copies in publish order.
struct ProvenanceService::Lookup {
  std::string folded;
  moderation::NearDuplicateIndex::Fingerprint fp;
  std::vector<std::string> near_ids;
};

ProvenanceService::ProvenanceService(storage::Database& db, const audit::AuditLog& audit,
                                     const Clock& clock, const text::Normalizer& norm,
                                     Options options)
    : db_(db), audit_(audit), clock_(clock), norm_(norm), options_(options) {}

ProvenanceService::~ProvenanceService() = default;

Status ProvenanceService::Load() {
  std::lock_guard lock(mu_);
  return LoadLocked();
}

Status ProvenanceService::LoadLocked() {
  const text::NormalizerOptions want = moderation::ScreeningNormalizerOptions();
  const text::NormalizerOptions& have = norm_.options();
  if (have.nfkc_casefold != want.nfkc_casefold ||
      have.traditional_to_simplified != want.traditional_to_simplified ||
      have.fold_lookalikes != want.fold_lookalikes ||
      have.fold_cjk_lookalikes != want.fold_cjk_lookalikes || have.drop_noise != want.drop_noise) {
    return FailedPrecondition("the provenance index needs the screening normaliser",
                              "wrong_normalizer");
  }
  if (!(options_.near_threshold > 0 && options_.near_threshold <= 1) ||
      !(options_.unmodified_similarity > 0 && options_.unmodified_similarity <= 1) ||
      options_.cluster_min_accounts < 2 || options_.cluster_window <= 0) {
    return InvalidArgument("provenance options out of range", "invalid_provenance_options");
  }
  auto index = std::make_unique<moderation::NearDuplicateIndex>(
      norm_, options_.near_threshold, moderation::NearDuplicateIndex::Verification::kExact);
  std::vector<std::string> slots;
  std::unordered_map<std::string, Live> live;
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  int64_t after = 0;
  for (;;) {
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx->Query("SELECT id, content_id, folded_text FROM provenance_fingerprints "
                             "WHERE id > ? ORDER BY id LIMIT ?",
                             {after, kLoadPage}));
    for (const auto& r : rows.rows) {
      after = r.Int(0);
      const size_t slot = index->size();
      HERALD_ASSIGN_OR_RETURN(auto fp, index->FingerprintOf(r.Text(2)));
      index->Insert(Str(static_cast<int64_t>(slot)), std::move(fp));
      if (index->size() != slot + 1) return Internal("index did not grow by one document");
      slots.push_back(r.Text(1));
      live[r.Text(1)] = Live{slot, after};
    }
    if (rows.size() < static_cast<size_t>(kLoadPage)) break;
  }
  HERALD_RETURN_IF_ERROR(tx->Commit());
  index_ = std::move(index);
  slots_ = std::move(slots);
  live_ = std::move(live);
  unreachable_ = 0;
  loaded_ = true;
  return Status();
}

Status ProvenanceService::Validate(const PublishRequest& req) const {
  if (req.content_id.empty() || !FieldOk(req.content_id, kMaxIdBytes)) {
    return InvalidArgument("content id must be 1-200 bytes of UTF-8", "invalid_content_id",
                           "content_id");
  }
  if (req.account_id <= 0) {
    return InvalidArgument("account id must be positive", "invalid_account_id", "account_id");
  }
  if (req.subject_id <= 0) {
    return InvalidArgument("subject id must be positive", "invalid_subject_id", "subject_id");
  }
  if (req.text.size() > options_.max_text_bytes) {
    return InvalidArgument("text is too long to fingerprint", "text_too_large", "text");
  }
  if (!IsValidUtf8(req.text)) {
    return InvalidArgument("text is not valid UTF-8", "invalid_utf8", "text");
  }
  if (!FieldOk(req.url, kMaxUrlBytes)) {
    return InvalidArgument("url must be at most 2048 bytes of UTF-8", "invalid_url", "url");
  }
  if (!FieldOk(req.copyright_holder, kMaxHolderBytes)) {
    return InvalidArgument("copyright holder must be at most 200 bytes of UTF-8",
                           "invalid_copyright_holder", "copyright_holder");
  }
  if (req.attribution) {
    const Attribution& a = *req.attribution;
    if (req.claim_original) {
      return InvalidArgument("an original carries no attribution", "attribution_on_original",
                             "attribution");
    }
    const bool empty = a.source_account_id == 0 && a.source_content_id.empty() &&
                       a.source_url.empty() && a.copyright_holder.empty();
    if (empty || a.source_account_id < 0 || !FieldOk(a.source_content_id, kMaxIdBytes) ||
        !FieldOk(a.source_url, kMaxUrlBytes) || !FieldOk(a.copyright_holder, kMaxHolderBytes)) {
      return InvalidArgument(
          "attribution needs a source (account, content id or link) or a "
          "copyright holder, each within its length limit",
          "invalid_attribution", "attribution");
    }
  }
  return Status();
}

Result<ProvenanceService::Lookup> ProvenanceService::LookupLocked(const PublishRequest& req) const {
  Lookup lookup;
  HERALD_ASSIGN_OR_RETURN(lookup.folded, norm_.Fold(req.text));
  HERALD_ASSIGN_OR_RETURN(lookup.fp, index_->FingerprintOf(lookup.folded));
  const std::vector<std::string> ids = index_->Lookup(lookup.fp);
  std::vector<std::pair<int64_t, std::string>> near;
  for (const std::string& id : ids) {
    const size_t slot = static_cast<size_t>(std::stoull(id));
    if (slot >= slots_.size()) continue;
    // Live only while live_ maps the id back to this position (not after Remove, nor when
    // the id was removed and published again).
    auto it = live_.find(slots_[slot]);
    if (it == live_.end() || it->second.slot != slot) continue;
    near.emplace_back(it->second.seq, slots_[slot]);
  }
  std::sort(near.begin(), near.end());
  for (auto& [seq, id] : near) lookup.near_ids.push_back(std::move(id));
  return lookup;
}

Result<ProvenanceService::Outcome> ProvenanceService::DecideLocked(Transaction& tx,
                                                                   const PublishRequest& req,
                                                                   const Lookup& lookup,
                                                                   bool record) const {
  const Micros now = clock_.Now();
  Outcome out;
  Decision& d = out.decision;

  // The near-copies as recorded (a row removed by another process since Load is skipped).
  std::vector<NearRow> near;
  for (size_t begin = 0; begin < lookup.near_ids.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, lookup.near_ids.size() - begin);
    std::vector<Value> params(lookup.near_ids.begin() + begin, lookup.near_ids.begin() + begin + n);
    HERALD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT id, content_id, account_id, subject_id, original, reprint_policy, url, "
                 "copyright_holder, published_at, folded_text FROM provenance_fingerprints "
                 "WHERE content_id IN (" +
                     Placeholders(n) + ")",
                 params));
    for (const auto& r : rows.rows) {
      NearRow row;
      row.seq = r.Int(0);
      row.copy.content_id = r.Text(1);
      row.copy.account_id = r.Int(2);
      row.copy.subject_id = r.Int(3);
      row.copy.original = r.Int(4) != 0;
      row.policy =
          r.Text(5) == "attribution" ? ReprintPolicy::kAttribution : ReprintPolicy::kWhitelistOnly;
      row.url = r.Text(6);
      row.copyright_holder = r.Text(7);
      row.copy.published_at = r.Int(8);
      HERALD_ASSIGN_OR_RETURN(auto shingles, index_->Shingles(r.Text(9)));
      row.copy.similarity = moderation::Jaccard(lookup.fp.shingles, shingles);
      near.push_back(std::move(row));
    }
  }
  std::sort(near.begin(), near.end(),
            [](const NearRow& a, const NearRow& b) { return a.seq < b.seq; });
  for (const auto& r : near) d.near.push_back(r.copy);

  // Rule 1: a false originality claim.
  if (req.claim_original) {
    for (const auto& r : near) {
      if (r.copy.subject_id != req.subject_id) {
        d.outcome = kRefuse;
        d.reason = kFalseOriginalityClaim;
        d.decided_by = r.copy.content_id;
        break;
      }
    }
  }

  // Rule 2: reprints of other subjects' originals.
  if (d.outcome.empty()) {
    d.attribution = req.attribution;
    bool first = true;
    for (const auto& o : near) {
      if (!o.copy.original || o.copy.subject_id == req.subject_id) continue;
      HERALD_ASSIGN_OR_RETURN(
          auto wl,
          tx.Query("SELECT may_modify FROM provenance_whitelist WHERE owner_account_id = ? AND "
                   "grantee_account_id = ? AND (content_id = '' OR content_id = ?) "
                   "ORDER BY may_modify DESC LIMIT 1",
                   {o.copy.account_id, req.account_id, o.copy.content_id}));
      const bool whitelisted = !wl.empty();
      const bool may_modify = whitelisted && wl.rows[0].Int(0) != 0;
      const bool names =
          req.attribution && Names(*req.attribution, o.copy.account_id, o.copy.content_id);
      const bool by_whitelist =
          whitelisted && (may_modify || o.copy.similarity >= options_.unmodified_similarity);
      const bool by_attribution = o.policy == ReprintPolicy::kAttribution && names &&
                                  !req.attribution->copyright_holder.empty();
      if (first) {
        first = false;
        if (names) {
          d.attribution = Complete(*req.attribution, o);
        } else if (whitelisted) {
          d.attribution = AttributionOf(o);
        }
      }
      if (by_whitelist || by_attribution) continue;
      d.outcome = kHold;
      d.reason = whitelisted                                 ? kModificationNotAllowed
                 : o.policy == ReprintPolicy::kWhitelistOnly ? kReprintNotAuthorised
                                                             : kAttributionRequired;
      d.decided_by = o.copy.content_id;
      break;
    }
    if (d.outcome.empty()) d.outcome = kAccept;
  }

  if (d.outcome == kRefuse) {
    if (record) {
      HERALD_RETURN_IF_ERROR(
          audit_
              .Append(tx, audit::NewEntry{req.caller.actor, "provenance.refuse", req.content_id,
                                          JsonObjectWriter()
                                              .Add("content_id", req.content_id)
                                              .Add("account_id", req.account_id)
                                              .Add("subject_id", req.subject_id)
                                              .Add("reason", d.reason)
                                              .Add("decided_by", d.decided_by)
                                              .str(),
                                          req.caller.request_id})
              .status());
    }
    return out;
  }

  if (record) {
    const std::optional<Attribution>& a = d.attribution;
    HERALD_ASSIGN_OR_RETURN(
        auto ins,
        tx.Query(
            "INSERT INTO provenance_fingerprints (content_id, account_id, subject_id, original, "
            "reprint_policy, url, copyright_holder, outcome, reason, attribution_account_id, "
            "attribution_content_id, attribution_url, attribution_holder, folded_text, "
            "published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            {req.content_id, req.account_id, req.subject_id, int64_t{req.claim_original ? 1 : 0},
             std::string(ReprintPolicyName(req.reprint_policy)), req.url, req.copyright_holder,
             d.outcome, d.reason, a ? Value(a->source_account_id) : Value(),
             a ? Value(a->source_content_id) : Value(), a ? Value(a->source_url) : Value(),
             a ? Value(a->copyright_holder) : Value(), lookup.folded, now}));
    if (ins.empty()) return Internal("insert returned no id");
    out.seq = ins.rows[0].Int(0);
    if (d.outcome == kHold) {
      HERALD_RETURN_IF_ERROR(
          audit_
              .Append(tx, audit::NewEntry{req.caller.actor, "provenance.hold", req.content_id,
                                          JsonObjectWriter()
                                              .Add("content_id", req.content_id)
                                              .Add("account_id", req.account_id)
                                              .Add("subject_id", req.subject_id)
                                              .Add("reason", d.reason)
                                              .Add("decided_by", d.decided_by)
                                              .str(),
                                          req.caller.request_id})
              .status());
    }
  }

  // Clusters: the near-copies within the window.
  std::vector<const NearRow*> window;
  for (const auto& r : near) {
    if (r.copy.published_at >= now - options_.cluster_window) window.push_back(&r);
  }
  if (window.empty()) return out;
  std::set<int64_t> joined;
  for (size_t begin = 0; begin < window.size(); begin += kChunk) {
    const size_t n = std::min(kChunk, window.size() - begin);
    std::vector<Value> params;
    for (size_t i = begin; i < begin + n; ++i) params.emplace_back(window[i]->copy.content_id);
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT cluster_id FROM "
                                                "provenance_cluster_members WHERE content_id IN (" +
                                                    Placeholders(n) + ")",
                                                params));
    for (const auto& r : rows.rows) joined.insert(r.Int(0));
  }

  // The members to add: the window's near-copies, oldest first, then this publish.
  struct Member {
    std::string content_id;
    int64_t account_id;
    int64_t subject_id;
    Micros published_at;
  };
  std::vector<Member> add;
  for (const NearRow* r : window) {
    add.push_back(
        {r->copy.content_id, r->copy.account_id, r->copy.subject_id, r->copy.published_at});
  }
  add.push_back({req.content_id, req.account_id, req.subject_id, now});

  ClusterInfo cluster;
  if (!joined.empty()) {
    HERALD_ASSIGN_OR_RETURN(cluster, LoadCluster(tx, *joined.begin()));
    const std::set<std::string> have(cluster.content_ids.begin(), cluster.content_ids.end());
    std::erase_if(add, [&](const Member& m) { return have.contains(m.content_id); });
    cluster.updated_at = now;
    if (record) {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("UPDATE provenance_clusters SET updated_at = ? WHERE id = ?",
                     {now, cluster.id})
              .status());
    }
  } else {
    std::set<int64_t> accounts;
    for (const auto& m : add) accounts.insert(m.account_id);
    if (accounts.size() < static_cast<size_t>(options_.cluster_min_accounts)) return out;
    cluster.created_at = cluster.updated_at = now;
    cluster.raised_now = true;
    if (record) {
      HERALD_ASSIGN_OR_RETURN(auto ins, tx.Query("INSERT INTO provenance_clusters (created_at, "
                                                 "updated_at) VALUES (?, ?) RETURNING id",
                                                 {now, now}));
      if (ins.empty()) return Internal("insert returned no id");
      cluster.id = ins.rows[0].Int(0);
    }
  }
  std::set<int64_t> accounts(cluster.account_ids.begin(), cluster.account_ids.end());
  std::set<int64_t> subjects(cluster.subject_ids.begin(), cluster.subject_ids.end());
  for (const auto& m : add) {
    cluster.content_ids.push_back(m.content_id);
    accounts.insert(m.account_id);
    subjects.insert(m.subject_id);
    if (record) {
      HERALD_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO provenance_cluster_members (cluster_id, content_id, "
                     "account_id, subject_id, published_at, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                     {cluster.id, m.content_id, m.account_id, m.subject_id, m.published_at, now})
              .status());
    }
  }
  cluster.account_ids.assign(accounts.begin(), accounts.end());
  cluster.subject_ids.assign(subjects.begin(), subjects.end());
  if (record && cluster.raised_now) {
    HERALD_RETURN_IF_ERROR(
        audit_
            .Append(tx, audit::NewEntry{"system", "provenance.cluster_raise",
                                        "provenance_cluster:" + Str(cluster.id),
                                        JsonObjectWriter()
                                            .Add("content_id", req.content_id)
                                            .Add("accounts", static_cast<int64_t>(accounts.size()))
                                            .Add("contents",
                                                 static_cast<int64_t>(cluster.content_ids.size()))
                                            .str(),
                                        req.caller.request_id})
            .status());
  }
  d.cluster = std::move(cluster);
  return out;
}

Status ProvenanceService::RebuildIfNeededLocked() {
  if (unreachable_ <= std::max(options_.rebuild_min_unreachable, live_.size())) return Status();
  return LoadLocked();
}

Result<Decision> ProvenanceService::Publish(
    const PublishRequest& req, const std::function<Status(Transaction&, const Decision&)>& store) {
  std::lock_guard lock(mu_);
  if (!loaded_) return FailedPrecondition("provenance index not loaded", "not_loaded");
  HERALD_RETURN_IF_ERROR(Validate(req));
  if (live_.contains(req.content_id)) {
    return AlreadyExists("content already published", "already_published", "content_id");
  }
  HERALD_RETURN_IF_ERROR(RebuildIfNeededLocked());
  HERALD_ASSIGN_OR_RETURN(Lookup lookup, LookupLocked(req));
  Outcome out;
  Status st = storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_RETURN_IF_ERROR(tx.LockExclusive("provenance"));
    HERALD_ASSIGN_OR_RETURN(
        auto existing,
        tx.Query("SELECT 1 FROM provenance_fingerprints WHERE content_id = ?", {req.content_id}));
    if (!existing.empty()) {
      return AlreadyExists("content already published", "already_published", "content_id");
    }
    HERALD_ASSIGN_OR_RETURN(out, DecideLocked(tx, req, lookup, true));
    if (out.decision.outcome == kRefuse || !store) return Status();
    return store(tx, out.decision);
  });
  HERALD_RETURN_IF_ERROR(st);
  if (out.decision.outcome != kRefuse) {
    const size_t slot = index_->size();
    if (slots_.size() != slot) return Internal("index and slot table out of step");
    index_->Insert(Str(static_cast<int64_t>(slot)), std::move(lookup.fp));
    slots_.push_back(req.content_id);
    live_[req.content_id] = Live{slot, out.seq};
  }
  return std::move(out.decision);
}

Result<Decision> ProvenanceService::Check(const PublishRequest& req) const {
  std::lock_guard lock(mu_);
  if (!loaded_) return FailedPrecondition("provenance index not loaded", "not_loaded");
  HERALD_RETURN_IF_ERROR(Validate(req));
  if (live_.contains(req.content_id)) {
    return AlreadyExists("content already published", "already_published", "content_id");
  }
  HERALD_ASSIGN_OR_RETURN(Lookup lookup, LookupLocked(req));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Outcome out, DecideLocked(*tx, req, lookup, false));
  HERALD_RETURN_IF_ERROR(tx->Commit());
  return std::move(out.decision);
}

Status ProvenanceService::Remove(std::string_view content_id) {
  std::lock_guard lock(mu_);
  const std::string id(content_id);
  HERALD_RETURN_IF_ERROR(storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    HERALD_RETURN_IF_ERROR(tx.LockExclusive("provenance"));
    HERALD_ASSIGN_OR_RETURN(
        int64_t n, tx.Execute("DELETE FROM provenance_fingerprints WHERE content_id = ?", {id}));
    if (n == 0) return NotFound("no such content", "content_not_found", "content_id");
    return tx.Execute("DELETE FROM provenance_whitelist WHERE content_id = ?", {id}).status();
  }));
  auto it = live_.find(id);
  if (it != live_.end()) {
    ++unreachable_;
    live_.erase(it);
  }
  return Status();
}

Result<ContentRecord> ProvenanceService::Get(std::string_view content_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(std::string("SELECT ") + kFingerprintColumns +
                                                   " FROM provenance_fingerprints WHERE "
                                                   "content_id = ?",
                                               {std::string(content_id)}));
  if (rows.empty()) return NotFound("no such content", "content_not_found", "content_id");
  return RecordFromRow(rows.rows[0]);
}

Status ProvenanceService::SetReprintPolicy(const Caller& caller, int64_t owner_account_id,
                                           std::string_view content_id, ReprintPolicy policy) {
  const std::string id(content_id);
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(
        int64_t n, tx.Execute("UPDATE provenance_fingerprints SET reprint_policy = ? WHERE "
                              "content_id = ? AND account_id = ? AND original = 1",
                              {std::string(ReprintPolicyName(policy)), id, owner_account_id}));
    if (n == 0) return NotFound("no such original", "original_not_found", "content_id");
    return audit_
        .Append(tx, audit::NewEntry{caller.actor, "provenance.reprint_policy", id,
                                    JsonObjectWriter()
                                        .Add("owner_account_id", owner_account_id)
                                        .Add("policy", ReprintPolicyName(policy))
                                        .str(),
                                    caller.request_id})
        .status();
  });
}

Result<WhitelistEntry> ProvenanceService::Grant(const Caller& caller, int64_t owner_account_id,
                                                int64_t grantee_account_id,
                                                std::string_view content_id, bool may_modify) {
  if (owner_account_id <= 0) {
    return InvalidArgument("owner account id must be positive", "invalid_account_id",
                           "owner_account_id");
  }
  if (grantee_account_id <= 0 || grantee_account_id == owner_account_id) {
    return InvalidArgument("grantee must be another account", "invalid_grantee",
                           "grantee_account_id");
  }
  const std::string id(content_id);
  WhitelistEntry entry;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        if (!id.empty()) {
          HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT 1 FROM provenance_fingerprints "
                                                      "WHERE content_id = ? AND account_id = ? "
                                                      "AND original = 1",
                                                      {id, owner_account_id}));
          if (rows.empty()) return NotFound("no such original", "original_not_found", "content_id");
        }
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(std::string("INSERT INTO provenance_whitelist (owner_account_id, "
                                 "grantee_account_id, content_id, may_modify, granted_at, "
                                 "granted_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                                 "(owner_account_id, grantee_account_id, content_id) DO UPDATE "
                                 "SET may_modify = excluded.may_modify, granted_at = "
                                 "excluded.granted_at, granted_by = excluded.granted_by "
                                 "RETURNING ") +
                         kWhitelistColumns,
                     {owner_account_id, grantee_account_id, id, int64_t{may_modify ? 1 : 0},
                      clock_.Now(), caller.actor}));
        if (rows.empty()) return Internal("upsert returned no row");
        entry = WhitelistFromRow(rows.rows[0]);
        return audit_
            .Append(tx, audit::NewEntry{caller.actor, "provenance.whitelist_grant",
                                        "account:" + Str(owner_account_id),
                                        JsonObjectWriter()
                                            .Add("entry_id", entry.id)
                                            .Add("grantee_account_id", grantee_account_id)
                                            .Add("content_id", id)
                                            .Add("may_modify", may_modify)
                                            .str(),
                                        caller.request_id})
            .status();
      }));
  return entry;
}

Status ProvenanceService::Revoke(const Caller& caller, int64_t owner_account_id, int64_t entry_id) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string("SELECT ") + kWhitelistColumns +
                                                    " FROM provenance_whitelist WHERE id = ? AND "
                                                    "owner_account_id = ?",
                                                {entry_id, owner_account_id}));
    if (rows.empty()) {
      return NotFound("no such whitelist entry", "whitelist_entry_not_found", "entry_id");
    }
    const WhitelistEntry e = WhitelistFromRow(rows.rows[0]);
    HERALD_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM provenance_whitelist WHERE id = ?", {entry_id}).status());
    return audit_
        .Append(tx, audit::NewEntry{caller.actor, "provenance.whitelist_revoke",
                                    "account:" + Str(owner_account_id),
                                    JsonObjectWriter()
                                        .Add("entry_id", e.id)
                                        .Add("grantee_account_id", e.grantee_account_id)
                                        .Add("content_id", e.content_id)
                                        .Add("may_modify", e.may_modify)
                                        .str(),
                                    caller.request_id})
        .status();
  });
}

Result<std::vector<WhitelistEntry>> ProvenanceService::ListWhitelist(
    int64_t owner_account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(std::string("SELECT ") + kWhitelistColumns +
                                                   " FROM provenance_whitelist WHERE "
                                                   "owner_account_id = ? ORDER BY id",
                                               {owner_account_id}));
  std::vector<WhitelistEntry> out;
  for (const auto& r : rows.rows) out.push_back(WhitelistFromRow(r));
  return out;
}

Result<std::vector<ClusterInfo>> ProvenanceService::ListClusters(const ClusterQuery& q) const {
  if (q.limit < 1 || q.limit > kMaxListLimit) {
    return InvalidArgument("limit must be 1-500", "invalid_limit", "limit");
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  std::string sql = "SELECT id FROM provenance_clusters WHERE created_at >= ?";
  std::vector<Value> params{q.since};
  if (q.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*q.before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(int64_t{q.limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<ClusterInfo> out;
  for (const auto& r : rows.rows) {
    HERALD_ASSIGN_OR_RETURN(ClusterInfo c, LoadCluster(*tx, r.Int(0)));
    out.push_back(std::move(c));
  }
  return out;
}

Result<ClusterInfo> ProvenanceService::GetCluster(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return LoadCluster(*tx, id);
}

ProvenanceService::IndexStats ProvenanceService::Stats() const {
  std::lock_guard lock(mu_);
  return IndexStats{live_.size(), unreachable_, index_ ? index_->size() : 0,
                    index_ ? index_->MemoryBytes() : 0};
}

std::vector<storage::Migration> ProvenanceService::Migrations() {
  return {{"provenance/0001_tables", R"sql(
CREATE TABLE provenance_fingerprints (
  id {{AUTO_ID}},
  content_id TEXT NOT NULL UNIQUE,
  account_id BIGINT NOT NULL,
  subject_id BIGINT NOT NULL,
  original INTEGER NOT NULL CHECK (original IN (0, 1)),
  reprint_policy TEXT NOT NULL CHECK (reprint_policy IN ('whitelist_only', 'attribution')),
  url TEXT NOT NULL,
  copyright_holder TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accept', 'hold')),
  reason TEXT NOT NULL,
  attribution_account_id BIGINT,
  attribution_content_id TEXT,
  attribution_url TEXT,
  attribution_holder TEXT,
  folded_text TEXT NOT NULL,
  published_at BIGINT NOT NULL
);
CREATE INDEX provenance_fingerprints_account ON provenance_fingerprints (account_id);
CREATE TABLE provenance_whitelist (
  id {{AUTO_ID}},
  owner_account_id BIGINT NOT NULL,
  grantee_account_id BIGINT NOT NULL,
  content_id TEXT NOT NULL,
  may_modify INTEGER NOT NULL CHECK (may_modify IN (0, 1)),
  granted_at BIGINT NOT NULL,
  granted_by TEXT NOT NULL,
  UNIQUE (owner_account_id, grantee_account_id, content_id)
);
CREATE INDEX provenance_whitelist_content ON provenance_whitelist (content_id);
CREATE TABLE provenance_clusters (
  id {{AUTO_ID}},
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX provenance_clusters_created ON provenance_clusters (created_at);
CREATE TABLE provenance_cluster_members (
  id {{AUTO_ID}},
  cluster_id BIGINT NOT NULL REFERENCES provenance_clusters (id),
  content_id TEXT NOT NULL,
  account_id BIGINT NOT NULL,
  subject_id BIGINT NOT NULL,
  published_at BIGINT NOT NULL,
  added_at BIGINT NOT NULL,
  UNIQUE (cluster_id, content_id)
);
CREATE INDEX provenance_cluster_members_content ON provenance_cluster_members (content_id);
)sql",
           ""}};
}

}  // namespace herald::provenance
