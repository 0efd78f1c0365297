// Members of organisation accounts (PA-16.1) and third-party operating agencies (PA-16.2).
#include "accounts/account_service.h"
#include "core/json_writer.h"
#include "core/strings.h"
#include "identity/id_numbers.h"

namespace herald::accounts {

using storage::Row;
using storage::Transaction;
using storage::TxMode;
using storage::Value;

namespace {

std::string UserActor(int64_t id) { return "user:" + std::to_string(id); }
std::string AccountRef(int64_t id) { return "account:" + std::to_string(id); }

constexpr std::string_view kAgencyColumns =
    "id, account_id, name, credit_code, agreement_ref, scope, starts_at, ends_at, status, "
    "recorded_by, recorded_at, ended_at, end_reason";

Agency AgencyFromRow(const Row& r) {
  Agency a;
  a.id = r.Int(0);
  a.account_id = r.Int(1);
  a.name = r.Text(2);
  a.credit_code = r.Text(3);
  a.agreement_ref = r.Text(4);
  a.scope = r.Text(5);
  a.starts_at = r.Int(6);
  a.ends_at = r.Int(7);
  a.status = r.Text(8);
  a.recorded_by = r.Int(9);
  a.recorded_at = r.Int(10);
  if (!r.IsNull(11)) a.ended_at = r.Int(11);
  a.end_reason = r.Text(12);
  return a;
}

Member MemberFromRow(const Row& r) {
  return Member{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
}

constexpr std::string_view kMemberSelect =
    "SELECT m.account_id, m.user_id, m.role, u.display_name, m.added_by, m.added_at FROM "
    "account_members m JOIN users u ON u.id = m.user_id";

}  // namespace

Result<Member> AccountService::AddMember(int64_t owner_user_id, int64_t account_id, int64_t user_id,
                                         std::string_view role, const auth::RequestMeta& meta) {
  if (role != kRoleEditor && role != kRoleReviewer) {
    return InvalidArgument("role must be editor or reviewer", "invalid_member_role", "role");
  }
  // The member must be an active user with a verified identity (a verified subject).
  HERALD_ASSIGN_OR_RETURN(auth::User user, auth_.GetUser(user_id));
  if (user.status != "active") {
    return FailedPrecondition("this user is not active", "user_not_verified", "user_id");
  }
  HERALD_ASSIGN_OR_RETURN(auto subjects, subjects_.ListByOwner(user_id));
  bool verified = false;
  for (const auto& s : subjects) verified = verified || s.status == "verified";
  if (!verified) {
    return FailedPrecondition("only a user with a verified identity may become a member",
                              "user_not_verified", "user_id");
  }
  Member out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_ASSIGN_OR_RETURN(Account a, LoadOwned(tx, owner_user_id, account_id));
        if (a.subject_kind != "organisation") {
          return FailedPrecondition("only organisation accounts have members",
                                    "not_organisation_account");
        }
        if (user_id == a.owner_user_id) {
          return InvalidArgument("the owner is already the account's owner", "member_is_owner",
                                 "user_id");
        }
        HERALD_ASSIGN_OR_RETURN(
            auto existing,
            tx.Query("SELECT 1 FROM account_members WHERE account_id = ? AND user_id = ?",
                     {account_id, user_id}));
        if (!existing.empty()) {
          return AlreadyExists("this user is already a member; remove them to change the role",
                               "member_exists", "user_id");
        }
        HERALD_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO account_members (account_id, user_id, role, added_by, "
                       "added_at) VALUES (?, ?, ?, ?, ?)",
                       {account_id, user_id, std::string(role), owner_user_id, clock_.Now()})
                .status());
        HERALD_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kMemberSelect) +
                                                        " WHERE m.account_id = ? AND m.user_id = ?",
                                                    {account_id, user_id}));
        out = MemberFromRow(rows.rows.at(0));
        return audit_
            .Append(tx, {UserActor(owner_user_id), "account.member.add", AccountRef(account_id),
                         JsonObjectWriter()
                             .Add("user", UserActor(user_id))
                             .Add("role", std::string(role))
                             .str(),
                         meta.request_id})
            .status();
      }));
  return out;
}

