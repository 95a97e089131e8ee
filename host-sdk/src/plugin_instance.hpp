// The SDK's side of one loaded plugin: its lifecycle state and the lock that keeps calls into the
// plugin from racing with on_disable/on_shutdown. Wrappers (SettingsPages, MessagingChannel,
// Hooks, AuditLog) hold it through their bindings, so a handle kept past shutdown answers
// EHR_STATUS_DISABLED instead of touching a plugin that released everything.
#pragma once

#include <pthread.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ehr/host/roles_section.hpp"
#include "ehr/host/status.hpp"
#include "ehr/plugin.h"

namespace ehr::host::detail {

// A reader-writer lock that prefers writers: an admin's disable or shutdown must not wait behind
// an endless stream of calls (glibc's default rwlock lets readers starve a writer). Never taken
// twice on one thread: CallGuard skips locking when the thread is already inside the plugin.
class LifecycleLock {
 public:
  LifecycleLock();
  ~LifecycleLock();
  LifecycleLock(const LifecycleLock&) = delete;
  LifecycleLock& operator=(const LifecycleLock&) = delete;
  void lock_shared();
  void unlock_shared();
  void lock();
  void unlock();

 private:
  pthread_rwlock_t lock_;
};

struct PluginInstance {
  explicit PluginInstance(std::string id) : plugin_id(std::move(id)) {}

  const std::string plugin_id;
  // Calls into the plugin hold it shared; on_enable/on_disable/on_shutdown hold it exclusively.
  mutable LifecycleLock lock;
  // Guarded by `lock`.
  bool alive = true;
  bool enabled = false;
};

enum class Requires { loaded, enabled };

// Admits one call into the plugin, or says why not. Re-entrant on one thread (a hook that calls
// back into the same plugin does not lock twice).
class CallGuard {
 public:
  CallGuard(const PluginInstance& instance, Requires requires_state);
  ~CallGuard();
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;

  explicit operator bool() const noexcept { return status_.is_ok(); }
  const Status& status() const noexcept { return status_; }

  // True when this thread is inside a call into `instance` (lifecycle calls then refuse).
  static bool inside(const PluginInstance& instance);
  static bool inside_any();

 private:
  const PluginInstance& instance_;
  bool locked_ = false;
  bool counted_ = false;
  Status status_;
};

struct SettingsBinding {
  std::shared_ptr<PluginInstance> instance;
  ehr_settings_api api;
  ehr_settings* handle;
};

struct ChannelBinding {
  std::shared_ptr<PluginInstance> instance;
  std::string channel_id;
  ehr_channel_api api;
  ehr_channel* handle;
};

struct HooksBinding {
  std::shared_ptr<PluginInstance> instance;
  ehr_hooks_api api;
  ehr_hooks* handle;
};

struct AuditBinding {
  std::shared_ptr<PluginInstance> instance;
  ehr_audit_api api;
  ehr_audit* handle;
};

// Everything one plugin registered during on_init; descriptor strings are copies.
struct PluginRegistrations {
  std::string plugin_id;
  std::shared_ptr<const SettingsBinding> settings;
  std::vector<RolesSection> roles_sections;
  std::vector<std::shared_ptr<const ChannelBinding>> channels;
  std::shared_ptr<const HooksBinding> hooks;
  std::shared_ptr<const AuditBinding> audit;
};

}  // namespace ehr::host::detail
