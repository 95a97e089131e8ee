#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>

#include "audit/audit_log.hpp"
#include "branding/portal_notifier.hpp"
#include "common/storage.hpp"
#include "config/plugin_config.hpp"
#include "crypto/at_rest.hpp"
#include "ehr/host_services.h"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "messaging/conversation_service.hpp"
#include "settings/settings_schema.hpp"
#include "settings/settings_service.hpp"
#include "storage/store.hpp"
#include "webhook/webhook_delivery.hpp"
#include "webhook/webhook_outbox.hpp"

namespace ehr::portal {

struct PortalConfig {
  const ehr_host_services* host = nullptr;  // valid until the Portal is destroyed
  std::filesystem::path data_directory;     // the plugin's own writable directory
  std::filesystem::path settings_schema;    // settings-schema/portal-settings.xml, as installed
  PluginConfig::Entries config;             // the host admin's key/value pairs (ABI 1.1)
};

// One running instance of the plugin's features, built in dependency order: host client, config,
// schema, store (opened and migrated), audit log, hooks, settings. The ABI shims and
// plugin_entry.cpp only adapt it to the C tables.
class Portal {
 public:
  static constexpr const char* kDatabaseFile = "portal.db";

  // Throws Error naming what is wrong: the host table, the schema file, the database.
  explicit Portal(const PortalConfig& config);
  ~Portal();
  Portal(const Portal&) = delete;
  Portal& operator=(const Portal&) = delete;

  [[nodiscard]] HostClient& host() noexcept { return host_; }
  [[nodiscard]] const PluginConfig& config() const noexcept { return config_; }
  [[nodiscard]] AtRest& at_rest() noexcept { return at_rest_; }
  [[nodiscard]] const SettingsSchema& schema() const noexcept { return schema_; }
  [[nodiscard]] Store& store() noexcept { return *store_; }
  [[nodiscard]] AuditLog& audit() noexcept { return audit_; }
  [[nodiscard]] HookRegistry& hooks() noexcept { return hooks_; }
  [[nodiscard]] SettingsService& settings() noexcept { return settings_; }

  // A disabled plugin keeps its data, settings and registrations but refuses channel calls.
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  void set_enabled(bool enabled) noexcept { enabled_ = enabled; }

  [[nodiscard]] ConversationService& conversations() noexcept { return conversations_; }
  [[nodiscard]] PortalNotifier& notifier() noexcept { return notifier_; }
  // The webhook's worker; null when webhook.url is not configured.
  [[nodiscard]] WebhookDelivery* webhook() noexcept { return webhook_.get(); }
  // From a host call: loads the keys of the payloads waiting in the webhook's outbox, which its
  // worker (a thread of the plugin's own, which may not ask the host) opens them with. A key the
  // host cannot give does not stop anything: those deliveries fail naming it.
  void load_webhook_keys();

 private:
  HostClient host_;
  PluginConfig config_;  // first: a refused key stops init before anything is opened
  std::optional<WebhookSettings> webhook_settings_;  // checked before anything is opened, too
  AtRest at_rest_;  // the data key, before anything is stored: no key service, no start (R-SEC-2)
  SettingsSchema schema_;
  std::unique_ptr<Store> store_;  // opened and migrated before any feature uses it
  AuditLog audit_;
  HookRegistry hooks_;
  SettingsService settings_;
  PortalNotifier notifier_;                   // branded notices and invitations (issue 5)
  ConversationService conversations_;         // after settings_: it asks them on every send
  std::unique_ptr<WebhookDelivery> webhook_;  // started last, stopped first
  std::atomic<bool> enabled_{true};           // plugin.h: a plugin is enabled once on_init returns
};

}  // namespace ehr::portal
