// ehr-host roles ...: Manage Users > Assign Roles (R-ROLE-3, R-ROLE-4).
#include <gtest/gtest.h>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

const std::string kRole = "available_for_portal_messages";

std::vector<std::string> members(const EhrHost& host) {
  std::vector<std::string> ids;
  const nlohmann::json answer = host.ok_json({"roles", "members", kRole, "--as", "admin"});
  for (const auto& member : answer["members"]) ids.push_back(member["id"].get<std::string>());
  return ids;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(RolesCommands, MembersFromThePracticeFileIncludeInactiveUsers) {
  EhrHost host;
  const auto ids = members(host);
  EXPECT_TRUE(contains(ids, "drlee"));
  EXPECT_TRUE(contains(ids, "drwexler"));  // inactive, still a holder
  EXPECT_FALSE(contains(ids, "drkim"));
  EXPECT_NE(host.ok({"roles", "members", kRole, "--as", "admin"}).out.find("(inactive)"), std::string::npos);
}

TEST(RolesCommands, AssignSelectedReportsHowManyChangedAndIsIdempotent) {  // R-ROLE-3
  EhrHost host;
  const auto first = host.ok_json({"roles", "assign", kRole, "--as", "admin", "drkim", "nurse2", "drlee"});
  EXPECT_EQ(first["changed"], 2);  // drlee already had it
  EXPECT_EQ(first["changed_users"], nlohmann::json::array({"drkim", "nurse2"}));
  EXPECT_EQ(host.ok_json({"roles", "assign", kRole, "--as", "admin", "drkim", "nurse2"})["changed"], 0);
  const Outcome text = host.ok({"roles", "unassign", kRole, "--as", "admin", "drkim", "nurse2"});
  EXPECT_NE(text.out.find("Unassigned " + kRole + ": 2 users changed"), std::string::npos) << text.out;
  EXPECT_FALSE(contains(members(host), "drkim"));
}

TEST(RolesCommands, AssignAllSkipsInactiveUsers) {  // R-ROLE-3
  EhrHost host;
  host.ok({"roles", "unassign", kRole, "--as", "admin", "drwexler"});
  host.ok({"roles", "assign", kRole, "--as", "admin", "--all"});
  const auto ids = members(host);
  EXPECT_TRUE(contains(ids, "frontdesk"));
  EXPECT_TRUE(contains(ids, "billing"));
  EXPECT_FALSE(contains(ids, "drwexler"));
  host.ok({"roles", "unassign", kRole, "--as", "admin", "--all"});
  EXPECT_TRUE(members(host).empty());
}

TEST(RolesCommands, UnknownUserChangesNoOne) {  // R-ROLE-3: atomic
  EhrHost host;
  const Outcome run = host.run({"roles", "assign", kRole, "--as", "admin", "drkim", "drwho"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("drwho"), std::string::npos) << run.err;
  EXPECT_FALSE(contains(members(host), "drkim"));
}

TEST(RolesCommands, UnknownRoleIsNamed) {
  EhrHost host;
  const Outcome run = host.run({"roles", "members", "fly_planes", "--as", "admin"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("fly_planes"), std::string::npos) << run.err;
}

TEST(RolesCommands, OnlyManageUsersHoldersMayAssign) {  // R-ROLE-4
  EhrHost host;
  const Outcome run = host.json({"roles", "assign", kRole, "--as", "drlee", "drkim"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.json()["error"]["status"], "forbidden");
  EXPECT_FALSE(contains(members(host), "drkim"));
}

TEST(RolesCommands, AllOrSomeUsersNotBoth) {
  EhrHost host;
  EXPECT_EQ(host.run({"roles", "assign", kRole, "--as", "admin", "--all", "drkim"}).exit_code, 2);
  EXPECT_EQ(host.run({"roles", "assign", kRole, "--as", "admin"}).exit_code, 2);
}

}  // namespace
}  // namespace ehr::sample::cli_test
