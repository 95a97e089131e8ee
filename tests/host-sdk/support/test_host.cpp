#include "support/test_host.hpp"

#include <stdexcept>

namespace ehr::host::testing {

TestHost::TestHost() {
  add_user("admin", "Ada Admin", true, {"fixture_role", "manage_users"});
  add_user("drlee", "Dr. Lee", true);
  add_user("nurse1", "Nurse One", true);
  add_user("former", "Former Staff", false);
  add_patient({"p1", "Pat One", "north"}, {"drlee", "nurse1"});
  add_patient({"p2", "Pat Two", ""}, {});
  add_portal_user({"pat1", "Pat One", "Pat", PortalUserKind::patient, true}, {"p1"});
  add_location({"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "", false});
  add_location({"south", "South Clinic", "", "3 South Rd", "555-0102", "", false});
  set_company({"", "Good Health Clinic", "", "1 Main St", "555-0100", "https://portal.example", true});
}

Result<Organization> TestHost::get_company() {
  if (company_throws_) throw std::runtime_error("the company database is unreachable");
  return PracticeHost::get_company();
}

}  // namespace ehr::host::testing
