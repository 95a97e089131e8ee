// SettingsPages over the fixture plugin's settings table.
#include "ehr/host/settings_pages.hpp"

#include <gtest/gtest.h>

#include "support/good_plugin.hpp"

namespace ehr::host {
namespace {

class SettingsPagesTest : public ::testing::Test {
 protected:
  SettingsPages pages() { return *plugin_.registry().settings_pages("fixture-good"); }
  testing::GoodPlugin plugin_;
};

TEST_F(SettingsPagesTest, DescribesAPageWithItsFieldsAndChoices) {
  auto page = pages().describe_page("admin", "");
  ASSERT_TRUE(page) << page.status();
  EXPECT_EQ(page->info.title, "Fixture: General");
  EXPECT_EQ(page->info.required_role, "fixture_role");
  EXPECT_FALSE(page->info.follows_general);
  ASSERT_EQ(page->fields.size(), 2u);
  const Field* color = page->find("color");
  ASSERT_NE(color, nullptr);
  EXPECT_EQ(color->type, FieldType::choice);
  ASSERT_EQ(color->choices.size(), 2u);
  EXPECT_EQ(color->choices[1].value, "blue");
  EXPECT_EQ(color->choices[1].label, "Blue");
  EXPECT_EQ(color->value, "red");
  EXPECT_EQ(page->find("nope"), nullptr);
}

TEST_F(SettingsPagesTest, SavesAndShowsTheNewValues) {
  ASSERT_TRUE(pages().save_page("admin", "north", {{"my_flag", "on"}, {"color", "blue"}}));
  auto page = pages().describe_page("admin", "north");
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->info.follows_general);
  EXPECT_EQ(page->find("my_flag")->value, "on");
  auto effective = pages().effective("north");
  ASSERT_TRUE(effective) << effective.status();
  ASSERT_EQ(effective->size(), 2u);
  EXPECT_EQ((*effective)[0].key, "my_flag");
  EXPECT_EQ((*effective)[0].value, "on");
  EXPECT_EQ((*effective)[0].source_location_id, "north");
  ASSERT_TRUE(pages().reset_location("admin", "north"));
  EXPECT_TRUE(pages().describe_page("admin", "north")->info.follows_general);
}

TEST_F(SettingsPagesTest, ABadValueComesBackNamingTheField) {
  Status refused = pages().save_page("admin", "", {{"my_flag", "on"}, {"color", "green"}});
  EXPECT_EQ(refused.code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(refused.field(), "color");
  EXPECT_EQ(pages().describe_page("admin", "")->find("my_flag")->value, "off") << "nothing saved";
}

TEST_F(SettingsPagesTest, ForbiddenComesBackAsForbidden) {
  EXPECT_EQ(pages().describe_page("drlee", "").status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(pages().save_page("drlee", "", {{"my_flag", "on"}}).code(), EHR_STATUS_FORBIDDEN);
}

TEST_F(SettingsPagesTest, ADisabledPluginCanStillBeConfigured) {
  ASSERT_TRUE(plugin_.manager().disable("fixture-good"));
  EXPECT_TRUE(pages().save_page("admin", "", {{"my_flag", "on"}}));
}

}  // namespace
}  // namespace ehr::host
