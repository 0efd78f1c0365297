#include "groups/group_service.h"

#include "core/json_writer.h"
#include "core/strings.h"

namespace herald::groups {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

constexpr std::string_view kGroupColumns =
    "g.id, g.name, g.description, g.creator_user_id, g.status, g.created_at, (SELECT COUNT(*) "
    "FROM group_members m WHERE m.group_id = g.id)";

Group GroupFromRow(const Row& r) {
  return Group{r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.Text(4), r.Int(6), r.Int(5)};
}

Message MessageFromRow(const Row& r) {
  return Message{r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4), r.Int(5)};
}

std::string UserActor(int64_t id) { return "user:" + std::to_string(id); }
std::string GroupRef(int64_t id) { return "group:" + std::to_string(id); }

// Screens `text`: block (and, for names, replace) refuses; returns the strongest other action
// and the masked text.
struct Screened {
  bool hold = false, flag = false;
  std::string shown;
  std::string term, category;
};
Result<Screened> ScreenText(const moderation::ScreeningService& screening, std::string_view text,
                            const std::string& field, bool replace_refuses) {
  HERALD_ASSIGN_OR_RETURN(moderation::ScreenResult r, screening.Screen(text));
  Screened out;
  for (const auto& m : r.matches) {
    if (m.action == moderation::Action::kBlock ||
        (replace_refuses && m.action == moderation::Action::kReplace)) {
      return InvalidArgument(
          field + " contains content that may not be published (" + m.category + ")",
          "illegal_content", field);
    }
    if (m.action == moderation::Action::kReview) out.hold = true;
    if (m.action == moderation::Action::kFlag) out.flag = true;
    if (out.term.empty() && m.action != moderation::Action::kReplace) {
      out.term = m.term;
      out.category = m.category;
    }
  }
  out.shown = moderation::Mask(text, r.matches);
  return out;
}

}  // namespace

GroupService::GroupService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
                           sanctions::SanctionService& sanctions,
                           const moderation::ScreeningService& screening,
                           review::ReviewQueue& review, GroupOptions options)
    : db_(db),
      audit_(audit),
      clock_(clock),
      sanctions_(sanctions),
      screening_(screening),
      review_(review),
      options_(std::move(options)) {
  review_.RegisterHandler("group", [this](Transaction& tx, const review::Item& item) -> Status {
    HERALD_ASSIGN_OR_RETURN(Group g, Load(tx, item.ref_id));
    if (g.status != "pending_review") return Status();
    return tx
        .Execute("UPDATE chat_groups SET status = ? WHERE id = ?",
                 {std::string(item.decision == "approve" ? "active" : "rejected"), g.id})
        .status();
  });
  review_.RegisterHandler("group_message", [](Transaction& tx, const review::Item& item) -> Status {
    return tx
        .Execute(
            "UPDATE group_messages SET status = ? WHERE id = ? AND "
            "status IN ('held', 'visible')",
            {std::string(item.decision == "approve" ? "visible" : "removed"), item.ref_id})
        .status();
  });
}

std::vector<sanctions::Target> GroupService::Targets(int64_t group_id, int64_t user_id) const {
  return {{"group", group_id, ""}, {"user", user_id, ""}};
}

Result<Group> GroupService::Load(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT " + std::string(kGroupColumns) +
                                                  " FROM chat_groups g WHERE g.id = ?",
                                              {id}));
  if (rows.empty()) return NotFound("no such group", "group_not_found");
  return GroupFromRow(rows.rows[0]);
}

Result<Group> GroupService::Get(int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  return Load(*tx, id);
}

Result<std::string> GroupService::MemberRole(Transaction& tx, int64_t group_id,
                                             int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT role FROM group_members WHERE group_id = ? AND "
                                   "user_id = ?",
                                   {group_id, user_id}));
  return rows.empty() ? std::string() : rows.rows[0].Text(0);
}

Status GroupService::RequireSubject(Transaction& tx, int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COUNT(*) FROM subjects WHERE "
                                              "owner_user_id = ? AND status = 'verified'",
                                              {user_id}));
  if (rows.rows[0].Int(0) == 0) {
    return PermissionDenied("verify your real identity (POST /api/v1/subjects) first (GR-6)",
                            "subject_required");
  }
  return Status();
}

