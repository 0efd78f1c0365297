// Roles and permissions. A user holds roles; each role grants a fixed set of permissions;
// every HTTP route declares the one permission it needs (api/ enforces it). The table in
// roles.cc is the single source of truth and is served by GET /api/v1/roles.
//
//   reader                    any registered user: manage own profile and sessions
//   operator                  runs public accounts (account permissions arrive with accounts)
//   moderator                 reviews content; reads user records
//   content_security_officer  the platform's top content role: moderator powers + audit log
//   platform_admin            grants and revokes roles; reads users and the audit log
//   auditor                   read-only, regulator-facing: users and the audit log
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::auth {

enum class Role {
  kReader,
  kOperator,
  kModerator,
  kContentSecurityOfficer,
  kPlatformAdmin,
  kAuditor,
};

// Permission names (stable; they appear in docs/openapi.yaml as x-permission).
namespace perm {
inline constexpr std::string_view kSelfRead = "self.read";
inline constexpr std::string_view kSelfWrite = "self.write";
inline constexpr std::string_view kUsersRead = "users.read";
inline constexpr std::string_view kRolesManage = "roles.manage";
inline constexpr std::string_view kAuditRead = "audit.read";
// Identity and accounts (issue 3).
inline constexpr std::string_view kIdentityVerify = "identity.verify";  // own subjects, accounts
inline constexpr std::string_view kSubjectsRead = "subjects.read";      // masked subject records
inline constexpr std::string_view kAccountsReview = "accounts.review";  // queues, sanctions
inline constexpr std::string_view kNamesManage = "names.manage";        // protected names
inline constexpr std::string_view kPiiReveal = "pii.reveal";            // clear personal data
inline constexpr std::string_view kAgreementsPublish = "agreements.publish";
inline constexpr std::string_view kReviewsEscalated = "reviews.escalated";  // decide escalated
inline constexpr std::string_view kSanctionsIssue = "sanctions.issue";      // issue and lift
inline constexpr std::string_view kSanctionsRead = "sanctions.read";  // all sanctions, reports
inline constexpr std::string_view kDictionariesManage = "dictionaries.manage";  // screening lists
inline constexpr std::string_view kEmergencyManage = "emergency.manage";  // emergency controls
// Credit and grades (issue 6).
inline constexpr std::string_view kCreditView = "credit.read";      // any subject's credit, grades
inline constexpr std::string_view kCreditManage = "credit.manage";  // adjust a subject's credit
inline constexpr std::string_view kRumoursManage = "rumours.manage";  // verdicts, traces (PA-13.2)
inline constexpr std::string_view kReportsView = "reports.read";      // all reports (PA-20)
}  // namespace perm

std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
const std::vector<Role>& AllRoles();
// The permissions a role grants, sorted.
const std::vector<std::string_view>& PermissionsOf(Role role);
// Every permission some role grants, sorted.
const std::vector<std::string_view>& AllPermissions();

}  // namespace herald::auth
