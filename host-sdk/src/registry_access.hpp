// The plugin manager's write access to the Registry (hidden from hosts, which only read it).
#pragma once

#include "ehr/host/registry.hpp"
#include "plugin_instance.hpp"

namespace ehr::host::detail {

struct RegistryAccess {
  static Status add(Registry& registry, std::shared_ptr<const PluginRegistrations> registrations) {
    return registry.add(std::move(registrations));
  }
  static void remove(Registry& registry, std::string_view plugin_id) { registry.remove(plugin_id); }
};

}  // namespace ehr::host::detail
