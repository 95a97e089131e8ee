#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host_services.h"
#include "host/host_records.hpp"

namespace ehr::portal {

// The plugin's C++ view of the host services table. It copies the table defensively (per
// struct_size), checks the required functions are there, turns sink callbacks into values and
// host failures into Error. A NULL optional function means the host does not support it.
// Thread-safe: it holds no state beyond its copy of the table.
class HostClient {
 public:
  // Throws Error(EHR_STATUS_INVALID_ARGUMENT) naming the first required function missing.
  explicit HostClient(const ehr_host_services* table);

  // Never throws; the message must carry no PHI.
  void log(LogLevel level, std::string_view message) const noexcept;
  [[nodiscard]] int64_t now_unix_ms() const;

  // nullopt when the host does not know the id.
  [[nodiscard]] std::optional<UserInfo> get_user(std::string_view user_id) const;
  // False for an unknown user as for one without the role.
  [[nodiscard]] bool user_has_role(std::string_view user_id, std::string_view role_id) const;
  [[nodiscard]] std::vector<UserInfo> list_users_with_role(std::string_view role_id) const;

  [[nodiscard]] std::optional<PatientInfo> get_patient(std::string_view patient_id) const;
  // Throw Error(EHR_STATUS_NOT_FOUND) for an unknown patient or portal user.
  [[nodiscard]] std::vector<std::string> list_care_team(std::string_view patient_id) const;
  [[nodiscard]] std::optional<PortalUserInfo> get_portal_user(std::string_view portal_user_id) const;
  [[nodiscard]] std::vector<PortalUserInfo> list_patient_contacts(std::string_view patient_id) const;
  [[nodiscard]] std::vector<std::string> list_contact_charts(std::string_view portal_user_id) const;

  [[nodiscard]] OrganizationInfo company() const;
  // Empty in a single instance.
  [[nodiscard]] std::vector<OrganizationInfo> locations() const;
  [[nodiscard]] std::optional<OrganizationInfo> location(std::string_view location_id) const;

  [[nodiscard]] bool supports_notify() const noexcept { return table_.notify != nullptr; }
  // Throws Error(EHR_STATUS_UNSUPPORTED) when the host has no notification delivery.
  void notify(const Notification& notification) const;

  [[nodiscard]] bool supports_audit() const noexcept { return table_.audit != nullptr; }
  // Throws Error(EHR_STATUS_UNSUPPORTED) when the host has no audit sink.
  void audit(const ehr_audit_event& event) const;

  // A 1.0 host, or a 1.1 host without a key service, has none.
  [[nodiscard]] bool supports_keys() const noexcept { return table_.get_key != nullptr; }
  // key_id 0: the current key of the purpose. Throws Error(EHR_STATUS_UNSUPPORTED) without a key
  // service, and the host's failure (e.g. NOT_FOUND for a key it does not have) otherwise.
  [[nodiscard]] HostKey get_key(ehr_key_purpose purpose, uint32_t key_id) const;

  // Audit checkpoints the host keeps outside the plugin's database (since 1.1).
  struct Checkpoint {
    int64_t sequence = 0;
    int64_t at_unix_ms = 0;
    uint32_t key_id = 0;
    std::string hash;
    std::string mac;
  };
  [[nodiscard]] bool supports_checkpoints() const noexcept {
    return table_.save_audit_checkpoint != nullptr && table_.list_audit_checkpoints != nullptr;
  }
  // Both throw Error(EHR_STATUS_UNSUPPORTED) when the host keeps no checkpoints.
  void save_audit_checkpoint(std::string_view plugin_id, const Checkpoint& checkpoint) const;
  [[nodiscard]] std::vector<Checkpoint> list_audit_checkpoints(std::string_view plugin_id) const;

 private:
  // Throws Error for a failed call, with the host's own reason when it gives one (take_error).
  void check(ehr_status status, const char* function) const;
  // The host's details of the call that just failed on this thread, or NULL.
  [[nodiscard]] ehr_error* take_host_error() const noexcept;

  ehr_host_services table_{};
};

}  // namespace ehr::portal
