// RoleStore against real SQLite files in a scratch host data directory (R-ROLE-2, -3, -4).
#include "ehr/host/role_store.hpp"

#include <gtest/gtest.h>

#include "support/scratch.hpp"

namespace ehr::host {
namespace {

using testing::ScratchDir;

class Staff : public UserDirectory {
 public:
  Result<std::vector<User>> list_users() override { return users; }
  std::vector<User> users = {{"admin", "Ada Admin", true},      {"drlee", "Dr. Lee", true},
                             {"nurse1", "Nurse One", true},     {"nurse2", "Nurse Two", true},
                             {"former", "Former Staff", false}, {"clerk", "Front Desk", true}};
};

constexpr const char* kRole = "available_for_portal_messages";

class RoleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    store_.reset();
    auto opened = RoleStore::open(scratch_.path(), staff_, [this] { return ++now_; });
    ASSERT_TRUE(opened) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(
        store_->declare_section(RolesSection{"portal-messaging",
                                             "portal",
                                             "Patient Portal roles",
                                             {{"manage_portal_settings", "Manage Portal Settings", ""},
                                              {kRole, "Available for portal messages", ""}},
                                             std::nullopt}));  // no plugin audit log: the store alone
    auto seeded = store_->seed_initial({{"admin", "manage_users"}});
    ASSERT_TRUE(seeded) << seeded.status();
  }

  std::vector<std::string> members(const char* role = kRole) {
    auto out = store_->members(role);
    EXPECT_TRUE(out) << out.status();
    return out ? *out : std::vector<std::string>{};
  }

  std::size_t change_count() { return store_->changes()->size(); }

  ScratchDir scratch_;
  Staff staff_;
  std::int64_t now_ = 1000;
  std::unique_ptr<RoleStore> store_;
};

TEST_F(RoleStoreTest, CreatesItsFileInTheHostDataDirectory) {
  EXPECT_TRUE(std::filesystem::exists(scratch_ / RoleStore::kFileName));
}

TEST_F(RoleStoreTest, DeclaresManageUsersAndThePluginsRoles) {
  std::vector<std::string> ids;
  for (const RoleDescriptor& role : store_->declared_roles()) ids.push_back(role.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"manage_users", "manage_portal_settings", kRole}));
  EXPECT_TRUE(store_->declare_role({kRole, "Available for portal messages", ""})) << "same text again: no-op";
  EXPECT_EQ(store_->declare_role({kRole, "Something else", ""}).code(), EHR_STATUS_CONFLICT);
}

TEST_F(RoleStoreTest, R_ROLE_2_CheckingTheBoxAssignsAndUncheckingRemoves) {
  auto on = store_->set_role("admin", "drlee", kRole, true);
  ASSERT_TRUE(on) << on.status();
  EXPECT_EQ(on->changed, 1u);
  EXPECT_TRUE(*store_->has_role("drlee", kRole));
  EXPECT_EQ(*store_->roles_of("drlee"), std::vector<std::string>{kRole});

  auto again = store_->set_role("admin", "drlee", kRole, true);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->changed, 0u) << "checking a checked box changes nothing";

  auto off = store_->set_role("admin", "drlee", kRole, false);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->changed, 1u);
  EXPECT_FALSE(*store_->has_role("drlee", kRole));
}

TEST_F(RoleStoreTest, R_ROLE_2_AssignmentsSurviveReopening) {
  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  reopen();
  EXPECT_TRUE(*store_->has_role("drlee", kRole));
}

TEST_F(RoleStoreTest, R_ROLE_3_AssignSelectedReportsHowManyChanged) {
  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  auto update = store_->assign_selected("admin", kRole, {"drlee", "nurse1", "nurse2", "nurse1"});
  ASSERT_TRUE(update) << update.status();
  EXPECT_EQ(update->changed, 2u) << "drlee had it already; nurse1 counted once";
  EXPECT_EQ(update->changed_user_ids, (std::vector<std::string>{"nurse1", "nurse2"}));
  EXPECT_EQ(members(), (std::vector<std::string>{"drlee", "nurse1", "nurse2"}));
}

TEST_F(RoleStoreTest, R_ROLE_3_AssignAllIgnoresInactiveUsers) {
  auto update = store_->assign_all("admin", kRole);
  ASSERT_TRUE(update) << update.status();
  EXPECT_EQ(update->changed, 5u);
  EXPECT_EQ(members(), (std::vector<std::string>{"admin", "clerk", "drlee", "nurse1", "nurse2"}));
  EXPECT_FALSE(*store_->has_role("former", kRole));
}