Status AccountService::RemoveMember(int64_t owner_user_id, int64_t account_id, int64_t user_id,
                                    const auth::RequestMeta& meta) {
  return storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
    HERALD_RETURN_IF_ERROR(LoadOwned(tx, owner_user_id, account_id).status());
    HERALD_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT role FROM account_members WHERE account_id = ? AND user_id = ?",
                            {account_id, user_id}));
    if (rows.empty()) return NotFound("no such member", "member_not_found", "user_id");
    const std::string role = rows.rows[0].Text(0);
    HERALD_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM account_members WHERE account_id = ? AND user_id = ?",
                   {account_id, user_id})
            .status());
    return audit_
        .Append(tx, {UserActor(owner_user_id), "account.member.remove", AccountRef(account_id),
                     JsonObjectWriter().Add("user", UserActor(user_id)).Add("role", role).str(),
                     meta.request_id})
        .status();
  });
}

Result<std::vector<Member>> AccountService::ListMembers(int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_RETURN_IF_ERROR(Load(*tx, account_id).status());
  HERALD_ASSIGN_OR_RETURN(auto rows,
                          tx->Query(std::string(kMemberSelect) +
                                        " WHERE m.account_id = ? ORDER BY m.added_at, m.user_id",
                                    {account_id}));
  std::vector<Member> out;
  for (const auto& r : rows.rows) out.push_back(MemberFromRow(r));
  return out;
}

Result<std::string> AccountService::RoleIn(Transaction& tx, const Account& account,
                                           int64_t user_id) const {
  if (account.owner_user_id == user_id) return std::string(kRoleOwner);
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT role FROM account_members WHERE account_id = ? AND user_id = ?",
                          {account.id, user_id}));
  if (rows.empty()) return std::string();
  return rows.rows[0].Text(0);
}

Result<std::string> AccountService::RoleOf(int64_t account_id, int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(Account a, Load(*tx, account_id));
  return RoleIn(*tx, a, user_id);
}

Result<std::vector<Membership>> AccountService::ListMemberships(int64_t user_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(
      auto rows,
      tx->Query("SELECT m.account_id, m.role, m.added_at FROM account_members m JOIN accounts a "
                "ON a.id = m.account_id WHERE m.user_id = ? AND a.owner_user_id <> ? ORDER BY "
                "m.added_at, m.account_id",
                {user_id, user_id}));
  std::vector<Membership> out;
  out.reserve(rows.size());
  for (const auto& r : rows.rows) {
    Membership m;
    HERALD_ASSIGN_OR_RETURN(m.account, Load(*tx, r.Int(0)));
    m.role = r.Text(1);
    m.added_at = r.Int(2);
    out.push_back(std::move(m));
  }
  return out;
}

Result<Agency> AccountService::RecordAgency(int64_t owner_user_id, int64_t account_id,
                                            const AgencyInput& in, const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string name,
                          CheckTextField(in.name, 1, 100, "invalid_agency_name", "name"));
  const std::string code = identity::NormalizeCreditCode(in.credit_code);
  HERALD_RETURN_IF_ERROR(identity::ValidateCreditCode(code));
  HERALD_ASSIGN_OR_RETURN(
      std::string ref,
      CheckTextField(in.agreement_ref, 1, 100, "invalid_agreement_ref", "agreement_ref"));
  HERALD_ASSIGN_OR_RETURN(std::string scope,
                          CheckTextField(in.scope, 1, 500, "invalid_scope", "scope", true));
  if (in.ends_at <= in.starts_at) {
    return InvalidArgument("the agreement must end after it starts", "invalid_period", "ends_on");
  }
  int64_t id = 0;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(LoadOwned(tx, owner_user_id, account_id).status());
        HERALD_ASSIGN_OR_RETURN(
            auto rows,
            tx.Query("INSERT INTO account_agencies (account_id, name, credit_code, agreement_ref, "
                     "scope, starts_at, ends_at, status, recorded_by, recorded_at, end_reason) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, '') RETURNING id",
                     {account_id, name, code, ref, scope, in.starts_at, in.ends_at, owner_user_id,
                      clock_.Now()}));
        id = rows.rows.at(0).Int(0);
        return audit_
            .Append(tx, {UserActor(owner_user_id), "account.agency.record", AccountRef(account_id),
                         JsonObjectWriter()
                             .Add("agency_id", id)
                             .Add("name", name)
                             .Add("credit_code", code)
                             .Add("agreement_ref", ref)
                             .Add("starts_at", in.starts_at)
                             .Add("ends_at", in.ends_at)
                             .str(),
                         meta.request_id})
            .status();
      }));
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_ASSIGN_OR_RETURN(auto rows, tx->Query("SELECT " + std::string(kAgencyColumns) +
                                                   " FROM account_agencies WHERE id = ?",
                                               {id}));
  return AgencyFromRow(rows.rows.at(0));
}

