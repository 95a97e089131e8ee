// Which store the host SDK's own data (the role store) lives in, as the host admin chose it in
// <host data directory>/host.conf: the storage keys of a plugin's configuration, read by the same
// function (storage/storage_config.hpp), and no other key. No file is SQLite. The file is read
// with the plugin configuration's parser, so it is refused unless it is a regular file only its
// owner may read or write (mode 0600).
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

// Reads host.conf. Refused naming the file and the key, never quoting a value: a key that is not a
// storage key, and whatever parse_storage_config refuses.
[[nodiscard]] Result<HostStorage> read_host_storage(const std::filesystem::path& host_data_directory);

// Opens the role store's Store and applies its steps: roles.sqlite3 in the host data directory
// (created 0600), or the PostgreSQL database, its versions in role_schema_migrations and its writes
// under a lock of their own (not the plugin's).
[[nodiscard]] Result<std::unique_ptr<storage::Store>> open_role_store(
    const std::filesystem::path& host_data_directory, const HostStorage& choice,
    std::span<const storage::Migration> sqlite_steps, std::span<const storage::Migration> postgresql_steps);

}  // namespace ehr::host::detail