TEST_F(RoleStoreTest, R_ROLE_3_UnassignSelectedAndUnassignAll) {
  ASSERT_TRUE(store_->assign_all("admin", kRole));
  auto some = store_->unassign_selected("admin", kRole, {"nurse1", "nurse2"});
  ASSERT_TRUE(some);
  EXPECT_EQ(some->changed, 2u);
  EXPECT_EQ(members(), (std::vector<std::string>{"admin", "clerk", "drlee"}));
  auto rest = store_->unassign_all("admin", kRole);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->changed, 3u);
  EXPECT_TRUE(members().empty());
}

TEST_F(RoleStoreTest, R_ROLE_3_UnassignAllLeavesInactiveUsersAlone) {
  // "former" got the role while active, then left.
  ASSERT_TRUE(store_->set_role("admin", "former", kRole, true));
  staff_.users[4].active = false;
  ASSERT_TRUE(store_->assign_all("admin", kRole));
  auto removed = store_->unassign_all("admin", kRole);
  ASSERT_TRUE(removed);
  EXPECT_EQ(members(), std::vector<std::string>{"former"});
}

TEST_F(RoleStoreTest, R_ROLE_3_BulkOperationsAreIdempotent) {
  ASSERT_EQ(store_->assign_all("admin", kRole)->changed, 5u);
  const std::size_t recorded = change_count();
  EXPECT_EQ(store_->assign_all("admin", kRole)->changed, 0u);
  EXPECT_EQ(store_->assign_selected("admin", kRole, {"drlee"})->changed, 0u);
  EXPECT_EQ(change_count(), recorded) << "nothing changed, nothing recorded";
  EXPECT_EQ(store_->unassign_all("admin", kRole)->changed, 5u);
  EXPECT_EQ(store_->unassign_all("admin", kRole)->changed, 0u);
}

