// Which store the host admin chose (R-STORE-2: plugin configuration, never a settings page), read
// from the storage.* keys before anything is opened, by the storage library's one reading of them
// (storage/storage_config.hpp), which the host SDK's host.conf shares: a wrong value stops init
// naming the key, never echoing a value (the connection string holds the database password).
#pragma once

#include "storage/storage_config.hpp"

namespace ehr::portal {

class PluginConfig;

// Throws Error(EHR_STATUS_INVALID_ARGUMENT, field "config") naming the key (parse_storage_config).
[[nodiscard]] storage::StorageConfig storage_choice(const PluginConfig& config);

}  // namespace ehr::portal
