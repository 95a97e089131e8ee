#include "host_storage.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ehr/host/private_files.hpp"
#include "ehr/host/role_store.hpp"
#include "plugin_config.hpp"
#include "storage/error.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"

namespace ehr::host::detail {

namespace {

constexpr const char* kStorageKey = "storage";
constexpr const char* kConninfoKey = "storage.postgresql.conninfo";
constexpr const char* kPoolSizeKey = "storage.postgresql.pool_size";
constexpr const char* kStatementTimeoutKey = "storage.postgresql.statement_timeout_ms";
constexpr const char* kAcquireTimeoutKey = "storage.postgresql.acquire_timeout_ms";
constexpr std::array<const char*, 4> kPostgresqlKeys{kConninfoKey, kPoolSizeKey, kStatementTimeoutKey,
                                                     kAcquireTimeoutKey};
// The SDK's step versions, apart from the plugin's schema_migrations in a database they share.
constexpr const char* kMigrationsTable = "role_schema_migrations";
// The role store's own write lock: a role change then never waits behind the plugin's writes (a
// send, another host's long write), which take pg::kWriteLockKey. The role store keeps no hash
// chain of its own that would need the two serialized together (its changes reach the plugin's
// audit chain through the plugin, under the plugin's lock).
constexpr std::int64_t kRoleWriteLockKey = 7070350013;
static_assert(kRoleWriteLockKey != storage::pg::kWriteLockKey);

Status refused(const std::string& key, const std::string& what) {
  return Status::invalid_argument("config", std::string("host.conf: the key '") + key + "' " + what);
}

// A whole number in [min, max], or the fallback when the key is absent.
Result<std::int64_t> integer(const std::map<std::string, std::string>& keys, const char* key,
                             std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const auto found = keys.find(key);
  if (found == keys.end()) return fallback;
  const std::string& text = found->second;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < min || value > max)
    return refused(key, "takes a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return value;
}

// roles.sqlite3 with a budget of idle read connections of its own, so that the plugin's tenants in
// the same process never close the role store's reader, and that reader opened at start with the
// writer: as with the one connection the role store had before the storage library, a file that
// opened keeps serving reads without opening another (a host at its descriptor limit, a disk
// fault at start-up).
class RoleSqliteStore final : public storage::Store {
 public:
  explicit RoleSqliteStore(const std::filesystem::path& file) : idle_(1), store_(file, idle_) {}
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

Result<HostStorage> read_host_storage(const std::filesystem::path& host_data_directory) {
  auto entries = read_plugin_config(host_data_directory / kHostConfigFile);
  if (!entries) return entries.status();
  std::map<std::string, std::string> keys;
  for (PluginConfigEntry& entry : *entries) {
    const bool known = entry.key == kStorageKey || std::find(kPostgresqlKeys.begin(), kPostgresqlKeys.end(),
                                                             entry.key) != kPostgresqlKeys.end();
    // A misspelt key would otherwise be ignored, and the admin's choice with it.
    if (!known) return refused(entry.key, "is not a host configuration key");
    keys.emplace(std::move(entry.key), std::move(entry.value));
  }
  HostStorage choice;
  if (const auto storage = keys.find(kStorageKey); storage != keys.end()) {
    if (storage->second == "postgresql")
      choice.backend = HostStorage::Backend::postgresql;
    else if (storage->second != "sqlite")
      return refused(kStorageKey, "takes sqlite (the default) or postgresql");
  }
  if (choice.backend == HostStorage::Backend::sqlite) {
    for (const char* key : kPostgresqlKeys)
      if (keys.count(key) != 0)
        return refused(key, "applies only with storage = postgresql (the store is SQLite)");
    return choice;
  }
  const auto conninfo = keys.find(kConninfoKey);
  if (conninfo == keys.end() || conninfo->second.empty())
    return refused(kConninfoKey,
                   "is required with storage = postgresql: the libpq connection string of the database, "
                   "with sslmode");
  // libpq's parse errors quote the text around the fault, which may be a piece of the password:
  // only the key is named.
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo->second.c_str(), &message);
  PQfreemem(message);
  if (parsed == nullptr)
    return refused(
        kConninfoKey,
        "is not a libpq connection string (key=value pairs) or postgresql:// URI; libpq's reason is "
        "not repeated, as it may quote the password");
  PQconninfoFree(parsed);
  choice.postgresql.conninfo = conninfo->second;
  auto pool_size = integer(keys, kPoolSizeKey, 4, 1, 64);
  if (!pool_size) return pool_size.status();
  auto statement_timeout = integer(keys, kStatementTimeoutKey, 5000, 0, 3600000);
  if (!statement_timeout) return statement_timeout.status();
  auto acquire_timeout = integer(keys, kAcquireTimeoutKey, 5000, 1, 600000);
  if (!acquire_timeout) return acquire_timeout.status();
  choice.postgresql.pool_size = static_cast<std::size_t>(*pool_size);
  choice.postgresql.statement_timeout = std::chrono::milliseconds(*statement_timeout);
  choice.postgresql.acquire_timeout = std::chrono::milliseconds(*acquire_timeout);
  choice.postgresql.migrations_table = kMigrationsTable;
  choice.postgresql.write_lock_key = kRoleWriteLockKey;
  return choice;
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
