// The storage keys a host admin sets (R-STORE-2: configuration, never a settings page), read the
// same way for the plugin (its configuration) and for the host SDK's role store (host.conf): one
// table of keys, one set of checks and one wording, so the two files cannot drift apart.
//   storage = sqlite | postgresql              (default sqlite)
//   storage.postgresql.conninfo                a libpq connection string or URI: a secret
//   storage.postgresql.pool_size               1..64, default 4
//   storage.postgresql.statement_timeout_ms    0..3600000, default 5000 (0: no limit)
//   storage.postgresql.acquire_timeout_ms      1..600000, default 5000
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "storage/postgresql/pg_store.hpp"

namespace ehr::storage {

inline constexpr const char* kStorageKey = "storage";
inline constexpr const char* kConninfoKey = "storage.postgresql.conninfo";
inline constexpr const char* kPoolSizeKey = "storage.postgresql.pool_size";
inline constexpr const char* kStatementTimeoutKey = "storage.postgresql.statement_timeout_ms";
inline constexpr const char* kAcquireTimeoutKey = "storage.postgresql.acquire_timeout_ms";

struct StorageConfig {
  enum class Backend { sqlite, postgresql };
  Backend backend = Backend::sqlite;
  // With Backend::postgresql: the connection string (known to parse; a secret), the pool and the
  // timeouts. The caller adds what is its own (its migrations table, its write lock).
  pg::PgStoreOptions postgresql;
};

// `storage` or one of the storage.postgresql.* keys above.
[[nodiscard]] bool is_storage_key(std::string_view key) noexcept;

// Reads the storage keys among `keys`; other keys are the caller's to judge. Throws
// Error(EHR_STATUS_INVALID_ARGUMENT, field "config") with "the key 'K' in SOURCE ...", naming the
// key and `source` (the file, or "the plugin configuration"), never a value: storage neither sqlite
// nor postgresql; postgresql without a conninfo, or with one libpq cannot parse (libpq's reason
// is left out: it may quote the password); a number out of its range; a storage.postgresql.* key
// while the store is SQLite (it would be ignored, and an admin who set it meant something by it).
[[nodiscard]] StorageConfig parse_storage_config(const std::map<std::string, std::string>& keys,
                                                 std::string_view source);

}  // namespace ehr::storage
