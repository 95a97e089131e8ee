// PluginManager: discovers `DIR/*.plugin.xml`, validates each manifest, verifies the library's
// SHA-256 (and Ed25519 signature when configured), loads it (RTLD_LOCAL; only the entry point
// `ehr_plugin_negotiate` is looked up), negotiates the ABI version, calls on_init with the host
// services table, publishes what it registered in the Registry, enables or disables it as the
// admin chose (remembered in the host data directory) and shuts everything down cleanly.
//
// Every failure names its cause and leaves the host running with its other plugins. Libraries
// stay mapped until process exit (as in OBS), so nothing of a plugin can outlive its code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/common.h"
#include "ehr/host/host_services.hpp"
#include "ehr/host/plugin_info.hpp"
#include "ehr/host/registry.hpp"
#include "ehr/host/status.hpp"
#include "ehr/host/trusted_key.hpp"

namespace ehr::host {

struct PluginManagerOptions {
  std::filesystem::path plugins_directory;    // holds the manifests directly
  std::filesystem::path host_data_directory;  // created if missing; one folder per plugin inside
  std::vector<TrustedKey> trusted_keys;
  bool require_signatures = false;  // refuse plugins without a valid signature by a trusted key
  // A plugin seen for the first time starts enabled (the admin may disable it; that choice is
  // remembered). Set false to start new plugins disabled.
  bool enable_new_plugins = true;
  // The ABI range this host offers; the default is the whole 1.x range this SDK was built with.
  std::uint32_t abi_min_version = EHR_MAKE_VERSION(EHR_ABI_VERSION_MAJOR, 0);
  std::uint32_t abi_max_version = EHR_ABI_VERSION;
  // A plugin is not loaded when fewer file descriptors than this would stay free under the
  // process's limit (RLIMIT_NOFILE): a multi-tenant host that runs out then gets one clear refusal
  // instead of plugins already loaded failing to open their connections. 0 turns the check off.
  std::size_t descriptor_reserve = 64;
};

// THREADING: every method is thread-safe; lifecycle methods (discover, enable, disable, shutdown)
// run one at a time and wait for calls in flight into the plugin concerned. Do not call them from
// inside a hook or a host-services callback (they answer an error instead of deadlocking).
class PluginManager {
 public:
  // OWNERSHIP: borrows `services`, which must outlive the manager.
  PluginManager(PluginManagerOptions options, HostServices& services);
  ~PluginManager();  // shuts down what is still running
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  // Scans the plugins directory and loads every plugin not loaded yet. Plugin failures are
  // recorded per plugin (see list()); the status fails only when the directory itself cannot be
  // read or the host data directory cannot be created.
  Status discover();

  std::vector<PluginInfo> list() const;  // sorted by id
  Result<PluginInfo> info(std::string_view plugin_id) const;
  // Checks the manifest, checksum and signature on disk now, without loading anything.
  Result<Verification> verify(std::string_view plugin_id) const;

  // Remembered across restarts. Enabling a loaded plugin calls its on_enable; disabling calls
  // on_disable and makes its channel refuse calls with EHR_STATUS_DISABLED.
  Status enable(std::string_view plugin_id);
  Status disable(std::string_view plugin_id);

  // Calls on_shutdown of every loaded plugin (reverse load order) and withdraws their
  // registrations. Idempotent.
  void shutdown();

  const Registry& registry() const;
  const PluginManagerOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ehr::host
