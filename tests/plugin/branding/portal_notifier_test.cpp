#include "branding/portal_notifier.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "portal.hpp"
#include "support/temp_dir.hpp"
#include "support/test_host.hpp"

namespace ehr::portal {
namespace {

constexpr const char* kSentinels[] = {"SENTINEL-PATIENT", "SENTINEL-SUBJECT", "SENTINEL-BODY"};

// The whole plugin core wired as the module wires it, on a small practice with two brands.
class PortalNotifierTest : public ::testing::Test {
 protected:
  PortalNotifierTest() {
    host_.set_company({"", "Riverside Health", "", "1 Main St", "555-0100", "https://portal.example", true});
    host_.add_location({"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "", false});
    host_.add_location({"south", "South Clinic", "", "3 South Rd", "555-0102", "", false});
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_user("drlee", "Dr. Lee", true, {"available_for_portal_messages"});
    host_.add_user("gone", "Gus Gone", false, {});
    host_.add_patient("p1", "SENTINEL-PATIENT One", "north", {"drlee"});
    host_.add_patient("p2", "SENTINEL-PATIENT Two", "south", {"drlee"});
    host_.add_portal_user({"pat1", "SENTINEL-PATIENT One", "Pat", PortalUserKind::patient, true}, {"p1"});
    host_.add_portal_user({"guard2", "Gail Guardian", "Gail", PortalUserKind::guardian, true}, {"p2"});
    portal_.settings().save_page("admin", "", {{"my_messages", "on"}});
  }

  static void expect_no_phi(const Notification& n) {
    for (const char* sentinel : kSentinels) {
      for (const std::string* part : {&n.subject, &n.text, &n.html, &n.brand_name}) {
        EXPECT_EQ(part->find(sentinel), std::string::npos) << *part;
      }
    }
  }

  test::TempDir dir_;
  test::TestHost host_;
  Portal portal_{{host_.table(), dir_.path(), PORTAL_SETTINGS_SCHEMA, {}}};
};

TEST_F(PortalNotifierTest, R_BRAND_4_NewMessageNoticeCarriesBrandAndSignInButNoContent) {
  portal_.settings().save_page("admin", "north", {{"my_messages", "on"}, {"use_location_information", "on"}});
  portal_.conversations().start_thread(
      {Principal::staff("drlee"), "p1", {}, "SENTINEL-SUBJECT labs", "SENTINEL-BODY your results are in"});
  auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, NotificationKind::new_message);
  EXPECT_EQ(sent[0].recipient, Principal::portal_user("pat1"));
  EXPECT_EQ(sent[0].delivery, Delivery::portal_contact);
  EXPECT_EQ(sent[0].brand_name, "Northside");  // R-BRAND-2, R-BRAND-3
  EXPECT_NE(sent[0].text.find("Hello Pat"), std::string::npos) << sent[0].text;
  EXPECT_NE(sent[0].text.find("https://portal.example"), std::string::npos);
  expect_no_phi(sent[0]);
}

TEST_F(PortalNotifierTest, R_BRAND_1_PatientsOfTwoLocationsGetDifferentBrands) {
  portal_.settings().save_page("admin", "north", {{"my_messages", "on"}, {"use_location_information", "on"}});
  portal_.conversations().start_thread({Principal::staff("drlee"), "p1", {}, "", "SENTINEL-BODY a"});
  portal_.conversations().start_thread({Principal::staff("drlee"), "p2", {}, "", "SENTINEL-BODY b"});
  auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].brand_name, "Northside");
  EXPECT_EQ(sent[1].brand_name, "Riverside Health");
  EXPECT_EQ(sent[1].recipient, Principal::portal_user("guard2"));
}

TEST_F(PortalNotifierTest, StaffRecipientIsToldInApp) {
  portal_.conversations().start_thread({Principal::portal_user("pat1"),
                                        "p1",
                                        {Principal::staff("drlee")},
                                        "SENTINEL-SUBJECT",
                                        "SENTINEL-BODY"});
  auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipient, Principal::staff("drlee"));
  EXPECT_EQ(sent[0].delivery, Delivery::in_app);
  expect_no_phi(sent[0]);
}

TEST_F(PortalNotifierTest, R_BRAND_4_EveryTemplateForEveryLocationIsFreeOfPhi) {
  // Each location in each branding state, both kinds of notification.
  portal_.settings().save_page("admin", "north", {{"my_messages", "on"}, {"use_location_information", "on"}});
  portal_.settings().save_page("admin", "south",
                               {{"my_messages", "off"}, {"use_location_information", "on"}});
  NotificationComposer composer(portal_.settings());
  BrandResolver brands(portal_.host(), portal_.settings());
  for (const char* location : {"", "north", "south"}) {
    for (TemplateKind kind : {TemplateKind::new_message, TemplateKind::portal_invitation}) {
      const auto n = composer.compose(kind, Principal::portal_user("pat1"), Delivery::portal_contact, "Pat",
                                      brands.for_location(location));
      expect_no_phi(n);
      EXPECT_EQ(n.text.find("{{"), std::string::npos) << n.text;
      EXPECT_FALSE(n.subject.empty());
      EXPECT_FALSE(n.html.empty());
    }
  }
  portal_.notifier().invite("admin", "pat1");
  portal_.notifier().invite("admin", "guard2");
  for (const auto& n : host_.notifications()) expect_no_phi(n);
}

TEST_F(PortalNotifierTest, InvitationIsBrandedAuditedAndNeedsAnActiveStaffUser) {
  portal_.settings().save_page("admin", "south", {{"my_messages", "on"}, {"use_location_information", "on"}});
  portal_.notifier().invite("admin", "guard2");
  auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, NotificationKind::portal_invitation);
  EXPECT_EQ(sent[0].brand_name, "South Clinic");
  EXPECT_NE(sent[0].text.find("Hello Gail"), std::string::npos);
  const auto records = portal_.audit().list();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().entry.action, "portal.invite");
  EXPECT_EQ(records.back().entry.target, "portal:guard2");
  for (const char* actor : {"gone", "nobody"}) {
    try {
      portal_.notifier().invite(actor, "guard2");
      FAIL() << actor;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), EHR_STATUS_FORBIDDEN);
    }
  }
  EXPECT_THROW(portal_.notifier().invite("admin", "portal404"), Error);
  EXPECT_EQ(host_.notifications().size(), 1u);
}

TEST_F(PortalNotifierTest, ChangedTemplatesAreUsedAndHtmlValuesAreEscaped) {
  host_.set_company(
      {"", "Smith & Sons <Health>", "", "1 Main St", "555-0100", "https://portal.example", true});
  portal_.settings().save_page("admin", "",
                               {{"new_message_subject", "{{brand_name}}: a message is waiting"},
                                {"new_message_html", "<b>{{brand_name}}</b>"}});
  portal_.conversations().start_thread({Principal::staff("drlee"), "p2", {}, "", "SENTINEL-BODY"});
  auto sent = host_.notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subject, "Smith & Sons <Health>: a message is waiting");
  EXPECT_EQ(sent[0].html, "<b>Smith &amp; Sons &lt;Health&gt;</b>");
}

TEST(NotificationComposerRender, FillsOnlyKnownPlaceholders) {
  EXPECT_EQ(NotificationComposer::render("Hi {{a}}, {{b}}!", {{"a", "Ann"}}, false), "Hi Ann, !");
  EXPECT_EQ(NotificationComposer::render("{{a}} {{", {{"a", "x"}}, false), "x {{");
}

}  // namespace
}  // namespace ehr::portal
