// Which store the host SDK's own data (the role store) lives in, as the host admin chose it in
// <host data directory>/host.conf: the same keys as a plugin's configuration (docs/admins.md).
//   storage = sqlite | postgresql              (default sqlite; no file is sqlite)
//   storage.postgresql.conninfo                a libpq connection string: a secret, never logged
//                                              nor put into an error
//   storage.postgresql.pool_size               1..64, default 4
//   storage.postgresql.statement_timeout_ms    0..3600000, default 5000 (0: no limit)
//   storage.postgresql.acquire_timeout_ms      1..600000, default 5000
// The file is read with the plugin configuration's parser, so it is refused unless it is a regular
// file only its owner may read or write (mode 0600).
#pragma once

#include <filesystem>
#include <memory>
#include <span>

#include "ehr/host/status.hpp"
#include "storage/migrations.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "storage/store.hpp"

namespace ehr::host::detail {

inline constexpr const char* kHostConfigFile = "host.conf";

struct HostStorage {
  enum class Backend { sqlite, postgresql };
  Backend backend = Backend::sqlite;
  storage::pg::PgStoreOptions postgresql;  // with storage = postgresql
};

// Reads host.conf. Refused naming the file or the key, never quoting a value: an unknown key, a
// storage that is neither sqlite nor postgresql, postgresql without a conninfo or with one libpq
// cannot parse, a number out of its range, a storage.postgresql.* key with storage = sqlite.
[[nodiscard]] Result<HostStorage> read_host_storage(const std::filesystem::path& host_data_directory);

// Opens the role store's Store and applies its steps: roles.sqlite3 in the host data directory
// (created 0600), or the PostgreSQL database, its versions in role_schema_migrations and its writes
// under a lock of their own (not the plugin's).
[[nodiscard]] Result<std::unique_ptr<storage::Store>> open_role_store(
    const std::filesystem::path& host_data_directory, const HostStorage& choice,
    std::span<const storage::Migration> sqlite_steps, std::span<const storage::Migration> postgresql_steps);

}  // namespace ehr::host::detail
