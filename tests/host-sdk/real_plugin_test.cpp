// Integration: the real portal_messaging.so, as the build lays it out in ${CMAKE_BINARY_DIR}/plugins,
// loaded through the real PluginManager and used through the SDK's C++ wrappers.
#include <gtest/gtest.h>

#include "ehr/host/plugin_manager.hpp"
#include "ehr/host/role_store.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

using testing::ScratchDir;
using testing::TestHost;

class RealPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.grant("admin", "manage_portal_settings");
    PluginManagerOptions options;
    options.plugins_directory = EHR_REAL_PLUGINS_DIR;
    options.host_data_directory = scratch_ / "data";
    manager_ = std::make_unique<PluginManager>(options, host_);
    ASSERT_TRUE(manager_->discover());
  }

  ScratchDir scratch_;
  TestHost host_;
  std::unique_ptr<PluginManager> manager_;
};

TEST_F(RealPluginTest, LoadsVerifiedAndEnabled) {
  auto info = manager_->info("portal-messaging");
  ASSERT_TRUE(info) << info.status();
  EXPECT_EQ(info->state, PluginState::enabled) << info->failure;
  EXPECT_EQ(info->negotiated_version, EHR_ABI_VERSION);
  auto verified = manager_->verify("portal-messaging");
  ASSERT_TRUE(verified) << verified.status();
  EXPECT_TRUE(verified->checksum_matches);
}

// R-ROLE-1: the plugin's roles section, as the host's user edit page shows it.
TEST_F(RealPluginTest, R_ROLE_1_RegistersThePatientPortalRolesSection) {
  const auto sections = manager_->registry().roles_sections();
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].plugin_id, "portal-messaging");
  EXPECT_EQ(sections[0].title, "Patient Portal roles");
  std::vector<std::string> ids;
  for (const RoleDescriptor& role : sections[0].roles) ids.push_back(role.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"manage_portal_settings", "available_for_portal_messages"}));
}

TEST_F(RealPluginTest, SettingsPagesAreReachableThroughTheWrapper) {
  auto pages = manager_->registry().settings_pages("portal-messaging");
  ASSERT_TRUE(pages) << pages.status();
  auto page = pages->describe_page("admin", "");
  ASSERT_TRUE(page) << page.status();
  EXPECT_NE(page->find("my_messages"), nullptr);
  // R-SET-1 through the SDK: a user without the role is refused.
  EXPECT_EQ(pages->describe_page("drlee", "").status().code(), EHR_STATUS_FORBIDDEN);
  // R-SET-6 through the SDK: an unknown key is refused naming the field.
  Status refused = pages->save_page("admin", "", {{"no_such_key", "on"}});
  EXPECT_EQ(refused.code(), EHR_STATUS_INVALID_ARGUMENT) << refused;
  EXPECT_EQ(refused.field(), "no_such_key") << refused;
}

TEST_F(RealPluginTest, ADisabledPluginsChannelRefusesCalls) {
  auto channel = manager_->registry().channel("portal-messaging");
  ASSERT_TRUE(channel) << channel.status();
  ASSERT_TRUE(manager_->disable("portal-messaging"));
  EXPECT_EQ(channel->unread_total(Principal::staff("drlee")).status().code(), EHR_STATUS_DISABLED);
  ASSERT_TRUE(manager_->enable("portal-messaging"));
  EXPECT_NE(channel->unread_total(Principal::staff("drlee")).status().code(), EHR_STATUS_DISABLED);
}

TEST_F(RealPluginTest, ShutsDownCleanly) {
  manager_->shutdown();
  EXPECT_EQ(manager_->info("portal-messaging")->state, PluginState::shut_down);
  EXPECT_TRUE(manager_->registry().channels().empty());
}

class Staff : public UserDirectory {
 public:
  Staff() {
    users = {{"admin", "Ada Admin", true}, {"drlee", "Dr. Lee", true}};
    for (int i = 0; i < 40; ++i) users.push_back({"u" + std::to_string(i), "User", true});
  }
  Result<std::vector<User>> list_users() override { return users; }
  std::vector<User> users;
};

