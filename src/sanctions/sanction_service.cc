#include "sanctions/sanction_service.h"

#include <algorithm>

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::sanctions {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr std::string_view kColumns =
    "id, target_type, target_id, target_name, measure, restricted_function, reason_code, note, "
    "evidence, "
    "starts_at, ends_at, appealable, issued_by, issued_at, party_user_id, account_id, "
    "subject_id, lifted_at, lifted_by, lift_reason, overturned";

// SQL condition: active at the time bound to the next two placeholders.
constexpr std::string_view kActive =
    "lifted_at IS NULL AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)";

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::optional<int64_t> OptInt(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(std::monostate{}); }

Sanction FromRow(const Row& r) {
  Sanction s;
  s.id = r.Int(0);
  s.target = Target{r.Text(1), r.Int(2), r.Text(3)};
  s.measure = r.Text(4);
  s.function = r.Text(5);
  s.reason_code = r.Text(6);
  s.note = r.Text(7);
  const std::string evidence = r.Text(8);
  for (auto part : Split(evidence, '\n')) {
    if (!part.empty()) s.evidence.emplace_back(part);
  }
  s.starts_at = r.Int(9);
  s.ends_at = OptInt(r, 10);
  s.appealable = r.Int(11) != 0;
  s.issued_by = r.Text(12);
  s.issued_at = r.Int(13);
  s.party_user_id = OptInt(r, 14);
  s.account_id = OptInt(r, 15);
  s.subject_id = OptInt(r, 16);
  s.lifted_at = OptInt(r, 17);
  s.lifted_by = r.Text(18);
  s.lift_reason = r.Text(19);
  s.overturned = r.Int(20) != 0;
  return s;
}

Freeze FreezeFromRow(const Row& r) {
  return Freeze{r.Int(0), r.Text(1),    r.Text(2),    r.Text(3), r.Text(4),
                r.Int(5), OptInt(r, 6), OptInt(r, 7), r.Text(8)};
}

std::string FormatEnd(const std::optional<Micros>& end) {
  return end ? FormatRfc3339(*end) : std::string("permanent");
}

}  // namespace

const std::vector<std::string>& Measures() {
  static const std::vector<std::string> k = {"warning",          "restrict",      "suspend_updates",
                                             "stop_advertising", "close_account", "close_group",
                                             "blacklist",        "ban_name"};
  return k;
}

const std::vector<std::string>& Functions() {
  static const std::vector<std::string> k = {"publish",      "comment",        "advertise",
                                             "create_group", "group_admin",    "group_post",
                                             "group_join",   "update_profile", "register"};
  return k;
}

const std::vector<std::string>& TargetTypes() {
  static const std::vector<std::string> k = {"account", "subject", "user", "group", "name"};
  return k;
}

const std::vector<ReasonCode>& ReasonCodes() {
  static const std::vector<ReasonCode> k = {
      {"illegal_content", "发布违法信息", "Illegal content"},
      {"harmful_content", "发布不良信息", "Harmful content"},
      {"false_identity", "注册信息与真实身份不符", "Registration data does not match the identity"},
      {"impersonation", "仿冒他人或机构", "Impersonating a person or an organisation"},
      {"unlicensed_news", "无资质发布新闻信息", "News without a licence"},
      {"batch_content", "多账号批量发布同质内容", "Coordinated batch publishing"},
      {"fake_traffic", "虚假流量、刷量", "Fake traffic"},
      {"cyber_violence", "煽动极端情绪、网络暴力", "Inciting extreme emotion or cyber-violence"},
      {"false_originality", "伪造原创、虚假来源", "Forged originality or false source"},
      {"paid_posting", "有偿发帖删帖、敲诈", "Paid posting or deletion, extortion"},
      {"account_trading", "批量注册、囤积或买卖账号", "Bulk registration or account trading"},
      {"rumour", "制造传播谣言", "Producing or spreading rumours"},
      {"infringement", "侵犯知识产权或他人权益", "Infringing copyright or other rights"},
      {"comment_mismanagement", "未尽评论管理义务", "Failing to manage comments"},
      {"advertising_violation", "违规广告", "Advertising violation"},
      {"group_mismanagement", "群组管理失职", "Failing to manage a group"},
      {"repeated_violations", "多次违规", "Repeated violations"},
      {"other_violation", "其他违法违规行为", "Other violation of law or rules"},
      // The account lifecycle's codes (accounts::ReasonCodes), so status changes are recorded
      // as sanctions with the same code.
      {"registration_data_mismatch", "注册信息与认证信息不符", "Registration data mismatch"},
      {"illegal_registration_data", "注册信息含违法内容", "Illegal registration data"},
      {"unapproved_transfer", "未经批准转让账号", "Transfer without approval"},
      {"inactivity", "长期未使用", "Inactivity"},
      {"qualification_invalid", "资质失效", "Qualification invalid"},
      {"spam", "垃圾信息", "Spam"},
      {"correction_overdue", "逾期未整改", "Not corrected in time"},
      {"other", "其他", "Other"},
  };
  return k;
}

