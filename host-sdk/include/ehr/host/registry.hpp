// Registry: what loaded plugins registered during init, for a host UI to read. Entries appear
// when a plugin initialises and disappear when it shuts down. THREADING: thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/audit_log.hpp"
#include "ehr/host/hooks.hpp"
#include "ehr/host/messaging_channel.hpp"
#include "ehr/host/roles_section.hpp"
#include "ehr/host/settings_pages.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

namespace detail {
struct PluginRegistrations;
struct RegistryAccess;
}  // namespace detail

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  std::vector<SettingsPages> settings_pages() const;
  Result<SettingsPages> settings_pages(std::string_view plugin_id) const;

  std::vector<RolesSection> roles_sections() const;

  std::vector<MessagingChannel> channels() const;
  Result<MessagingChannel> channel(std::string_view channel_id) const;

  std::vector<Hooks> hooks() const;
  Result<Hooks> hooks(std::string_view plugin_id) const;

  std::vector<AuditLog> audit_logs() const;
  Result<AuditLog> audit_log(std::string_view plugin_id) const;

 private:
  friend struct detail::RegistryAccess;
  // Called by the plugin manager: publishes or withdraws one plugin's registrations.
  Status add(std::shared_ptr<const detail::PluginRegistrations> registrations);
  void remove(std::string_view plugin_id);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ehr::host