Result<Group> GroupService::Create(int64_t user_id, std::string_view name_in,
                                   std::string_view description_in, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string name,
                          CheckTextField(name_in, 2, 30, "invalid_group_name", "name"));
  HERALD_ASSIGN_OR_RETURN(
      std::string description,
      CheckTextField(description_in, 0, 500, "invalid_description", "description", true));
  HERALD_ASSIGN_OR_RETURN(Screened n, ScreenText(screening_, name, "name", true));
  HERALD_ASSIGN_OR_RETURN(Screened d, ScreenText(screening_, description, "description", true));
  const bool hold = n.hold || n.flag || d.hold || d.flag;
  int64_t id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(RequireSubject(tx, user_id));
        std::vector<sanctions::Target> targets = {{"user", user_id, ""}};
        HERALD_ASSIGN_OR_RETURN(
            auto subjects, tx.Query("SELECT id FROM subjects WHERE owner_user_id = ?", {user_id}));
        for (const auto& r : subjects.rows) targets.push_back({"subject", r.Int(0), ""});
        HERALD_RETURN_IF_ERROR(sanctions_.CheckAllowed(tx, targets, "create_group"));
        if (options_.credit) HERALD_RETURN_IF_ERROR(options_.credit(tx, user_id, "create_group"));
        const Micros now = clock_.Now();
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query(
                "INSERT INTO chat_groups (name, description, creator_user_id, status, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                {name, description, user_id, std::string(hold ? "pending_review" : "active"),
                 now}));
        id = rows.rows.at(0).Int(0);
        HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO group_members (group_id, user_id, role, "
                                          "joined_at) VALUES (?, ?, 'creator', ?)",
                                          {id, user_id, now})
                                   .status());
        if (hold) {
          review::NewItem item;
          item.kind = "group";
          item.category = n.category.empty() ? d.category : n.category;
          item.ref_id = id;
          item.summary = "group: " + name;
          item.detail = JsonObjectWriter()
                            .Add("group_id", id)
                            .Add("name", name)
                            .Add("term", n.term.empty() ? d.term : n.term)
                            .str();
          HERALD_RETURN_IF_ERROR(review_.Enqueue(tx, item).status());
        }
        return audit_
            .Append(tx, {UserActor(user_id), "group.create", GroupRef(id),
                         JsonObjectWriter()
                             .Add("name", name)
                             .Add("status", hold ? "pending_review" : "active")
                             .str(),
                         meta.request_id})
            .status();
      }));
  return Get(id);
}

Result<std::vector<Member>> GroupService::Members(int64_t group_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_RETURN_IF_ERROR(Load(*tx, group_id).status());
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT user_id, role, joined_at FROM "
                                               "group_members WHERE group_id = ? ORDER BY "
                                               "joined_at, user_id",
                                               {group_id}));
  std::vector<Member> out;
  for (const auto& r : rows.rows) out.push_back(Member{r.Int(0), r.Text(1), r.Int(2)});
  return out;
}

Status GroupService::Join(int64_t user_id, int64_t group_id, const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(Group g, Load(tx, group_id));
    if (g.status != "active") {
      return FailedPrecondition("the group is " + g.status, "group_not_active");
    }
    HERALD_RETURN_IF_ERROR(RequireSubject(tx, user_id));
    HERALD_ASSIGN_OR_RETURN(std::string role, MemberRole(tx, group_id, user_id));
    if (!role.empty()) return FailedPrecondition("already a member", "already_member");
    HERALD_RETURN_IF_ERROR(sanctions_.CheckAllowed(tx, Targets(group_id, user_id), "group_join"));
    if (options_.credit) HERALD_RETURN_IF_ERROR(options_.credit(tx, user_id, "join_group"));
    HERALD_RETURN_IF_ERROR(tx.Execute("INSERT INTO group_members (group_id, user_id, role, "
                                      "joined_at) VALUES (?, ?, 'member', ?)",
                                      {group_id, user_id, clock_.Now()})
                               .status());
    return audit_
        .Append(tx, {UserActor(user_id), "group.join", GroupRef(group_id), "{}", meta.request_id})
        .status();
  });
}