std::vector<std::string> BlockedFunctions(std::string_view measure, std::string_view function) {
  if (measure == "restrict") {
    return function.empty() ? std::vector<std::string>{}
                            : std::vector<std::string>{std::string(function)};
  }
  if (measure == "suspend_updates") return {"publish", "update_profile", "advertise", "group_post"};
  if (measure == "stop_advertising") return {"advertise"};
  if (measure == "close_account" || measure == "close_group" || measure == "blacklist") {
    return Functions();
  }
  return {};
}

std::string TargetRef(const Target& t) {
  return t.type + ":" + (t.type == "name" ? t.name : std::to_string(t.id));
}

std::string Sanction::StatusAt(Micros now) const {
  if (lifted_at) return "lifted";
  if (now < starts_at) return "scheduled";
  if (ends_at && now >= *ends_at) return "expired";
  return "active";
}

Result<SanctionService::Prepared> SanctionService::Prepare(const NewSanction& in) const {
  const Target& t = in.target;
  if (!Contains(TargetTypes(), t.type)) {
    return InvalidArgument("target type must be account, subject, user, group or name",
                           "invalid_target", "target_type");
  }
  std::string name;
  if (t.type == "name") {
    HERALD_ASSIGN_OR_RETURN(name, CheckTextField(t.name, 1, 64, "invalid_target", "target_name"));
  } else if (t.id <= 0) {
    return InvalidArgument("target id must be positive", "invalid_target", "target_id");
  }
  if (!Contains(Measures(), in.measure)) {
    return InvalidArgument("unknown measure", "invalid_measure", "measure");
  }
  if (in.measure == "restrict") {
    if (!Contains(Functions(), in.function)) {
      return InvalidArgument("restrict needs a function from the list", "invalid_function",
                             "function");
    }
  } else if (!in.function.empty()) {
    return InvalidArgument("only restrict takes a function", "invalid_function", "function");
  }
  if ((in.measure == "ban_name") != (t.type == "name")) {
    return InvalidArgument("ban_name applies to names, and names only to ban_name",
                           "invalid_measure", "measure");
  }
  if (in.measure == "close_account" && t.type != "account") {
    return InvalidArgument("close_account applies to accounts", "invalid_measure", "measure");
  }
  if (in.measure == "close_group" && t.type != "group") {
    return InvalidArgument("close_group applies to groups", "invalid_measure", "measure");
  }
  bool known_reason = false;
  for (const auto& c : ReasonCodes()) known_reason = known_reason || c.code == in.reason_code;
  if (!known_reason) {
    return InvalidArgument("unknown reason code", "invalid_reason_code", "reason_code");
  }
  HERALD_ASSIGN_OR_RETURN(std::string note,
                          CheckTextField(in.note, 0, 1000, "invalid_note", "note", true));
  if (in.evidence.size() > 20) {
    return InvalidArgument("at most 20 evidence references", "invalid_evidence", "evidence");
  }
  std::string evidence;
  for (const auto& e : in.evidence) {
    HERALD_ASSIGN_OR_RETURN(std::string ref,
                            CheckTextField(e, 1, 500, "invalid_evidence", "evidence"));
    if (!evidence.empty()) evidence += '\n';
    evidence += ref;
  }
  const Micros now = clock_.Now();
  const Micros starts = in.starts_at.value_or(now);
  const bool lasting =
      in.measure == "close_account" || in.measure == "close_group" || in.measure == "ban_name";
  if (in.ends_at && (lasting || *in.ends_at <= starts)) {
    return InvalidArgument(lasting ? "this measure is permanent" : "the end must follow the start",
                           "invalid_period", "ends_at");
  }
  if (starts < now - kMicrosPerMinute) {
    return InvalidArgument("a sanction cannot start in the past", "invalid_period", "starts_at");
  }
  return Prepared{name, note, evidence, starts, now};
}

