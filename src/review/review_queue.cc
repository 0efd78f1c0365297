#include "review/review_queue.h"

#include <utility>

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::review {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr std::string_view kColumns =
    "id, kind, category, severity, account_id, ref_id, summary, detail, status, created_at, "
    "due_at, claimed_by, claimed_at, escalated_by, escalated_at, escalation_note, decided_by, "
    "decided_at, decision, reason_code, note";

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

Item FromRow(const Row& r) {
  Item it;
  it.id = r.Int(0);
  it.kind = r.Text(1);
  it.category = r.Text(2);
  it.severity = static_cast<int>(r.Int(3));
  it.account_id = OptInt(r, 4);
  it.ref_id = r.Int(5);
  it.summary = r.Text(6);
  it.detail = r.Text(7);
  it.status = r.Text(8);
  it.created_at = r.Int(9);
  it.due_at = r.Int(10);
  it.claimed_by = r.Text(11);
  it.claimed_at = OptInt(r, 12);
  it.escalated_by = r.Text(13);
  it.escalated_at = OptInt(r, 14);
  it.escalation_note = r.Text(15);
  it.decided_by = r.Text(16);
  it.decided_at = OptInt(r, 17);
  it.decision = r.Text(18);
  it.reason_code = r.Text(19);
  it.note = r.Text(20);
  return it;
}

Value OptValue(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(std::monostate{}); }

bool LooksLikeObject(std::string_view s) {
  s = Trim(s);
  return s.size() >= 2 && s.front() == '{' && s.back() == '}' && IsValidUtf8(s);
}

std::string AuditDetails(const Item& it) {
  JsonObjectWriter w;
  w.Add("kind", it.kind);
  if (it.account_id) w.Add("account_id", *it.account_id);
  if (it.ref_id) w.Add("ref_id", it.ref_id);
  return w.str();
}

}  // namespace

const std::vector<ReasonCode>& DecisionReasons() {
  static const std::vector<ReasonCode> kCodes = {
      {"compliant", "approve", "内容合规", "Compliant"},
      {"corrected", "approve", "已整改", "Corrected by the operator"},
      {"false_positive", "approve", "误报", "False positive of the screening"},
      {"authorised", "approve", "已获授权", "Authorised (licence, permission or proof given)"},
      {"illegal_content", "reject", "违法违规内容", "Illegal content"},
      {"harmful_content", "reject", "不良信息", "Harmful content"},
      {"impersonation", "reject", "仿冒他人", "Impersonation of an organisation or person"},
      {"false_identity", "reject", "身份信息不符", "Registration data does not match identity"},
      {"unlicensed_news", "reject", "无资质发布新闻", "News without a licence"},
      {"invalid_document", "reject", "证明材料无效", "Document missing, invalid or expired"},
      {"infringement", "reject", "侵权", "Infringes copyright or other rights"},
      {"batch_content", "reject", "批量发布同质内容", "Coordinated batch content"},
      {"fake_traffic", "reject", "虚假流量", "Fake traffic"},
      {"rumour", "reject", "谣言", "Rumour or false information"},
      {"policy_violation", "reject", "违反平台规则", "Violates the platform rules"},
      {"insufficient_reason", "reject", "理由不充分", "Insufficient justification"},
  };
  return kCodes;
}

ReviewQueue::ReviewQueue(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                         Options options)
    : db_(db), audit_(audit), clock_(clock), options_(std::move(options)) {}

void ReviewQueue::RegisterHandler(std::string kind, Handler handler) {
  handlers_[std::move(kind)] = std::move(handler);
}

void ReviewQueue::RegisterAfterCommit(std::string kind, std::function<void(const Item&)> fn) {
  after_commit_[std::move(kind)] = std::move(fn);
}

Result<int64_t> ReviewQueue::Enqueue(Transaction& tx, const NewItem& in) const {
  if (in.kind.empty() || in.kind.size() > 40) {
    return InvalidArgument("review item needs a kind", "invalid_review_item", "kind");
  }
  if (in.severity < 1 || in.severity > 4) {
    return InvalidArgument("severity must be 1 to 4", "invalid_review_item", "severity");
  }
  if (!LooksLikeObject(in.detail)) {
    return InvalidArgument("detail must be a JSON object", "invalid_review_item", "detail");
  }
  const Micros now = clock_.Now();
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(
          "INSERT INTO review_items (kind, category, severity, account_id, ref_id, summary, "
          "detail, status, created_at, due_at, claimed_by, escalated_by, escalation_note, "
          "decided_by, decision, reason_code, note) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', "
          "?, ?, '', '', '', '', '', '', '') RETURNING id",
          {in.kind, in.category, int64_t{in.severity}, OptValue(in.account_id), in.ref_id,
           in.summary, in.detail, now, in.due_at ? *in.due_at : now + options_.due_for(in.kind)}));
  return rows.rows.at(0).Int(0);
}

