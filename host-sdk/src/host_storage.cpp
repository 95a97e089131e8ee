#include "host_storage.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ehr/host/private_files.hpp"
#include "ehr/host/role_store.hpp"
#include "plugin_config.hpp"
#include "storage/error.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/storage_config.hpp"
#include "storage/transaction.hpp"

namespace ehr::host::detail {

namespace {

// The SDK's step versions, apart from the plugin's schema_migrations in a database they share.
constexpr const char* kMigrationsTable = "role_schema_migrations";
// A role store newer than this SDK's steps was written by a newer SDK: that is what to upgrade.
constexpr const char* kSchemaOwner = "host SDK";
// The role store's own write lock: a role change then never waits behind the plugin's writes (a
// send, another host's long write), which take pg::kWriteLockKey. The role store keeps no hash
// chain of its own that would need the two serialized together (its changes reach the plugin's
// audit chain through the plugin, under the plugin's lock).
constexpr std::int64_t kRoleWriteLockKey = 7070350013;
static_assert(kRoleWriteLockKey != storage::pg::kWriteLockKey);

// roles.sqlite3 with a budget of idle read connections of its own, so that the plugin's tenants in
// the same process never close the role store's reader, and that reader opened at start with the
// writer: as with the one connection the role store had before the storage library, a file that
// opened keeps serving reads without opening another (a host at its descriptor limit, a disk
// fault at start-up).
class RoleSqliteStore final : public storage::Store {
 public:
  explicit RoleSqliteStore(const std::filesystem::path& file)
      : idle_(1), store_(file, idle_, storage::Database::Durability::full, kSchemaOwner) {}
  void open_reader() { storage::Transaction warm(store_, storage::TransactionMode::read); }

  [[nodiscard]] storage::Dialect dialect() const noexcept override { return store_.dialect(); }
  [[nodiscard]] const std::string& name() const noexcept override { return store_.name(); }
  [[nodiscard]] std::unique_ptr<storage::TransactionBackend> begin(storage::TransactionMode mode) override {
    return store_.begin(mode);
  }
  int migrate(std::span<const storage::Migration> steps) override { return store_.migrate(steps); }

 private:
  storage::IdleReaders idle_;  // outlives store_, which borrows it
  storage::SqliteStore store_;
};

}  // namespace

Result<HostStorage> read_host_storage(const std::filesystem::path& host_data_directory) try {
  const std::filesystem::path file = host_data_directory / kHostConfigFile;
  auto entries = read_plugin_config(file, "the host configuration");
  if (!entries) return entries.status();
  std::map<std::string, std::string> keys;
  for (PluginConfigEntry& entry : *entries) {
    // A misspelt key would otherwise be ignored, and the admin's choice with it.
    if (!storage::is_storage_key(entry.key))
      return Status::invalid_argument(
          "config", "the key '" + entry.key + "' in " + file.string() + " is not a host configuration key");
    keys.emplace(std::move(entry.key), std::move(entry.value));
  }
  const storage::StorageConfig config = storage::parse_storage_config(keys, file.string());
  HostStorage choice;
  if (config.backend == storage::StorageConfig::Backend::postgresql) {
    choice.backend = HostStorage::Backend::postgresql;
    choice.postgresql = config.postgresql;
    choice.postgresql.migrations_table = kMigrationsTable;
    choice.postgresql.schema_owner = kSchemaOwner;
    choice.postgresql.write_lock_key = kRoleWriteLockKey;
  }
  return choice;
} catch (const storage::Error& error) {
  return Status(error.code(), error.what(), error.field());
}

Result<std::unique_ptr<storage::Store>> open_role_store(
    const std::filesystem::path& host_data_directory, const HostStorage& choice,
    std::span<const storage::Migration> sqlite_steps,
    std::span<const storage::Migration> postgresql_steps) try {
  std::unique_ptr<storage::Store> store;
  if (choice.backend == HostStorage::Backend::postgresql) {
    store = std::make_unique<storage::pg::PgStore>(choice.postgresql);
    store->migrate(postgresql_steps);
  } else {
    const std::filesystem::path file = host_data_directory / RoleStore::kFileName;
    if (Status made = make_private_file(file); !made) return made;
    auto sqlite = std::make_unique<RoleSqliteStore>(file);
    sqlite->migrate(sqlite_steps);
    sqlite->open_reader();
    store = std::move(sqlite);
  }
  return store;
} catch (const storage::Error& error) {
  return Status(error.code(), error.what(), error.field(), static_cast<ehr_deny_reason>(error.reason()));
}

}  // namespace ehr::host::detail