Status SanctionService::Validate(const NewSanction& in) const { return Prepare(in).status(); }

Result<Sanction> SanctionService::Issue(Transaction& tx, const NewSanction& in,
                                        const Actor& who) const {
  HERALD_ASSIGN_OR_RETURN(Prepared p, Prepare(in));
  const Target& t = in.target;
  const std::string& name = p.name;
  const std::string& note = p.note;
  const std::string& evidence = p.evidence;
  const Micros starts = p.starts;
  const Micros now = p.now;
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query(
          "INSERT INTO sanctions (target_type, target_id, target_name, measure, "
          "restricted_function, "
          "reason_code, note, evidence, starts_at, ends_at, appealable, issued_by, "
          "issued_at, party_user_id, account_id, subject_id, lifted_by, lift_reason) VALUES "
          "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '') RETURNING id",
          {t.type, t.type == "name" ? int64_t{0} : t.id, name, in.measure, in.function,
           in.reason_code, note, evidence, starts, Opt(in.ends_at), int64_t{in.appealable ? 1 : 0},
           who.actor, now, Opt(in.party_user_id), Opt(in.account_id), Opt(in.subject_id)}));
  const int64_t id = rows.rows.at(0).Int(0);
  JsonObjectWriter w;
  w.Add("target", TargetRef(Target{t.type, t.id, name}))
      .Add("measure", in.measure)
      .Add("reason_code", in.reason_code)
      .Add("ends", FormatEnd(in.ends_at));
  if (!in.function.empty()) w.Add("function", in.function);
  HERALD_RETURN_IF_ERROR(
      audit_
          .Append(tx, {who.actor, "sanction.issue", "sanction:" + std::to_string(id), w.str(),
                       who.request_id})
          .status());
  HERALD_ASSIGN_OR_RETURN(Sanction issued, Get(tx, id));
  for (const auto& hook : issued_hooks_) HERALD_RETURN_IF_ERROR(hook(tx, issued));
  return issued;
}

Result<Sanction> SanctionService::Lift(Transaction& tx, int64_t id, std::string_view reason_in,
                                       const Actor& who, LiftKind kind) const {
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 1, 1000, "invalid_note", "reason", true));
  HERALD_ASSIGN_OR_RETURN(Sanction s, Get(tx, id));
  if (s.lifted_at) return FailedPrecondition("this sanction was already lifted", "already_lifted");
  const Micros now = clock_.Now();
  const bool overturned = kind == LiftKind::kOverturned;
  HERALD_RETURN_IF_ERROR(
      tx.Execute("UPDATE sanctions SET lifted_at = ?, lifted_by = ?, "
                 "lift_reason = ?, overturned = ? WHERE id = ? AND lifted_at IS NULL",
                 {now, who.actor, reason, int64_t{overturned ? 1 : 0}, id})
          .status());
  JsonObjectWriter w;
  w.Add("target", TargetRef(s.target)).Add("measure", s.measure).Add("reason", reason);
  if (overturned) w.Add("overturned", true);
  HERALD_RETURN_IF_ERROR(
      audit_
          .Append(tx, {who.actor, "sanction.lift", "sanction:" + std::to_string(id), w.str(),
                       who.request_id})
          .status());
  s.lifted_at = now;
  s.lifted_by = who.actor;
  s.lift_reason = reason;
  s.overturned = overturned;
  for (const auto& hook : lifted_hooks_) HERALD_RETURN_IF_ERROR(hook(tx, s, overturned));
  return s;
}

Result<Sanction> SanctionService::Get(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT " + std::string(kColumns) + " FROM sanctions WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no such sanction", "sanction_not_found");
  return FromRow(rows.rows[0]);
}

Result<Sanction> SanctionService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Get(*tx, id);
}

