#include "settings/settings_service.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/error.hpp"
#include "common/storage.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "storage/transaction.hpp"
#include "support/test_host.hpp"
#include "support/test_store.hpp"

namespace ehr::portal {
namespace {

class SettingsServiceTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  SettingsServiceTest() {
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_user("clerk", "Carl Clerk", true, {"available_for_portal_messages"});
    host_.add_user("former", "Fay Former", false, {"manage_portal_settings"});
    host_.add_location({"north", "North Clinic", "", "2 North Rd", "555-0101", "", false});
    host_.add_location({"south", "South Clinic", "Southside", "3 South Rd", "555-0102", "", false});
  }

  std::map<std::string, std::string> page_values(const std::string& location) {
    std::map<std::string, std::string> values;
    for (const auto& field : settings_.describe_page("admin", location).fields)
      values[field.spec->key] = field.value;
    return values;
  }

  std::map<std::string, std::string> effective_values(const std::string& location) {
    std::map<std::string, std::string> values;
    for (const auto& setting : settings_.effective_settings(location)) values[setting.key] = setting.value;
    return values;
  }

  static std::string refusal(const std::function<void()>& action, ehr_status expected) {
    try {
      action();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), expected) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "the call was not refused";
    return {};
  }

  test::TestHost host_;
  HostClient client_{host_.table()};
  test::TestStore db_{GetParam()};
  SettingsSchema schema_ = SettingsSchema::load_file(PORTAL_SETTINGS_SCHEMA);
  AuditLog audit_{*db_, client_};
  HookRegistry hooks_{client_};
  SettingsService settings_{schema_, *db_, client_, audit_, hooks_};
};

TEST_P(SettingsServiceTest, R_SET_1_HolderOfManagePortalSettingsOpensAndSaves) {
  auto page = settings_.describe_page("admin", "");
  EXPECT_EQ(page.required_role, "manage_portal_settings");
  settings_.save_page("admin", "", {{"my_messages", "on"}});
  EXPECT_EQ(page_values("")["my_messages"], "on");
}

TEST_P(SettingsServiceTest, R_SET_1_OthersAreForbiddenAndNothingChanges) {
  settings_.save_page("admin", "north", {{"my_messages", "on"}});
  const auto general_before = effective_values("");
  const auto north_before = effective_values("north");
  const auto audit_before = audit_.list().size();
  for (const char* actor : {"clerk", "former", "stranger", ""}) {
    SCOPED_TRACE(actor);
    auto message = refusal([&] { (void)settings_.describe_page(actor, ""); }, EHR_STATUS_FORBIDDEN);
    EXPECT_NE(message.find("Portal Settings"), std::string::npos) << message;
    refusal([&] { settings_.save_page(actor, "", {{"my_messages", "on"}}); }, EHR_STATUS_FORBIDDEN);
    refusal([&] { settings_.save_page(actor, "south", {{"my_messages", "on"}}); }, EHR_STATUS_FORBIDDEN);
    refusal([&] { settings_.reset_location(actor, "north"); }, EHR_STATUS_FORBIDDEN);
  }
  EXPECT_EQ(effective_values(""), general_before);
  EXPECT_EQ(effective_values("north"), north_before);
  EXPECT_TRUE(settings_.describe_page("admin", "south").follows_general);
  // The refused attempts are on record, each as forbidden.
  const auto records = audit_.list();
  ASSERT_EQ(records.size(), audit_before + 12);
  for (size_t i = audit_before; i < records.size(); ++i) EXPECT_EQ(records[i].entry.outcome, "forbidden");
}

TEST_P(SettingsServiceTest, R_SET_1_RoleIsAskedOnEveryCallSoRemovalTakesEffectAtOnce) {
  (void)settings_.describe_page("admin", "");
  const int checks = host_.role_checks();
  host_.set_role("admin", "manage_portal_settings", false);
  refusal([&] { settings_.save_page("admin", "", {{"my_messages", "on"}}); }, EHR_STATUS_FORBIDDEN);
  EXPECT_GT(host_.role_checks(), checks);
  EXPECT_EQ(effective_values("")["my_messages"], "off");
}

TEST_P(SettingsServiceTest, R_SET_2_GeneralDefaultsAreOffAndCareTeamOnly) {
  auto settings = settings_.effective_settings("");
  for (const auto& setting : settings) EXPECT_TRUE(setting.from_default) << setting.key;
  EXPECT_EQ(effective_values("")["my_messages"], "off");
  EXPECT_EQ(effective_values("")["audience"], "care_team_only");
  auto effective = settings_.effective("");
  EXPECT_FALSE(effective.my_messages);
  EXPECT_EQ(effective.audience, Audience::care_team_only);
}