constexpr const char* kMessagesRole = "available_for_portal_messages";

// The role store, with the plugin's roles section as the registry offers it (its audit log along).
std::unique_ptr<RoleStore> role_store_for(const PluginManager& manager, const std::filesystem::path& dir,
                                          UserDirectory& users) {
  auto store = RoleStore::open(dir, users);
  EXPECT_TRUE(store) << store.status();
  for (const RolesSection& section : manager.registry().roles_sections())
    EXPECT_TRUE((*store)->declare_section(section));
  EXPECT_TRUE((*store)->seed_initial({{"admin", std::string(kManageUsersRole)}}));
  return std::move(*store);
}

std::vector<AuditEvent> role_records(const AuditLog& log) {
  auto listed = log.list();
  EXPECT_TRUE(listed) << listed.status();
  std::vector<AuditEvent> out;
  if (!listed) return out;
  for (AuditEvent& event : *listed)
    if (event.action.starts_with("role.")) out.push_back(std::move(event));
  return out;
}

// R-SEC-3: a change of the plugin's roles, single or bulk, is in the plugin's own chain, one
// record per user changed (who, whom, role, old -> new); a repeated change adds nothing.
TEST_F(RealPluginTest, R_SEC_3_RoleChangesSingleAndBulkAreInThePluginsChain) {
  Staff staff;
  auto store = role_store_for(*manager_, scratch_ / "data", staff);
  auto log = manager_->registry().audit_log("portal-messaging");
  ASSERT_TRUE(log) << log.status();
  EXPECT_TRUE(role_records(*log).empty());  // manage_users is the host's own role

  ASSERT_TRUE(store->set_role("admin", "drlee", kMessagesRole, true));
  std::vector<AuditEvent> records = role_records(*log);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].actor, Principal::staff("admin"));
  EXPECT_EQ(records[0].action, "role.assign");
  EXPECT_EQ(records[0].target, "user:drlee");
  EXPECT_EQ(records[0].detail, "available_for_portal_messages: off -> on");

  std::vector<std::string> bulk;
  for (int i = 0; i < 40; ++i) bulk.push_back("u" + std::to_string(i));
  bulk.push_back("drlee");  // already holds it: not changed, not recorded
  auto assigned = store->assign_selected("admin", kMessagesRole, bulk);
  ASSERT_TRUE(assigned) << assigned.status();
  EXPECT_EQ(assigned->changed, 40u);
  records = role_records(*log);
  ASSERT_EQ(records.size(), 41u);
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i].target, "user:u" + std::to_string(i - 1));
    EXPECT_EQ(records[i].sequence, records[i - 1].sequence + 1);  // one plugin transaction, in order
  }
  ASSERT_TRUE(store->assign_selected("admin", kMessagesRole, bulk));  // idempotent
  EXPECT_EQ(role_records(*log).size(), 41u);

  auto removed = store->unassign_all("admin", kMessagesRole);
  ASSERT_TRUE(removed) << removed.status();
  records = role_records(*log);
  ASSERT_EQ(records.size(), 41u + removed->changed);
  EXPECT_EQ(records.back().action, "role.unassign");
  EXPECT_EQ(records.back().detail, "available_for_portal_messages: on -> off");
  auto verified = log->verify();
  ASSERT_TRUE(verified) << verified.status();
  EXPECT_TRUE(verified->ok);
}

// R-SEC-3: when the declaring plugin cannot record the change, the change is not made.
TEST_F(RealPluginTest, R_SEC_3_ARoleChangeThePluginCannotAuditIsNotMade) {
  Staff staff;
  auto store = role_store_for(*manager_, scratch_ / "data", staff);
  const std::size_t changes = store->changes()->size();
  manager_->shutdown();
  auto refused = store->set_role("admin", "drlee", kMessagesRole, true);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("could not audit the change"), std::string::npos)
      << refused.status();
  EXPECT_FALSE(*store->has_role("drlee", kMessagesRole));
  EXPECT_EQ(store->changes()->size(), changes);
}

}  // namespace
}  // namespace ehr::host
