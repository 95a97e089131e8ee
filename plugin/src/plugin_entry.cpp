// The plugin's one exported symbol and its lifecycle table. This file only negotiates the ABI
// version and wires the feature services to the host; the features live in their own folders.
#include <filesystem>
#include <memory>
#include <string>

#include "abi/abi_error.hpp"
#include "common/error.hpp"
#include "ehr/plugin.h"
#include "storage/database.hpp"
#include "storage/migrations.hpp"

namespace {

using ehr::portal::Error;
namespace abi = ehr::portal::abi;

constexpr const char* kPluginId = "portal-messaging";
constexpr const char* kPluginVersion = "0.1.0";
constexpr const char* kDatabaseFile = "portal.db";

// The oldest ABI minor whose tables this plugin needs (our floor), and the newest it speaks.
constexpr uint32_t kAbiMajor = EHR_ABI_VERSION_MAJOR;
constexpr uint32_t kRequiredMinor = 0;
constexpr uint32_t kNewestMinor = EHR_ABI_VERSION_MINOR;

std::string version_text(uint32_t version) {
  return std::to_string(EHR_VERSION_MAJOR(version)) + "." + std::to_string(EHR_VERSION_MINOR(version));
}

}  // namespace

// Everything one initialized plugin owns, released by on_shutdown.
struct ehr_plugin {
  std::unique_ptr<ehr::portal::Database> database;
};

namespace {

ehr_status on_init(const ehr_init_params* params, const ehr_registrar* registrar, ehr_plugin** out_plugin,
                   ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (out_plugin == nullptr)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "on_init needs out_plugin", "out_plugin");
    *out_plugin = nullptr;
    if (params == nullptr || params->struct_type != EHR_STRUCT_INIT_PARAMS ||
        params->struct_size < offsetof(ehr_init_params, manifest_directory) + sizeof(ehr_str)) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "on_init was given no valid ehr_init_params", "params");
    }
    if (registrar == nullptr || registrar->struct_type != EHR_STRUCT_REGISTRAR) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "on_init was given no valid ehr_registrar", "registrar");
    }
    const std::filesystem::path data_directory = abi::to_string(params->data_directory);
    if (data_directory.empty()) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "the host gave no data directory", "data_directory");
    }
    auto plugin = std::make_unique<ehr_plugin>();
    plugin->database = std::make_unique<ehr::portal::Database>(data_directory / kDatabaseFile);
    ehr::portal::migrate(*plugin->database);
    *out_plugin = plugin.release();
  });
}

ehr_status on_enable(ehr_plugin* plugin, ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (plugin == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "no plugin instance", "plugin");
  });
}

ehr_status on_disable(ehr_plugin* plugin, ehr_error** out_error) {
  return abi::guarded(out_error, [&] {
    if (plugin == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "no plugin instance", "plugin");
  });
}

void on_shutdown(ehr_plugin* plugin) {
  try {
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
