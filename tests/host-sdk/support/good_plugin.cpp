#include "support/good_plugin.hpp"

#include <stdexcept>

namespace ehr::host::testing {

GoodPlugin::GoodPlugin() {
  copy_scenarios(scratch_ / "plugins", {"good"});
  PluginManagerOptions options;
  options.plugins_directory = scratch_ / "plugins";
  options.host_data_directory = scratch_ / "data";
  manager_ = std::make_unique<PluginManager>(options, host_);
  if (Status found = manager_->discover(); !found) throw std::runtime_error(found.to_string());
  auto info = manager_->info("fixture-good");
  if (!info || info->state != PluginState::enabled)
    throw std::runtime_error("the good fixture did not load: " +
                             (info ? info->failure.to_string() : info.status().to_string()));
}

}  // namespace ehr::host::testing
