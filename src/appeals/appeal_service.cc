#include "appeals/appeal_service.h"

#include <algorithm>
#include <utility>

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::appeals {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr const char* kColumns =
    "id, target_type, target_id, decision_ref, appellant_user_id, account_id, body, evidence, "
    "status, original_decided_by, original_decided_at, window_closes_at, review_id, created_at, "
    "due_at, decided_by, decided_at, reason, note, new_sanction_id";

constexpr size_t kMaxEvidence = 10;

Value OptValue(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(std::monostate{}); }

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

std::string UserActor(int64_t id) { return "user:" + std::to_string(id); }

Appeal FromRow(const Row& r) {
  Appeal a;
  a.id = r.Int(0);
  a.target.type = r.Text(1);
  a.target.id = r.Int(2);
  a.decision_ref = r.Text(3);
  a.appellant_user_id = r.Int(4);
  a.account_id = OptInt(r, 5);
  a.text = r.Text(6);
  const std::string evidence = r.Text(7);
  for (const auto& e : Split(evidence, '\n')) {
    if (!e.empty()) a.evidence.emplace_back(e);
  }
  a.status = r.Text(8);
  a.original_decided_by = r.Text(9);
  a.original_decided_at = r.Int(10);
  a.window_closes_at = r.Int(11);
  a.review_id = r.Int(12);
  a.created_at = r.Int(13);
  a.due_at = r.Int(14);
  a.decided_by = r.Text(15);
  a.decided_at = OptInt(r, 16);
  a.reason = r.Text(17);
  a.note = r.Text(18);
  a.new_sanction_id = OptInt(r, 19);
  return a;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// An http(s) link without whitespace or control characters, or a media id.
bool ValidEvidence(std::string_view e) {
  if (e.empty() || e.size() > 500) return false;
  for (unsigned char c : e) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  if (StartsWith(e, "https://")) return e.size() > 8;
  if (StartsWith(e, "http://")) return e.size() > 7;
  if (StartsWith(e, "media:")) return IsHex64(e.substr(6));
  return IsHex64(e);
}

// How heavy a measure is; a modified outcome must be lighter than the original.
int Rank(std::string_view measure) {
  if (measure == "warning") return 0;
  if (measure == "stop_advertising") return 1;
  if (measure == "restrict") return 2;
  if (measure == "suspend_updates") return 3;
  if (measure == "blacklist") return 5;
  return 4;  // close_account, close_group, ban_name
}

bool ModifiableMeasure(std::string_view m) {
  return m == "warning" || m == "stop_advertising" || m == "restrict" || m == "suspend_updates";
}

// The first `n` code points of `s`, for one-line summaries.
std::string Excerpt(std::string_view s, size_t n) {
  size_t i = 0, count = 0;
  while (i < s.size() && count < n) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    i += b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    ++count;
  }
  i = std::min(i, s.size());
  return std::string(s.substr(0, i)) + (i < s.size() ? "…" : "");
}

constexpr const char* kTargetTypesText =
    "target.type must be one of: sanction, article, comment, message, registration";

std::string OutcomeLabel(std::string_view outcome) {
  if (outcome == "upheld") return "维持原决定 Decision upheld";
  if (outcome == "overturned") return "撤销原决定 Decision overturned";
  return "变更处置 Decision modified";
}

}  // namespace

const std::vector<std::string>& TargetTypes() {
  static const std::vector<std::string> kTypes = {"sanction", "article", "comment", "message",
                                                  "registration"};
  return kTypes;
}

const std::vector<std::string>& Outcomes() {
  static const std::vector<std::string> kOutcomes = {"upheld", "overturned", "modified"};
  return kOutcomes;
}

const std::vector<std::string>& Statuses() {
  static const std::vector<std::string> kStatuses = {"pending", "upheld", "overturned", "modified"};
  return kStatuses;
}