Status GroupService::AddAdmin(int64_t actor_user_id, int64_t group_id, int64_t user_id,
                              const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_ASSIGN_OR_RETURN(Group g, Load(tx, group_id));
    if (g.creator_user_id != actor_user_id) {
      return PermissionDenied("only the group's creator appoints admins", "not_group_creator");
    }
    HERALD_RETURN_IF_ERROR(
        sanctions_.CheckAllowed(tx, Targets(group_id, actor_user_id), "group_admin"));
    HERALD_ASSIGN_OR_RETURN(std::string role, MemberRole(tx, group_id, user_id));
    if (role.empty()) return NotFound("not a member of this group", "not_group_member");
    if (role == "member") {
      HERALD_RETURN_IF_ERROR(tx.Execute("UPDATE group_members SET role = 'admin' WHERE group_id "
                                        "= ? AND user_id = ?",
                                        {group_id, user_id})
                                 .status());
    }
    return audit_
        .Append(tx, {UserActor(actor_user_id), "group.admin_add", GroupRef(group_id),
                     JsonObjectWriter().Add("user", UserActor(user_id)).str(), meta.request_id})
        .status();
  });
}

Status GroupService::RemoveMember(int64_t actor_user_id, int64_t group_id, int64_t user_id,
                                  const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_RETURN_IF_ERROR(Load(tx, group_id).status());
    HERALD_ASSIGN_OR_RETURN(std::string actor_role, MemberRole(tx, group_id, actor_user_id));
    if (actor_role != "admin" && actor_role != "creator") {
      return PermissionDenied("only the group's admins remove members", "not_group_admin");
    }
    HERALD_RETURN_IF_ERROR(
        sanctions_.CheckAllowed(tx, Targets(group_id, actor_user_id), "group_admin"));
    HERALD_ASSIGN_OR_RETURN(std::string role, MemberRole(tx, group_id, user_id));
    if (role.empty()) return NotFound("not a member of this group", "not_group_member");
    if (role == "creator" || (role == "admin" && actor_role != "creator")) {
      return PermissionDenied("an admin is removed only by the creator, the creator never",
                              "not_group_creator");
    }
    HERALD_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                   {group_id, user_id})
            .status());
    return audit_
        .Append(tx, {UserActor(actor_user_id), "group.member_remove", GroupRef(group_id),
                     JsonObjectWriter().Add("user", UserActor(user_id)).str(), meta.request_id})
        .status();
  });
}

Result<Message> GroupService::Post(int64_t user_id, int64_t group_id, std::string_view text_in,
                                   const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string text,
                          CheckTextField(text_in, 1, 2000, "invalid_message", "text", true));
  HERALD_ASSIGN_OR_RETURN(Screened sc, ScreenText(screening_, text, "text", false));
  Message out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Group g, Load(tx, group_id));
        if (g.status != "active") {
          return FailedPrecondition("the group is " + g.status, "group_not_active");
        }
        HERALD_ASSIGN_OR_RETURN(std::string role, MemberRole(tx, group_id, user_id));
        if (role.empty()) {
          return PermissionDenied("join the group first", "not_group_member");
        }
        HERALD_RETURN_IF_ERROR(
            sanctions_.CheckAllowed(tx, Targets(group_id, user_id), "group_post"));
        const Micros now = clock_.Now();
        const std::string status = sc.hold ? "held" : "visible";
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("INSERT INTO group_messages (group_id, user_id, text, "
                                "source_text, status, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                                "RETURNING id",
                                {group_id, user_id, sc.shown, text, status, now}));
        out = Message{rows.rows.at(0).Int(0), group_id, user_id, sc.shown, status, now};
        if (sc.hold || sc.flag) {
          review::NewItem item;
          item.kind = "group_message";
          item.category = sc.category;
          item.severity = sc.hold ? 3 : 1;
          item.ref_id = out.id;
          item.summary = "group " + std::to_string(group_id) + " message";
          item.detail = JsonObjectWriter()
                            .Add("group_id", group_id)
                            .Add("message_id", out.id)
                            .Add("text", text)
                            .Add("term", sc.term)
                            .str();
          HERALD_RETURN_IF_ERROR(review_.Enqueue(tx, item).status());
        }
        return Status();
      }));
  return out;
}

Result<std::vector<Message>> GroupService::Messages(int64_t user_id, int64_t group_id, int limit,
                                                    std::optional<int64_t> before_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Group g, Load(*tx, group_id));
  HERALD_ASSIGN_OR_RETURN(std::string role, MemberRole(*tx, group_id, user_id));
  if (role.empty()) return PermissionDenied("join the group first", "not_group_member");
  if (g.status == "closed" || g.status == "rejected") {
    return FailedPrecondition("the group is " + g.status, "group_not_active");
  }
  std::string sql =
      "SELECT id, group_id, user_id, text, status, created_at FROM group_messages WHERE group_id "
      "= ? AND (status = 'visible' OR (status = 'held' AND user_id = ?))";
  std::vector<Value> params = {group_id, user_id};
  if (before_id) {
    sql += " AND id < ?";
    params.push_back(*before_id);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query(sql, params));
  std::vector<Message> out;
  for (const auto& r : rows.rows) out.push_back(MessageFromRow(r));
  return out;
}

