#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ehr/host/host_services.hpp"
#include "ehr/host/key_store.hpp"

namespace ehr::host::testing {

// A small host written on the public C++ SDK, as a vendor would write one: it answers the
// plugin's host-service calls from in-memory practice data that the test adds, and keeps what it
// was asked to log, deliver and audit. The one such host of the C++ tests (the SDK's TestHost is
// this one with a fixed practice). Thread-safe.
class PracticeHost : public ehr::host::HostServices {
 public:
  PracticeHost();

  void add_user(const std::string& id, const std::string& name, bool active,
                std::set<std::string> roles = {});
  void set_role(const std::string& user_id, const std::string& role_id, bool held);
  void add_location(const ehr::host::Organization& location);
  void add_patient(const ehr::host::Patient& patient, std::vector<std::string> care_team);
  void add_portal_user(const ehr::host::PortalUser& user, std::vector<std::string> charts);
  void set_company(const ehr::host::Organization& company);

  // What the plugin logged, in order; whether a line holds `text`; forgetting them.
  [[nodiscard]] bool logged(std::string_view text) const;
  void clear_logs();

  [[nodiscard]] std::vector<ehr::host::AuditEvent> audit_events() const;
  [[nodiscard]] std::vector<ehr::host::Notification> notifications() const;
  [[nodiscard]] std::vector<std::string> log_lines() const;

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
  ehr::host::OptionalServices optional_services() const override { return {true, true, true}; }
  ehr::host::Result<ehr::host::Key> get_key(ehr::host::KeyPurpose purpose, std::uint32_t key_id) override {
    return keys_->get(purpose, key_id);
  }
  [[nodiscard]] ehr::host::KeyStore& keys() { return *keys_; }
  ehr::host::Status notify(const ehr::host::Notification& notification) override;
  ehr::host::Status audit(const ehr::host::AuditEvent& event) override;

 private:
  std::unique_ptr<ehr::host::KeyStore> keys_ = ehr::host::KeyStore::generate();
  struct StaffEntry {
    ehr::host::User info;
    std::set<std::string> roles;
  };

  mutable std::mutex mutex_;
  std::map<std::string, StaffEntry, std::less<>> users_;
  std::map<std::string, std::pair<ehr::host::Patient, std::vector<std::string>>, std::less<>> patients_;
  std::map<std::string, std::pair<ehr::host::PortalUser, std::vector<std::string>>, std::less<>>
      portal_users_;
  ehr::host::Organization company_;
  std::vector<ehr::host::Organization> locations_;
  std::vector<ehr::host::AuditEvent> audit_events_;
  std::vector<ehr::host::Notification> notifications_;
  std::vector<std::string> log_lines_;
};

}  // namespace ehr::host::testing