Result<std::vector<Sanction>> SanctionService::List(const ListFilter& f) const {
  if (f.limit < 1 || f.limit > 1000) {
    return InvalidArgument("limit must be 1 to 1000", "invalid_filter", "limit");
  }
  std::string sql = "SELECT " + std::string(kColumns) + " FROM sanctions WHERE 1 = 1";
  std::vector<Value> params;
  auto add = [&](std::string_view cond, Value v) {
    sql += " AND ";
    sql += cond;
    params.push_back(std::move(v));
  };
  if (f.party_user_id) add("party_user_id = ?", *f.party_user_id);
  if (f.account_id) add("account_id = ?", *f.account_id);
  if (f.subject_id) add("subject_id = ?", *f.subject_id);
  if (f.target) {
    add("target_type = ?", f.target->type);
    if (f.target->type == "name") {
      add("target_name = ?", f.target->name);
    } else {
      add("target_id = ?", f.target->id);
    }
  }
  if (!f.measure.empty()) add("measure = ?", f.measure);
  if (f.issued_from) add("issued_at >= ?", *f.issued_from);
  if (f.issued_to) add("issued_at < ?", *f.issued_to);
  if (f.before_id) add("id < ?", *f.before_id);
  if (f.active_only) {
    const Micros now = clock_.Now();
    sql += " AND " + std::string(kActive);
    params.push_back(now);
    params.push_back(now);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{f.limit});
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Sanction> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<Sanction>> SanctionService::IssuedBetween(Micros from, Micros to) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT " + std::string(kColumns) +
                                                   " FROM sanctions WHERE issued_at >= ? AND "
                                                   "issued_at < ? ORDER BY issued_at, id",
                                               {from, to}));
  std::vector<Sanction> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::vector<Sanction>> SanctionService::ActiveFor(Transaction& tx,
                                                         const std::vector<Target>& targets) const {
  std::vector<Sanction> out;
  if (targets.empty()) return out;
  const Micros now = clock_.Now();
  std::string sql = "SELECT " + std::string(kColumns) + " FROM sanctions WHERE " +
                    std::string(kActive) + " AND (";
  std::vector<Value> params = {now, now};
  for (size_t i = 0; i < targets.size(); ++i) {
    if (i) sql += " OR ";
    if (targets[i].type == "name") {
      sql += "(target_type = 'name' AND target_name = ?)";
      params.push_back(targets[i].name);
    } else {
      sql += "(target_type = ? AND target_id = ?)";
      params.push_back(targets[i].type);
      params.push_back(targets[i].id);
    }
  }
  sql += ") ORDER BY id DESC";
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Status SanctionService::CheckAllowed(Transaction& tx, const std::vector<Target>& targets,
                                     std::string_view function) const {
  HERALD_ASSIGN_OR_RETURN(auto active, ActiveFor(tx, targets));
  for (const auto& s : active) {
    if (!Contains(BlockedFunctions(s.measure, s.function), function)) continue;
    std::string what = s.measure == "restrict" ? "restrict " + s.function : s.measure;
    return FailedPrecondition("blocked by sanction " + std::to_string(s.id) + " (" + what + " on " +
                                  s.target.type + ", reason " + s.reason_code + ", until " +
                                  FormatEnd(s.ends_at) + ")",
                              "sanctioned");
  }
  return Status();
}

Result<std::vector<int64_t>> SanctionService::ActiveTargetIds(Transaction& tx,
                                                              std::string_view type,
                                                              std::string_view measure) const {
  const Micros now = clock_.Now();
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT DISTINCT target_id FROM sanctions WHERE target_type = ? AND "
                          "measure = ? AND " +
                              std::string(kActive),
                          {std::string(type), std::string(measure), now, now}));
  std::vector<int64_t> out;
  for (const auto& r : rows.rows) out.push_back(r.Int(0));
  return out;
}

Result<Freeze> SanctionService::StartFreeze(std::string_view scope, std::string_view category,
                                            std::string_view reason_in,
                                            std::optional<Micros> ends_at, const Actor& who) {
  if (scope != "platform" && scope != "category") {
    return InvalidArgument("scope must be platform or category", "invalid_scope", "scope");
  }
  if ((scope == "category") == category.empty() || category.size() > 40) {
    return InvalidArgument(scope == "category" ? "a category freeze names its category"
                                               : "a platform freeze takes no category",
                           "invalid_category", "category");
  }
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 1, 1000, "invalid_note", "reason", true));
  const Micros now = clock_.Now();
  if (ends_at && *ends_at <= now) {
    return InvalidArgument("the end must be in the future", "invalid_period", "ends_at");
  }
  Freeze f;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("INSERT INTO publishing_freezes (scope, category, reason, "
                                "started_by, started_at, ends_at, lifted_by) VALUES (?, ?, ?, ?, "
                                "?, ?, '') RETURNING id",
                                {std::string(scope), std::string(category), reason, who.actor, now,
                                 Opt(ends_at)}));
        f = Freeze{rows.rows.at(0).Int(0),
                   std::string(scope),
                   std::string(category),
                   reason,
                   who.actor,
                   now,
                   ends_at,
                   std::nullopt,
                   ""};
        JsonObjectWriter w;
        w.Add("scope", f.scope)
            .Add("category", f.category)
            .Add("reason", reason)
            .Add("ends", FormatEnd(ends_at));
        return audit_
            .Append(tx, {who.actor, "emergency.freeze", "freeze:" + std::to_string(f.id), w.str(),
                         who.request_id})
            .status();
      }));
  return f;
}

