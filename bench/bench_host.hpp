// The bench host: answers the plugin's host services from the generated practice, in memory, as
// a real host's cache would. Notifications and audit copies are counted and dropped (their
// delivery is the host's business, not the plugin's cost). While the dataset is generated the
// clock can be pinned so that the data is the same on every run.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ehr/host/host_services.hpp"
#include "ehr/host/key_store.hpp"
#include "ehr/host/role_store.hpp"
#include "practice.hpp"

namespace ehr::bench {

class BenchHost final : public host::HostServices {
 public:
  explicit BenchHost(const Practice& practice);

  // 0 (the default): the system clock.
  void pin_clock(int64_t unix_ms) { pinned_ms_.store(unix_ms); }

  [[nodiscard]] uint64_t notifications() const { return notifications_.load(); }
  [[nodiscard]] uint64_t audit_copies() const { return audit_copies_.load(); }
  [[nodiscard]] uint64_t warnings() const { return warnings_.load(); }

  void log(host::LogLevel level, std::string_view message) override;
  int64_t now_unix_ms() override;
  host::Result<host::User> get_user(std::string_view user_id) override;
  host::Result<bool> user_has_role(std::string_view user_id, std::string_view role_id) override;
  host::Result<std::vector<host::User>> list_users_with_role(std::string_view role_id) override;
  host::Result<host::Patient> get_patient(std::string_view patient_id) override;
  host::Result<std::vector<std::string>> list_care_team(std::string_view patient_id) override;
  host::Result<host::PortalUser> get_portal_user(std::string_view portal_user_id) override;
  host::Result<std::vector<host::PortalUser>> list_patient_contacts(std::string_view patient_id) override;
  host::Result<std::vector<std::string>> list_contact_charts(std::string_view portal_user_id) override;
  host::Result<host::Organization> get_company() override;
  host::Result<std::vector<host::Organization>> list_locations() override;
  host::OptionalServices optional_services() const override { return {true, true, true}; }
  host::Result<host::Key> get_key(host::KeyPurpose purpose, uint32_t key_id) override {
    return keys_->get(purpose, key_id);
  }
  host::Status notify(const host::Notification& notification) override;
  host::Status audit(const host::AuditEvent& event) override;

 private:
  [[nodiscard]] host::User user(uint32_t index) const;
  [[nodiscard]] host::PortalUser portal_user(const PortalAccount& account) const;
  [[nodiscard]] host::Organization location(uint32_t index) const;

  const Practice& practice_;
  std::unique_ptr<host::KeyStore> keys_ = host::KeyStore::generate();
  std::atomic<int64_t> pinned_ms_{0};
  std::atomic<uint64_t> notifications_{0};
  std::atomic<uint64_t> audit_copies_{0};
  std::atomic<uint64_t> warnings_{0};
};

// The host's users for the role store (scenario 7): `count` staff accounts, all active.
class BenchUserDirectory final : public host::UserDirectory {
 public:
  explicit BenchUserDirectory(uint32_t count) : count_(count) {}
  host::Result<std::vector<host::User>> list_users() override;
  host::Result<host::User> find_user(std::string_view user_id) override;

 private:
  uint32_t count_;
};

}  // namespace ehr::bench