Result<std::vector<Agency>> AccountService::ListAgencies(int64_t account_id) const {
  HERALD_ASSIGN_OR_RETURN(auto tx, db_.Begin(TxMode::kRead));
  HERALD_RETURN_IF_ERROR(Load(*tx, account_id).status());
  HERALD_ASSIGN_OR_RETURN(
      auto rows, tx->Query("SELECT " + std::string(kAgencyColumns) +
                               " FROM account_agencies WHERE account_id = ? ORDER BY id DESC",
                           {account_id}));
  std::vector<Agency> out;
  for (const auto& r : rows.rows) out.push_back(AgencyFromRow(r));
  return out;
}

Result<Agency> AccountService::EndAgency(int64_t owner_user_id, int64_t account_id,
                                         int64_t agency_id, std::string_view reason_in,
                                         const auth::RequestMeta& meta) {
  HERALD_ASSIGN_OR_RETURN(std::string reason,
                          CheckTextField(reason_in, 1, 500, "invalid_reason", "reason", true));
  Agency out;
  HERALD_RETURN_IF_ERROR(
      storage::RunInTransaction(db_, TxMode::kWrite, [&](Transaction& tx) -> Status {
        HERALD_RETURN_IF_ERROR(LoadOwned(tx, owner_user_id, account_id).status());
        HERALD_ASSIGN_OR_RETURN(
            auto rows, tx.Query("SELECT " + std::string(kAgencyColumns) +
                                    " FROM account_agencies WHERE id = ? AND account_id = ?",
                                {agency_id, account_id}));
        if (rows.empty()) return NotFound("no such agency", "agency_not_found");
        if (rows.rows[0].Text(8) != "active") {
          return FailedPrecondition("this agency has already ended", "agency_ended");
        }
        const Micros now = clock_.Now();
        HERALD_RETURN_IF_ERROR(
            tx.Execute("UPDATE account_agencies SET status = 'ended', ended_at = ?, end_reason = ? "
                       "WHERE id = ?",
                       {now, reason, agency_id})
                .status());
        out = AgencyFromRow(rows.rows[0]);
        out.status = "ended";
        out.ended_at = now;
        out.end_reason = reason;
        return audit_
            .Append(tx, {UserActor(owner_user_id), "account.agency.end", AccountRef(account_id),
                         JsonObjectWriter().Add("agency_id", agency_id).Add("reason", reason).str(),
                         meta.request_id})
            .status();
      }));
  return out;
}

std::vector<storage::Migration> AccountService::MemberMigrations() {
  return {{"accounts/0003_members_agencies", R"sql(
CREATE TABLE account_members (
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  role TEXT NOT NULL CHECK (role IN ('editor', 'reviewer')),
  added_by BIGINT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_members_user ON account_members (user_id);
CREATE TABLE account_agencies (
  id {{AUTO_ID}},
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  credit_code TEXT NOT NULL,
  agreement_ref TEXT NOT NULL,
  scope TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
  recorded_by BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL,
  ended_at BIGINT,
  end_reason TEXT NOT NULL
);
CREATE INDEX account_agencies_account ON account_agencies (account_id, id);
)sql",
           ""}};
}

}  // namespace herald::accounts
