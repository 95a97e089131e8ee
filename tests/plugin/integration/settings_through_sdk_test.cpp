// Portal Settings as a host admin uses them: the real portal_messaging module loaded by the real
// host SDK (PluginManager: manifest, SHA-256, negotiation, init), driven through the SDK's C++
// wrappers over the C tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ehr/host/plugin_manager.hpp"
#include "support/practice_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

using ehr::host::PluginManager;
using ehr::host::SettingValue;

constexpr const char* kPlugin = "portal-messaging";

class SettingsThroughSdkTest : public ::testing::Test {
 protected:
  SettingsThroughSdkTest() {
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_user("clerk", "Carl Clerk", true, {"available_for_portal_messages"});
    host_.add_location({"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "", false});
    host_.add_location({"south", "South Clinic", "", "3 South Rd", "555-0102", "", false});
    start();
  }

  void start() {
    manager_ = std::make_unique<PluginManager>(
        ehr::host::PluginManagerOptions{EHR_PLUGINS_DIR, data_.path(), {}, false, true}, host_);
    EXPECT_TRUE(manager_->discover().is_ok());
    auto info = manager_->info(kPlugin);
    ASSERT_TRUE(info.is_ok()) << info.status();
    ASSERT_EQ(info->state, ehr::host::PluginState::enabled) << info->failure;
    auto pages = manager_->registry().settings_pages(kPlugin);
    ASSERT_TRUE(pages.is_ok()) << pages.status();
    pages_ = std::make_unique<ehr::host::SettingsPages>(*pages);
  }

  std::map<std::string, std::string> values(const std::string& location) {
    std::map<std::string, std::string> out;
    auto page = pages_->describe_page("admin", location);
    EXPECT_TRUE(page.is_ok()) << page.status();
    if (page) {
      for (const auto& field : page->fields) out[field.key] = field.value;
    }
    return out;
  }

  std::map<std::string, ehr::host::EffectiveSetting> effective(const std::string& location) {
    std::map<std::string, ehr::host::EffectiveSetting> out;
    auto settings = pages_->effective(location);
    EXPECT_TRUE(settings.is_ok()) << settings.status();
    if (settings) {
      for (const auto& setting : *settings) out[setting.key] = setting;
    }
    return out;
  }

  ehr::portal::test::TempDir data_;
  ehr::host::testing::PracticeHost host_;
  std::unique_ptr<PluginManager> manager_;
  std::unique_ptr<ehr::host::SettingsPages> pages_;
};

TEST_F(SettingsThroughSdkTest, R_SET_7_GeneralPageComesFromTheSchema) {
  auto page = pages_->describe_page("admin", "");
  ASSERT_TRUE(page.is_ok()) << page.status();
  EXPECT_EQ(page->info.title, "Portal Settings: General");
  EXPECT_EQ(page->info.required_role, "manage_portal_settings");
  const auto* my_messages = page->find("my_messages");
  ASSERT_NE(my_messages, nullptr);
  EXPECT_EQ(my_messages->label, "My Messages");
  EXPECT_EQ(my_messages->type, ehr::host::FieldType::boolean);
  EXPECT_EQ(my_messages->value, "off");
  EXPECT_EQ(my_messages->section_title, "General");
  EXPECT_FALSE(my_messages->help.empty());
  const auto* audience = page->find("audience");
  ASSERT_NE(audience, nullptr);
  ASSERT_EQ(audience->choices.size(), 2u);
  EXPECT_EQ(audience->choices[0].label, "Care Team only");
  EXPECT_EQ(audience->choices[1].value, "selected_users");
  EXPECT_EQ(audience->default_value, "care_team_only");
  EXPECT_EQ(page->find("use_location_information"), nullptr);  // a location-only field
  const auto* template_field = page->find("new_message_text");
  ASSERT_NE(template_field, nullptr);
  EXPECT_EQ(template_field->section_title, "Notifications");
}

TEST_F(SettingsThroughSdkTest, R_SET_4_LocationPageShowsWhetherItFollowsGeneral) {
  auto page = pages_->describe_page("admin", "north");
  ASSERT_TRUE(page.is_ok()) << page.status();
  EXPECT_TRUE(page->info.follows_general);
  EXPECT_EQ(page->info.location_id, "north");
  ASSERT_NE(page->find("use_location_information"), nullptr);
  EXPECT_EQ(page->find("use_location_information")->label, "Use Location Information");
  ASSERT_TRUE(pages_->save_page("admin", "north", {{"my_messages", "on"}}).is_ok());
  EXPECT_FALSE(pages_->describe_page("admin", "north")->info.follows_general);
}

TEST_F(SettingsThroughSdkTest, R_SET_1_WithoutTheRoleForbiddenAndNothingChanges) {
  const auto before = values("");
  auto page = pages_->describe_page("clerk", "");
  EXPECT_EQ(page.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_NE(page.status().message().find("Manage Portal Settings"), std::string::npos) << page.status();
  EXPECT_EQ(pages_->save_page("clerk", "", {{"my_messages", "on"}}).code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(pages_->save_page("nobody", "north", {{"my_messages", "on"}}).code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(pages_->reset_location("clerk", "north").code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(values(""), before);
  EXPECT_TRUE(pages_->describe_page("admin", "north")->info.follows_general);
  // Granting the role takes effect on the next call: nothing is cached in the plugin.
  host_.set_role("clerk", "manage_portal_settings", true);
  EXPECT_TRUE(pages_->save_page("clerk", "", {{"my_messages", "on"}}).is_ok());
}

TEST_F(SettingsThroughSdkTest, R_SET_6_BadInputNamesTheFieldAndSavesNothing) {
  const auto before = values("");
  struct Case {
    std::vector<SettingValue> values;
    std::string field;
  };
  const Case cases[] = {
      {{{"my_messages", "on"}, {"colour", "blue"}}, "colour"},                        // unknown key
      {{{"audience", "selected_users"}, {"my_messages", "perhaps"}}, "my_messages"},  // wrong type
      {{{"my_messages", "on"}, {"audience", "everyone"}}, "audience"},                // out-of-range choice
      {{{"my_messages", "on"}, {"use_location_information", "on"}}, "use_location_information"},
      {{{"my_messages", "on"}, {"new_message_text", "{{message_body}}"}}, "new_message_text"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    auto status = pages_->save_page("admin", "", c.values);
    EXPECT_EQ(status.code(), EHR_STATUS_INVALID_ARGUMENT) << status;
    EXPECT_EQ(status.field(), c.field) << status;
    EXPECT_NE(status.message().find(c.field), std::string::npos) << status;
  }
  EXPECT_EQ(values(""), before);
}

TEST_F(SettingsThroughSdkTest, R_SET_2_BooleansAsPeopleWriteThem) {
  ASSERT_TRUE(pages_->save_page("admin", "", {{"my_messages", "true"}}).is_ok());
  EXPECT_EQ(values("")["my_messages"], "on");
  ASSERT_TRUE(pages_->save_page("admin", "", {{"my_messages", "off"}}).is_ok());
  EXPECT_EQ(values("")["my_messages"], "off");
}

TEST_F(SettingsThroughSdkTest, R_SET_3_R_SET_5_EffectiveSettingsSayWhereEachValueComesFrom) {
  ASSERT_TRUE(pages_->save_page("admin", "north", {{"my_messages", "on"}}).is_ok());
  auto general = effective("");
  EXPECT_EQ(general["my_messages"].value, "off");
  EXPECT_TRUE(general["my_messages"].from_default);
  auto north = effective("north");
  EXPECT_EQ(north["my_messages"].value, "on");
  EXPECT_EQ(north["my_messages"].source_location_id, "north");
  auto south = effective("south");
  EXPECT_EQ(south["my_messages"].value, "off");
  EXPECT_EQ(south["my_messages"].source_location_id, "");
  auto unknown = pages_->effective("west");
  EXPECT_EQ(unknown.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(unknown.status().message().find("west"), std::string::npos);
}

TEST_F(SettingsThroughSdkTest, R_SET_4_ResetFollowsGeneralAgain) {
  ASSERT_TRUE(pages_->save_page("admin", "", {{"audience", "selected_users"}}).is_ok());
  ASSERT_TRUE(pages_->save_page("admin", "south", {{"audience", "care_team_only"}}).is_ok());
  EXPECT_EQ(effective("south")["audience"].value, "care_team_only");
  ASSERT_TRUE(pages_->reset_location("admin", "south").is_ok());
  EXPECT_EQ(effective("south")["audience"].value, "selected_users");
  EXPECT_TRUE(pages_->describe_page("admin", "south")->info.follows_general);
}

TEST_F(SettingsThroughSdkTest, R_SET_6_ChangesAreAuditedInTheChainAndMirroredToTheHost) {
  ASSERT_TRUE(
      pages_->save_page("admin", "", {{"my_messages", "on"}, {"audience", "selected_users"}}).is_ok());
  auto audit = manager_->registry().audit_log(kPlugin);
  ASSERT_TRUE(audit.is_ok()) << audit.status();
  auto records = audit->list();
  ASSERT_TRUE(records.is_ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].actor, ehr::host::Principal::staff("admin"));
  EXPECT_EQ((*records)[0].action, "settings.change");
  EXPECT_EQ((*records)[0].target, "general/my_messages");
  EXPECT_EQ((*records)[0].detail, "my_messages: off -> on");
  EXPECT_GT((*records)[0].at_unix_ms, 0);
  auto verification = audit->verify();
  ASSERT_TRUE(verification.is_ok());
  EXPECT_TRUE(verification->ok);
  EXPECT_EQ(verification->records_checked, 2u);
  const auto mirrored = host_.audit_events();
  ASSERT_EQ(mirrored.size(), 3u);  // and the checkpoint verify took of the verified chain (R-SEC-3)
  EXPECT_EQ(mirrored[1].hash, (*records)[1].hash);
  EXPECT_EQ(mirrored[2].action, "audit.checkpoint");
}

TEST_F(SettingsThroughSdkTest, R_HOOK_1_SettingsChangedHookHearsEachChangeAfterItIsSaved) {
  auto hooks = manager_->registry().hooks(kPlugin);
  ASSERT_TRUE(hooks.is_ok()) << hooks.status();
  std::vector<std::string> heard;
  auto registration =
      hooks->add(ehr::host::HookPoint::settings_changed, [&](const ehr::host::HookEvent& event) {
        heard.push_back(event.location_id + "/" + event.setting_key + ": " + event.old_value + " -> " +
                        event.new_value);
        return ehr::host::Status::internal("a failing integrator hook changes nothing");
      });
  ASSERT_TRUE(registration.is_ok()) << registration.status();
  ASSERT_TRUE(pages_->save_page("admin", "north", {{"my_messages", "on"}}).is_ok());
  EXPECT_EQ(heard, std::vector<std::string>{"north/my_messages: off -> on"});
  EXPECT_EQ(effective("north")["my_messages"].value, "on");
}

TEST_F(SettingsThroughSdkTest, SavedSettingsSurviveARestartAndADisabledPluginStaysConfigurable) {
  ASSERT_TRUE(pages_->save_page("admin", "north", {{"my_messages", "on"}}).is_ok());
  ASSERT_TRUE(manager_->disable(kPlugin).is_ok());
  EXPECT_TRUE(pages_->save_page("admin", "", {{"audience", "selected_users"}}).is_ok());
  pages_.reset();
  manager_->shutdown();
  manager_.reset();
  host_.add_user("admin2", "Second Admin", true, {"manage_portal_settings"});
  manager_ = std::make_unique<PluginManager>(
      ehr::host::PluginManagerOptions{EHR_PLUGINS_DIR, data_.path(), {}, false, true}, host_);
  ASSERT_TRUE(manager_->discover().is_ok());
  auto pages = manager_->registry().settings_pages(kPlugin);
  ASSERT_TRUE(pages.is_ok()) << pages.status();
  auto north = pages->effective("north");
  ASSERT_TRUE(north.is_ok());
  auto it = std::find_if(north->begin(), north->end(), [](const auto& s) { return s.key == "my_messages"; });
  ASSERT_NE(it, north->end());
  EXPECT_EQ(it->value, "on");
  auto general = pages->effective("");
  auto audience =
      std::find_if(general->begin(), general->end(), [](const auto& s) { return s.key == "audience"; });
  EXPECT_EQ(audience->value, "selected_users");
}

}  // namespace
}  // namespace ehr::portal
