#include "storage/postgresql/pg_migrations.hpp"

#include <optional>
#include <string>

#include "storage/postgresql/pg_connection.hpp"
#include "storage/postgresql/pg_transaction.hpp"

namespace ehr::storage::pg {

namespace {

// Any fixed number that no other user of the database picks; "portal messaging migrations".
constexpr Query kTakeMigrationLock{"migrations_lock", "SELECT pg_advisory_xact_lock(7070350011)"};
constexpr std::string_view kVersionTableSql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
constexpr Query kAppliedVersion{"migrations_version",
                                "SELECT coalesce(max(version), 0) FROM schema_migrations"};
constexpr Query kRecordStep{"migrations_record",
                            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"};
constexpr Query kVersionTableExists{"migrations_table_exists",
                                    "SELECT to_regclass('schema_migrations') IS NOT NULL"};

int applied_version(Connection& connection) {
  return static_cast<int>(connection.run(kAppliedVersion).int64(0, 0));
}

}  // namespace

int schema_version(Connection& connection) {
  if (connection.run(kVersionTableExists).text(0, 0) != "t") return 0;
  return applied_version(connection);
}

int migrate(Connection& connection, std::span<const Migration> steps) {
  Transaction tx(connection);
  // Taken before the version is read: a host that waited here sees what the first one applied.
  connection.run(kTakeMigrationLock);
  // Only when missing: CREATE TABLE IF NOT EXISTS still needs CREATE on the schema, which a
  // least-privileged role (docs/admins.md) lacks, and an up-to-date database needs nothing created.
  if (connection.run(kVersionTableExists).text(0, 0) != "t") connection.run_command(kVersionTableSql);
  struct PostgresSteps {
    Connection& connection;
    void run_step(const Migration& step) {
      connection.run_command(step.sql);
      connection.run(kRecordStep, {std::int64_t{step.version}, step.name});
    }
    void savepoint() { connection.run_command("SAVEPOINT migration_step"); }
    void release() { connection.run_command("RELEASE SAVEPOINT migration_step"); }
    void rollback_to() { connection.run_command("ROLLBACK TO SAVEPOINT migration_step"); }
    // A lost connection took the transaction with it: nothing was committed, nothing to undo.
    static bool recoverable(const Error& e) {
      const auto* pg = dynamic_cast<const PgError*>(&e);
      return pg == nullptr || !pg->sqlstate().empty();
    }
  } backend{connection};
  std::optional<Error> failure;
  const int version = apply_pending(backend, steps, applied_version(connection),
                                    "the PostgreSQL database (" + connection.server() + ")", failure);
  tx.commit();
  if (failure) throw *failure;
  return version;
}

}  // namespace ehr::storage::pg
