// ehr-host portal invite and notifications list: branded, PHI-free notifications (R-BRAND-*).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

std::vector<nlohmann::json> notifications_to(const EhrHost& host, const std::string& to) {
  std::vector<nlohmann::json> found;
  const nlohmann::json answer = host.ok_json({"notifications", "list", "--as", "admin"});
  for (const auto& n : answer["notifications"]) {
    if (n["to"] == to) found.push_back(n);
  }
  return found;
}

TEST(PortalCommands, InvitationsAreBrandedByLocationOrCompany) {  // R-BRAND-1, R-BRAND-2, R-BRAND-3
  EhrHost host;
  host.enable_plugin();
  host.ok({"settings", "set", "--as", "admin", "--location", "north", "my_messages=on",
           "use_location_information=on"});
  host.ok({"portal", "invite", "portal:maria", "--as", "admin"});  // north: its Alias
  host.ok({"portal", "invite", "portal:aisha", "--as", "admin"});  // south follows General: the company
  const auto maria = notifications_to(host, "portal:maria");
  ASSERT_EQ(maria.size(), 1u);
  EXPECT_EQ(maria[0]["kind"], "portal_invitation");
  EXPECT_EQ(maria[0]["brand"], "Northside Family Care");
  EXPECT_EQ(maria[0]["channel"], "email");
  EXPECT_EQ(maria[0]["address"], "maria.alvarez@mail.example");
  const auto aisha = notifications_to(host, "portal:aisha");
  ASSERT_EQ(aisha.size(), 1u);
  EXPECT_EQ(aisha[0]["brand"], "Riverbend Health");
}

TEST(PortalCommands, UseLocationInformationWithMessagingOffKeepsTheCompanyBrand) {  // R-BRAND-2
  EhrHost host;
  host.enable_plugin();
  host.ok({"settings", "set", "--as", "admin", "--location", "north", "my_messages=off",
           "use_location_information=on"});
  host.ok({"portal", "invite", "portal:hoa", "--as", "admin"});
  EXPECT_EQ(notifications_to(host, "portal:hoa").at(0)["brand"], "Riverbend Health");
}

TEST(PortalCommands, NewMessageNotificationsCarryNoContent) {  // R-BRAND-4
  EhrHost host;
  host.enable_messaging();
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p03", "--to", "portal:hoa", "--subject",
           "SENTINEL-SUBJECT", "--body", "SENTINEL-BODY"});
  const auto hoa = notifications_to(host, "portal:hoa");
  ASSERT_EQ(hoa.size(), 1u);
  EXPECT_EQ(hoa[0]["kind"], "new_message");
  const std::string all = hoa[0].dump();
  for (const char* secret : {"SENTINEL-SUBJECT", "SENTINEL-BODY", "Lily", "Nguyen, Lily"}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret << " in " << all;
  }
  // A portal user's message reaches the staff recipient as an in-app notice.
  host.ok({"messages", "send", "--as", "portal:hoa", "--patient", "p04", "--to", "drlee", "--body",
           "SENTINEL-BODY"});
  const auto drlee = notifications_to(host, "staff:drlee");
  ASSERT_EQ(drlee.size(), 1u);
  EXPECT_EQ(drlee[0]["channel"], "in-app");
  EXPECT_EQ(drlee[0].dump().find("SENTINEL-BODY"), std::string::npos);
  EXPECT_NE(host.ok({"notifications", "list", "--as", "admin"})
                .out.find("new_message by email to portal:hoa <hoa.nguyen@mail.example>"),
            std::string::npos);
}

TEST(PortalCommands, TemplatesAcceptOnlyAllowedPlaceholders) {  // R-BRAND-4
  EhrHost host;
  host.enable_messaging();
  const Outcome bad = host.json(
      {"settings", "set", "--as", "admin", "--general", "new_message_subject=About {{patient_name}}"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.json()["error"]["field"], "new_message_subject");
  host.ok({"settings", "set", "--as", "admin", "--general",
           "new_message_subject=Mail from {{brand_name}} is waiting"});
  host.ok(
      {"messages", "send", "--as", "drpatel", "--patient", "p09", "--to", "portal:henry", "--body", "Hi"});
  const auto henry = notifications_to(host, "portal:henry");
  ASSERT_EQ(henry.size(), 1u);
  EXPECT_EQ(henry[0]["subject"], "Mail from Riverbend Health is waiting");
}

// The host says why it cannot deliver (host_services.h, take_error), and the admin reads that
// reason, not just "the host service notify failed: invalid argument".
TEST(PortalCommands, InvitingAPortalUserWithoutContactDetailsSaysWhatIsMissing) {
  EhrHost host;
  std::ifstream in(host.practice_file);
  std::stringstream practice;
  practice << in.rdbuf();
  std::string text = practice.str();
  const std::string email = "\n               email=\"olivia.hart@mail.example\"";
  const auto at = text.find(email);
  ASSERT_NE(at, std::string::npos) << "the sample practice changed: olivia has no e-mail to remove";
  text.erase(at, email.size());
  host.practice_file = host.data_directory / "olivia-without-email.xml";
  std::ofstream(host.practice_file) << text;
  host.enable_plugin();
  const Outcome refused = host.run({"portal", "invite", "portal:olivia", "--as", "admin"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("portal user 'olivia' has no email address or phone number on file"),
            std::string::npos)
      << refused.err;
  EXPECT_TRUE(notifications_to(host, "portal:olivia").empty());
}

TEST(PortalCommands, OnlyPortalUsersAreInvited) {
  EhrHost host;
  host.enable_plugin();
  EXPECT_EQ(host.run({"portal", "invite", "drlee", "--as", "admin"}).exit_code, 2);
  EXPECT_EQ(host.run({"portal", "invite", "portal:nobody", "--as", "admin"}).exit_code, 4);
}

}  // namespace
}  // namespace ehr::sample::cli_test
