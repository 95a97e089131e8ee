// ehr-host users / patients / portal-users / locations list: the ids every other command takes,
// without reading the practice file (issue 10).
#include <gtest/gtest.h>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

bool lists(const nlohmann::json& entries, const std::string& key, const std::string& value) {
  for (const auto& entry : entries) {
    if (entry[key] == value) return true;
  }
  return false;
}

TEST(PracticeCommands, UsersListGivesEveryStaffIdAndName) {
  EhrHost host;
  const Outcome text = host.ok({"users", "list"});
  EXPECT_NE(text.out.find("drlee       Dr. Grace Lee"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("drwexler    Dr. Harold Wexler  (inactive)"), std::string::npos) << text.out;
  const auto json = host.ok_json({"users", "list"});
  ASSERT_EQ(json["users"].size(), 12u);
  EXPECT_EQ(json["users"][0]["id"], "admin");
  EXPECT_EQ(json["users"][0]["name"], "Alex Morgan");
  EXPECT_FALSE(json["users"][11]["active"].get<bool>());
}

TEST(PracticeCommands, PatientsListNeedsAnActiveStaffUser) {  // R-SEC: patient names are PHI
  EhrHost host;
  EXPECT_EQ(host.run({"patients", "list"}).exit_code, 2);
  const Outcome inactive = host.run({"patients", "list", "--as", "drwexler"});
  EXPECT_EQ(inactive.exit_code, 3);
  EXPECT_NE(inactive.err.find("drwexler may not list the patients (needs an active account)"),
            std::string::npos)
      << inactive.err;
  EXPECT_TRUE(inactive.out.empty());
  EXPECT_EQ(host.run({"patients", "list", "--as", "portal:maria"}).exit_code, 4);

  const Outcome text = host.ok({"patients", "list", "--as", "frontdesk"});
  EXPECT_NE(text.out.find("p01     Maria Alvarez           north     drlee nurse1"), std::string::npos)
      << text.out;
  const auto json = host.ok_json({"patients", "list", "--as", "drlee"});
  EXPECT_EQ(json["patients"].size(), 21u);
  EXPECT_TRUE(lists(json["patients"], "id", "p08"));
  EXPECT_EQ(json["patients"][0]["location"], "north");
}

TEST(PracticeCommands, PortalUsersListGivesPrincipalsAndChartsButNoAddresses) {
  EhrHost host;
  EXPECT_EQ(host.run({"portal-users", "list"}).exit_code, 2);
  EXPECT_EQ(host.run({"portal-users", "list", "--as", "drwexler"}).exit_code, 3);
  const Outcome text = host.ok({"portal-users", "list", "--as", "nurse1"});
  EXPECT_NE(text.out.find("portal:hoa      Hoa Nguyen              guardian   p03 p04"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("p07  (inactive)"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("@"), std::string::npos) << "no email addresses: " << text.out;
  const auto json = host.ok_json({"portal-users", "list", "--as", "nurse1"});
  EXPECT_TRUE(lists(json["portal_users"], "principal", "portal:rachel"));
  EXPECT_EQ(json["portal_users"][2]["charts"], nlohmann::json({"p03", "p04"}));
  EXPECT_EQ(json["portal_users"][2]["kind"], "guardian");
}

TEST(PracticeCommands, LocationsListGivesTheIdsLocationSettingsTake) {
  EhrHost host;
  const Outcome text = host.ok({"locations", "list"});
  EXPECT_NE(text.out.find("north     Riverbend North Clinic      Northside Family Care"), std::string::npos)
      << text.out;
  const auto json = host.ok_json({"locations", "list"});
  EXPECT_TRUE(json["master"].get<bool>());
  EXPECT_EQ(json["locations"].size(), 3u);
  EXPECT_EQ(json["locations"][1]["id"], "south");

  host.practice_file = source_directory() / "samples" / "practice" / "single-clinic.xml";
  const Outcome single = host.ok({"locations", "list"});
  EXPECT_NE(single.out.find("is a single instance: no locations"), std::string::npos) << single.out;
  EXPECT_TRUE(host.ok_json({"locations", "list"})["locations"].empty());
}

}  // namespace
}  // namespace ehr::sample::cli_test