TEST_P(SettingsServiceTest, R_SET_2_PeopleWriteBooleansOnOffTrueFalse) {
  settings_.save_page("admin", "", {{"my_messages", "true"}, {"audience", "selected_users"}});
  EXPECT_TRUE(settings_.effective("").my_messages);
  EXPECT_EQ(settings_.effective("").audience, Audience::selected_users);
  EXPECT_EQ(page_values("")["my_messages"], "on");
  settings_.save_page("admin", "", {{"my_messages", "OFF"}});
  EXPECT_FALSE(settings_.effective("").my_messages);
  EXPECT_EQ(settings_.effective("").audience, Audience::selected_users);  // not submitted: unchanged
}

TEST_P(SettingsServiceTest, R_SET_3_LocationsWithoutOwnSettingsFollowGeneral) {
  settings_.save_page("admin", "", {{"my_messages", "on"}, {"audience", "selected_users"}});
  for (const char* location : {"north", "south"}) {
    auto effective = settings_.effective(location);
    EXPECT_TRUE(effective.my_messages) << location;
    EXPECT_EQ(effective.audience, Audience::selected_users);
    EXPECT_EQ(effective.source_location_id, "");
    EXPECT_TRUE(settings_.describe_page("admin", location).follows_general);
  }
}

TEST_P(SettingsServiceTest, R_SET_4_SavedLocationSettingsWinOverGeneral) {
  settings_.save_page("admin", "", {{"my_messages", "on"}});
  settings_.save_page("admin", "north", {{"my_messages", "off"}, {"use_location_information", "on"}});
  auto north = settings_.effective("north");
  EXPECT_FALSE(north.my_messages);
  EXPECT_TRUE(north.use_location_information);
  EXPECT_EQ(north.source_location_id, "north");
  EXPECT_FALSE(settings_.describe_page("admin", "north").follows_general);
  EXPECT_TRUE(settings_.effective("south").my_messages);
  // Later General changes no longer reach a location with its own settings.
  settings_.save_page("admin", "", {{"audience", "selected_users"}});
  EXPECT_EQ(settings_.effective("north").audience, Audience::care_team_only);
  EXPECT_EQ(settings_.effective("south").audience, Audience::selected_users);
}

TEST_P(SettingsServiceTest, R_SET_4_FieldsNotSubmittedKeepTheirEffectiveValue) {
  settings_.save_page("admin", "", {{"my_messages", "on"}, {"audience", "selected_users"}});
  settings_.save_page("admin", "north", {{"use_location_information", "on"}});
  EXPECT_EQ(effective_values("north"),
            (std::map<std::string, std::string>{
                {"my_messages", "on"}, {"audience", "selected_users"}, {"use_location_information", "on"}}));
  for (const auto& setting : settings_.effective_settings("north"))
    EXPECT_EQ(setting.source_location_id, "north");
}

TEST_P(SettingsServiceTest, R_SET_4_ResetMakesALocationFollowGeneralAgain) {
  settings_.save_page("admin", "", {{"my_messages", "on"}});
  settings_.save_page("admin", "north", {{"my_messages", "off"}, {"use_location_information", "on"}});
  auto changes = settings_.reset_location("admin", "north");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_TRUE(settings_.describe_page("admin", "north").follows_general);
  EXPECT_TRUE(settings_.effective("north").my_messages);
  EXPECT_FALSE(settings_.effective("north").use_location_information);
  EXPECT_TRUE(settings_.reset_location("admin", "north").empty());  // already follows General
}

TEST_P(SettingsServiceTest, R_SET_5_GeneralOffWithOneLocationOn) {
  settings_.save_page("admin", "north", {{"my_messages", "on"}});
  EXPECT_FALSE(settings_.effective("").my_messages);
  EXPECT_TRUE(settings_.effective("north").my_messages);
  EXPECT_FALSE(settings_.effective("south").my_messages);
}

TEST_P(SettingsServiceTest, R_SET_6_UnknownKeyIsRefusedByNameAndNothingIsSaved) {
  auto message = refusal(
      [&] {
        settings_.save_page("admin", "", {{"my_messages", "on"}, {"colour", "blue"}});
      },
      EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("'colour'"), std::string::npos) << message;
  EXPECT_FALSE(settings_.effective("").my_messages);
  // A location-only field is unknown on the General page.
  message = refusal(
      [&] {
        settings_.save_page("admin", "", {{"use_location_information", "on"}});
      },
      EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("use_location_information"), std::string::npos) << message;
}

