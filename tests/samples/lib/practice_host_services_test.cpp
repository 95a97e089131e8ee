// PracticeHostServices: the sample host's answers to a plugin, from the practice file, the SDK's
// RoleStore and the notification store.
#include "practice_host_services.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "practice_file.hpp"
#include "practice_user_directory.hpp"
#include "temp_directory.hpp"

namespace ehr::sample {
namespace {

namespace host = ehr::host;

class PracticeHostServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    practice_ = std::make_unique<Practice>(
        load_practice_file(std::string(EHR_SAMPLE_PRACTICE_DIR) + "/clinic-network.xml"));
    directory_ = std::make_unique<PracticeUserDirectory>(*practice_);
    notifications_ = std::make_unique<NotificationStore>(dir_ / "notifications.sqlite3", *keys_);
    auto roles = host::RoleStore::open(dir_, *directory_);
    ASSERT_TRUE(roles) << roles.status();
    roles_ = std::move(*roles);
    ASSERT_TRUE(roles_->declare_role({"available_for_portal_messages", "Available for portal messages", ""}));
    ASSERT_TRUE(roles_->seed_initial(
        {{"drlee", "available_for_portal_messages"}, {"drwexler", "available_for_portal_messages"}}));
    services_ = std::make_unique<PracticeHostServices>(*practice_, *roles_, *notifications_, *keys_,
                                                       dir_ / "audit.jsonl", host::LogLevel::warning);
  }
  TempDirectory temp_{"practice-host"};
  const std::filesystem::path& dir_ = temp_.path();
  std::unique_ptr<Practice> practice_;
  std::unique_ptr<PracticeUserDirectory> directory_;
  std::unique_ptr<host::KeyStore> keys_ = host::KeyStore::generate();
  std::unique_ptr<NotificationStore> notifications_;
  std::unique_ptr<host::RoleStore> roles_;
  std::unique_ptr<PracticeHostServices> services_;
};

TEST_F(PracticeHostServicesTest, AnswersUsersAndRolesFromTheRoleStore) {
  const auto lee = services_->get_user("drlee");
  ASSERT_TRUE(lee);
  EXPECT_EQ(lee->display_name, "Dr. Grace Lee");
  EXPECT_FALSE(services_->get_user("drwexler")->active);
  EXPECT_TRUE(*services_->user_has_role("drlee", "available_for_portal_messages"));
  EXPECT_FALSE(*services_->user_has_role("drkim", "available_for_portal_messages"));
  const auto holders = services_->list_users_with_role("available_for_portal_messages");
  ASSERT_TRUE(holders);
  ASSERT_EQ(holders->size(), 2u);  // inactive holders too
  EXPECT_EQ(services_->get_user("drwho").status().code(), EHR_STATUS_NOT_FOUND);
}

TEST_F(PracticeHostServicesTest, AnswersPatientsCareTeamsAndContacts) {
  const auto lily = services_->get_patient("p03");
  ASSERT_TRUE(lily);
  EXPECT_EQ(lily->location_id, "north");
  EXPECT_EQ(*services_->list_care_team("p03"), (std::vector<std::string>{"drlee", "drkim", "nurse1"}));
  const auto contacts = services_->list_patient_contacts("p10");
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].kind, host::PortalUserKind::guardian);
  EXPECT_EQ((*contacts)[1].kind, host::PortalUserKind::guarantor);
  EXPECT_EQ(*services_->list_contact_charts("hoa"), (std::vector<std::string>{"p03", "p04"}));
  EXPECT_FALSE(services_->get_portal_user("samuel")->active);
  EXPECT_EQ(services_->get_portal_user("hoa")->first_name, "Hoa");
  EXPECT_EQ(services_->get_patient("p99").status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(services_->list_patient_contacts("p99").status().code(), EHR_STATUS_NOT_FOUND);
}

TEST_F(PracticeHostServicesTest, AnswersTheCompanyAndItsLocations) {
  const auto company = services_->get_company();
  ASSERT_TRUE(company);
  EXPECT_TRUE(company->is_master);
  EXPECT_EQ(company->alias, "Riverbend Health");
  EXPECT_EQ(company->portal_url, "https://portal.riverbend.example");
  const auto locations = services_->list_locations();
  ASSERT_TRUE(locations);
  ASSERT_EQ(locations->size(), 3u);
  EXPECT_EQ((*locations)[0].location_id, "north");
  EXPECT_EQ((*locations)[0].alias, "Northside Family Care");
}

TEST_F(PracticeHostServicesTest, NotifyResolvesWhereItGoesAndStoresIt) {
  host::Notification email;
  email.kind = host::NotificationKind::new_message;
  email.delivery = host::Delivery::portal_contact;
  email.recipient = host::Principal::portal_user("maria");
  email.subject = "You have a new message";
  email.text = "Sign in to read it.";
  email.brand_name = "Northside Family Care";
  ASSERT_TRUE(services_->notify(email));
  host::Notification sms = email;
  sms.recipient = host::Principal::portal_user("james");  // phone only
  ASSERT_TRUE(services_->notify(sms));
  host::Notification in_app = email;
  in_app.delivery = host::Delivery::in_app;
  in_app.recipient = host::Principal::staff("drlee");
  ASSERT_TRUE(services_->notify(in_app));

  const auto delivered = notifications_->list();
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(delivered[0].channel, "email");
  EXPECT_EQ(delivered[0].address, "maria.alvarez@mail.example");
  EXPECT_EQ(delivered[0].to, "portal:maria");
  EXPECT_EQ(delivered[0].kind, "new_message");
  EXPECT_EQ(delivered[1].channel, "sms");
  EXPECT_EQ(delivered[1].address, "+1 555 0201");
  EXPECT_EQ(delivered[2].channel, "in-app");
  EXPECT_EQ(delivered[2].to, "staff:drlee");
}

TEST_F(PracticeHostServicesTest, NotifyRefusesWhatItCannotDeliverAndStoresNothing) {
  host::Notification wrong;
  wrong.delivery = host::Delivery::portal_contact;
  wrong.recipient = host::Principal::staff("drlee");
  EXPECT_EQ(services_->notify(wrong).code(), EHR_STATUS_INVALID_ARGUMENT);
  wrong.recipient = host::Principal::portal_user("nobody");
  EXPECT_EQ(services_->notify(wrong).code(), EHR_STATUS_NOT_FOUND);
  wrong.delivery = host::Delivery::in_app;
  EXPECT_EQ(services_->notify(wrong).code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(notifications_->list().empty());
}

TEST_F(PracticeHostServicesTest, AuditCopiesAreAppendedAsJsonLines) {
  host::AuditEvent event;
  event.sequence = 1;
  event.actor = host::Principal::staff("admin");
  event.action = "settings.change";
  event.outcome = "ok";
  ASSERT_TRUE(services_->audit(event));
  event.sequence = 2;
  ASSERT_TRUE(services_->audit(event));
  std::ifstream in(dir_ / "audit.jsonl");
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_NE(first.find("\"sequence\":1"), std::string::npos) << first;
  EXPECT_NE(first.find("\"actor\":\"staff:admin\""), std::string::npos) << first;
  EXPECT_NE(second.find("\"sequence\":2"), std::string::npos) << second;
}

TEST(LogLevel, ParsesTheFourLevels) {
  EXPECT_EQ(parse_log_level("debug"), host::LogLevel::debug);
  EXPECT_EQ(parse_log_level("error"), host::LogLevel::error);
  EXPECT_FALSE(parse_log_level("verbose"));
}

}  // namespace
}  // namespace ehr::sample
