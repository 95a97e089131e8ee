// The running reference host: its practice, data directory, role store, notification store,
// host services and plugin manager, assembled in the order they depend on each other.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ehr/host/host.hpp"
#include "notification_store.hpp"
#include "practice.hpp"
#include "practice_host_services.hpp"
#include "practice_user_directory.hpp"

namespace ehr::sample::cli {

struct HostPaths {
  std::filesystem::path data_directory;
  std::filesystem::path practice_file;
  std::filesystem::path plugins_directory;
  // Plugin signatures (--trusted-keys, --require-signatures); empty: no key is trusted.
  std::filesystem::path trusted_keys_file;
  bool require_signatures = false;
};

// The trusted keys file: one "KEY_ID PUBLIC_KEY_BASE64" line per key (as `ehr-sign keygen`
// prints it), blank lines and # comments allowed. Throws CommandError naming the file and line.
[[nodiscard]] std::vector<ehr::host::TrustedKey> read_trusted_keys(const std::filesystem::path& file);

// A roles section as the user edit page shows it: the plugins' sections as they registered them,
// then every other declared role (the host's own, and those of plugins not loaded now).
struct RoleSectionView {
  std::string title;
  std::string plugin_id;
  std::vector<ehr::host::RoleDescriptor> roles;
};

class SampleHost {
 public:
  // Creates the data directory if missing, reads the practice file, opens the stores and loads
  // the plugins. Throws CommandError naming what failed.
  SampleHost(const HostPaths& paths, ehr::host::LogLevel log_threshold);
  ~SampleHost();
  SampleHost(const SampleHost&) = delete;
  SampleHost& operator=(const SampleHost&) = delete;

  [[nodiscard]] const HostPaths& paths() const { return paths_; }
  [[nodiscard]] const Practice& practice() const { return *practice_; }
  [[nodiscard]] ehr::host::PluginManager& plugins() { return *plugins_; }
  [[nodiscard]] ehr::host::RoleStore& roles() { return *roles_; }
  [[nodiscard]] NotificationStore& notifications() { return *notifications_; }
  [[nodiscard]] ehr::host::KeyStore& keys() { return *keys_; }
  [[nodiscard]] PracticeHostServices& services() { return *services_; }

  // The plugin that offers Portal settings pages / the messaging channel / an audit log.
  // Throws CommandError when no loaded plugin offers one.
  [[nodiscard]] ehr::host::SettingsPages settings_pages() const;
  [[nodiscard]] ehr::host::MessagingChannel channel() const;
  [[nodiscard]] ehr::host::AuditLog audit_log() const;

  [[nodiscard]] std::vector<RoleSectionView> role_sections() const;

  // Throws CommandError (not found) naming the id.
  const StaffUser& user(std::string_view id) const;
  const Patient& patient(std::string_view id) const;
  // The staff user `user_id` when active and holding `role` (any active staff user when `role` is
  // empty); otherwise throws CommandError (refused) saying who may not do what. For commands that show PHI or
  // configuration: the host trusts --as, so authenticating it is the embedding host's job (docs/admins.md,
  // Security).
  const StaffUser& authorized(std::string_view user_id, std::string_view role, std::string_view doing) const;
  const PortalUser& portal_user(std::string_view id) const;
  const Organization& location(std::string_view id) const;
  // A principal as written on the command line: a staff user id (or staff:ID), or portal:ID.
  // Throws CommandError (not found) for someone the practice does not know.
  ehr::host::Principal principal(std::string_view text) const;
  // The name the host shows for a principal.
  std::string display_name(const ehr::host::Principal& principal) const;

 private:
  void declare_and_seed_roles();
  void install_sample_hooks();

  HostPaths paths_;
  std::unique_ptr<Practice> practice_;
  std::unique_ptr<PracticeUserDirectory> directory_;
  std::unique_ptr<ehr::host::KeyStore> keys_;
  std::unique_ptr<NotificationStore> notifications_;
  std::unique_ptr<ehr::host::RoleStore> roles_;
  std::unique_ptr<PracticeHostServices> services_;
  std::unique_ptr<ehr::host::PluginManager> plugins_;
  std::vector<ehr::host::HookRegistration> hooks_;
};

// e.g. "not_on_care_team"; empty for EHR_DENY_NONE.
// "drlee" for staff, "portal:maria" for a portal user: how principals are written on the command line.
[[nodiscard]] std::string principal_text(const ehr::host::Principal& principal);

[[nodiscard]] std::string deny_reason_name(ehr_deny_reason reason);

// Fails the command with the SDK's status: its words on stderr (then `hint`, when given), an exit
// code by its kind.
[[noreturn]] void fail(const ehr::host::Status& status, std::string_view hint = {});

template <class T>
T checked(ehr::host::Result<T> result) {
  if (!result) fail(result.status());
  return std::move(*result);
}
inline void checked(const ehr::host::Status& status) {
  if (!status) fail(status);
}

}  // namespace ehr::sample::cli
