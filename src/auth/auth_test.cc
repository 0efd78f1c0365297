#include "auth/auth_contract_test.h"
#include "auth/phone.h"
#include "auth/roles.h"

namespace herald::auth {

INSTANTIATE_TEST_SUITE_P(Sqlite, AuthContractTest, ::testing::Values(storage::Backend::kSqlite));

TEST(PhoneTest, NormalizesAndMasks) {
  EXPECT_EQ(*NormalizePhone("13800138000"), "13800138000");
  EXPECT_EQ(*NormalizePhone("+86 138 0013 8000"), "13800138000");
  EXPECT_EQ(*NormalizePhone("86-138-0013-8000"), "13800138000");
  EXPECT_FALSE(NormalizePhone("+1 4155550100").ok());
  EXPECT_FALSE(NormalizePhone("1380013800").ok());
  EXPECT_FALSE(NormalizePhone("138001380001").ok());
  EXPECT_FALSE(NormalizePhone("1380013800a").ok());
  EXPECT_FALSE(NormalizePhone("").ok());
  EXPECT_FALSE(NormalizePhone("12800138000").ok());
  EXPECT_EQ(NormalizePhone("x", "mobile").status().field(), "mobile");
  EXPECT_EQ(MaskPhone("13800138000"), "138****8000");
}

TEST(RolesTest, TableIsConsistent) {
  for (Role r : AllRoles()) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
    const auto& p = PermissionsOf(r);
    EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));
    EXPECT_TRUE(std::binary_search(p.begin(), p.end(), perm::kSelfRead));
  }
  EXPECT_FALSE(ParseRole("root").has_value());
  // The auditor is read-only: it holds no permission that changes anything but itself.
  for (auto p : PermissionsOf(Role::kAuditor)) {
    EXPECT_TRUE(p == perm::kSelfRead || p == perm::kSelfWrite || p.ends_with(".read")) << p;
  }
}

}  // namespace herald::auth