Result<Freeze> SanctionService::LiftFreeze(int64_t id, const Actor& who) {
  Freeze f;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("SELECT id, scope, category, reason, started_by, started_at, "
                     "ends_at, lifted_at, lifted_by FROM publishing_freezes WHERE id = ?",
                     {id}));
        if (rows.empty()) return NotFound("no such freeze", "freeze_not_found");
        f = FreezeFromRow(rows.rows[0]);
        if (f.lifted_at) return FailedPrecondition("already lifted", "already_lifted");
        const Micros now = clock_.Now();
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE publishing_freezes SET lifted_at = ?, lifted_by = ? WHERE id = ?",
                       {now, who.actor, id})
                .status());
        f.lifted_at = now;
        f.lifted_by = who.actor;
        JsonObjectWriter w;
        w.Add("scope", f.scope).Add("category", f.category);
        return audit_
            .Append(tx, {who.actor, "emergency.unfreeze", "freeze:" + std::to_string(id), w.str(),
                         who.request_id})
            .status();
      }));
  return f;
}

Result<std::vector<Freeze>> SanctionService::ListFreezes(bool active_only) const {
  const Micros now = clock_.Now();
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT id, scope, category, reason, started_by, started_at, ends_at, "
                "lifted_at, lifted_by FROM publishing_freezes ORDER BY id DESC LIMIT 500"));
  std::vector<Freeze> out;
  for (const auto& r : rows.rows) {
    Freeze f = FreezeFromRow(r);
    if (!active_only || f.ActiveAt(now)) out.push_back(std::move(f));
  }
  return out;
}

Status SanctionService::CheckPublishingOpen(Transaction& tx, std::string_view category) const {
  const Micros now = clock_.Now();
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT id, scope, category FROM publishing_freezes WHERE lifted_at IS NULL AND "
               "started_at <= ? AND (ends_at IS NULL OR ends_at > ?) AND (scope = 'platform' OR "
               "category = ?) ORDER BY id LIMIT 1",
               {now, now, std::string(category)}));
  if (rows.empty()) return Status();
  const bool platform = rows.rows[0].Text(1) == "platform";
  return FailedPrecondition(platform ? "publishing is frozen platform-wide (emergency response)"
                                     : "publishing in category " + rows.rows[0].Text(2) +
                                           " is frozen (emergency response)",
                            "publishing_frozen");
}

std::vector<storage::Migration> SanctionService::Migrations() {
  return {{"sanctions/0001_sanctions", R"SQL(
CREATE TABLE sanctions (
  id {{AUTO_ID}},
  target_type TEXT NOT NULL CHECK (target_type IN ('account', 'subject', 'user', 'group', 'name')),
  target_id BIGINT NOT NULL,
  target_name TEXT NOT NULL,
  measure TEXT NOT NULL,
  restricted_function TEXT NOT NULL,
  reason_code TEXT NOT NULL,
  note TEXT NOT NULL,
  evidence TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT,
  appealable INTEGER NOT NULL,
  issued_by TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  party_user_id BIGINT,
  account_id BIGINT,
  subject_id BIGINT,
  lifted_at BIGINT,
  lifted_by TEXT NOT NULL,
  lift_reason TEXT NOT NULL
);
CREATE INDEX sanctions_target ON sanctions (target_type, target_id, target_name);
CREATE INDEX sanctions_party ON sanctions (party_user_id, id);
CREATE INDEX sanctions_issued ON sanctions (issued_at, id);
CREATE TABLE publishing_freezes (
  id {{AUTO_ID}},
  scope TEXT NOT NULL CHECK (scope IN ('platform', 'category')),
  category TEXT NOT NULL,
  reason TEXT NOT NULL,
  started_by TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ends_at BIGINT,
  lifted_at BIGINT,
  lifted_by TEXT NOT NULL
);
)SQL",
           ""},
          {"sanctions/0002_overturned",
           "ALTER TABLE sanctions ADD COLUMN overturned INTEGER NOT NULL DEFAULT 0;\n", ""}};
}

}  // namespace herald::sanctions