Result<Item> ReviewQueue::Load(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT " + std::string(kColumns) + " FROM review_items WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no such review item", "review_not_found");
  return FromRow(rows.rows[0]);
}

Result<std::vector<Item>> ReviewQueue::ItemsFor(Transaction& tx, std::string_view kind,
                                                int64_t ref_id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kColumns) +
                                                  " FROM review_items WHERE kind = ? AND ref_id = "
                                                  "? ORDER BY id",
                                              {std::string(kind), ref_id}));
  std::vector<Item> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Status ReviewQueue::Reprioritise(Transaction& tx, int64_t id, int severity, Micros due_at) const {
  if (severity < 1 || severity > 4) {
    return InvalidArgument("severity must be 1 to 4", "invalid_review_item", "severity");
  }
  HERALD_ASSIGN_OR_RETURN(
      int64_t n, tx.Execute("UPDATE review_items SET severity = ?, due_at = ? WHERE id = ? AND "
                            "status IN ('pending', 'claimed', 'escalated')",
                            {int64_t{severity}, due_at, id}));
  if (n != 1) return FailedPrecondition("this item was already decided", "already_decided");
  return Status();
}

Result<Item> ReviewQueue::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Load(*tx, id);
}

Result<std::vector<Item>> ReviewQueue::List(const Filter& f) const {
  if (f.limit < 1 || f.limit > 500) {
    return InvalidArgument("limit must be 1 to 500", "invalid_filter", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM review_items WHERE ";
  std::vector<Value> params;
  if (f.status == "open") {
    sql += "status IN ('pending', 'claimed', 'escalated')";
  } else if (f.status == "decided") {
    sql += "status IN ('approved', 'rejected')";
  } else if (f.status == "all") {
    sql += "1 = 1";
  } else if (f.status == "pending" || f.status == "claimed" || f.status == "escalated" ||
             f.status == "approved" || f.status == "rejected") {
    sql += "status = ?";
    params.push_back(f.status);
  } else {
    return InvalidArgument(
        "status must be open, pending, claimed, escalated, decided, approved, rejected or all",
        "invalid_filter", "status");
  }
  if (!f.kinds.empty()) {
    sql += " AND kind IN (";
    for (size_t i = 0; i < f.kinds.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.push_back(f.kinds[i]);
    }
    sql += ")";
  }
  if (!f.category.empty()) {
    sql += " AND category = ?";
    params.push_back(f.category);
  }
  if (f.min_severity > 0) {
    sql += " AND severity >= ?";
    params.push_back(int64_t{f.min_severity});
  }
  if (f.overdue_only) {
    sql += " AND status IN ('pending', 'claimed', 'escalated') AND due_at < ?";
    params.push_back(clock_.Now());
  }
  if (f.created_before) {
    sql += " AND created_at < ?";
    params.push_back(*f.created_before);
  }
  if (f.account_id) {
    sql += " AND account_id = ?";
    params.push_back(*f.account_id);
  }
  if (!f.claimed_by.empty()) {
    sql += " AND claimed_by = ?";
    params.push_back(f.claimed_by);
  }
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  if (f.after_id) {
    // Keyset pagination on (due_at, id).
    HERALD_ASSIGN_OR_RETURN(
        auto at, tx->Query("SELECT due_at FROM review_items WHERE id = ?", {*f.after_id}));
    if (at.empty()) return InvalidArgument("unknown cursor", "invalid_filter", "after");
    sql += " AND (due_at > ? OR (due_at = ? AND id > ?))";
    params.push_back(at.rows[0].Int(0));
    params.push_back(at.rows[0].Int(0));
    params.push_back(*f.after_id);
  }
  sql += " ORDER BY due_at, id LIMIT ?";
  params.push_back(int64_t{f.limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Item> out;
  out.reserve(rows.size());
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<KindSummary>> ReviewQueue::Summary() const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT kind, COUNT(*), SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END), "
                           "SUM(CASE WHEN status = 'escalated' THEN 1 ELSE 0 END), MIN(due_at) "
                           "FROM review_items WHERE status IN ('pending', 'claimed', 'escalated') "
                           "GROUP BY kind ORDER BY kind",
                           {clock_.Now()}));
  std::vector<KindSummary> out;
  for (const auto& r : rows.rows) {
    out.push_back(KindSummary{r.Text(0), r.Int(1), r.Int(2), r.Int(3), OptInt(r, 4)});
  }
  return out;
}

Result<int64_t> ReviewQueue::CountOpen(Transaction& tx, int64_t account_id,
                                       const std::vector<std::string>& kinds) const {
  std::string sql =
      "SELECT COUNT(*) FROM review_items WHERE account_id = ? AND status IN ('pending', "
      "'claimed', 'escalated')";
  std::vector<Value> params = {account_id};
  if (!kinds.empty()) {
    sql += " AND kind IN (";
    for (size_t i = 0; i < kinds.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.push_back(kinds[i]);
    }
    sql += ")";
  }
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  return rows.rows.at(0).Int(0);
}

Status ReviewQueue::CheckHolder(const Item& item, const std::string& actor, Micros now) const {
  if (!item.open()) return FailedPrecondition("this item was already decided", "already_decided");
  if (item.status == "claimed" && item.claimed_by != actor && item.claimed_at &&
      now < *item.claimed_at + options_.claim_ttl) {
    return FailedPrecondition("another reviewer has claimed this item", "claimed_by_other");
  }
  return Status();
}

Result<Item> ReviewQueue::Claim(int64_t id, const RequestInfo& who) {
  Item item;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(item, Load(tx, id));
        const Micros now = clock_.Now();
        HERALD_RETURN_IF_ERROR(CheckHolder(item, who.actor, now));
        if (item.status == "escalated") {
          // Escalated items stay escalated; the claim only records who works on it.
          HERALD_RETURN_IF_ERROR(
              tx.Execute("UPDATE review_items SET claimed_by = ?, claimed_at = ? WHERE id = ?",
                         {who.actor, now, id})
                  .status());
        } else {
          HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE review_items SET status = 'claimed', "
                                            "claimed_by = ?, claimed_at = ? WHERE id = ?",
                                            {who.actor, now, id})
                                     .status());
          item.status = "claimed";
        }
        item.claimed_by = who.actor;
        item.claimed_at = now;
        return audit_
            .Append(tx, {who.actor, "review.claim", "review:" + std::to_string(id),
                         AuditDetails(item), who.request_id})
            .status();
      }));
  return item;
}

