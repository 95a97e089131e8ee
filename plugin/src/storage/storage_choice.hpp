// Which store the host admin chose (R-STORE-2: plugin configuration, never a settings page), read
// and checked from the storage.* keys before anything is opened: a wrong value stops init naming
// the key, never echoing a value (the connection string holds the database password).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ehr::portal {

class PluginConfig;

struct StorageChoice {
  static constexpr const char* kStorageKey = "storage";
  static constexpr const char* kConninfoKey = "storage.postgresql.conninfo";
  static constexpr const char* kPoolSizeKey = "storage.postgresql.pool_size";
  static constexpr const char* kStatementTimeoutKey = "storage.postgresql.statement_timeout_ms";
  static constexpr const char* kAcquireTimeoutKey = "storage.postgresql.acquire_timeout_ms";

  enum class Backend { sqlite, postgresql };

  Backend backend = Backend::sqlite;
  // PostgreSQL only: a libpq keyword/value string or URI (already known to parse). A secret.
  std::string conninfo;
  std::size_t pool_size = 4;
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds acquire_timeout{5000};

  // Throws Error(EHR_STATUS_INVALID_ARGUMENT, field "config") naming the key: storage is neither
  // sqlite nor postgresql; postgresql without a conninfo, or one libpq cannot parse; a number out
  // of its range; a storage.postgresql.* key while the store is SQLite (it would be ignored, and
  // an admin who set it meant something by it).
  [[nodiscard]] static StorageChoice from(const PluginConfig& config);
};

}  // namespace ehr::portal
