// GroupService: chat groups (群组), the first part: creation by verified users, membership,
// admins, messages — every name, description and message screened (GR-10) — and the group side
// of the one sanction model (GR-11.1, GR-11.2, GR-11.3). Limits, grades, info pages and the
// admins' full toolset (GR-7, GR-8, GR-9) come with the groups issue.
//
//  - Real names (GR-6): creating or joining a group needs a verified subject.
//  - Screening (GR-10) with the platform's live dictionaries: a `block` or `replace` term in a
//    group name or description refuses it (illegal_content); a `review` or `flag` term holds the
//    new group (pending_review, review kind "group"). In messages `block` refuses, `review`
//    holds the message (review kind "group_message"; members do not see it until approved),
//    `flag` posts it and queues a check, `replace` is masked.
//  - Sanctions (GR-11.x), checked with every target behind the action:
//      create a group  "create_group" on the user and every subject of the user
//      join            "group_join" on the group and the user
//      post            "group_post" on the group and the user
//      admin actions   "group_admin" on the group and the acting user
//    so `restrict group_post` on a group suspends its posting, `close_group` closes it,
//    `restrict group_admin` on a person suspends their admin rights, `restrict create_group`
//    revokes the right to create groups, and `blacklist` on a group or a person blocks every
//    group function. Issuing `close_group` closes the group in the same transaction; lifting it
//    reopens it.
//
// Errors (stable reasons): NotFound group_not_found, user_not_found; PermissionDenied
// subject_required, not_group_member, not_group_admin, not_group_creator; InvalidArgument
// invalid_group_name, invalid_description, invalid_message, illegal_content; FailedPrecondition
// group_not_active, already_member, sanctioned (see sanctions/sanction_service.h),
// credit_limited (GroupOptions::credit).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "auth/auth_service.h"
#include "core/clock.h"
#include "moderation/screening_service.h"
#include "review/review_queue.h"
#include "sanctions/sanction_service.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace herald::groups {

struct Group {
  int64_t id = 0;
  std::string name, description;
  int64_t creator_user_id = 0;
  std::string status;  // pending_review, active, rejected, closed
  int64_t member_count = 0;
  Micros created_at = 0;
};

struct Member {
  int64_t user_id = 0;
  std::string role;  // creator, admin, member
  Micros joined_at = 0;
};

struct Message {
  int64_t id = 0;
  int64_t group_id = 0;
  int64_t user_id = 0;
  std::string text;    // as members see it (replace terms masked)
  std::string status;  // visible, held, removed
  Micros created_at = 0;
};

struct GroupOptions {
  // GR-7.2 (issue 6): the credit check of a user's group service, "create_group" (in Create)
  // or "join_group" (in Join), called in their write transaction after the sanction check; an
  // error refuses (credit::CreditService::CheckGroupService: FailedPrecondition
  // credit_limited). Empty: no credit limits.
  std::function<Status(storage::Transaction&, int64_t user_id, std::string_view service)> credit;
};

class GroupService {
 public:
  GroupService(storage::Database& db, const audit::AuditLog& audit, const Clock& clock,
               sanctions::SanctionService& sanctions, const moderation::ScreeningService& screening,
               review::ReviewQueue& review, GroupOptions options = {});

  Result<Group> Create(int64_t user_id, std::string_view name, std::string_view description,
                       const auth::RequestMeta& meta);
  Result<Group> Get(int64_t id) const;
  Result<std::vector<Member>> Members(int64_t group_id) const;
  Status Join(int64_t user_id, int64_t group_id, const auth::RequestMeta& meta);
  // The creator appoints an admin among the members.
  Status AddAdmin(int64_t actor_user_id, int64_t group_id, int64_t user_id,
                  const auth::RequestMeta& meta);
  // An admin or the creator removes a member (not the creator).
  Status RemoveMember(int64_t actor_user_id, int64_t group_id, int64_t user_id,
                      const auth::RequestMeta& meta);
  Result<Message> Post(int64_t user_id, int64_t group_id, std::string_view text,
                       const auth::RequestMeta& meta);
  // Visible messages, newest first, for members (and the author's own held ones); nothing of a
  // closed or rejected group (group_not_active).
  Result<std::vector<Message>> Messages(int64_t user_id, int64_t group_id, int limit,
                                        std::optional<int64_t> before_id) const;

  // The group side of sanctions: validates the group, fills in the party (the creator), applies
  // close_group. InvalidArgument invalid_target unless in.target.type is "group".
  Result<sanctions::Sanction> IssueSanction(const std::string& actor, sanctions::NewSanction in,
                                            const auth::RequestMeta& meta);
  Result<sanctions::Sanction> LiftSanction(const std::string& actor, int64_t sanction_id,
                                           std::string_view reason, const auth::RequestMeta& meta);
  // The effect of LiftSanction for a sanction already lifted in the caller's write transaction
  // (an appeal overturned it): a closed group is active again.
  Status UndoSanction(storage::Transaction& tx, const sanctions::Sanction& lifted);

  // For the appeal channel (appeals::AppealService), in the caller's transaction: a message in
  // any status. NotFound message_not_found.
  Result<Message> GetMessageIn(storage::Transaction& tx, int64_t id) const;
  // An appeal overturned the platform's decision: a held or removed message is visible again
  // in the caller's write transaction, audited "group_message.restore" with `reason`. The caller
  // closes any open review item of it. NotFound message_not_found; FailedPrecondition
  // message_not_restorable (it is visible).
  Result<Message> RestoreMessageIn(storage::Transaction& tx, int64_t id, std::string_view reason,
                                   const std::string& actor, const std::string& request_id);

  static std::vector<storage::Migration> Migrations();

 private:
  Result<Group> Load(storage::Transaction& tx, int64_t id) const;
  Result<std::string> MemberRole(storage::Transaction& tx, int64_t group_id, int64_t user_id) const;
  Status RequireSubject(storage::Transaction& tx, int64_t user_id) const;
  std::vector<sanctions::Target> Targets(int64_t group_id, int64_t user_id) const;

  storage::Database& db_;
  const audit::AuditLog& audit_;
  const Clock& clock_;
  sanctions::SanctionService& sanctions_;
  const moderation::ScreeningService& screening_;
  review::ReviewQueue& review_;
  GroupOptions options_;
};

}  // namespace herald::groups