Result<Item> ReviewQueue::Release(int64_t id, const RequestInfo& who) {
  Item item;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(item, Load(tx, id));
        if (!item.open()) return FailedPrecondition("already decided", "already_decided");
        if (item.claimed_by != who.actor) {
          return FailedPrecondition("you do not hold this item", "not_claimed");
        }
        const std::string status = item.status == "escalated" ? "escalated" : "pending";
        HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE review_items SET status = ?, claimed_by = '', "
                                          "claimed_at = NULL WHERE id = ?",
                                          {status, id})
                                   .status());
        item.status = status;
        item.claimed_by.clear();
        item.claimed_at.reset();
        return audit_
            .Append(tx, {who.actor, "review.release", "review:" + std::to_string(id),
                         AuditDetails(item), who.request_id})
            .status();
      }));
  return item;
}

Result<Item> ReviewQueue::Escalate(int64_t id, std::string_view note_in, const RequestInfo& who) {
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(note_in, 1, 1000, "invalid_note", "note", true));
  Item item;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(item, Load(tx, id));
        const Micros now = clock_.Now();
        if (item.status == "escalated") {
          return FailedPrecondition("this item is already with the content security officer",
                                    "already_escalated");
        }
        HERALD_RETURN_IF_ERROR(CheckHolder(item, who.actor, now));
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE review_items SET status = 'escalated', escalated_by = ?, "
                       "escalated_at = ?, escalation_note = ?, claimed_by = '', claimed_at = NULL "
                       "WHERE id = ?",
                       {who.actor, now, note, id})
                .status());
        item.status = "escalated";
        item.escalated_by = who.actor;
        item.escalated_at = now;
        item.escalation_note = note;
        item.claimed_by.clear();
        item.claimed_at.reset();
        JsonObjectWriter w;
        w.Add("kind", item.kind).Add("note", note);
        return audit_
            .Append(tx, {who.actor, "review.escalate", "review:" + std::to_string(id), w.str(),
                         who.request_id})
            .status();
      }));
  return item;
}

