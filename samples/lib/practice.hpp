// The sample host's own data: its company, locations, staff, patients and portal users, as read
// from a practice file. Role assignments after the first start live in the RoleStore, not here.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ehr::sample {

// The company (location_id empty) or one of its locations, as on the host's Company tab.
struct Organization {
  std::string location_id;
  std::string name;
  std::string alias;
  std::string address;
  std::string phone;
  std::string portal_url;
};

struct StaffUser {
  std::string id;
  std::string name;
  bool active = true;
  std::vector<std::string> roles;  // seeds the role store on first start only
};

struct Patient {
  std::string id;
  std::string name;
  std::string location_id;  // empty in a single instance
  std::vector<std::string> care_team;
};

enum class PortalUserKind { patient, guardian, guarantor };

[[nodiscard]] const char* to_string(PortalUserKind kind);

struct PortalUser {
  std::string id;
  std::string name;
  std::string first_name;
  PortalUserKind kind = PortalUserKind::patient;
  std::vector<std::string> contacts;  // patient ids whose charts this portal user may reach
  bool active = true;
  std::string email;
  std::string phone;
};

class Practice {
 public:
  Practice(Organization company, std::vector<Organization> locations, std::vector<StaffUser> users,
           std::vector<Patient> patients, std::vector<PortalUser> portal_users);

  // A master instance has locations; a single instance has none.
  [[nodiscard]] bool is_master() const { return !locations_.empty(); }
  [[nodiscard]] const Organization& company() const { return company_; }
  [[nodiscard]] const std::vector<Organization>& locations() const { return locations_; }
  [[nodiscard]] const std::vector<StaffUser>& users() const { return users_; }
  [[nodiscard]] const std::vector<Patient>& patients() const { return patients_; }
  [[nodiscard]] const std::vector<PortalUser>& portal_users() const { return portal_users_; }

  [[nodiscard]] const Organization* find_location(std::string_view id) const;
  [[nodiscard]] const StaffUser* find_user(std::string_view id) const;
  [[nodiscard]] const Patient* find_patient(std::string_view id) const;
  [[nodiscard]] const PortalUser* find_portal_user(std::string_view id) const;
  // Portal users that are contacts on the chart, in file order.
  [[nodiscard]] std::vector<const PortalUser*> contacts_of(std::string_view patient_id) const;

 private:
  Organization company_;
  std::vector<Organization> locations_;
  std::vector<StaffUser> users_;
  std::vector<Patient> patients_;
  std::vector<PortalUser> portal_users_;
};

}  // namespace ehr::sample
