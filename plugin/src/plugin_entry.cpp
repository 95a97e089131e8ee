// The plugin's one exported symbol and its lifecycle table. This file only negotiates the ABI
// version and wires the feature services to the host; the features live in their own folders.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "abi/abi_error.hpp"
#include "abi/audit_abi.hpp"
#include "abi/channel_abi.hpp"
#include "abi/hooks_abi.hpp"
#include "abi/roles_abi.hpp"
#include "abi/settings_abi.hpp"
#include "common/error.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "ehr/plugin.h"
#include "portal.hpp"

namespace {

using ehr::portal::Error;
namespace abi = ehr::portal::abi;

constexpr const char* kPluginId = "portal-messaging";
constexpr const char* kPluginVersion = PORTAL_PLUGIN_VERSION;  // the project version, as in the manifest
constexpr const char* kDefaultSchemaFile = "portal-settings.xml";

// The oldest ABI minor whose tables this plugin needs (our floor), and the newest it speaks.
constexpr uint32_t kAbiMajor = EHR_ABI_VERSION_MAJOR;
constexpr uint32_t kRequiredMinor = 0;
constexpr uint32_t kNewestMinor = EHR_ABI_VERSION_MINOR;

std::string version_text(uint32_t version) {
  return std::to_string(EHR_VERSION_MAJOR(version)) + "." + std::to_string(EHR_VERSION_MINOR(version));
}

}  // namespace

// Everything one initialized plugin owns, released by on_shutdown. The handles given to the host
// point into the Portal, so they live exactly as long as it does.
struct ehr_plugin {
  explicit ehr_plugin(const ehr::portal::PortalConfig& config)
      : portal(config),
        settings{&portal.settings()},
        hooks{&portal.hooks()},
        audit{&portal.audit()},
        channel{&portal} {}

  ehr::portal::Portal portal;
  ehr_settings settings;
  ehr_hooks hooks;
  ehr_audit audit;
  ehr_channel channel;
};

namespace {

ehr_status on_init(const ehr_init_params* params, const ehr_registrar* registrar, ehr_plugin** out_plugin,
                   ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (out_plugin == nullptr)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "on_init needs out_plugin", "out_plugin");
    *out_plugin = nullptr;
    auto init = ehr::abi_support::copy_struct(params, EHR_STRUCT_INIT_PARAMS,
                                              EHR_SIZE_THROUGH(ehr_init_params, manifest_directory));
    if (!init)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "on_init was given no valid ehr_init_params", "params");
    auto host = ehr::abi_support::copy_struct(registrar, EHR_STRUCT_REGISTRAR,
                                              EHR_SIZE_THROUGH(ehr_registrar, registrar));
    if (!host)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "on_init was given no valid ehr_registrar", "registrar");

    ehr::portal::PortalConfig config;
    config.host = init->host;
    config.data_directory = abi::to_string(init->data_directory);
    config.settings_schema = abi::to_string(init->settings_schema_path);
    if (config.settings_schema.empty()) {
      config.settings_schema =
          std::filesystem::path(abi::to_string(init->manifest_directory)) / kDefaultSchemaFile;
    }
    // A 1.0 host's params end before config: no configuration, every key at its default.
    if (init->struct_size >= EHR_SIZE_THROUGH(ehr_init_params, config_count)) {
      const std::vector<ehr_config_entry> entries =
          abi::copy_host_array(init->config, init->config_count, EHR_STRUCT_CONFIG_ENTRY,
                               EHR_SIZE_THROUGH(ehr_config_entry, value), "ehr_config_entry", "config");
      for (const ehr_config_entry& entry : entries)
        config.config.emplace_back(abi::to_string(entry.key), abi::to_string(entry.value));
    }
    auto plugin = std::make_unique<ehr_plugin>(config);
    abi::register_settings(*host, &plugin->settings);
    abi::register_roles_section(*host);
    abi::register_hooks(*host, &plugin->hooks);
    abi::register_audit(*host, &plugin->audit);
    abi::register_channel(*host, &plugin->channel);
    plugin->portal.host().log(ehr::portal::LogLevel::info, "portal-messaging initialized");
    *out_plugin = plugin.release();
  });
}

ehr_status on_enable(ehr_plugin* plugin, ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (plugin == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "no plugin instance", "plugin");
    plugin->portal.set_enabled(true);
  });
}

ehr_status on_disable(ehr_plugin* plugin, ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (plugin == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "no plugin instance", "plugin");
    plugin->portal.set_enabled(false);
  });
}

void on_shutdown(ehr_plugin* plugin) {
  try {
    // The head goes to the host while its services are still there (R-SEC-3).
    if (plugin != nullptr) plugin->portal.audit().checkpoint_quietly();
    delete plugin;
  } catch (...) {
    // Destructors do not throw; nothing may cross the boundary regardless.
  }
}

const ehr_plugin_api kPluginApi = {
    EHR_STRUCT_PLUGIN_API,
    sizeof(ehr_plugin_api),
    {kPluginId, std::char_traits<char>::length(kPluginId)},
    {kPluginVersion, std::char_traits<char>::length(kPluginVersion)},
    &on_init,
    &on_enable,
    &on_disable,
    &on_shutdown,
};

}  // namespace

extern "C" EHR_PLUGIN_EXPORT ehr_status ehr_plugin_negotiate(ehr_negotiation* negotiation,
                                                             ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (negotiation == nullptr || negotiation->struct_type != EHR_STRUCT_NEGOTIATION ||
        negotiation->struct_size < offsetof(ehr_negotiation, plugin_api) + sizeof(negotiation->plugin_api)) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "ehr_plugin_negotiate was given no valid ehr_negotiation",
                  "negotiation");
    }
    const uint32_t host_min = negotiation->host_min_version;
    const uint32_t host_max = negotiation->host_max_version;
    const uint32_t floor = EHR_MAKE_VERSION(kAbiMajor, kRequiredMinor);
    const uint32_t newest = EHR_MAKE_VERSION(kAbiMajor, kNewestMinor);
    const std::string offer =
        "the host offers ABI " + version_text(host_min) + " to " + version_text(host_max);
    if (host_min > host_max)
      throw Error(EHR_STATUS_VERSION_MISMATCH, offer + ", an empty range", "host_min_version");
    if (EHR_VERSION_MAJOR(host_min) > kAbiMajor || EHR_VERSION_MAJOR(host_max) < kAbiMajor) {
      throw Error(EHR_STATUS_VERSION_MISMATCH,
                  "portal-messaging speaks ABI major " + std::to_string(kAbiMajor) + " only; " + offer,
                  "host_max_version");
    }
    if (host_max < floor) {
      throw Error(EHR_STATUS_VERSION_MISMATCH,
                  "portal-messaging needs ABI " + version_text(floor) + " or newer; " + offer,
                  "host_max_version");
    }
    const uint32_t chosen = host_max < newest ? host_max : newest;
    if (chosen < host_min) {
      throw Error(EHR_STATUS_VERSION_MISMATCH,
                  "portal-messaging speaks ABI up to " + version_text(newest) + "; " + offer,
                  "host_min_version");
    }
    negotiation->chosen_version = chosen;
    negotiation->plugin_api = &kPluginApi;
  });
}