TEST_F(RoleStoreTest, R_ROLE_3_BulkIsAtomicAnUnknownUserChangesNothing) {
  const std::size_t recorded = change_count();
  auto update = store_->assign_selected("admin", kRole, {"drlee", "ghost", "nurse1"});
  ASSERT_FALSE(update);
  EXPECT_EQ(update.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(update.status().message().find("ghost"), std::string::npos) << update.status();
  EXPECT_EQ(update.status().field(), "user_id");
  EXPECT_TRUE(members().empty());
  EXPECT_EQ(change_count(), recorded);
}

TEST_F(RoleStoreTest, UnknownRoleIsAnErrorNamingIt) {
  auto update = store_->assign_all("admin", "make_coffee");
  ASSERT_FALSE(update);
  EXPECT_EQ(update.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(update.status().message().find("make_coffee"), std::string::npos);
  EXPECT_EQ(update.status().field(), "role_id");
  EXPECT_EQ(store_->members("make_coffee").status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(store_->has_role("drlee", "make_coffee").status().code(), EHR_STATUS_NOT_FOUND);
}

TEST_F(RoleStoreTest, UnknownUserIsAnErrorNamingIt) {
  EXPECT_EQ(store_->has_role("ghost", kRole).status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(store_->roles_of("ghost").status().code(), EHR_STATUS_NOT_FOUND);
  auto update = store_->set_role("admin", "ghost", kRole, true);
  EXPECT_NE(update.status().message().find("ghost"), std::string::npos);
}

TEST_F(RoleStoreTest, R_ROLE_4_OnlyManageUsersHoldersMayChangeAssignments) {
  const std::size_t recorded = change_count();
  auto refused = store_->set_role("drlee", "nurse1", kRole, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_NE(refused.status().message().find("manage_users"), std::string::npos) << refused.status();
  EXPECT_EQ(store_->assign_all("drlee", kRole).status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(store_->unassign_all("drlee", kRole).status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_TRUE(members().empty());
  EXPECT_EQ(change_count(), recorded);

  ASSERT_TRUE(store_->set_role("admin", "drlee", "manage_users", true));
  EXPECT_TRUE(store_->set_role("drlee", "nurse1", kRole, true)) << "now drlee may";
}

TEST_F(RoleStoreTest, R_ROLE_4_AnUnknownOrInactiveActorIsRefused) {
  EXPECT_EQ(store_->assign_all("ghost", kRole).status().code(), EHR_STATUS_NOT_FOUND);
  ASSERT_TRUE(store_->set_role("admin", "former", "manage_users", true));
  EXPECT_EQ(store_->assign_all("former", kRole).status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_TRUE(members().empty());
}

// A host that only lists its users (the default find_user scans that list): a bulk operation must
// read the list once, not once per selected user, or assigning a role to N users costs N^2.
class CountingStaff : public UserDirectory {
 public:
  explicit CountingStaff(int count) {
    users.push_back({"admin", "Ada Admin", true});
    for (int i = 0; i < count; ++i) users.push_back({"u" + std::to_string(i), "User", true});
  }
  Result<std::vector<User>> list_users() override {
    ++lists;
    return users;
  }
  std::vector<User> users;
  int lists = 0;
};

TEST(RoleStoreBulk, R_ROLE_3_AssignSelectedReadsTheDirectoryOncePerOperationNotPerUser) {
  ScratchDir scratch;
  CountingStaff staff(500);
  auto opened = RoleStore::open(scratch.path(), staff);
  ASSERT_TRUE(opened) << opened.status();
  RoleStore& store = **opened;
  ASSERT_TRUE(store.declare_role({kRole, "Available for portal messages", ""}));
  ASSERT_TRUE(store.seed_initial({{"admin", "manage_users"}}));
  std::vector<std::string> selected;
  for (int i = 0; i < 500; ++i) selected.push_back("u" + std::to_string(i));
  selected.push_back("u7");  // named twice: changed once
  staff.lists = 0;
  auto update = store.assign_selected("admin", kRole, selected);
  ASSERT_TRUE(update) << update.status();
  EXPECT_EQ(update->changed, 500u);
  EXPECT_LE(staff.lists, 2) << "one read for the selection, one for the actor";
  EXPECT_EQ(store.members(kRole)->size(), 500u);
  EXPECT_EQ(store.changes()->size(), 501u);

  selected.push_back("ghost");
  auto refused = store.unassign_selected("admin", kRole, selected);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("ghost"), std::string::npos) << refused.status();
  EXPECT_EQ(refused.status().field(), "user_id");
  EXPECT_EQ(store.members(kRole)->size(), 500u) << "an unknown user in a bulk selection changes nothing";

  selected.pop_back();
  selected.erase(selected.begin() + 100, selected.end());
  auto unassigned = store.unassign_selected("admin", kRole, selected);
  ASSERT_TRUE(unassigned) << unassigned.status();
  EXPECT_EQ(unassigned->changed, 100u);
  EXPECT_EQ(store.members(kRole)->size(), 400u);
  EXPECT_FALSE(*store.has_role("u0", kRole));
  EXPECT_TRUE(*store.has_role("u100", kRole));
}

TEST_F(RoleStoreTest, R_ROLE_4_EveryChangeIsRecordedWhoWhomRoleOldNewWhen) {
  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  ASSERT_TRUE(store_->unassign_selected("admin", kRole, {"drlee"}));
  auto changes = store_->changes();
  ASSERT_TRUE(changes) << changes.status();
  ASSERT_EQ(changes->size(), 3u);
  const RoleChange& seed = (*changes)[0];
  EXPECT_EQ(seed.actor_user_id, "(initial)");
  EXPECT_EQ(seed.user_id, "admin");
  EXPECT_EQ(seed.role_id, "manage_users");
  const RoleChange& assign = (*changes)[1];
  EXPECT_EQ(assign.actor_user_id, "admin");
  EXPECT_EQ(assign.user_id, "drlee");
  EXPECT_EQ(assign.role_id, kRole);
  EXPECT_FALSE(assign.old_assigned);
  EXPECT_TRUE(assign.new_assigned);
  const RoleChange& unassign = (*changes)[2];
  EXPECT_TRUE(unassign.old_assigned);
  EXPECT_FALSE(unassign.new_assigned);
  EXPECT_LT(seed.sequence, assign.sequence);
  EXPECT_LT(assign.at_unix_ms, unassign.at_unix_ms);
}

TEST_F(RoleStoreTest, InitialAssignmentsAreSeededOnlyOnce) {
  // The admin may remove its own role; seeding on the next start must not bring it back.
  ASSERT_TRUE(store_->set_role("admin", "admin", "manage_users", false));
  reopen();
  EXPECT_FALSE(*store_->has_role("admin", "manage_users"));
  auto seeded = store_->seed_initial({{"admin", "manage_users"}});
  ASSERT_TRUE(seeded);
  EXPECT_FALSE(*seeded);
}

TEST_F(RoleStoreTest, SeedingWithAnUnknownRoleChangesNothing) {
  ScratchDir other;
  auto opened = RoleStore::open(other.path(), staff_);
  ASSERT_TRUE(opened);
  auto seeded = (*opened)->seed_initial({{"admin", "manage_users"}, {"drlee", "not_declared"}});
  ASSERT_FALSE(seeded);
  EXPECT_NE(seeded.status().message().find("not_declared"), std::string::npos);
  EXPECT_FALSE(*(*opened)->has_role("admin", "manage_users"));
}

}  // namespace
}  // namespace ehr::host
