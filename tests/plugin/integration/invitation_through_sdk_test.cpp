// Portal invitations as a host sends them (issue 5): the real module through the real host SDK's
// messaging channel wrapper; what the host is asked to deliver is branded and carries no PHI.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ehr/host/plugin_manager.hpp"
#include "support/practice_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

class InvitationThroughSdkTest : public ::testing::Test {
 protected:
  InvitationThroughSdkTest() {
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_user("gone", "Gus Gone", false, {});
    host_.add_location({"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "", false});
    host_.add_patient({"p1", "SENTINEL-PATIENT One", "north"}, {});
    host_.add_portal_user({"guard1", "Gail Guardian", "Gail", ehr::host::PortalUserKind::guardian, false},
                          {"p1"});
    manager_ = std::make_unique<ehr::host::PluginManager>(
        ehr::host::PluginManagerOptions{EHR_PLUGINS_DIR, data_.path(), {}, false, true}, host_);
    EXPECT_TRUE(manager_->discover().is_ok());
    auto channel = manager_->registry().channel("portal-messaging");
    EXPECT_TRUE(channel.is_ok()) << channel.status();
    if (channel) channel_ = std::make_unique<ehr::host::MessagingChannel>(*channel);
    auto pages = manager_->registry().settings_pages("portal-messaging");
    EXPECT_TRUE(pages.is_ok());
    if (pages) pages_ = std::make_unique<ehr::host::SettingsPages>(*pages);
  }

  ehr::portal::test::TempDir data_;
  ehr::host::testing::PracticeHost host_;
  std::unique_ptr<ehr::host::PluginManager> manager_;
  std::unique_ptr<ehr::host::MessagingChannel> channel_;
  std::unique_ptr<ehr::host::SettingsPages> pages_;
};

TEST_F(InvitationThroughSdkTest, R_BRAND_1_InvitationIsBrandedWithTheCompanyByDefault) {
  ASSERT_TRUE(channel_);
  ASSERT_TRUE(channel_->invite_portal_user({"admin", "guard1"}).is_ok());
  const auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, ehr::host::NotificationKind::portal_invitation);
  EXPECT_EQ(sent[0].recipient, ehr::host::Principal::portal_user("guard1"));
  EXPECT_EQ(sent[0].brand_name, "Riverside Health");
  EXPECT_NE(sent[0].text.find("Hello Gail"), std::string::npos) << sent[0].text;
  EXPECT_NE(sent[0].text.find("https://portal.example"), std::string::npos) << sent[0].text;
  EXPECT_EQ(sent[0].text.find("SENTINEL"), std::string::npos);  // R-BRAND-4
}

TEST_F(InvitationThroughSdkTest, R_BRAND_2_R_BRAND_3_LocationBrandWithItsAlias) {
  ASSERT_TRUE(channel_ && pages_);
  ASSERT_TRUE(pages_->save_page("admin", "north", {{"my_messages", "on"}, {"use_location_information", "on"}})
                  .is_ok());
  ASSERT_TRUE(channel_->invite_portal_user({"admin", "guard1"}).is_ok());
  ASSERT_EQ(host_.notifications().size(), 1u);
  EXPECT_EQ(host_.notifications()[0].brand_name, "Northside");
}

TEST_F(InvitationThroughSdkTest, RefusalsNameTheirCauseAndSendNothing) {
  ASSERT_TRUE(channel_);
  EXPECT_EQ(channel_->invite_portal_user({"gone", "guard1"}).code(), EHR_STATUS_FORBIDDEN);
  auto unknown = channel_->invite_portal_user({"admin", "nobody"});
  EXPECT_EQ(unknown.code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(unknown.message().find("nobody"), std::string::npos);
  ASSERT_TRUE(manager_->disable("portal-messaging").is_ok());
  EXPECT_EQ(channel_->invite_portal_user({"admin", "guard1"}).code(), EHR_STATUS_DISABLED);
  EXPECT_TRUE(host_.notifications().empty());
}

}  // namespace
}  // namespace ehr::portal
