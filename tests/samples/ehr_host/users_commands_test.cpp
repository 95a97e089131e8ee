// ehr-host users ...: the user page with the Patient Portal roles section (R-ROLE-1, R-ROLE-2, R-ROLE-4).
#include <gtest/gtest.h>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

bool has_role(const EhrHost& host, const std::string& user, const std::string& role) {
  const nlohmann::json answer = host.ok_json({"users", "show", user});
  for (const auto& held : answer["roles"]) {
    if (held == role) return true;
  }
  return false;
}

TEST(UsersCommands, ShowHasThePatientPortalRolesSectionWithCheckBoxes) {  // R-ROLE-1
  EhrHost host;
  const Outcome text = host.ok({"users", "show", "drlee"});
  EXPECT_NE(text.out.find("Patient Portal roles"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[x] Available for portal messages"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[ ] Manage Portal Settings"), std::string::npos) << text.out;

  const auto json = host.ok_json({"users", "show", "drlee"});
  bool found = false;
  for (const auto& section : json["sections"]) {
    if (section["title"] != "Patient Portal roles") continue;
    found = true;
    for (const auto& role : section["roles"]) {
      if (role["id"] == "available_for_portal_messages") {
        EXPECT_TRUE(role["assigned"].get<bool>());
      }
      if (role["id"] == "manage_portal_settings") {
        EXPECT_FALSE(role["assigned"].get<bool>());
      }
    }
  }
  EXPECT_TRUE(found) << json.dump(2);
}

TEST(UsersCommands, EditChecksAndUnchecksABox) {  // R-ROLE-2
  EhrHost host;
  EXPECT_FALSE(has_role(host, "drkim", "available_for_portal_messages"));
  const Outcome on =
      host.ok({"users", "edit", "drkim", "--as", "admin", "--set", "available_for_portal_messages=on"});
  EXPECT_NE(on.out.find("Changed"), std::string::npos) << on.out;
  EXPECT_TRUE(has_role(host, "drkim", "available_for_portal_messages"));
  const auto again =
      host.ok_json({"users", "edit", "drkim", "--as", "admin", "--set", "available_for_portal_messages=on"});
  EXPECT_FALSE(again["changes"][0]["changed"].get<bool>());
  host.ok({"users", "edit", "drkim", "--as", "admin", "--set", "available_for_portal_messages=off"});
  EXPECT_FALSE(has_role(host, "drkim", "available_for_portal_messages"));
}

TEST(UsersCommands, OnlyManageUsersHoldersMayEditAndNothingChanges) {  // R-ROLE-4
  EhrHost host;
  const Outcome run =
      host.run({"users", "edit", "drkim", "--as", "officemgr", "--set", "available_for_portal_messages=on"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("officemgr may not change role assignments"), std::string::npos) << run.err;
  EXPECT_FALSE(has_role(host, "drkim", "available_for_portal_messages"));
}

TEST(UsersCommands, UnknownUserOrRoleIsNamedAndNothingChanges) {
  EhrHost host;
  const Outcome user = host.run({"users", "show", "drwho"});
  EXPECT_EQ(user.exit_code, 4);
  EXPECT_NE(user.err.find("unknown user 'drwho'"), std::string::npos) << user.err;
  const Outcome role = host.run({"users", "edit", "drkim", "--as", "admin", "--set",
                                 "available_for_portal_messages=on", "--set", "fly_planes=on"});
  EXPECT_EQ(role.exit_code, 4);
  EXPECT_NE(role.err.find("unknown role 'fly_planes'"), std::string::npos) << role.err;
  EXPECT_FALSE(has_role(host, "drkim", "available_for_portal_messages"));
  EXPECT_EQ(
      host.run({"users", "edit", "drkim", "--as", "admin", "--set", "available_for_portal_messages=maybe"})
          .exit_code,
      2);
}

}  // namespace
}  // namespace ehr::sample::cli_test
