#include "support/practice_host.hpp"

#include <algorithm>
#include <utility>

namespace ehr::host::testing {

using ehr::host::Result;
using ehr::host::Status;

namespace {
Status unknown(const char* what, std::string_view id) {
  return Status::not_found(std::string("unknown ") + what + " '" + std::string(id) + "'");
}
}  // namespace

PracticeHost::PracticeHost() {
  company_ = {"", "Riverside Health", "", "1 Main St", "555-0100", "https://portal.example", false};
}

void PracticeHost::add_user(const std::string& id, const std::string& name, bool active,
                            std::set<std::string> roles) {
  std::lock_guard lock(mutex_);
  users_[id] = StaffEntry{{id, name, active}, std::move(roles)};
}

void PracticeHost::set_role(const std::string& user_id, const std::string& role_id, bool held) {
  std::lock_guard lock(mutex_);
  auto& roles = users_.at(user_id).roles;
  if (held) {
    roles.insert(role_id);
  } else {
    roles.erase(role_id);
  }
}

void PracticeHost::add_location(const ehr::host::Organization& location) {
  std::lock_guard lock(mutex_);
  locations_.push_back(location);
  company_.is_master = true;
}

void PracticeHost::add_patient(const ehr::host::Patient& patient, std::vector<std::string> care_team) {
  std::lock_guard lock(mutex_);
  patients_[patient.id] = {patient, std::move(care_team)};
}

void PracticeHost::add_portal_user(const ehr::host::PortalUser& user, std::vector<std::string> charts) {
  std::lock_guard lock(mutex_);
  portal_users_[user.id] = {user, std::move(charts)};
}

void PracticeHost::set_company(const ehr::host::Organization& company) {
  std::lock_guard lock(mutex_);
  company_ = company;
}

bool PracticeHost::logged(std::string_view text) const {
  std::lock_guard lock(mutex_);
  return std::any_of(log_lines_.begin(), log_lines_.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

void PracticeHost::clear_logs() {
  std::lock_guard lock(mutex_);
  log_lines_.clear();
}

std::vector<ehr::host::AuditEvent> PracticeHost::audit_events() const {
  std::lock_guard lock(mutex_);
  return audit_events_;
}

std::vector<ehr::host::Notification> PracticeHost::notifications() const {
  std::lock_guard lock(mutex_);
  return notifications_;
}

std::vector<std::string> PracticeHost::log_lines() const {
  std::lock_guard lock(mutex_);
  return log_lines_;
}

void PracticeHost::log(ehr::host::LogLevel, std::string_view message) {
  std::lock_guard lock(mutex_);
  log_lines_.emplace_back(message);
}

Result<ehr::host::User> PracticeHost::get_user(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end()) return unknown("user", user_id);
  return it->second.info;
}

Result<bool> PracticeHost::user_has_role(std::string_view user_id, std::string_view role_id) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end()) return unknown("user", user_id);
  return it->second.roles.count(std::string(role_id)) > 0;
}

Result<std::vector<ehr::host::User>> PracticeHost::list_users_with_role(std::string_view role_id) {
  std::lock_guard lock(mutex_);
  std::vector<ehr::host::User> holders;
  for (const auto& [id, user] : users_) {
    if (user.roles.count(std::string(role_id)) > 0) holders.push_back(user.info);
  }
  return holders;
}

Result<ehr::host::Patient> PracticeHost::get_patient(std::string_view patient_id) {
  std::lock_guard lock(mutex_);
  auto it = patients_.find(patient_id);
  if (it == patients_.end()) return unknown("patient", patient_id);
  return it->second.first;
}

Result<std::vector<std::string>> PracticeHost::list_care_team(std::string_view patient_id) {
  std::lock_guard lock(mutex_);
  auto it = patients_.find(patient_id);
  if (it == patients_.end()) return unknown("patient", patient_id);
  return it->second.second;
}

Result<ehr::host::PortalUser> PracticeHost::get_portal_user(std::string_view portal_user_id) {
  std::lock_guard lock(mutex_);
  auto it = portal_users_.find(portal_user_id);
  if (it == portal_users_.end()) return unknown("portal user", portal_user_id);
  return it->second.first;
}

Result<std::vector<ehr::host::PortalUser>> PracticeHost::list_patient_contacts(std::string_view patient_id) {
  std::lock_guard lock(mutex_);
  if (patients_.find(patient_id) == patients_.end()) return unknown("patient", patient_id);
  std::vector<ehr::host::PortalUser> contacts;
  for (const auto& [id, entry] : portal_users_) {
    for (const auto& chart : entry.second) {
      if (chart == patient_id) contacts.push_back(entry.first);
    }
  }
  return contacts;
}

Result<std::vector<std::string>> PracticeHost::list_contact_charts(std::string_view portal_user_id) {
  std::lock_guard lock(mutex_);
  auto it = portal_users_.find(portal_user_id);
  if (it == portal_users_.end()) return unknown("portal user", portal_user_id);
  return it->second.second;
}

Result<ehr::host::Organization> PracticeHost::get_company() {
  std::lock_guard lock(mutex_);
  return company_;
}

Result<std::vector<ehr::host::Organization>> PracticeHost::list_locations() {
  std::lock_guard lock(mutex_);
  return locations_;
}

Status PracticeHost::notify(const ehr::host::Notification& notification) {
  std::lock_guard lock(mutex_);
  notifications_.push_back(notification);
  return Status::ok();
}

Status PracticeHost::audit(const ehr::host::AuditEvent& event) {
  std::lock_guard lock(mutex_);
  audit_events_.push_back(event);
  return Status::ok();
}

}  // namespace ehr::host::testing