TEST_P(SettingsServiceTest, R_SET_6_WrongTypeIsRefusedByNameAndNothingIsSaved) {
  try {
    settings_.save_page("admin", "north", {{"audience", "selected_users"}, {"my_messages", "maybe"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(e.field(), "my_messages");
    EXPECT_NE(std::string(e.what()).find("maybe"), std::string::npos);
  }
  EXPECT_TRUE(settings_.describe_page("admin", "north").follows_general);
  EXPECT_EQ(settings_.effective("north").audience, Audience::care_team_only);
}

TEST_P(SettingsServiceTest, R_SET_6_OutOfRangeChoiceIsRefusedByName) {
  try {
    settings_.save_page("admin", "", {{"my_messages", "on"}, {"audience", "everyone"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "audience");
    EXPECT_NE(std::string(e.what()).find("care_team_only"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(settings_.effective("").my_messages);
}

TEST_P(SettingsServiceTest, R_SET_6_EveryChangeIsAuditedWithWhoScopeFieldOldNewWhen) {
  host_.set_now(1'800'000'000'000);
  settings_.save_page("admin", "", {{"my_messages", "on"}, {"audience", "care_team_only"}});
  auto records = audit_.list();
  ASSERT_EQ(records.size(), 1u);  // audience did not change
  EXPECT_EQ(records[0].entry.actor, Principal::staff("admin"));
  EXPECT_EQ(records[0].entry.action, "settings.change");
  EXPECT_EQ(records[0].entry.target, "general/my_messages");
  EXPECT_EQ(records[0].entry.detail, "my_messages: off -> on");
  EXPECT_EQ(records[0].at_unix_ms, 1'800'000'000'000);
  settings_.save_page("admin", "north", {{"audience", "selected_users"}});
  records = audit_.list();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].entry.action, "settings.own");
  EXPECT_EQ(records[2].entry.target, "location:north/audience");
  EXPECT_EQ(records[2].entry.detail, "audience: care_team_only -> selected_users");
  EXPECT_TRUE(audit_.verify().ok);
}

TEST_P(SettingsServiceTest, R_SET_7_PagesAreGeneratedFromTheSchema) {
  for (const char* location : {"", "north"}) {
    const SettingScope scope = *location == '\0' ? SettingScope::general : SettingScope::location;
    auto page = settings_.describe_page("admin", location);
    EXPECT_EQ(page.section, &schema_.section(scope));
    auto fields = schema_.fields(scope);
    ASSERT_EQ(page.fields.size(), fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      EXPECT_EQ(page.fields[i].spec, fields[i]);
      EXPECT_EQ(page.fields[i].value, fields[i]->default_value);
    }
  }
  EXPECT_EQ(settings_.describe_page("admin", "").title, "Portal Settings: General");
  EXPECT_EQ(settings_.describe_page("admin", "north").title,
            "Portal Settings: Location Settings - North Clinic");
}

TEST_P(SettingsServiceTest, R_SET_7_GeneralPageShowsEachFieldInItsSection) {
  auto page = settings_.describe_page("admin", "");
  ASSERT_FALSE(page.fields.empty());
  EXPECT_EQ(page.fields.front().section->title, "General");
  EXPECT_EQ(page.fields.back().section->title, "Notifications");
}

TEST_P(SettingsServiceTest, R_SET_6_TemplateWithUnknownPlaceholderIsRefusedAndNothingSaved) {
  const auto before = effective_values("");
  try {
    settings_.save_page("admin", "", {{"my_messages", "on"}, {"new_message_text", "About {{patient_name}}"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "new_message_text");
  }
  EXPECT_EQ(effective_values(""), before);
  settings_.save_page("admin", "", {{"new_message_subject", "Message waiting at {{brand_name}}"}});
  EXPECT_EQ(effective_values("")["new_message_subject"], "Message waiting at {{brand_name}}");
}

TEST_P(SettingsServiceTest, UnknownLocationIsNamed) {
  for (auto action :
       std::vector<std::function<void()>>{[&] { (void)settings_.describe_page("admin", "west"); },
                                          [&] {
                                            settings_.save_page("admin", "west", {{"my_messages", "on"}});
                                          },
                                          [&] { settings_.reset_location("admin", "west"); },
                                          [&] { (void)settings_.effective_settings("west"); }}) {
    EXPECT_NE(refusal(action, EHR_STATUS_NOT_FOUND).find("'west'"), std::string::npos);
  }
}

// The policy's per-check lookup does not ask the host for its location list (the admin pages
// check location ids): a location without settings of its own follows General.
TEST_P(SettingsServiceTest, R_SET_3_ChecksOfALocationWithoutOwnSettingsFollowGeneralWithoutAskingTheHost) {
  settings_.save_page("admin", "", {{"my_messages", "on"}, {"audience", "selected_users"}});
  const PortalSettings west = settings_.effective("west");
  EXPECT_TRUE(west.my_messages);
  EXPECT_EQ(west.audience, Audience::selected_users);
  EXPECT_TRUE(west.source_location_id.empty());
}

TEST_P(SettingsServiceTest, R_SET_4_SavesAndResetsReplaceWhatChecksSeeAtOnce) {
  EXPECT_FALSE(settings_.effective("north").my_messages);
  settings_.save_page("admin", "north", {{"my_messages", "on"}});
  EXPECT_TRUE(settings_.effective("north").my_messages);
  EXPECT_EQ(settings_.effective("north").source_location_id, "north");
  EXPECT_FALSE(settings_.effective("south").my_messages);
  settings_.reset_location("admin", "north");
  EXPECT_FALSE(settings_.effective("north").my_messages);
  EXPECT_TRUE(settings_.effective("north").source_location_id.empty());
}

TEST_P(SettingsServiceTest, R_SET_4_AChangeByAnotherConnectionIsDetectedInsideTheWritersTransaction) {
  const int64_t seen = settings_.effective("north").version;
  const std::unique_ptr<Store> other_db = db_.another();
  AuditLog other_audit(*other_db, client_);
  SettingsService other(schema_, *other_db, client_, other_audit, hooks_);
  other.save_page("admin", "north", {{"my_messages", "on"}});
  EXPECT_FALSE(settings_.effective("north").my_messages) << "served from this service's snapshot";
  {
    Transaction tx(*db_);
    EXPECT_FALSE(settings_.still_current(tx, seen));
  }
  EXPECT_TRUE(settings_.effective("north").my_messages) << "the stale snapshot was replaced";
  Transaction tx(*db_);
  EXPECT_TRUE(settings_.still_current(tx, settings_.effective("north").version));
}

TEST_P(SettingsServiceTest, GeneralCannotBeReset) {
  refusal([&] { settings_.reset_location("admin", ""); }, EHR_STATUS_INVALID_ARGUMENT);
}

class SettingsServiceSingleInstance : public ::testing::TestWithParam<test::Backend> {};

TEST_P(SettingsServiceSingleInstance,
       OnlyGeneralSettingsExist) {  // R-SET-3: a single instance has General only
  test::TestHost host;
  host.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
  HostClient client(host.table());
  test::TestStore db(GetParam());
  auto schema = SettingsSchema::load_file(PORTAL_SETTINGS_SCHEMA);
  AuditLog audit(*db, client);
  HookRegistry hooks(client);
  SettingsService settings(schema, *db, client, audit, hooks);
  settings.save_page("admin", "", {{"my_messages", "on"}});
  EXPECT_TRUE(settings.effective("").my_messages);
  try {
    settings.save_page("admin", "north", {{"my_messages", "on"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("single instance"), std::string::npos);
  }
}

TEST_P(SettingsServiceTest, SettingsChangedHooksRunAfterTheCommitAndCannotUndoIt) {  // R-HOOK-1
  std::vector<HookEvent> seen;
  hooks_.add(HookPoint::settings_changed, [&](const HookEvent& event) {
    // The change is already durable when the hook hears of it.
    seen.push_back(event);
    EXPECT_EQ(effective_values(event.location_id)[event.setting_key], event.new_value);
    return HookVerdict::accept();
  });
  hooks_.add(HookPoint::settings_changed,
             [](const HookEvent&) -> HookVerdict { throw std::runtime_error("boom"); });
  settings_.save_page("admin", "south", {{"my_messages", "on"}, {"use_location_information", "on"}});
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].location_id, "south");
  EXPECT_EQ(seen[0].setting_key, "my_messages");
  EXPECT_EQ(seen[0].old_value, "off");
  EXPECT_EQ(seen[0].new_value, "on");
  EXPECT_EQ(seen[0].actor, Principal::staff("admin"));
  EXPECT_TRUE(settings_.effective("south").my_messages);
  settings_.reset_location("admin", "south");
  EXPECT_EQ(seen.size(), 4u);
}

TEST_P(SettingsServiceTest, ConcurrentSavesAreEachAtomicAndAudited) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        settings_.save_page("admin", t % 2 ? "north" : "", {{"my_messages", (i + t) % 2 ? "on" : "off"}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_TRUE(audit_.verify().ok);
}

INSTANTIATE_TEST_SUITE_P(Backends, SettingsServiceTest, ::testing::ValuesIn(test::backends()),
                         test::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, SettingsServiceSingleInstance, ::testing::ValuesIn(test::backends()),
                         test::backend_name);

}  // namespace
}  // namespace ehr::portal
