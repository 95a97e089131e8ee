// The sample host's answers to a plugin's host-service calls, from its practice file, the SDK's
// RoleStore and its own notification store. This is the class a vendor writes for their EHR.
#pragma once

#include <filesystem>
#include <mutex>

#include "ehr/host/host_services.hpp"
#include "ehr/host/key_store.hpp"
#include "ehr/host/role_store.hpp"
#include "notification_store.hpp"
#include "practice.hpp"

namespace ehr::sample {

class PracticeHostServices final : public ehr::host::HostServices {
 public:
  // OWNERSHIP: borrows all four, which must outlive this object. Audit copies are appended to
  // `audit_copy_file` (JSON lines), the host's own trail.
  PracticeHostServices(const Practice& practice, ehr::host::RoleStore& roles,
                       NotificationStore& notifications, const ehr::host::KeyStore& keys,
                       std::filesystem::path audit_copy_file, ehr::host::LogLevel log_threshold);

  void log(ehr::host::LogLevel level, std::string_view message) override;

  ehr::host::Result<ehr::host::User> get_user(std::string_view user_id) override;
  ehr::host::Result<bool> user_has_role(std::string_view user_id, std::string_view role_id) override;
  ehr::host::Result<std::vector<ehr::host::User>> list_users_with_role(std::string_view role_id) override;

  ehr::host::Result<ehr::host::Patient> get_patient(std::string_view patient_id) override;
  ehr::host::Result<std::vector<std::string>> list_care_team(std::string_view patient_id) override;
  ehr::host::Result<ehr::host::PortalUser> get_portal_user(std::string_view portal_user_id) override;
  ehr::host::Result<std::vector<ehr::host::PortalUser>> list_patient_contacts(
      std::string_view patient_id) override;
  ehr::host::Result<std::vector<std::string>> list_contact_charts(std::string_view portal_user_id) override;

  ehr::host::Result<ehr::host::Organization> get_company() override;
  ehr::host::Result<std::vector<ehr::host::Organization>> list_locations() override;

  ehr::host::OptionalServices optional_services() const override {
    return {.notify = true, .audit = true, .keys = true};
  }
  // Resolves where the notification goes (a portal user's email, else SMS; a staff user's in-app
  // notices) and stores it for `ehr-host notifications list`.
  ehr::host::Status notify(const ehr::host::Notification& notification) override;
  ehr::host::Status audit(const ehr::host::AuditEvent& event) override;
  // From the SDK's KeyStore: the data directory's key file, or EHR_HOST_KEYS.
  ehr::host::Result<ehr::host::Key> get_key(ehr::host::KeyPurpose purpose, std::uint32_t key_id) override {
    return keys_.get(purpose, key_id);
  }

 private:
  const Practice& practice_;
  ehr::host::RoleStore& roles_;
  NotificationStore& notifications_;
  const ehr::host::KeyStore& keys_;
  std::filesystem::path audit_copy_file_;
  ehr::host::LogLevel log_threshold_;
  std::mutex audit_mutex_;
};

// debug, info, warning or error; nullopt for anything else.
[[nodiscard]] std::optional<ehr::host::LogLevel> parse_log_level(std::string_view text);

}  // namespace ehr::sample
