#include "host/host_client.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "support/test_host.hpp"

namespace ehr::portal {
namespace {

class HostClientTest : public ::testing::Test {
 protected:
  HostClientTest() {
    host_.add_user("drlee", "Dr. Lee", true, {"available_for_portal_messages"});
    host_.add_user("gone", "Former Nurse", false, {"available_for_portal_messages"});
    host_.add_location(
        {"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "https://n.example", false});
    host_.add_patient("p1", "Pat Sample", "north", {"drlee"});
    host_.add_portal_user({"guard1", "Gail Guardian", "Gail", PortalUserKind::guardian, true}, {"p1"});
  }

  test::TestHost host_;
};

TEST_F(HostClientTest, AnswersAreCopiedOutAsValues) {
  HostClient client(host_.table());
  auto user = client.get_user("drlee");
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->display_name, "Dr. Lee");
  EXPECT_TRUE(user->active);
  EXPECT_FALSE(client.get_user("gone")->active);
  EXPECT_EQ(client.get_patient("p1")->location_id, "north");
  EXPECT_EQ(client.list_care_team("p1"), std::vector<std::string>{"drlee"});
  auto contacts = client.list_patient_contacts("p1");
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].kind, PortalUserKind::guardian);
  EXPECT_EQ(contacts[0].first_name, "Gail");
  EXPECT_EQ(client.list_contact_charts("guard1"), std::vector<std::string>{"p1"});
  EXPECT_EQ(client.list_users_with_role("available_for_portal_messages").size(), 2u);
  EXPECT_EQ(client.company().name, "Riverside Health");
  EXPECT_TRUE(client.company().is_master);
  ASSERT_EQ(client.locations().size(), 1u);
  EXPECT_EQ(client.location("north")->brand_name(), "Northside");  // R-BRAND-3: alias wins
  EXPECT_FALSE(client.location("south").has_value());
}

TEST_F(HostClientTest, UnknownIdsAreNamed) {
  HostClient client(host_.table());
  EXPECT_FALSE(client.get_user("nobody").has_value());
  EXPECT_FALSE(client.get_patient("p404").has_value());
  EXPECT_FALSE(client.user_has_role("nobody", "manage_portal_settings"));
  try {
    (void)client.list_care_team("p404");
    FAIL() << "an unknown patient must be reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("p404"), std::string::npos);
  }
}

TEST_F(HostClientTest, RolesAreAskedEveryTimeNeverCached) {
  HostClient client(host_.table());
  EXPECT_TRUE(client.user_has_role("drlee", "available_for_portal_messages"));
  host_.set_role("drlee", "available_for_portal_messages", false);
  EXPECT_FALSE(client.user_has_role("drlee", "available_for_portal_messages"));
  EXPECT_EQ(host_.role_checks(), 2);
}

TEST_F(HostClientTest, MissingRequiredFunctionIsNamed) {
  ehr_host_services table = *host_.table();
  table.list_care_team = nullptr;
  try {
    HostClient client(&table);
    FAIL() << "a table without list_care_team must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(e.field(), "list_care_team");
  }
}

TEST_F(HostClientTest, TooSmallOrMistypedTableIsRefused) {
  ehr_host_services table = *host_.table();
  table.struct_size = offsetof(ehr_host_services, get_company);
  EXPECT_THROW(HostClient{&table}, Error);
  table = *host_.table();
  table.struct_type = EHR_STRUCT_NOTIFICATION;
  EXPECT_THROW(HostClient{&table}, Error);
  EXPECT_THROW(HostClient{nullptr}, Error);
}

TEST_F(HostClientTest, OlderHostWithoutOptionalServicesIsUsableWithoutThem) {
  host_.drop_optional_services();
  HostClient client(host_.table());
  EXPECT_FALSE(client.supports_notify());
  EXPECT_FALSE(client.supports_audit());
  try {
    client.notify(Notification{});
    FAIL() << "notify must report it is unsupported";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_UNSUPPORTED);
  }
  EXPECT_TRUE(client.get_user("drlee").has_value());
}

TEST_F(HostClientTest, NotificationsReachTheHost) {
  HostClient client(host_.table());
  ASSERT_TRUE(client.supports_notify());
  client.notify({NotificationKind::new_message, Delivery::portal_contact, Principal::portal_user("guard1"),
                 "New message", "You have a new message.", "", "Northside"});
  auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipient, Principal::portal_user("guard1"));
  EXPECT_EQ(sent[0].brand_name, "Northside");
}

ehr_status malformed_user(void*, ehr_str, void* ctx, ehr_user_sink_fn sink) {
  ehr_user_info truncated{};
  truncated.struct_type = EHR_STRUCT_USER_INFO;
  truncated.struct_size = sizeof(uint32_t) * 2;  // ends before the fields the plugin needs
  return sink(ctx, &truncated);
}

ehr_status failing_now(void*, int64_t*) {
  return EHR_STATUS_INTERNAL;
}

TEST_F(HostClientTest, MalformedRecordsAndHostFailuresBecomeErrors) {
  ehr_host_services table = *host_.table();
  table.get_user = &malformed_user;
  table.now = &failing_now;
  HostClient client(&table);
  EXPECT_THROW((void)client.get_user("drlee"), Error);
  try {
    (void)client.now_unix_ms();
    FAIL() << "a failing host clock must be reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("now"), std::string::npos);
  }
}

// What the plugin's sink answered a host that handed it a malformed record.
ehr_status sink_answer_to_malformed = EHR_STATUS_OK;

ehr_status malformed_locations(void*, void* ctx, ehr_organization_sink_fn sink) {
  ehr_organization_info truncated{};
  truncated.struct_type = EHR_STRUCT_ORGANIZATION_INFO;
  truncated.struct_size = sizeof(uint32_t) * 2;
  sink_answer_to_malformed = sink(ctx, &truncated);
  // A host following common.h: STOP ends the enumeration well, any other answer is returned.
  return sink_answer_to_malformed == EHR_STATUS_STOP ? EHR_STATUS_OK : sink_answer_to_malformed;
}

// A sink answering EHR_STATUS_STOP ends an enumeration successfully (common.h), so the plugin's
// own sinks report a record they cannot take with a failure status, which the host passes back.
TEST_F(HostClientTest, ThePluginsSinksAnswerAFailureNeverStopForARecordTheyCannotTake) {
  ehr_host_services table = *host_.table();
  table.list_locations = &malformed_locations;
  HostClient client(&table);
  EXPECT_THROW((void)client.locations(), Error);
  EXPECT_NE(sink_answer_to_malformed, EHR_STATUS_STOP);
  EXPECT_EQ(sink_answer_to_malformed, EHR_STATUS_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace ehr::portal
