// A HostServices that stands between the plugin and a real one (the sample host's): forwards
// every call, records every line the plugin logs (to look for PHI), and on request makes one
// named callback throw, as a buggy host would (the SDK must turn that into an error code for the
// plugin, and the plugin into an error for the host). Thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ehr/host/host_services.hpp"

namespace ehr::reliability {

class RecordingServices final : public ehr::host::HostServices {
 public:
  // OWNERSHIP: borrows `inner`, which must outlive this object.
  explicit RecordingServices(ehr::host::HostServices& inner) : inner_(inner) {}

  // The callbacks by the names of ehr_host_services' members (e.g. "get_patient").
  static const std::vector<std::string>& callback_names();
  // From now on the named callback throws std::runtime_error; an empty name stops it.
  void throw_from(std::string callback);

  [[nodiscard]] std::vector<std::string> logs() const;

  void log(ehr::host::LogLevel level, std::string_view message) override;
  std::int64_t now_unix_ms() override;
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
  ehr::host::OptionalServices optional_services() const override { return inner_.optional_services(); }
  ehr::host::Status notify(const ehr::host::Notification& notification) override;
  ehr::host::Status audit(const ehr::host::AuditEvent& event) override;
  ehr::host::Result<ehr::host::Key> get_key(ehr::host::KeyPurpose purpose, std::uint32_t key_id) override {
    return inner_.get_key(purpose, key_id);
  }

 private:
  void maybe_throw(const char* callback) const;

  ehr::host::HostServices& inner_;
  mutable std::mutex mutex_;
  std::string throwing_;
  std::vector<std::string> logs_;
};

}  // namespace ehr::reliability
