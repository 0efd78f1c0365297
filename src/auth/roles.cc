#include "auth/roles.h"

#include <algorithm>
#include <map>
#include <set>

namespace herald::auth {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader:
      return "reader";
    case Role::kOperator:
      return "operator";
    case Role::kModerator:
      return "moderator";
    case Role::kContentSecurityOfficer:
      return "content_security_officer";
    case Role::kPlatformAdmin:
      return "platform_admin";
    case Role::kAuditor:
      return "auditor";
  }
  return "";
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> roles = {Role::kReader,        Role::kOperator,
                                          Role::kModerator,     Role::kContentSecurityOfficer,
                                          Role::kPlatformAdmin, Role::kAuditor};
  return roles;
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : AllRoles()) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& PermissionsOf(Role role) {
  using namespace perm;
  static const std::map<Role, std::vector<std::string_view>> table = [] {
    std::map<Role, std::vector<std::string_view>> t;
    const std::vector<std::string_view> self = {kSelfRead, kSelfWrite};
    auto with = [](std::vector<std::string_view> base, std::vector<std::string_view> extra) {
      base.insert(base.end(), extra.begin(), extra.end());
      std::sort(base.begin(), base.end());
      base.erase(std::unique(base.begin(), base.end()), base.end());
      return base;
    };
    const std::vector<std::string_view> member = {kSelfRead, kSelfWrite, kIdentityVerify};
    t[Role::kReader] = with(member, {});
    t[Role::kOperator] = with(member, {});
    t[Role::kModerator] = with(member, {kUsersRead, kSubjectsRead, kAccountsReview, kSanctionsIssue,
                                        kSanctionsRead, kRumoursManage});
    t[Role::kContentSecurityOfficer] =
        with(member, {kUsersRead, kAuditRead, kSubjectsRead, kAccountsReview, kNamesManage,
                      kPiiReveal, kReviewsEscalated, kSanctionsIssue, kSanctionsRead,
                      kDictionariesManage, kEmergencyManage, kRumoursManage});
    t[Role::kPlatformAdmin] =
        with(member, {kUsersRead, kRolesManage, kAuditRead, kSubjectsRead, kAccountsReview,
                      kNamesManage, kAgreementsPublish, kSanctionsRead, kDictionariesManage});
    t[Role::kAuditor] = with(self, {kUsersRead, kAuditRead, kSubjectsRead, kSanctionsRead});
    // Credit and grades (issue 6): staff who judge or check operators see credit; the content
    // security officer and admins adjust it.
    for (Role r :
         {Role::kModerator, Role::kContentSecurityOfficer, Role::kPlatformAdmin, Role::kAuditor}) {
      t[r] = with(t[r], {kCreditView});
    }
    for (Role r : {Role::kContentSecurityOfficer, Role::kPlatformAdmin}) {
      t[r] = with(t[r], {kCreditManage});
    }
    // Reports (PA-20): staff who handle or check them read every report.
    for (Role r : {Role::kModerator, Role::kContentSecurityOfficer, Role::kAuditor}) {
      t[r] = with(t[r], {kReportsView});
    }
    return t;
  }();
  return table.at(role);
}

const std::vector<std::string_view>& AllPermissions() {
  static const std::vector<std::string_view> all = [] {
    std::set<std::string_view> set;
    for (Role r : AllRoles()) {
      for (auto p : PermissionsOf(r)) set.insert(p);
    }
    return std::vector<std::string_view>(set.begin(), set.end());
  }();
  return all;
}

}  // namespace herald::auth
