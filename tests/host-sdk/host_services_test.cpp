// HostServicesTable: the C table a plugin receives, built from a C++ HostServices. Called here
// exactly as a plugin calls it.
#include "ehr/host/host_services.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_host.hpp"

namespace ehr::host {
namespace {

ehr_str s(const char* text) {
  return ehr_str{text, std::char_traits<char>::length(text)};
}
std::string text(ehr_str value) {
  return std::string(value.data, value.size);
}

class HostServicesTableTest : public ::testing::Test {
 protected:
  testing::TestHost host_;
  HostServicesTable table_{host_};
  const ehr_host_services& c() { return *table_.table(); }
};

TEST_F(HostServicesTableTest, IsTaggedAndSized) {
  EXPECT_EQ(c().struct_type, EHR_STRUCT_HOST_SERVICES);
  EXPECT_EQ(c().struct_size, sizeof(ehr_host_services));
  EXPECT_NE(c().notify, nullptr) << "the test host offers notify";
}

TEST_F(HostServicesTableTest, GetUserHandsTheUserToTheSink) {
  std::vector<std::string> seen;
  auto sink = [](void* ctx, const ehr_user_info* user) -> ehr_status {
    static_cast<std::vector<std::string>*>(ctx)->push_back(text(user->display_name) +
                                                           (user->active ? "+" : "-"));
    return EHR_STATUS_OK;
  };
  EXPECT_EQ(c().get_user(c().host, s("drlee"), &seen, sink), EHR_STATUS_OK);
  EXPECT_EQ(c().get_user(c().host, s("former"), &seen, sink), EHR_STATUS_OK);
  EXPECT_EQ(seen, (std::vector<std::string>{"Dr. Lee+", "Former Staff-"}));
  EXPECT_EQ(c().get_user(c().host, s("ghost"), &seen, sink), EHR_STATUS_NOT_FOUND);
}

TEST_F(HostServicesTableTest, ASinkAnsweringStopEndsTheEnumerationSuccessfully) {
  int calls = 0;
  auto stop_at_first = [](void* ctx, const ehr_organization_info*) -> ehr_status {
    ++*static_cast<int*>(ctx);
    return EHR_STATUS_STOP;
  };
  EXPECT_EQ(c().list_locations(c().host, &calls, stop_at_first), EHR_STATUS_OK);
  EXPECT_EQ(calls, 1);
  auto fail = [](void*, const ehr_organization_info*) -> ehr_status { return EHR_STATUS_STORAGE; };
  EXPECT_EQ(c().list_locations(c().host, nullptr, fail), EHR_STATUS_STORAGE);
}

TEST_F(HostServicesTableTest, RolesCareTeamsAndContacts) {
  bool has = false;
  EXPECT_EQ(c().user_has_role(c().host, s("admin"), s("manage_users"), &has), EHR_STATUS_OK);
  EXPECT_TRUE(has);
  EXPECT_EQ(c().user_has_role(c().host, s("ghost"), s("manage_users"), &has), EHR_STATUS_NOT_FOUND);
  std::vector<std::string> ids;
  auto collect = [](void* ctx, ehr_str id) -> ehr_status {
    static_cast<std::vector<std::string>*>(ctx)->push_back(text(id));
    return EHR_STATUS_OK;
  };
  EXPECT_EQ(c().list_care_team(c().host, s("p1"), &ids, collect), EHR_STATUS_OK);
  EXPECT_EQ(ids, (std::vector<std::string>{"drlee", "nurse1"}));
  ids.clear();
  EXPECT_EQ(c().list_contact_charts(c().host, s("pat1"), &ids, collect), EHR_STATUS_OK);
  EXPECT_EQ(ids, std::vector<std::string>{"p1"});
  EXPECT_EQ(c().list_care_team(c().host, s("nobody"), &ids, collect), EHR_STATUS_NOT_FOUND);
}

TEST_F(HostServicesTableTest, AThrowingMethodAnswersInternalAndIsLogged) {
  host_.set_company_throws(true);
  auto sink = [](void*, const ehr_organization_info*) -> ehr_status { return EHR_STATUS_OK; };
  EXPECT_EQ(c().get_company(c().host, nullptr, sink), EHR_STATUS_INTERNAL);
  EXPECT_TRUE(host_.logged("get_company threw"));
}

TEST_F(HostServicesTableTest, BadArgumentsAreRefusedNotCrashed) {
  EXPECT_EQ(c().get_user(c().host, s("drlee"), nullptr, nullptr), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(c().now(c().host, nullptr), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(c().notify(c().host, nullptr), EHR_STATUS_INVALID_ARGUMENT);
  ehr_notification too_small{};
  too_small.struct_type = EHR_STRUCT_NOTIFICATION;
  too_small.struct_size = 8;
  EXPECT_EQ(c().notify(c().host, &too_small), EHR_STATUS_INVALID_ARGUMENT);
}

TEST_F(HostServicesTableTest, NotifyReachesTheHostAsAValue) {
  ehr_notification n{};
  n.struct_type = EHR_STRUCT_NOTIFICATION;
  n.struct_size = sizeof n;
  n.kind = EHR_NOTIFY_NEW_MESSAGE;
  n.delivery = EHR_DELIVERY_PORTAL_CONTACT;
  n.recipient =
      ehr_principal{EHR_STRUCT_PRINCIPAL, sizeof(ehr_principal), EHR_PRINCIPAL_PORTAL_USER, 0, s("pat1")};
  n.subject = s("You have a new message");
  n.brand_name = s("Northside");
  ASSERT_EQ(c().notify(c().host, &n), EHR_STATUS_OK);
  const auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipient, Principal::portal_user("pat1"));
  EXPECT_EQ(sent[0].brand_name, "Northside");
}

class MinimalHost : public testing::TestHost {
 public:
  OptionalServices optional_services() const override { return {}; }
};

TEST(HostServicesTable, OptionalServicesAHostDoesNotOfferAreNull) {
  MinimalHost host;
  HostServicesTable table(host);
  EXPECT_EQ(table.table()->notify, nullptr);
  EXPECT_EQ(table.table()->audit, nullptr);
  EXPECT_NE(table.table()->log, nullptr);
}

}  // namespace
}  // namespace ehr::host
