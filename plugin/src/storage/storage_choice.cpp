#include "storage/storage_choice.hpp"

#include <map>
#include <string>

#include "config/plugin_config.hpp"

namespace ehr::portal {

storage::StorageConfig storage_choice(const PluginConfig& config) {
  std::map<std::string, std::string> keys;
  for (const auto& [key, value] : config.entries())
    if (storage::is_storage_key(key)) keys.emplace(key, value);
  return storage::parse_storage_config(keys, "the plugin configuration");
}

}  // namespace ehr::portal
