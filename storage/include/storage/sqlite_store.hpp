// The embedded default Store: one SQLite file in the host's data directory (store.hpp).
//
// Writes go to the one write connection, which a write transaction holds for its life (BEGIN
// IMMEDIATE, serialized in-process by a lock, across processes by SQLite's file lock). Reads go to
// read connections: in WAL mode readers never wait for the writer (R-CONV-5), so each concurrent
// host thread leases its own.
//
// Read connections left idle are kept for reuse, but within a budget shared by every store in the
// process: a host that loads the plugin once per tenant must not hold two descriptors per idle
// tenant. Beyond the budget the least recently used idle connection closes, whichever tenant it
// belongs to, so busy tenants keep reusing theirs and an idle tenant holds only its writer's.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/store.hpp"

namespace ehr::storage {

class SqliteStore;

class IdleReaders {
 public:
  // At most `budget` idle connections, across all stores that use this budget.
  explicit IdleReaders(std::size_t budget);
  IdleReaders(const IdleReaders&) = delete;
  IdleReaders& operator=(const IdleReaders&) = delete;

  // The budget every SqliteStore of the process shares unless given another.
  static IdleReaders& process();

  // How many idle read connections `store` has kept.
  [[nodiscard]] std::size_t held_by(const SqliteStore& store);

 private:
  friend class SqliteStore;
  struct Idle {
    const SqliteStore* store;
    std::unique_ptr<Database> db;
  };
  // The store's most recently used idle connection, or null.
  std::unique_ptr<Database> take(const SqliteStore& store);
  // Keeps `db` idle; closes the least recently used one when that exceeds the budget.
  void keep(const SqliteStore& store, std::unique_ptr<Database> db);
  // Closes the store's idle connections.
  void close_all(const SqliteStore& store);

  const std::size_t budget_;
  std::mutex mutex_;
  // Least recently used first. Connections close under mutex_, so that none of a store's
  // outlives the store on another thread.
  std::vector<Idle> idle_;
};

// THREADING: as Store. OWNERSHIP: borrows `idle`, which must outlive the store; every transaction
// must end before the store does.
class SqliteStore final : public Store {
 public:
  // Opens (creating if missing) `file` for writing; read connections are opened on demand.
  // Throws Error(EHR_STATUS_STORAGE) naming the file. `schema_owner`: whose steps migrate()
  // applies, which a file newer than them says to upgrade (apply_pending).
  explicit SqliteStore(const std::filesystem::path& file, IdleReaders& idle = IdleReaders::process(),
                       Database::Durability durability = Database::Durability::full,
                       std::string schema_owner = kPluginSchemaOwner);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  [[nodiscard]] Dialect dialect() const noexcept override { return Dialect::sqlite; }
  // "database portal.db"
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }
  // write: BEGIN IMMEDIATE on the write connection, refused when this thread already holds it;
  // read: BEGIN (deferred) on a leased read connection.
  [[nodiscard]] std::unique_ptr<TransactionBackend> begin(TransactionMode mode) override;
  // Every pending step in ONE write transaction, each in a savepoint (apply_pending's rules).
  int migrate(std::span<const Migration> steps) override;

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
  // The newest step applied (0 for a fresh file).
  [[nodiscard]] int schema_version();

 private:
  class SqliteTransaction;

  const std::filesystem::path file_;
  const std::string name_;
  const std::string schema_owner_;
  IdleReaders& idle_;
  Database writer_;
  std::mutex write_mutex_;  // held by the open write transaction
  // The thread holding write_mutex_, to refuse a nested write transaction rather than deadlock.
  std::atomic<std::thread::id> write_owner_{};
};

// When `file` does not exist, creates it already migrated with `steps`, for two fsyncs instead of
// a WAL switch and a commit (seven): the database is built under a unique temporary name with no
// syncs (no one can see it yet), synced once, linked into place unless another process created
// `file` meanwhile, and the directory is synced. An existing file is left alone. Returns `file`.
const std::filesystem::path& create_database_if_missing(const std::filesystem::path& file,
                                                        std::span<const Migration> steps);

}  // namespace ehr::storage
