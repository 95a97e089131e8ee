// The plugin's store on a PostgreSQL server that several hosts share (store.hpp's contract): a
// pool of connections, reads on REPEATABLE READ snapshots, writes serialized across every host by
// a transaction-scoped advisory lock, the features' portable SQL translated once per text.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "storage/postgresql/pg_migrations.hpp"
#include "storage/postgresql/pg_pool.hpp"
#include "storage/store.hpp"

namespace ehr::storage::pg {

// A write transaction sends BEGIN and its lock with its first statement (pipeline mode), which
// the server runs after them: begin() returns at once, and the first statement's answer waits for
// the lock, or fails saying it waited longer than the statement timeout. No statement of a write
// runs without the lock.
//
// The advisory lock key the plugin's write transactions take first: its one writer at a time,
// across hosts. Distinct from the migration lock (7070350011); any fixed number no other user of
// the database picks.
inline constexpr std::int64_t kWriteLockKey = 7070350012;

// What the host admin configures (plugin configuration, never a settings page: R-STORE-2).
struct PgStoreOptions {
  // A libpq connection string or URI, with sslmode and the credentials: a secret, never logged
  // nor put into an error.
  std::string conninfo;
  // Connections this host keeps to the server at most (one per concurrent transaction).
  std::size_t pool_size = 4;
  // The server cancels a statement running longer; 0 means no limit. A write waiting for another
  // host's write counts too.
  std::chrono::milliseconds statement_timeout{5000};
  // How long a transaction waits for a free connection before it fails.
  std::chrono::milliseconds acquire_timeout{5000};
  // Where migrate() records the steps applied (pg_migrations.hpp): each user of a shared database
  // (the plugin, the host SDK's role store) keeps its own version list.
  std::string migrations_table = kDefaultMigrationsTable;
  // Whose steps migrate() applies, which a database newer than them says to upgrade.
  std::string schema_owner = kPluginSchemaOwner;
  // The advisory lock every write transaction of this store takes first (kWriteLockKey, the
  // plugin's, unless the store's user has its own): writes that share it run one at a time across
  // every host; writes under different keys do not wait for each other. Whatever the key, keep it
  // for every host of one user of the database: the audit chain is one chain only as long as all
  // its writers take the same lock.
  std::int64_t write_lock_key = kWriteLockKey;
};

// THREADING: thread-safe (store.hpp); a transaction belongs to the thread that began it and holds
// one pooled connection until it ends. OWNERSHIP: outlives its transactions.
class PgStore final : public Store {
 public:
  // Connects at once, so a wrong connection string or an unreachable server fails at start with
  // an EHR_STATUS_STORAGE error naming the server (never the connection string).
  explicit PgStore(const PgStoreOptions& options);

  [[nodiscard]] Dialect dialect() const noexcept override { return Dialect::postgresql; }
  // "PostgreSQL host H port P database D".
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }
  [[nodiscard]] std::unique_ptr<TransactionBackend> begin(TransactionMode mode) override;
  int migrate(std::span<const Migration> steps) override;
  // How many times this store's connections have waited for the server's answers (round trips),
  // since it was made: for tests and benchmarks.
  [[nodiscard]] std::uint64_t round_trips() const noexcept { return round_trips_->load(); }

 private:
  std::shared_ptr<std::atomic<std::uint64_t>> round_trips_;  // declared before the pool that counts
  Pool pool_;
  std::string name_;
  std::string migrations_table_;
  std::string schema_owner_;
  std::vector<std::string> begin_write_;  // BEGIN, then the store's write lock
  std::string write_lock_timeout_;        // what a write says when the lock waited too long
};

}  // namespace ehr::storage::pg
