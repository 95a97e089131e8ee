#include "bench_host.hpp"

#include <chrono>

namespace ehr::bench {

namespace {

constexpr std::string_view kAvailableRole = "available_for_portal_messages";
constexpr std::string_view kSettingsRole = "manage_portal_settings";

host::Status unknown(std::string_view what, std::string_view id) {
  return host::Status::not_found("unknown " + std::string(what) + " '" + std::string(id) + "'");
}

}  // namespace

BenchHost::BenchHost(const Practice& practice) : practice_(practice) {}

void BenchHost::log(host::LogLevel level, std::string_view) {
  if (level >= host::LogLevel::warning) warnings_.fetch_add(1, std::memory_order_relaxed);
}

int64_t BenchHost::now_unix_ms() {
  if (const int64_t pinned = pinned_ms_.load(std::memory_order_relaxed); pinned != 0) return pinned;
  return HostServices::now_unix_ms();
}

host::User BenchHost::user(uint32_t index) const {
  return {Practice::staff_id(index), "Clinician " + std::to_string(index), practice_.staff()[index].active};
}

host::PortalUser BenchHost::portal_user(const PortalAccount& account) const {
  host::PortalUser user;
  if (account.kind == PortalKind::patient) {
    user.id = Practice::patient_portal_id(account.index);
    user.first_name = "Pat" + std::to_string(account.index);
    user.kind = host::PortalUserKind::patient;
  } else {
    user.id = Practice::guardian_portal_id(account.index);
    user.first_name = "Gus" + std::to_string(account.index);
    user.kind = host::PortalUserKind::guardian;
  }
  user.display_name = user.first_name + " Bench";
  user.active = practice_.portal_active(account);
  return user;
}

host::Organization BenchHost::location(uint32_t index) const {
  host::Organization org;
  org.location_id = Practice::location_id(index);
  org.name = "Bench Clinic " + std::to_string(index);
  org.alias = index % 3 == 0 ? "Bench Kids " + std::to_string(index) : "";
  org.address = std::to_string(100 + index) + " Main Street";
  org.phone = "555-01" + std::to_string(index);
  org.portal_url = "https://portal.example.org/" + org.location_id;
  return org;
}

host::Result<host::User> BenchHost::get_user(std::string_view user_id) {
  auto index = practice_.staff_index(user_id);
  if (!index) return unknown("user", user_id);
  return user(*index);
}

host::Result<bool> BenchHost::user_has_role(std::string_view user_id, std::string_view role_id) {
  auto index = practice_.staff_index(user_id);
  if (!index) return unknown("user", user_id);
  const StaffMember& member = practice_.staff()[*index];
  if (role_id == kAvailableRole) return member.available_for_portal_messages;
  if (role_id == kSettingsRole) return member.manage_portal_settings;
  return false;
}

host::Result<std::vector<host::User>> BenchHost::list_users_with_role(std::string_view role_id) {
  std::vector<host::User> users;
  for (uint32_t i = 0; i < practice_.staff().size(); ++i) {
    const StaffMember& member = practice_.staff()[i];
    if ((role_id == kAvailableRole && member.available_for_portal_messages) ||
        (role_id == kSettingsRole && member.manage_portal_settings)) {
      users.push_back(user(i));
    }
  }
  return users;
}

host::Result<host::Patient> BenchHost::get_patient(std::string_view patient_id) {
  auto index = practice_.patient_index(patient_id);
  if (!index) return unknown("patient", patient_id);
  return host::Patient{Practice::patient_id(*index), "Patient " + std::to_string(*index),
                       Practice::location_id(practice_.patients()[*index].location)};
}

host::Result<std::vector<std::string>> BenchHost::list_care_team(std::string_view patient_id) {
  auto index = practice_.patient_index(patient_id);
  if (!index) return unknown("patient", patient_id);
  const PatientRecord& patient = practice_.patients()[*index];
  std::vector<std::string> team;
  team.reserve(patient.care_team_size);
  for (uint8_t i = 0; i < patient.care_team_size; ++i)
    team.push_back(Practice::staff_id(patient.care_team[i]));
  return team;
}

host::Result<host::PortalUser> BenchHost::get_portal_user(std::string_view portal_user_id) {
  auto account = practice_.portal_account(portal_user_id);
  if (!account) return unknown("portal user", portal_user_id);
  return portal_user(*account);
}

host::Result<std::vector<host::PortalUser>> BenchHost::list_patient_contacts(std::string_view patient_id) {
  auto index = practice_.patient_index(patient_id);
  if (!index) return unknown("patient", patient_id);
  std::vector<host::PortalUser> contacts{portal_user({PortalKind::patient, *index})};
  if (auto guardian = practice_.patients()[*index].guardian) {
    contacts.push_back(portal_user({PortalKind::guardian, *guardian}));
  }
  return contacts;
}

host::Result<std::vector<std::string>> BenchHost::list_contact_charts(std::string_view portal_user_id) {
  auto account = practice_.portal_account(portal_user_id);
  if (!account) return unknown("portal user", portal_user_id);
  if (account->kind == PortalKind::patient)
    return std::vector<std::string>{Practice::patient_id(account->index)};
  std::vector<std::string> charts;
  for (uint32_t patient : practice_.guardian_charts(account->index))
    charts.push_back(Practice::patient_id(patient));
  return charts;
}

host::Result<host::Organization> BenchHost::get_company() {
  host::Organization company;
  company.name = "Bench Clinic Network";
  company.address = "1 Main Street";
  company.phone = "555-0100";
  company.portal_url = "https://portal.example.org/";
  company.is_master = true;
  return company;
}

host::Result<std::vector<host::Organization>> BenchHost::list_locations() {
  std::vector<host::Organization> locations;
  locations.reserve(practice_.scale().locations);
  for (uint32_t i = 0; i < practice_.scale().locations; ++i) locations.push_back(location(i));
  return locations;
}

host::Status BenchHost::notify(const host::Notification&) {
  notifications_.fetch_add(1, std::memory_order_relaxed);
  return host::Status::ok();
}

host::Status BenchHost::audit(const host::AuditEvent&) {
  audit_copies_.fetch_add(1, std::memory_order_relaxed);
  return host::Status::ok();
}

host::Result<std::vector<host::User>> BenchUserDirectory::list_users() {
  std::vector<host::User> users;
  users.reserve(count_ + 1);
  users.push_back({"admin", "Role Admin", true});
  for (uint32_t i = 0; i < count_; ++i)
    users.push_back({"u" + std::to_string(i), "User " + std::to_string(i), true});
  return users;
}

host::Result<host::User> BenchUserDirectory::find_user(std::string_view user_id) {
  if (user_id == "admin") return host::User{"admin", "Role Admin", true};
  if (user_id.size() > 1 && user_id[0] == 'u') {
    const std::string digits(user_id.substr(1));
    if (digits.find_first_not_of("0123456789") == std::string::npos && std::stoul(digits) < count_ &&
        std::to_string(std::stoul(digits)) == digits) {
      return host::User{std::string(user_id), "User " + digits, true};
    }
  }
  return host::Status::not_found("unknown user '" + std::string(user_id) + "'", "user_id");
}

}  // namespace ehr::bench