AppealService::AppealService(storage::Database& db, const audit::AuditLog& audit,
                             const Clock& clock, review::ReviewQueue& review,
                             const sanctions::SanctionService& sanctions,
                             accounts::AccountService& accounts, content::ArticleService& articles,
                             groups::GroupService* groups, comments::CommentService* comments,
                             const notifications::NotificationService* notifications,
                             Options options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      review_(review),
      sanctions_(sanctions),
      accounts_(accounts),
      articles_(articles),
      groups_(groups),
      comments_(comments),
      notifications_(notifications),
      options_(std::move(options)) {
  // An appeal is decided through Decide only (it checks who decided the original); the generic
  // review decision refuses while the appeal is pending. Decide records the outcome before it
  // closes the item, so its own call passes.
  review_.RegisterHandler("appeal", [this](Transaction& tx, const review::Item& item) -> Status {
    HERALD_ASSIGN_OR_RETURN(Appeal a, Load(tx, item.ref_id));
    if (a.status == "pending") {
      return FailedPrecondition("appeals are decided through POST /api/v1/appeals/" +
                                    std::to_string(a.id) +
                                    "/decision, which checks that a different moderator decides",
                                "use_appeal_decision");
    }
    return Status();
  });
}

Policy AppealService::PublishedPolicy() const {
  return {options_.window / kMicrosPerDay, options_.decide_within / kMicrosPerDay, TargetTypes()};
}

Result<AppealService::Resolved> AppealService::Resolve(Transaction& tx, int64_t user_id,
                                                       const Target& t) const {
  Resolved out;
  if (t.type == "sanction") {
    HERALD_ASSIGN_OR_RETURN(sanctions::Sanction s, sanctions_.Get(tx, t.id));
    if (!s.party_user_id || *s.party_user_id != user_id) {
      return PermissionDenied("only the sanctioned party may appeal this sanction",
                              "not_affected_party");
    }
    if (!s.appealable) {
      return FailedPrecondition("this sanction was issued as not appealable", "appeal_not_allowed");
    }
    if (s.lifted_at) {
      return FailedPrecondition("this sanction was already lifted", "appeal_not_allowed");
    }
    out.decision_ref = "sanction:" + std::to_string(s.id);
    out.account_id = s.account_id;
    out.decided_by = s.issued_by;
    out.decided_at = s.issued_at;
    out.summary = "申诉 Appeal: sanction " + std::to_string(s.id) + " " + s.measure + " (" +
                  sanctions::TargetRef(s.target) + ")";
    return out;
  }
  if (t.type == "article") {
    HERALD_ASSIGN_OR_RETURN(content::Article a, articles_.Get(tx, t.id));
    HERALD_ASSIGN_OR_RETURN(accounts::Account acc, accounts_.Get(tx, a.account_id));
    HERALD_ASSIGN_OR_RETURN(std::string role, accounts_.RoleIn(tx, acc, user_id));
    if (role != accounts::kRoleOwner && (a.author_user_id != user_id || role.empty())) {
      return PermissionDenied(
          "only the account's operator or the article's author (a member) may appeal",
          "not_affected_party");
    }
    if (a.status != "held" && a.status != "rejected" && a.status != "removed") {
      return FailedPrecondition("only a held, rejected or removed article can be appealed",
                                "appeal_not_allowed");
    }
    out.account_id = a.account_id;
    out.summary = "申诉 Appeal: article " + std::to_string(a.id) + " " + a.status + " — " + a.title;
    HERALD_ASSIGN_OR_RETURN(auto items, review_.ItemsFor(tx, "content", a.id));
    if (a.status == "held") {
      // The hold itself (automatic screening or provenance): its open item, else the article.
      out.decided_at = a.version_at ? a.version_at : a.created_at;
      int64_t item_id = 0;
      for (const auto& it : items) {
        if (it.open()) {
          item_id = it.id;
          out.decided_at = it.created_at;
        }
      }
      out.decision_ref = "article:" + std::to_string(a.id) + ":held:" + std::to_string(item_id) +
                         ":" + std::to_string(out.decided_at);
      return out;
    }
    out.decided_at = a.removed_at.value_or(a.created_at);
    // Who decided: the latest rejecting content item, or for a coordinated batch the cluster's.
    const review::Item* decider = nullptr;
    std::vector<review::Item> cluster_items;
    if (a.status_reason == "batch_content" && a.cluster_id) {
      HERALD_ASSIGN_OR_RETURN(cluster_items, review_.ItemsFor(tx, "cluster", *a.cluster_id));
      for (const auto& it : cluster_items) {
        if (it.decision == "reject") decider = &it;
      }
    } else {
      for (const auto& it : items) {
        if (it.decision == "reject" && it.reason_code == a.status_reason) decider = &it;
      }
    }
    if (decider) out.decided_by = decider->decided_by;
    out.decision_ref =
        "article:" + std::to_string(a.id) + ":" + a.status + ":" + std::to_string(out.decided_at);
    return out;
  }
  if (t.type == "comment") {
    if (comments_ == nullptr) {
      return FailedPrecondition("comments cannot be appealed here", "appeal_not_allowed");
    }
    HERALD_ASSIGN_OR_RETURN(comments::Comment c, comments_->GetIn(tx, t.id));
    if (c.user_id != user_id) {
      return PermissionDenied("only the comment's author may appeal", "not_affected_party");
    }
    if (c.status != "held" && c.status != "rejected" && c.status != "removed") {
      return FailedPrecondition(
          "only a comment the platform held, rejected or removed can be appealed",
          "appeal_not_allowed");
    }
    out.summary = "申诉 Appeal: comment " + std::to_string(c.id) + " " + c.status + " — " +
                  Excerpt(c.body, 40);
    if (c.status == "held") {
      out.decided_at = c.created_at;  // the hold by screening: no decider
    } else if (c.decided_at) {
      out.decided_by = c.decided_by;
      out.decided_at = *c.decided_at;
    } else {
      // Decided before the comment recorded its decider: the latest rejecting review item.
      out.decided_at = c.updated_at;
      HERALD_ASSIGN_OR_RETURN(auto items, review_.ItemsFor(tx, "comment", c.id));
      for (const auto& it : items) {
        if (it.decision == "reject" && it.decided_at) {
          out.decided_by = it.decided_by;
          out.decided_at = *it.decided_at;
        }
      }
    }
    out.decision_ref =
        "comment:" + std::to_string(c.id) + ":" + c.status + ":" + std::to_string(out.decided_at);
    return out;
  }
  if (t.type == "message") {
    if (groups_ == nullptr) {
      return FailedPrecondition("group messages cannot be appealed here", "appeal_not_allowed");
    }
    HERALD_ASSIGN_OR_RETURN(groups::Message m, groups_->GetMessageIn(tx, t.id));
    if (m.user_id != user_id) {
      return PermissionDenied("only the message's sender may appeal", "not_affected_party");
    }
    if (m.status != "held" && m.status != "removed") {
      return FailedPrecondition("only a held or removed message can be appealed",
                                "appeal_not_allowed");
    }
    out.summary = "申诉 Appeal: group " + std::to_string(m.group_id) + " message " +
                  std::to_string(m.id) + " " + m.status + " — " + Excerpt(m.text, 40);
    out.decided_at = m.created_at;
    HERALD_ASSIGN_OR_RETURN(auto items, review_.ItemsFor(tx, "group_message", m.id));
    for (const auto& it : items) {
      if (m.status == "held" && it.open()) {
        out.decided_at = it.created_at;  // the hold: no decider
      } else if (m.status == "removed" && it.decision == "reject" && it.decided_at) {
        out.decided_by = it.decided_by;
        out.decided_at = *it.decided_at;
      }
    }
    out.decision_ref =
        "message:" + std::to_string(m.id) + ":" + m.status + ":" + std::to_string(out.decided_at);
    return out;
  }
  if (t.type == "registration") {
    HERALD_ASSIGN_OR_RETURN(accounts::Account a, accounts_.Get(tx, t.id));
    if (a.owner_user_id != user_id) {
      return PermissionDenied("only the account's owner may appeal its registration",
                              "not_affected_party");
    }
    if (a.status != "rejected") {
      return FailedPrecondition("only a registration refused in review can be appealed",
                                "appeal_not_allowed");
    }
    HERALD_ASSIGN_OR_RETURN(accounts::RegistrationRefusal r,
                            accounts_.RegistrationRefusalIn(tx, a.id));
    out.account_id = a.id;
    out.decided_by = r.actor;
    out.decided_at = r.time;
    out.summary = "申诉 Appeal: registration of account " + std::to_string(a.id) + " " + a.name +
                  " refused (" + r.reason_code + ")";
    out.decision_ref = "registration:" + std::to_string(a.id) + ":" +
                       (r.event_id ? std::to_string(r.event_id) : std::to_string(r.time));
    return out;
  }
  return InvalidArgument(kTargetTypesText, "invalid_target", "target.type");
}

Result<Appeal> AppealService::File(int64_t user_id, const NewAppeal& in,
                                   const auth::RequestMeta& meta) {
  if (std::find(TargetTypes().begin(), TargetTypes().end(), in.target.type) ==
      TargetTypes().end()) {
    return InvalidArgument(kTargetTypesText, "invalid_target", "target.type");
  }
  if (in.target.id <= 0) {
    return InvalidArgument("target.id must be a positive id", "invalid_target", "target.id");
  }
  HERALD_ASSIGN_OR_RETURN(std::string text,
                          CheckTextField(in.text, 1, 2000, "invalid_text", "text", true));
  if (in.evidence.size() > kMaxEvidence) {
    return InvalidArgument("at most 10 evidence items", "invalid_evidence", "evidence");
  }
  std::string evidence;
  for (const auto& e : in.evidence) {
    if (!ValidEvidence(e)) {
      return InvalidArgument(
          "evidence items are http(s) links of at most 500 characters or media ids",
          "invalid_evidence", "evidence");
    }
    evidence += e + "\n";
  }
  int64_t id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Resolved r, Resolve(tx, user_id, in.target));
        const Micros now = clock_.Now();
        const Micros closes = WindowClosesAt(r.decided_at);
        if (now > closes) {
          return FailedPrecondition("the appeal window closed at " + FormatRfc3339(closes),
                                    "appeal_window_closed");
        }
        HERALD_ASSIGN_OR_RETURN(
            auto seen, tx.Query("SELECT id FROM appeals WHERE decision_ref = ?", {r.decision_ref}));
        if (!seen.empty()) {
          return FailedPrecondition("this decision was already appealed (appeal " +
                                        std::to_string(seen.rows[0].Int(0)) + ")",
                                    "already_appealed");
        }
        auto inserted = tx.Query(
            "INSERT INTO appeals (target_type, target_id, decision_ref, appellant_user_id, "
            "account_id, body, evidence, status, original_decided_by, original_decided_at, "
            "window_closes_at, review_id, created_at, due_at, decided_by, reason, note) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, '', '', '') RETURNING id",
            {in.target.type, in.target.id, r.decision_ref, user_id, OptValue(r.account_id), text,
             evidence, r.decided_by, r.decided_at, closes, now, now + options_.decide_within});
        if (!inserted.ok() && inserted.status().reason() == "unique_violation") {
          return FailedPrecondition("this decision was already appealed", "already_appealed");
        }
        HERALD_RETURN_IF_ERROR(inserted.status());
        id = inserted->rows.at(0).Int(0);
        review::NewItem item;
        item.kind = "appeal";
        item.category = in.target.type;
        item.severity = 2;
        item.account_id = r.account_id;
        item.ref_id = id;
        item.summary = r.summary;
        item.detail = JsonObjectWriter()
                          .Add("appeal_id", id)
                          .Add("target_type", in.target.type)
                          .Add("target_id", in.target.id)
                          .Add("original_decided_by", r.decided_by)
                          .Add("decide_via", "/api/v1/appeals/" + std::to_string(id) + "/decision")
                          .str();
        HERALD_ASSIGN_OR_RETURN(int64_t review_id, review_.Enqueue(tx, item));
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE appeals SET review_id = ? WHERE id = ?", {review_id, id}).status());
        return audit_
            .Append(tx, {UserActor(user_id), "appeal.file", "appeal:" + std::to_string(id),
                         JsonObjectWriter()
                             .Add("target_type", in.target.type)
                             .Add("target_id", in.target.id)
                             .Add("decision_ref", r.decision_ref)
                             .Add("review_id", review_id)
                             .Add("evidence_count", static_cast<int64_t>(in.evidence.size()))
                             .str(),
                         meta.request_id})
            .status();
      }));
  return Get(id);
}

