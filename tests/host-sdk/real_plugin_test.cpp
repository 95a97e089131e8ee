// Integration: the real portal_messaging.so, as the build lays it out in ${CMAKE_BINARY_DIR}/plugins,
// loaded through the real PluginManager and used through the SDK's C++ wrappers.
#include <gtest/gtest.h>

#include "ehr/host/plugin_manager.hpp"
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

}  // namespace
}  // namespace ehr::host
