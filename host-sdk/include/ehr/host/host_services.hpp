// HostServices: what only the host knows, implemented by the vendor in C++. The SDK turns it into
// the C `ehr_host_services` table a plugin receives (HostServicesTable) and catches every
// exception at that boundary (a throwing method answers EHR_STATUS_INTERNAL and is logged).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/host_types.hpp"
#include "ehr/host/status.hpp"
#include "ehr/host_services.h"

namespace ehr::host {

// The optional services of the C table a host offers. A manifest may list the ones its plugin
// needs (<host-services>); the plugin manager refuses a plugin that needs one the host lacks.
struct OptionalServices {
  bool notify = false;
  bool audit = false;
  bool keys = false;  // get_key (ABI 1.1): a KeyStore, or keys the host keeps elsewhere
};

// THREADING: every method may be called concurrently from several plugin threads; make each one
// thread-safe. Answer at the moment of the call (a plugin keeps no copy that could go stale).
// An unknown id answers Status::not_found(...). Returning a failed Status is the way to report
// a failure; an exception also works but is reported to the plugin as EHR_STATUS_INTERNAL.
class HostServices {
 public:
  virtual ~HostServices() = default;

  // Required. A plugin never sends PHI here.
  virtual void log(LogLevel level, std::string_view message) = 0;
  // Wall clock in milliseconds since the Unix epoch. Default: the system clock.
  virtual std::int64_t now_unix_ms();

  // Staff users and their roles.
  virtual Result<User> get_user(std::string_view user_id) = 0;
  virtual Result<bool> user_has_role(std::string_view user_id, std::string_view role_id) = 0;
  // Every user holding the role, active or not.
  virtual Result<std::vector<User>> list_users_with_role(std::string_view role_id) = 0;

  // Patients, their care teams and their portal contacts.
  virtual Result<Patient> get_patient(std::string_view patient_id) = 0;
  // The staff user ids on the patient's care team.
  virtual Result<std::vector<std::string>> list_care_team(std::string_view patient_id) = 0;
  virtual Result<PortalUser> get_portal_user(std::string_view portal_user_id) = 0;
  // Portal users that are contacts on the patient's chart (patient, guardians, guarantors).
  virtual Result<std::vector<PortalUser>> list_patient_contacts(std::string_view patient_id) = 0;
  // The patient ids whose charts the portal user is a contact on.
  virtual Result<std::vector<std::string>> list_contact_charts(std::string_view portal_user_id) = 0;

  // The company and its locations (none in a single instance).
  virtual Result<Organization> get_company() = 0;
  virtual Result<std::vector<Organization>> list_locations() = 0;

  // Which optional services below this host really offers. Default: none. The C table carries a
  // NULL function for each one not offered.
  virtual OptionalServices optional_services() const { return {}; }
  // Optional. Deliver a notification (the host resolves addresses).
  virtual Status notify(const Notification& notification);
  // Optional. A copy of each plugin audit record for the host's own trail.
  virtual Status audit(const AuditEvent& event);
  // Optional (ABI 1.1). A key the host keeps for the plugin outside its database: key_id 0 the
  // current key of the purpose, else that (maybe retired) key; Status::not_found for one the host
  // does not have. Most hosts answer from a KeyStore (ehr/host/key_store.hpp):
  //   Result<Key> get_key(KeyPurpose p, std::uint32_t id) override { return keys_->get(p, id); }
  // Without it (keys = false) the plugin refuses to start unless its configuration opts out.
  virtual Result<Key> get_key(KeyPurpose purpose, std::uint32_t key_id);
};

// The C table built from a HostServices. OWNERSHIP: borrows `services`, which must outlive it;
// the table stays valid as long as this object lives. Not copyable or movable (the table points
// at it).
namespace detail {
class CheckpointStore;
}

class HostServicesTable {
 public:
  // With a host data directory, the table also offers the SDK's keeping of audit checkpoints
  // (save_audit_checkpoint, list_audit_checkpoints: HOST_DATA/plugins/<plugin id>.checkpoints);
  // without one, it offers none.
  explicit HostServicesTable(HostServices& services, const std::filesystem::path& host_data_directory = {});
  ~HostServicesTable();
  HostServicesTable(const HostServicesTable&) = delete;
  HostServicesTable& operator=(const HostServicesTable&) = delete;

  const ehr_host_services* table() const noexcept { return &table_; }
  HostServices& services() const noexcept { return services_; }
  const detail::CheckpointStore* checkpoint_store() const noexcept { return checkpoints_.get(); }

 private:
  HostServices& services_;
  std::unique_ptr<detail::CheckpointStore> checkpoints_;
  ehr_host_services table_{};
};

}  // namespace ehr::host