Result<Appeal> AppealService::Load(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT " + std::string(kColumns) + " FROM appeals WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no such appeal", "appeal_not_found");
  return FromRow(rows.rows[0]);
}

Result<Appeal> AppealService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Load(*tx, id);
}

Result<std::vector<Appeal>> AppealService::ListMine(int64_t user_id, int limit,
                                                    std::optional<int64_t> before_id) const {
  if (limit < 1 || limit > 100) {
    return InvalidArgument("limit must be 1 to 100", "invalid_limit", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM appeals WHERE appellant_user_id = ?";
  std::vector<Value> params = {user_id};
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Appeal> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<Appeal>> AppealService::List(std::string_view status, int limit,
                                                std::optional<int64_t> before_id) const {
  if (limit < 1 || limit > 100) {
    return InvalidArgument("limit must be 1 to 100", "invalid_limit", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM appeals WHERE 1 = 1";
  std::vector<Value> params;
  if (status == "open") {
    sql += " AND status = 'pending'";
  } else if (!status.empty()) {
    if (std::find(Statuses().begin(), Statuses().end(), status) == Statuses().end()) {
      return InvalidArgument("status must be open, pending, upheld, overturned or modified",
                             "invalid_status", "status");
    }
    sql += " AND status = ?";
    params.push_back(std::string(status));
  }
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Appeal> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<Appeal>> AppealService::ForSanctions(const std::vector<int64_t>& ids) const {
  std::vector<Appeal> out;
  if (ids.empty()) return out;
  std::string sql = "SELECT " + std::string(kColumns) +
                    " FROM appeals WHERE target_type = 'sanction' AND target_id IN (";
  std::vector<Value> params;
  for (size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.push_back(ids[i]);
  }
  sql += ") ORDER BY id";
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Status AppealService::Overturn(Transaction& tx, const Appeal& a, const std::string& actor,
                               const std::string& reason, const std::string& request_id) {
  const std::string ref = "appeal:" + std::to_string(a.id);
  if (a.target.type == "sanction") {
    HERALD_ASSIGN_OR_RETURN(sanctions::Sanction lifted,
                            sanctions_.Lift(tx, a.target.id, "appeal overturned: " + ref,
                                            {actor, request_id}, sanctions::LiftKind::kOverturned));
    if (lifted.target.type == "group") {
      if (groups_ != nullptr) HERALD_RETURN_IF_ERROR(groups_->UndoSanction(tx, lifted));
      return Status();
    }
    return accounts_.UndoSanction(tx, lifted, actor, {request_id, "", ""});
  }
  if (a.target.type == "registration") {
    // The state approval would have given it (or back to review); open registration items of
    // the account stay open and decide it as usual.
    return accounts_.ReinstateRegistrationIn(tx, a.target.id, ref + " " + reason, actor, request_id)
        .status();
  }
  // A content item: shown again, and a still-open review item of it closed as approved (the
  // appeal's decision settles it, escalated or not).
  std::string kind = "content";
  if (a.target.type == "comment") {
    if (comments_ == nullptr) return Internal("no comment service", "internal");
    HERALD_RETURN_IF_ERROR(
        comments_->RestoreIn(tx, a.target.id, ref + " " + reason, actor, request_id).status());
    kind = "comment";
  } else if (a.target.type == "message") {
    if (groups_ == nullptr) return Internal("no group service", "internal");
    HERALD_RETURN_IF_ERROR(
        groups_->RestoreMessageIn(tx, a.target.id, ref + " " + reason, actor, request_id).status());
    kind = "group_message";
  } else {
    HERALD_RETURN_IF_ERROR(
        articles_.RestoreIn(tx, a.target.id, ref + " " + reason, actor, request_id).status());
  }
  HERALD_ASSIGN_OR_RETURN(auto items, review_.ItemsFor(tx, kind, a.target.id));
  for (const auto& it : items) {
    if (!it.open()) continue;
    HERALD_RETURN_IF_ERROR(review_
                               .DecideIn(tx, it.id, "approve", "compliant", ref + " overturned",
                                         /*may_decide_escalated=*/true, {actor, request_id})
                               .status());
  }
  return Status();
}

Result<int64_t> AppealService::Modify(Transaction& tx, const Appeal& a, const Modified& m,
                                      const std::string& actor, const std::string& reason,
                                      const std::string& request_id) {
  HERALD_ASSIGN_OR_RETURN(sanctions::Sanction orig, sanctions_.Get(tx, a.target.id));
  if (!ModifiableMeasure(m.measure)) {
    return InvalidArgument(
        "modified.measure must be warning, stop_advertising, restrict or suspend_updates",
        "invalid_modified", "modified.measure");
  }
  const Micros now = clock_.Now();
  std::optional<Micros> ends;
  if (m.duration_days) {
    if (*m.duration_days < 1 || *m.duration_days > 3650) {
      return InvalidArgument("modified.duration_days must be 1 to 3650", "invalid_modified",
                             "modified.duration_days");
    }
    ends = now + *m.duration_days * kMicrosPerDay;
  } else if (orig.ends_at) {
    return InvalidArgument("modified.duration_days is required: the original sanction ends",
                           "invalid_modified", "modified.duration_days");
  }
  const int rn = Rank(m.measure), ro = Rank(orig.measure);
  const bool shorter = ends && (!orig.ends_at || *ends < *orig.ends_at);
  const bool lighter =
      rn < ro || (rn == ro && m.measure == orig.measure && m.function == orig.function && shorter);
  if (!lighter) {
    return InvalidArgument(
        "the modified sanction must be lighter than the original (" + orig.measure + ")",
        "not_lighter", "modified.measure");
  }
  const std::string ref = "appeal:" + std::to_string(a.id);
  HERALD_ASSIGN_OR_RETURN(sanctions::Sanction lifted,
                          sanctions_.Lift(tx, orig.id, "appeal modified: " + ref,
                                          {actor, request_id}, sanctions::LiftKind::kOverturned));
  sanctions::NewSanction in;
  in.target = orig.target;
  in.measure = m.measure;
  in.function = m.measure == "restrict" ? m.function : "";
  in.reason_code = orig.reason_code;
  in.note = "申诉变更 Modified on appeal " + ref + ": " + reason;
  if (in.note.size() > 900) in.note = "申诉变更 Modified on appeal " + ref;
  in.evidence = orig.evidence;
  if (in.evidence.size() >= 20) in.evidence.resize(19);
  in.evidence.push_back(ref);
  in.ends_at = ends;
  in.appealable = false;  // the appeal has been decided
  in.party_user_id = orig.party_user_id;
  in.account_id = orig.account_id;
  in.subject_id = orig.subject_id;
  HERALD_RETURN_IF_ERROR(sanctions_.Validate(in));
  HERALD_ASSIGN_OR_RETURN(sanctions::Sanction issued,
                          sanctions_.Issue(tx, in, {actor, request_id}));
  if (lifted.target.type == "group") {
    if (groups_ != nullptr) HERALD_RETURN_IF_ERROR(groups_->UndoSanction(tx, lifted));
  } else {
    HERALD_RETURN_IF_ERROR(accounts_.UndoSanction(tx, lifted, actor, {request_id, "", ""}));
  }
  return issued.id;
}

Result<Appeal> AppealService::Decide(int64_t id, const Decision& d, const Decider& who) {
  if (std::find(Outcomes().begin(), Outcomes().end(), d.outcome) == Outcomes().end()) {
    return InvalidArgument("outcome must be upheld, overturned or modified", "invalid_outcome",
                           "outcome");
  }
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(d.reason, 1, 1000, "invalid_reason", "reason", true));
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(d.note, 0, 1000, "invalid_note", "note", true));
  if ((d.outcome == "modified") != d.modified.has_value()) {
    return InvalidArgument("modified is given with, and only with, the outcome modified",
                           "invalid_modified", "modified");
  }
  const std::string actor = UserActor(who.user_id);
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Appeal a, Load(tx, id));
        if (a.status != "pending") {
          return FailedPrecondition("this appeal was already decided: " + a.status,
                                    "appeal_already_decided");
        }
        if (a.appellant_user_id == who.user_id) {
          return PermissionDenied("nobody decides their own appeal", "same_moderator");
        }
        if (!a.original_decided_by.empty() && a.original_decided_by == actor) {
          return PermissionDenied(
              "a different moderator than the one who made the original decision must decide",
              "same_moderator");
        }
        if (d.outcome == "modified" && a.target.type != "sanction") {
          return InvalidArgument("only a sanction can be modified on appeal", "invalid_modified",
                                 "modified");
        }
        std::optional<int64_t> new_sanction;
        if (d.outcome == "overturned") {
          HERALD_RETURN_IF_ERROR(Overturn(tx, a, actor, reason, who.request_id));
        } else if (d.outcome == "modified") {
          HERALD_ASSIGN_OR_RETURN(int64_t sid,
                                  Modify(tx, a, *d.modified, actor, reason, who.request_id));
          new_sanction = sid;
        }
        const Micros now = clock_.Now();
        HERALD_ASSIGN_OR_RETURN(
            int64_t n,
            tx.Execute("UPDATE appeals SET status = ?, decided_by = ?, decided_at = ?, reason = ?, "
                       "note = ?, new_sanction_id = ? WHERE id = ? AND status = 'pending'",
                       {d.outcome, actor, now, reason, note, OptValue(new_sanction), id}));
        if (n != 1) return Aborted("decided meanwhile", "conflict");
        // Close the queue's item: approve when the appellant was (partly) right.
        const bool upheld = d.outcome == "upheld";
        HERALD_RETURN_IF_ERROR(review_
                                   .DecideIn(tx, a.review_id, upheld ? "reject" : "approve",
                                             upheld ? "insufficient_reason" : "corrected",
                                             "appeal " + d.outcome, who.may_decide_escalated,
                                             {actor, who.request_id})
                                   .status());
        JsonObjectWriter w;
        w.Add("outcome", d.outcome)
            .Add("target_type", a.target.type)
            .Add("target_id", a.target.id)
            .Add("review_id", a.review_id)
            .Add("reason", reason);
        if (new_sanction) w.Add("new_sanction_id", *new_sanction);
        HERALD_RETURN_IF_ERROR(
            audit_
                .Append(tx, {actor, "appeal.decide", "appeal:" + std::to_string(id), w.str(),
                             who.request_id})
                .status());
        if (notifications_ != nullptr) {
          std::string body = OutcomeLabel(d.outcome) + "。" + reason;
          if (new_sanction) {
            body += " — 新措施 New measure: " + d.modified->measure +
                    (d.modified->function.empty() ? "" : " (" + d.modified->function + ")") +
                    (d.modified->duration_days
                         ? ", " + std::to_string(*d.modified->duration_days) + " 天 days"
                         : "");
          }
          HERALD_RETURN_IF_ERROR(notifications_
                                     ->Notify(tx, {a.appellant_user_id, "appeal_outcome",
                                                   "申诉结果 Appeal decided: " + d.outcome, body,
                                                   "/api/v1/appeals/" + std::to_string(id),
                                                   "appeal:" + std::to_string(id)})
                                     .status());
        }
        return Status();
      }));
  return Get(id);
}

std::vector<storage::Migration> AppealService::Migrations() {
  return {{"appeals/0001_appeals", R"SQL(
CREATE TABLE appeals (
  id {{AUTO_ID}},
  target_type TEXT NOT NULL CHECK (target_type IN ('sanction', 'article')),
  target_id BIGINT NOT NULL,
  decision_ref TEXT NOT NULL UNIQUE,
  appellant_user_id BIGINT NOT NULL REFERENCES users (id),
  account_id BIGINT,
  body TEXT NOT NULL,
  evidence TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'overturned', 'modified')),
  original_decided_by TEXT NOT NULL,
  original_decided_at BIGINT NOT NULL,
  window_closes_at BIGINT NOT NULL,
  review_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at BIGINT,
  reason TEXT NOT NULL,
  note TEXT NOT NULL,
  new_sanction_id BIGINT
);
CREATE INDEX appeals_appellant ON appeals (appellant_user_id, id);
CREATE INDEX appeals_status ON appeals (status, id);
CREATE INDEX appeals_target ON appeals (target_type, target_id);
)SQL"},
          // Comments, group messages and refused registrations can be appealed too. SQLite
          // cannot change a CHECK constraint: the table is rebuilt (ids, and with them the
          // review items' ref_id, are kept).
          {"appeals/0002_more_targets", R"SQL(
CREATE TABLE appeals_0002 (
  id {{AUTO_ID}},
  target_type TEXT NOT NULL CHECK (target_type IN ('sanction', 'article', 'comment', 'message',
                                                   'registration')),
  target_id BIGINT NOT NULL,
  decision_ref TEXT NOT NULL UNIQUE,
  appellant_user_id BIGINT NOT NULL REFERENCES users (id),
  account_id BIGINT,
  body TEXT NOT NULL,
  evidence TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'upheld', 'overturned', 'modified')),
  original_decided_by TEXT NOT NULL,
  original_decided_at BIGINT NOT NULL,
  window_closes_at BIGINT NOT NULL,
  review_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at BIGINT,
  reason TEXT NOT NULL,
  note TEXT NOT NULL,
  new_sanction_id BIGINT
);
INSERT INTO appeals_0002 (id, target_type, target_id, decision_ref, appellant_user_id, account_id,
  body, evidence, status, original_decided_by, original_decided_at, window_closes_at, review_id,
  created_at, due_at, decided_by, decided_at, reason, note, new_sanction_id)
SELECT id, target_type, target_id, decision_ref, appellant_user_id, account_id, body, evidence,
  status, original_decided_by, original_decided_at, window_closes_at, review_id, created_at,
  due_at, decided_by, decided_at, reason, note, new_sanction_id FROM appeals;
DROP TABLE appeals;
ALTER TABLE appeals_0002 RENAME TO appeals;
CREATE INDEX appeals_appellant ON appeals (appellant_user_id, id);
CREATE INDEX appeals_status ON appeals (status, id);
CREATE INDEX appeals_target ON appeals (target_type, target_id);
)SQL",
           R"SQL(
ALTER TABLE appeals DROP CONSTRAINT appeals_target_type_check;
ALTER TABLE appeals ADD CONSTRAINT appeals_target_type_check
  CHECK (target_type IN ('sanction', 'article', 'comment', 'message', 'registration'));
)SQL"}};
}

}  // namespace herald::appeals
