#include "support/recording_services.hpp"

#include <stdexcept>

namespace ehr::reliability {

namespace host = ehr::host;

const std::vector<std::string>& RecordingServices::callback_names() {
  static const std::vector<std::string> names = {
      "now",         "get_user",       "user_has_role",       "list_users_with_role",
      "get_patient", "list_care_team", "get_portal_user",     "list_patient_contacts",
      "get_company", "list_locations", "list_contact_charts", "notify",
      "audit"};
  return names;
}

void RecordingServices::throw_from(std::string callback) {
  std::lock_guard lock(mutex_);
  throwing_ = std::move(callback);
}

std::vector<std::string> RecordingServices::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

void RecordingServices::maybe_throw(const char* callback) const {
  std::lock_guard lock(mutex_);
  if (throwing_ == callback) throw std::runtime_error(std::string("host callback ") + callback + " broke");
}

void RecordingServices::log(host::LogLevel level, std::string_view message) {
  {
    std::lock_guard lock(mutex_);
    logs_.emplace_back(message);
  }
  inner_.log(level, message);
}

std::int64_t RecordingServices::now_unix_ms() {
  maybe_throw("now");
  return inner_.now_unix_ms();
}
host::Result<host::User> RecordingServices::get_user(std::string_view user_id) {
  maybe_throw("get_user");
  return inner_.get_user(user_id);
}
host::Result<bool> RecordingServices::user_has_role(std::string_view user_id, std::string_view role_id) {
  maybe_throw("user_has_role");
  return inner_.user_has_role(user_id, role_id);
}
host::Result<std::vector<host::User>> RecordingServices::list_users_with_role(std::string_view role_id) {
  maybe_throw("list_users_with_role");
  return inner_.list_users_with_role(role_id);
}
host::Result<host::Patient> RecordingServices::get_patient(std::string_view patient_id) {
  maybe_throw("get_patient");
  return inner_.get_patient(patient_id);
}
host::Result<std::vector<std::string>> RecordingServices::list_care_team(std::string_view patient_id) {
  maybe_throw("list_care_team");
  return inner_.list_care_team(patient_id);
}
host::Result<host::PortalUser> RecordingServices::get_portal_user(std::string_view portal_user_id) {
  maybe_throw("get_portal_user");
  return inner_.get_portal_user(portal_user_id);
}
host::Result<std::vector<host::PortalUser>> RecordingServices::list_patient_contacts(
    std::string_view patient_id) {
  maybe_throw("list_patient_contacts");
  return inner_.list_patient_contacts(patient_id);
}
host::Result<std::vector<std::string>> RecordingServices::list_contact_charts(
    std::string_view portal_user_id) {
  maybe_throw("list_contact_charts");
  return inner_.list_contact_charts(portal_user_id);
}
host::Result<host::Organization> RecordingServices::get_company() {
  maybe_throw("get_company");
  return inner_.get_company();
}
host::Result<std::vector<host::Organization>> RecordingServices::list_locations() {
  maybe_throw("list_locations");
  return inner_.list_locations();
}
host::Status RecordingServices::notify(const host::Notification& notification) {
  maybe_throw("notify");
  return inner_.notify(notification);
}
host::Status RecordingServices::audit(const host::AuditEvent& event) {
  maybe_throw("audit");
  return inner_.audit(event);
}

}  // namespace ehr::reliability
