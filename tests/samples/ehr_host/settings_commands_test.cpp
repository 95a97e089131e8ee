// ehr-host settings ...: Portal Settings through the real plugin (R-SET-1 .. R-SET-6).
#include <gtest/gtest.h>

#include <map>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

std::string field_value(const nlohmann::json& page, const std::string& key) {
  for (const auto& field : page["fields"]) {
    if (field["key"] == key) return field["value"].get<std::string>();
  }
  ADD_FAILURE() << "no field " << key << " on " << page.dump();
  return {};
}

// location -> key -> {value, source}
std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> effective(
    const EhrHost& host) {
  std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>> out;
  const nlohmann::json answer = host.ok_json({"settings", "effective", "--as", "admin"});
  for (const auto& scope : answer["effective"]) {
    for (const auto& setting : scope["settings"]) {
      out[scope["location"].get<std::string>()][setting["key"].get<std::string>()] = {
          setting["value"].get<std::string>(), setting["source"].get<std::string>()};
    }
  }
  return out;
}

TEST(SettingsCommands, GeneralPageShowsTogglesAndTheChosenOption) {  // R-SET-2, R-SET-7
  EhrHost host;
  const Outcome page = host.ok({"settings", "show", "--as", "admin", "--general"});
  EXPECT_NE(page.out.find("My Messages"), std::string::npos) << page.out;
  EXPECT_NE(page.out.find("(off)"), std::string::npos) << page.out;
  EXPECT_NE(page.out.find("[Care Team only v]"), std::string::npos) << page.out;
  EXPECT_NE(page.out.find("Selected users"), std::string::npos) << page.out;
  const auto json = host.ok_json({"settings", "show", "--as", "admin", "--general"});
  EXPECT_EQ(field_value(json, "my_messages"), "off");
  EXPECT_EQ(field_value(json, "audience"), "care_team_only");
  EXPECT_EQ(json["required_role"], "manage_portal_settings");
}

TEST(SettingsCommands, WithoutTheRoleSettingsAreForbiddenAndNothingChanges) {  // R-SET-1
  EhrHost host;
  const Outcome show = host.run({"settings", "show", "--as", "drlee", "--general"});
  EXPECT_EQ(show.exit_code, 3);
  EXPECT_NE(show.err.find("drlee' may not open Portal Settings"), std::string::npos) << show.err;
  const Outcome set = host.json({"settings", "set", "--as", "frontdesk", "--general", "my_messages=on"});
  EXPECT_EQ(set.exit_code, 3);
  EXPECT_EQ(set.json()["error"]["status"], "forbidden");
  EXPECT_EQ(effective(host)[""]["my_messages"].first, "off");
}

TEST(SettingsCommands, SetSavesAndAnswersWithTheNewPage) {
  EhrHost host;
  const auto page = host.ok_json(
      {"settings", "set", "--as", "admin", "--general", "my_messages=on", "audience=selected_users"});
  EXPECT_EQ(field_value(page, "my_messages"), "on");
  EXPECT_EQ(field_value(page, "audience"), "selected_users");
  // A manager of portal settings who does not manage users may save too.
  host.ok({"settings", "set", "--as", "officemgr", "--general", "audience=care_team_only"});
  EXPECT_EQ(effective(host)[""]["audience"].first, "care_team_only");
}

TEST(SettingsCommands, BadValueIsRefusedNamingTheFieldAndNothingIsSaved) {  // R-SET-6
  EhrHost host;
  const Outcome run =
      host.json({"settings", "set", "--as", "admin", "--general", "my_messages=on", "audience=everyone"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("audience"), std::string::npos) << run.err;
  EXPECT_EQ(run.json()["error"]["field"], "audience");
  EXPECT_EQ(effective(host)[""]["my_messages"].first, "off");  // the valid half was not saved either

  const Outcome unknown = host.json({"settings", "set", "--as", "admin", "--general", "colour=blue"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_EQ(unknown.json()["error"]["field"], "colour");
}

TEST(SettingsCommands, LocationGetsItsOwnSettingsAndCanFollowGeneralAgain) {  // R-SET-3, R-SET-4
  EhrHost host;
  EXPECT_TRUE(host.ok_json({"settings", "show", "--as", "admin", "--location", "south"})["follows_general"]
                  .get<bool>());
  EXPECT_NE(host.ok({"settings", "show", "--as", "admin", "--location", "south"}).out.find("follows General"),
            std::string::npos);
  host.ok({"settings", "set", "--as", "admin", "--location", "south", "my_messages=on",
           "audience=selected_users"});
  const auto page = host.ok_json({"settings", "show", "--as", "admin", "--location", "south"});
  EXPECT_FALSE(page["follows_general"].get<bool>());
  EXPECT_EQ(field_value(page, "audience"), "selected_users");

  auto in_force = effective(host);
  EXPECT_EQ(in_force["south"]["my_messages"].first, "on");
  EXPECT_EQ(in_force["south"]["my_messages"].second, "own settings");
  EXPECT_EQ(in_force["north"]["my_messages"].first, "off");
  EXPECT_NE(in_force["north"]["my_messages"].second, "own settings");

  const Outcome reset = host.ok({"settings", "reset", "--as", "admin", "--location", "south"});
  EXPECT_NE(reset.out.find("follows General again"), std::string::npos) << reset.out;
  in_force = effective(host);
  EXPECT_EQ(in_force["south"]["my_messages"].first, "off");
  EXPECT_NE(in_force["south"]["my_messages"].second, "own settings");
}

TEST(SettingsCommands, GeneralOffWithOneLocationOn) {  // R-SET-5
  EhrHost host;
  host.ok({"settings", "set", "--as", "admin", "--location", "east", "my_messages=on"});
  auto in_force = effective(host);
  EXPECT_EQ(in_force[""]["my_messages"].first, "off");
  EXPECT_EQ(in_force["east"]["my_messages"].first, "on");
  EXPECT_EQ(in_force["north"]["my_messages"].first, "off");
}

TEST(SettingsCommands, UnknownLocationIsNotFound) {
  EhrHost host;
  const Outcome run = host.run({"settings", "show", "--as", "admin", "--location", "west"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("unknown location 'west'"), std::string::npos) << run.err;
}

TEST(SettingsCommands, SingleInstanceHasGeneralOnly) {
  EhrHost host;
  host.practice_file = source_directory() / "samples" / "practice" / "single-clinic.xml";
  const auto in_force = host.ok_json({"settings", "effective", "--as", "admin"})["effective"];
  ASSERT_EQ(in_force.size(), 1u);
  EXPECT_EQ(in_force[0]["location"], "");
  const Outcome run = host.run({"settings", "show", "--as", "admin", "--location", "north"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("single instance"), std::string::npos) << run.err;
}

TEST(SettingsCommands, UseLocationInformationIsOnLocationPagesOnly) {  // R-SET-4
  EhrHost host;
  const auto general = host.ok_json({"settings", "show", "--as", "admin", "--general"});
  for (const auto& field : general["fields"]) EXPECT_NE(field["key"], "use_location_information");
  const auto north = host.ok_json(
      {"settings", "set", "--as", "admin", "--location", "north", "use_location_information=on"});
  EXPECT_EQ(field_value(north, "use_location_information"), "on");
}

}  // namespace
}  // namespace ehr::sample::cli_test