Result<Item> ReviewQueue::Decide(int64_t id, std::string_view decision,
                                 std::string_view reason_code, std::string_view note,
                                 bool may_decide_escalated, const RequestInfo& who) {
  Item item;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            item, DecideIn(tx, id, decision, reason_code, note, may_decide_escalated, who));
        return Status();
      }));
  if (auto after = after_commit_.find(item.kind); after != after_commit_.end()) after->second(item);
  return item;
}

Result<Item> ReviewQueue::DecideIn(Transaction& tx, int64_t id, std::string_view decision,
                                   std::string_view reason_code, std::string_view note_in,
                                   bool may_decide_escalated, const RequestInfo& who) const {
  if (decision != "approve" && decision != "reject") {
    return InvalidArgument("decision must be approve, reject or escalate", "invalid_decision",
                           "decision");
  }
  const ReasonCode* code = nullptr;
  for (const auto& c : DecisionReasons()) {
    if (c.code == reason_code) code = &c;
  }
  if (code == nullptr || code->decision != decision) {
    return InvalidArgument("reason_code must be one of the " + std::string(decision) +
                               " codes of GET /api/v1/reviews/reasons",
                           "invalid_reason_code", "reason_code");
  }
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(note_in, 0, 1000, "invalid_note", "note", true));
  HERALD_ASSIGN_OR_RETURN(Item item, Load(tx, id));
  const Micros now = clock_.Now();
  if (item.status == "escalated") {
    if (!may_decide_escalated) {
      return FailedPrecondition(
          "this item was escalated: only the content security officer decides it",
          "escalated_needs_cso");
    }
  } else {
    HERALD_RETURN_IF_ERROR(CheckHolder(item, who.actor, now));
  }
  const std::string status = decision == "approve" ? "approved" : "rejected";
  HERALD_ASSIGN_OR_RETURN(
      int64_t n, tx.Execute("UPDATE review_items SET status = ?, decided_by = ?, decided_at = ?, "
                            "decision = ?, reason_code = ?, note = ? WHERE id = ? AND status = ?",
                            {status, who.actor, now, std::string(decision),
                             std::string(reason_code), note, id, item.status}));
  if (n != 1) return Aborted("decided meanwhile", "conflict");
  item.status = status;
  item.decided_by = who.actor;
  item.decided_at = now;
  item.decision = std::string(decision);
  item.reason_code = std::string(reason_code);
  item.note = note;
  auto h = handlers_.find(item.kind);
  if (h != handlers_.end()) HERALD_RETURN_IF_ERROR(h->second(tx, item));
  JsonObjectWriter w;
  w.Add("kind", item.kind).Add("decision", item.decision).Add("reason_code", item.reason_code);
  if (item.account_id) w.Add("account_id", *item.account_id);
  if (item.ref_id) w.Add("ref_id", item.ref_id);
  if (!note.empty()) w.Add("note", note);
  HERALD_RETURN_IF_ERROR(audit_
                             .Append(tx, {who.actor, "review.decide",
                                          "review:" + std::to_string(id), w.str(), who.request_id})
                             .status());
  return item;
}

std::vector<storage::Migration> ReviewQueue::Migrations() {
  return {{"review/0001_review_items", R"SQL(
CREATE TABLE review_items (
  id {{AUTO_ID}},
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  severity BIGINT NOT NULL CHECK (severity BETWEEN 1 AND 4),
  account_id BIGINT,
  ref_id BIGINT NOT NULL,
  summary TEXT NOT NULL,
  detail TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'escalated', 'approved',
    'rejected')),
  created_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_at BIGINT,
  escalated_by TEXT NOT NULL,
  escalated_at BIGINT,
  escalation_note TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at BIGINT,
  decision TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX review_items_open ON review_items (status, due_at, id);
CREATE INDEX review_items_kind ON review_items (kind, status, due_at);
CREATE INDEX review_items_account ON review_items (account_id, status);
)SQL",
           ""}};
}

}  // namespace herald::review
