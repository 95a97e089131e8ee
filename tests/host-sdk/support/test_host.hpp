// A small HostServices for the SDK's tests: an in-memory practice (users with roles, patients,
// portal users, a company) that records what plugins log. Thread-safe.
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

class TestHost : public HostServices {
 public:
  TestHost();

  void log(LogLevel level, std::string_view message) override;
  std::int64_t now_unix_ms() override { return 1'700'000'000'000; }
  Result<User> get_user(std::string_view user_id) override;
  Result<bool> user_has_role(std::string_view user_id, std::string_view role_id) override;
  Result<std::vector<User>> list_users_with_role(std::string_view role_id) override;
  Result<Patient> get_patient(std::string_view patient_id) override;
  Result<std::vector<std::string>> list_care_team(std::string_view patient_id) override;
  Result<PortalUser> get_portal_user(std::string_view portal_user_id) override;
  Result<std::vector<PortalUser>> list_patient_contacts(std::string_view patient_id) override;
  Result<std::vector<std::string>> list_contact_charts(std::string_view portal_user_id) override;
  Result<Organization> get_company() override;
  Result<std::vector<Organization>> list_locations() override;
  OptionalServices optional_services() const override { return {true, true, true}; }
  Result<Key> get_key(KeyPurpose purpose, std::uint32_t key_id) override {
    return keys_->get(purpose, key_id);
  }
  KeyStore& keys() { return *keys_; }
  Status notify(const Notification& notification) override;
  Status audit(const AuditEvent& event) override;

  // What plugins logged, in order.
  std::vector<std::string> logs() const;
  bool logged(std::string_view text) const;
  void clear_logs();

  // Test knobs.
  void grant(const std::string& user_id, const std::string& role_id);
  void set_company_throws(bool throws) { company_throws_ = throws; }
  std::vector<Notification> notifications() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> logs_;
  std::vector<User> users_;
  std::map<std::string, std::set<std::string>, std::less<>> roles_;
  std::vector<Patient> patients_;
  std::vector<PortalUser> portal_users_;
  std::vector<Notification> notifications_;
  bool company_throws_ = false;
  std::unique_ptr<KeyStore> keys_ = KeyStore::generate();
};

}  // namespace ehr::host::testing