Result<sanctions::Sanction> GroupService::IssueSanction(const std::string& actor,
                                                        sanctions::NewSanction in,
                                                        const auth::RequestMeta& meta) {
  if (in.target.type != "group") {
    return InvalidArgument("not a group target", "invalid_target", "target_type");
  }
  HERALD_RETURN_IF_ERROR(sanctions_.Validate(in));
  sanctions::Sanction out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Group g, Load(tx, in.target.id));
        in.party_user_id = g.creator_user_id;
        in.account_id.reset();
        in.subject_id.reset();
        if (in.measure == "close_group" && g.status == "closed") {
          return FailedPrecondition("the group is already closed", "group_not_active");
        }
        HERALD_ASSIGN_OR_RETURN(out, sanctions_.Issue(tx, in, {actor, meta.request_id}));
        if (out.measure == "close_group") {
          HERALD_RETURN_IF_ERROR(
              tx.Execute("UPDATE chat_groups SET status = 'closed' WHERE id = ?", {g.id}).status());
        }
        return Status();
      }));
  return out;
}

Result<sanctions::Sanction> GroupService::LiftSanction(const std::string& actor,
                                                       int64_t sanction_id, std::string_view reason,
                                                       const auth::RequestMeta& meta) {
  sanctions::Sanction out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(out,
                                sanctions_.Lift(tx, sanction_id, reason, {actor, meta.request_id}));
        return UndoSanction(tx, out);
      }));
  return out;
}

Status GroupService::UndoSanction(Transaction& tx, const sanctions::Sanction& out) {
  if (out.measure != "close_group") return Status();
  return tx
      .Execute("UPDATE chat_groups SET status = 'active' WHERE id = ? AND status = 'closed'",
               {out.target.id})
      .status();
}

Result<Message> GroupService::GetMessageIn(Transaction& tx, int64_t id) const {
  HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, group_id, user_id, text, status, "
                                              "created_at FROM group_messages WHERE id = ?",
                                              {id}));
  if (rows.empty()) return NotFound("no such message", "message_not_found");
  return MessageFromRow(rows.rows[0]);
}

Result<Message> GroupService::RestoreMessageIn(Transaction& tx, int64_t id, std::string_view reason,
                                               const std::string& actor,
                                               const std::string& request_id) {
  HERALD_ASSIGN_OR_RETURN(Message m, GetMessageIn(tx, id));
  if (m.status != "held" && m.status != "removed") {
    return FailedPrecondition("only a held or removed message can be restored",
                              "message_not_restorable");
  }
  HERALD_ASSIGN_OR_RETURN(int64_t n, tx.Execute("UPDATE group_messages SET status = 'visible' "
                                                "WHERE id = ? AND status = ?",
                                                {id, m.status}));
  if (n != 1) return Aborted("the message changed meanwhile; retry", "conflict");
  HERALD_RETURN_IF_ERROR(
      audit_
          .Append(tx, {actor, "group_message.restore", "group_message:" + std::to_string(id),
                       JsonObjectWriter()
                           .Add("group_id", m.group_id)
                           .Add("from", m.status)
                           .Add("reason", reason)
                           .str(),
                       request_id})
          .status());
  m.status = "visible";
  return m;
}

std::vector<storage::Migration> GroupService::Migrations() {
  return {{"groups/0001_groups", R"SQL(
CREATE TABLE chat_groups (
  id {{AUTO_ID}},
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  creator_user_id BIGINT NOT NULL REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('pending_review', 'active', 'rejected', 'closed')),
  created_at BIGINT NOT NULL
);
CREATE TABLE group_members (
  group_id BIGINT NOT NULL REFERENCES chat_groups (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL CHECK (role IN ('creator', 'admin', 'member')),
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE TABLE group_messages (
  id {{AUTO_ID}},
  group_id BIGINT NOT NULL REFERENCES chat_groups (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  text TEXT NOT NULL,
  source_text TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('visible', 'held', 'removed')),
  created_at BIGINT NOT NULL
);
CREATE INDEX group_messages_group ON group_messages (group_id, id);
)SQL",
           ""}};
}

}  // namespace herald::groups
