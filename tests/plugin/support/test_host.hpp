#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ehr/host_services.h"
#include "host/host_records.hpp"

namespace ehr::portal::test {

// A small but real host for tests: an ehr_host_services table answering from in-memory practice
// data, recording what the plugin asked it to deliver, audit and log. Thread-safe.
class TestHost {
 public:
  struct AuditCopy {
    int64_t sequence = 0;
    int64_t at_unix_ms = 0;
    Principal actor;
    std::string action, patient_id, target, outcome, detail, hash;
  };

  TestHost();
  TestHost(const TestHost&) = delete;
  TestHost& operator=(const TestHost&) = delete;

  // The table to hand to the plugin; valid while this object lives.
  [[nodiscard]] const ehr_host_services* table() const noexcept { return &table_; }
  // Presents the table as an older host would: without the optional notify and audit (and
  // without the 1.1 key service).
  void drop_optional_services();
  // The key service (get_key, ABI 1.1): on by default, with one data key (id 1) and one audit key
  // (id 2). Without it the plugin refuses to start unless its configuration opts out.
  void drop_key_service();
  // A new current data key; the old ones stay. Returns its id.
  uint32_t rotate_data_key();
  // The host loses a key (a restore without the key file, say).
  void forget_key(uint32_t key_id);
  [[nodiscard]] int key_requests() const;
  // Offers save_audit_checkpoint and list_audit_checkpoints, kept in memory.
  void keep_checkpoints();
  struct Checkpoint {
    std::string plugin_id;
    int64_t sequence = 0;
    int64_t at_unix_ms = 0;
    uint32_t key_id = 0;
    std::string hash, mac;
  };
  [[nodiscard]] std::vector<Checkpoint> checkpoints() const;
  // What someone who can write the host's checkpoint file could do.
  void set_checkpoints(std::vector<Checkpoint> checkpoints);

  void add_user(const std::string& id, const std::string& name, bool active,
                std::set<std::string> roles = {});
  void set_role(const std::string& user_id, const std::string& role_id, bool held);
  void set_active(const std::string& user_id, bool active);
  void add_patient(const std::string& id, const std::string& name, const std::string& location_id,
                   std::vector<std::string> care_team = {});
  void set_care_team(const std::string& patient_id, std::vector<std::string> care_team);
  void add_portal_user(const PortalUserInfo& user, std::vector<std::string> contact_charts);
  void set_company(const OrganizationInfo& company);
  void add_location(const OrganizationInfo& location);
  void set_now(int64_t unix_ms);

  [[nodiscard]] std::vector<Notification> notifications() const;
  [[nodiscard]] std::vector<AuditCopy> audit_events() const;
  [[nodiscard]] std::vector<std::string> log_lines() const;
  [[nodiscard]] int role_checks() const;

 private:
  struct User {
    UserInfo info;
    std::set<std::string> roles;
  };
  struct Patient {
    PatientInfo info;
    std::vector<std::string> care_team;
  };
  struct PortalUser {
    PortalUserInfo info;
    std::vector<std::string> charts;
  };

  static ehr_status log(void* host, ehr_log_level level, ehr_str message);
  static ehr_status now(void* host, int64_t* out);
  static ehr_status get_user(void* host, ehr_str id, void* ctx, ehr_user_sink_fn sink);
  static ehr_status user_has_role(void* host, ehr_str id, ehr_str role, bool* out);
  static ehr_status list_users_with_role(void* host, ehr_str role, void* ctx, ehr_user_sink_fn sink);
  static ehr_status get_patient(void* host, ehr_str id, void* ctx, ehr_patient_sink_fn sink);
  static ehr_status list_care_team(void* host, ehr_str id, void* ctx, ehr_id_sink_fn sink);
  static ehr_status get_portal_user(void* host, ehr_str id, void* ctx, ehr_portal_user_sink_fn sink);
  static ehr_status list_patient_contacts(void* host, ehr_str id, void* ctx, ehr_portal_user_sink_fn sink);
  static ehr_status list_contact_charts(void* host, ehr_str id, void* ctx, ehr_id_sink_fn sink);
  static ehr_status get_company(void* host, void* ctx, ehr_organization_sink_fn sink);
  static ehr_status list_locations(void* host, void* ctx, ehr_organization_sink_fn sink);
  static ehr_status notify(void* host, const ehr_notification* notification);
  static ehr_status audit(void* host, const ehr_audit_event* event);
  static ehr_status get_key(void* host, ehr_key_purpose purpose, uint32_t key_id, ehr_key* out);
  struct Key {
    ehr_key_purpose purpose;
    std::array<uint8_t, 32> bytes;
  };
  static ehr_status save_audit_checkpoint(void* host, ehr_str plugin_id,
                                          const ehr_audit_checkpoint* checkpoint);
  static ehr_status list_audit_checkpoints(void* host, ehr_str plugin_id, void* ctx,
                                           ehr_audit_checkpoint_sink_fn sink);

  mutable std::mutex mutex_;
  ehr_host_services table_{};
  std::map<std::string, User> users_;
  std::map<std::string, Patient> patients_;
  std::map<std::string, PortalUser> portal_users_;
  OrganizationInfo company_;
  std::vector<OrganizationInfo> locations_;
  int64_t now_ = 1'764'000'000'000;
  std::vector<Notification> notifications_;
  std::vector<AuditCopy> audit_events_;
  std::vector<Checkpoint> checkpoints_;
  std::vector<std::string> log_lines_;
  int role_checks_ = 0;
  std::map<uint32_t, Key> keys_;
  int key_requests_ = 0;
};

}  // namespace ehr::portal::test
