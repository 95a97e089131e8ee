#include "branding/brand.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

#include "audit/audit_log.hpp"
#include "common/storage.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "portal_schema.hpp"
#include "settings/settings_service.hpp"
#include "storage/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_host.hpp"

namespace ehr::portal {
namespace {

class BrandTest : public ::testing::Test {
 protected:
  BrandTest() {
    host_.set_company({"", "Riverside Health", "", "1 Main St", "555-0100", "https://portal.example", true});
    host_.add_location({"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "", false});
    host_.add_location(
        {"south", "South Clinic", "", "3 South Rd", "555-0102", "https://south.example", false});
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_patient("p1", "Pat Sample", "north");
    db_.migrate(portal_sqlite_steps());
  }

  test::TempDir dir_;
  test::TestHost host_;
  HostClient client_{host_.table()};
  SqliteStore db_{dir_ / "portal.db"};
  SettingsSchema schema_ = SettingsSchema::load_file(PORTAL_SETTINGS_SCHEMA);
  AuditLog audit_{db_, client_};
  HookRegistry hooks_{client_};
  SettingsService settings_{schema_, db_, client_, audit_, hooks_};
  BrandResolver brands_{client_, settings_};
};

TEST_F(BrandTest, R_BRAND_1_CompanyBrandByDefault) {
  settings_.save_page("admin", "", {{"my_messages", "on"}});
  for (const char* location : {"", "north", "south"}) {
    const Brand brand = brands_.for_location(location);
    EXPECT_EQ(brand.name, "Riverside Health") << location;
    EXPECT_EQ(brand.phone, "555-0100");
    EXPECT_EQ(brand.address, "1 Main St");
    EXPECT_EQ(brand.sign_in_link, "https://portal.example");
    EXPECT_EQ(brand.location_id, "");
  }
}

TEST_F(BrandTest, R_BRAND_2_LocationBrandWhenMyMessagesAndUseLocationInformationAreOn) {
  settings_.save_page("admin", "south", {{"my_messages", "on"}, {"use_location_information", "on"}});
  const Brand brand = brands_.for_location("south");
  EXPECT_EQ(brand.name, "South Clinic");
  EXPECT_EQ(brand.address, "3 South Rd");
  EXPECT_EQ(brand.phone, "555-0102");
  EXPECT_EQ(brand.sign_in_link, "https://south.example");
  EXPECT_EQ(brand.location_id, "south");
  EXPECT_EQ(brands_.for_location("north").name, "Riverside Health");  // General off, north follows it
}

TEST_F(BrandTest, R_BRAND_2_UseLocationInformationWithMyMessagesOffKeepsTheCompanyBrand) {
  settings_.save_page("admin", "", {{"my_messages", "on"}});
  settings_.save_page("admin", "north", {{"my_messages", "off"}, {"use_location_information", "on"}});
  EXPECT_EQ(brands_.for_location("north").name, "Riverside Health");
}

TEST_F(BrandTest, R_BRAND_3_AliasWinsOverNameForLocationAndCompany) {
  settings_.save_page("admin", "north", {{"my_messages", "on"}, {"use_location_information", "on"}});
  const Brand north = brands_.for_patient("p1");
  EXPECT_EQ(north.name, "Northside");
  EXPECT_EQ(north.sign_in_link, "https://portal.example");  // no own portal: the company's
  host_.set_company(
      {"", "Riverside Health", "Riverside", "1 Main St", "555-0100", "https://portal.example", true});
  EXPECT_EQ(brands_.for_location("").name, "Riverside");
}

TEST_F(BrandTest, UnknownPatientIsNamed) {
  EXPECT_THROW((void)brands_.for_patient("p404"), Error);
}

}  // namespace
}  // namespace ehr::portal
