#include "support/test_host.hpp"

#include <algorithm>
#include <stdexcept>

namespace ehr::host::testing {

TestHost::TestHost() {
  users_ = {{"admin", "Ada Admin", true},
            {"drlee", "Dr. Lee", true},
            {"nurse1", "Nurse One", true},
            {"former", "Former Staff", false}};
  roles_["admin"] = {"fixture_role", "manage_users"};
  patients_ = {{"p1", "Pat One", "north"}, {"p2", "Pat Two", ""}};
  portal_users_ = {{"pat1", "Pat One", "Pat", PortalUserKind::patient, true}};
}

void TestHost::log(LogLevel, std::string_view message) {
  std::lock_guard lock(mutex_);
  logs_.emplace_back(message);
}

Result<User> TestHost::get_user(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  for (const User& user : users_)
    if (user.id == user_id) return user;
  return Status::not_found("unknown user " + std::string(user_id));
}

Result<bool> TestHost::user_has_role(std::string_view user_id, std::string_view role_id) {
  std::lock_guard lock(mutex_);
  if (std::none_of(users_.begin(), users_.end(), [&](const User& u) { return u.id == user_id; }))
    return Status::not_found("unknown user " + std::string(user_id));
  const auto found = roles_.find(user_id);
  return found != roles_.end() && found->second.count(std::string(role_id)) > 0;
}

Result<std::vector<User>> TestHost::list_users_with_role(std::string_view role_id) {
  std::lock_guard lock(mutex_);
  std::vector<User> out;
  for (const User& user : users_) {
    const auto found = roles_.find(user.id);
    if (found != roles_.end() && found->second.count(std::string(role_id)) > 0) out.push_back(user);
  }
  return out;
}

Result<Patient> TestHost::get_patient(std::string_view patient_id) {
  std::lock_guard lock(mutex_);
  for (const Patient& patient : patients_)
    if (patient.id == patient_id) return patient;
  return Status::not_found("unknown patient");
}

Result<std::vector<std::string>> TestHost::list_care_team(std::string_view patient_id) {
  if (patient_id == "p1") return std::vector<std::string>{"drlee", "nurse1"};
  if (patient_id == "p2") return std::vector<std::string>{};
  return Status::not_found("unknown patient");
}

Result<PortalUser> TestHost::get_portal_user(std::string_view portal_user_id) {
  std::lock_guard lock(mutex_);
  for (const PortalUser& user : portal_users_)
    if (user.id == portal_user_id) return user;
  return Status::not_found("unknown portal user");
}

Result<std::vector<PortalUser>> TestHost::list_patient_contacts(std::string_view patient_id) {
  std::lock_guard lock(mutex_);
  if (patient_id == "p1") return portal_users_;
  return std::vector<PortalUser>{};
}

Result<std::vector<std::string>> TestHost::list_contact_charts(std::string_view portal_user_id) {
  if (portal_user_id == "pat1") return std::vector<std::string>{"p1"};
  return Status::not_found("unknown portal user");
}

Result<Organization> TestHost::get_company() {
  if (company_throws_) throw std::runtime_error("the company database is unreachable");
  return Organization{"", "Good Health Clinic", "", "1 Main St", "555-0100", "https://portal.example", true};
}

Result<std::vector<Organization>> TestHost::list_locations() {
  return std::vector<Organization>{
      {"north", "North Clinic", "Northside", "2 North Rd", "555-0101", "", false},
      {"south", "South Clinic", "", "3 South Rd", "555-0102", "", false}};
}

Status TestHost::notify(const Notification& notification) {
  std::lock_guard lock(mutex_);
  notifications_.push_back(notification);
  return Status();
}

Status TestHost::audit(const AuditEvent&) {
  return Status();
}

std::vector<std::string> TestHost::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

bool TestHost::logged(std::string_view text) const {
  std::lock_guard lock(mutex_);
  return std::any_of(logs_.begin(), logs_.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

void TestHost::clear_logs() {
  std::lock_guard lock(mutex_);
  logs_.clear();
}

void TestHost::grant(const std::string& user_id, const std::string& role_id) {
  std::lock_guard lock(mutex_);
  roles_[user_id].insert(role_id);
}

std::vector<Notification> TestHost::notifications() const {
  std::lock_guard lock(mutex_);
  return notifications_;
}

}  // namespace ehr::host::testing
