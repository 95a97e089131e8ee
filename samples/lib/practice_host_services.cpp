#include "practice_host_services.hpp"

#include <fstream>
#include <iostream>
#include <utility>

#include <nlohmann/json.hpp>

#include "ehr/host/private_files.hpp"
#include "practice_user_directory.hpp"
#include "visible_text.hpp"

namespace ehr::sample {

namespace host = ehr::host;

namespace {

host::Status unknown(const char* what, std::string_view id) {
  return host::Status::not_found(std::string("unknown ") + what + " '" + std::string(id) + "'", what);
}

host::Organization to_host_organization(const Organization& org, bool is_master) {
  return {org.location_id, org.name, org.alias, org.address, org.phone, org.portal_url, is_master};
}

host::PortalUser to_host_portal_user(const PortalUser& user) {
  host::PortalUserKind kind = host::PortalUserKind::patient;
  if (user.kind == PortalUserKind::guardian) kind = host::PortalUserKind::guardian;
  if (user.kind == PortalUserKind::guarantor) kind = host::PortalUserKind::guarantor;
  return {user.id, user.name, user.first_name, kind, user.active};
}

const char* level_name(host::LogLevel level) {
  switch (level) {
    case host::LogLevel::debug:
      return "debug";
    case host::LogLevel::info:
      return "info";
    case host::LogLevel::warning:
      return "warning";
    case host::LogLevel::error:
      return "error";
  }
  return "log";
}

const char* kind_name(host::NotificationKind kind) {
  return kind == host::NotificationKind::portal_invitation ? "portal_invitation" : "new_message";
}

}  // namespace

std::optional<host::LogLevel> parse_log_level(std::string_view text) {
  for (const host::LogLevel level :
       {host::LogLevel::debug, host::LogLevel::info, host::LogLevel::warning, host::LogLevel::error}) {
    if (text == level_name(level)) return level;
  }
  return std::nullopt;
}

PracticeHostServices::PracticeHostServices(const Practice& practice, host::RoleStore& roles,
                                           NotificationStore& notifications, const host::KeyStore& keys,
                                           std::filesystem::path audit_copy_file,
                                           host::LogLevel log_threshold)
    : practice_(practice),
      roles_(roles),
      notifications_(notifications),
      keys_(keys),
      audit_copy_file_(std::move(audit_copy_file)),
      log_threshold_(log_threshold) {}

// Plugins never send PHI to the log (ABI contract), so the line is written as given.
void PracticeHostServices::log(host::LogLevel level, std::string_view message) {
  if (static_cast<std::uint32_t>(level) < static_cast<std::uint32_t>(log_threshold_)) return;
  std::string line = std::string("ehr-host: [") + level_name(level) + "] " + visible_controls(message) + '\n';
  std::cerr << line << std::flush;
}

host::Result<host::User> PracticeHostServices::get_user(std::string_view user_id) {
  const StaffUser* user = practice_.find_user(user_id);
  if (user == nullptr) return unknown("user", user_id);
  return to_host_user(*user);
}

host::Result<bool> PracticeHostServices::user_has_role(std::string_view user_id, std::string_view role_id) {
  return roles_.has_role(user_id, role_id);
}

host::Result<std::vector<host::User>> PracticeHostServices::list_users_with_role(std::string_view role_id) {
  auto members = roles_.members(role_id);
  if (!members) return members.status();
  std::vector<host::User> users;
  for (const std::string& id : *members) {
    if (const StaffUser* user = practice_.find_user(id)) users.push_back(to_host_user(*user));
  }
  return users;
}

host::Result<host::Patient> PracticeHostServices::get_patient(std::string_view patient_id) {
  const Patient* patient = practice_.find_patient(patient_id);
  if (patient == nullptr) return unknown("patient", patient_id);
  return host::Patient{patient->id, patient->name, patient->location_id};
}

host::Result<std::vector<std::string>> PracticeHostServices::list_care_team(std::string_view patient_id) {
  const Patient* patient = practice_.find_patient(patient_id);
  if (patient == nullptr) return unknown("patient", patient_id);
  return patient->care_team;
}

host::Result<host::PortalUser> PracticeHostServices::get_portal_user(std::string_view portal_user_id) {
  const PortalUser* user = practice_.find_portal_user(portal_user_id);
  if (user == nullptr) return unknown("portal user", portal_user_id);
  return to_host_portal_user(*user);
}

host::Result<std::vector<host::PortalUser>> PracticeHostServices::list_patient_contacts(
    std::string_view patient_id) {
  if (practice_.find_patient(patient_id) == nullptr) return unknown("patient", patient_id);
  std::vector<host::PortalUser> contacts;
  for (const PortalUser* user : practice_.contacts_of(patient_id))
    contacts.push_back(to_host_portal_user(*user));
  return contacts;
}

host::Result<std::vector<std::string>> PracticeHostServices::list_contact_charts(
    std::string_view portal_user_id) {
  const PortalUser* user = practice_.find_portal_user(portal_user_id);
  if (user == nullptr) return unknown("portal user", portal_user_id);
  return user->contacts;
}

host::Result<host::Organization> PracticeHostServices::get_company() {
  return to_host_organization(practice_.company(), practice_.is_master());
}

host::Result<std::vector<host::Organization>> PracticeHostServices::list_locations() {
  std::vector<host::Organization> locations;
  for (const Organization& location : practice_.locations()) {
    locations.push_back(to_host_organization(location, false));
  }
  return locations;
}

host::Status PracticeHostServices::notify(const host::Notification& notification) {
  DeliveredNotification delivered;
  delivered.at_unix_ms = now_unix_ms();
  delivered.kind = kind_name(notification.kind);
  delivered.brand = notification.brand_name;
  delivered.subject = notification.subject;
  delivered.text = notification.text;
  delivered.html = notification.html;
  const std::string& id = notification.recipient.id;
  if (notification.delivery == host::Delivery::portal_contact) {
    if (notification.recipient.kind != host::PrincipalKind::portal_user) {
      return host::Status::invalid_argument("recipient",
                                            "portal-contact delivery needs a portal user recipient");
    }
    const PortalUser* user = practice_.find_portal_user(id);
    if (user == nullptr) return unknown("portal user", id);
    delivered.to = "portal:" + id;
    if (!user->email.empty()) {
      delivered.channel = "email";
      delivered.address = user->email;
    } else if (!user->phone.empty()) {
      delivered.channel = "sms";
      delivered.address = user->phone;
    } else {
      return host::Status::invalid_argument(
          "recipient", "portal user '" + id + "' has no email address or phone number on file");
    }
  } else {
    if (notification.recipient.kind != host::PrincipalKind::staff) {
      return host::Status::invalid_argument("recipient", "in-app delivery needs a staff recipient");
    }
    if (practice_.find_user(id) == nullptr) return unknown("user", id);
    delivered.to = "staff:" + id;
    delivered.channel = "in-app";
    delivered.address = id;
  }
  notifications_.add(delivered);
  return host::Status::ok();
}

host::Status PracticeHostServices::audit(const host::AuditEvent& event) {
  nlohmann::ordered_json record = {
      {"sequence", event.sequence},
      {"at_unix_ms", event.at_unix_ms},
      {"actor", (event.actor.kind == host::PrincipalKind::staff ? "staff:" : "portal:") + event.actor.id},
      {"action", event.action},
      {"patient", event.patient_id},
      {"target", event.target},
      {"outcome", event.outcome},
      {"detail", event.detail},
      {"hash", event.hash}};
  const std::lock_guard lock(audit_mutex_);
  if (host::Status made = host::make_private_file(audit_copy_file_); !made) return made;
  std::ofstream out(audit_copy_file_, std::ios::app);
  out << record.dump() << '\n';
  out.flush();
  if (!out)
    return host::Status::storage("cannot append to the host's audit copy " + audit_copy_file_.string());
  return host::Status::ok();
}

}  // namespace ehr::sample
