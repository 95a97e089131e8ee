#include "storage/postgresql/pg_migrations.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "storage/postgresql/pg_connection.hpp"
#include "storage/postgresql/pg_transaction.hpp"

namespace ehr::storage::pg {

namespace {

// Any fixed number that no other user of the database picks; "portal messaging migrations".
constexpr Query kTakeMigrationLock{"migrations_lock", "SELECT pg_advisory_xact_lock(7070350011)"};
// The version table's statements for `table`, an identifier the caller's code fixes (checked: DDL
// takes no parameters). Statement names carry the table, as one connection may serve two lists.
struct VersionTable {
  explicit VersionTable(const std::string& table) {
    const bool valid =
        !table.empty() && table.size() < 50 && std::all_of(table.begin(), table.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
    if (!valid) throw Error(EHR_STATUS_INTERNAL, "migrations table name is not a plain identifier");
    create = "CREATE TABLE IF NOT EXISTS " + table +
             " (version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())";
    version_sql = "SELECT coalesce(max(version), 0) FROM " + table;
    record_sql = "INSERT INTO " + table + " (version, name) VALUES ($1, $2)";
    exists_sql = "SELECT to_regclass('" + table + "') IS NOT NULL";
    version_name = "migrations_version_" + table;
    record_name = "migrations_record_" + table;
    exists_name = "migrations_table_exists_" + table;
  }
  [[nodiscard]] Query version() const { return {version_name, version_sql}; }
  [[nodiscard]] Query record() const { return {record_name, record_sql}; }
  [[nodiscard]] Query exists() const { return {exists_name, exists_sql}; }

  std::string create, version_sql, record_sql, exists_sql, version_name, record_name, exists_name;
};

int applied_version(Connection& connection, const VersionTable& table) {
  return static_cast<int>(connection.run(table.version()).int64(0, 0));
}

}  // namespace

int schema_version(Connection& connection, const std::string& table_name) {
  const VersionTable table(table_name);
  if (connection.run(table.exists()).text(0, 0) != "t") return 0;
  return applied_version(connection, table);
}

int migrate(Connection& connection, std::span<const Migration> steps, const std::string& table_name,
            std::string_view software) {
  const VersionTable table(table_name);
  Transaction tx(connection);
  // Taken before the version is read: a host that waited here sees what the first one applied.
  connection.run(kTakeMigrationLock);
  // Only when missing: CREATE TABLE IF NOT EXISTS still needs CREATE on the schema, which a
  // least-privileged role (docs/admins.md) lacks, and an up-to-date database needs nothing created.
  if (connection.run(table.exists()).text(0, 0) != "t") connection.run_command(table.create);
  struct PostgresSteps {
    Connection& connection;
    const VersionTable& table;
    void run_step(const Migration& step) {
      connection.run_command(step.sql);
      connection.run(table.record(), {std::int64_t{step.version}, step.name});
    }
    void savepoint() { connection.run_command("SAVEPOINT migration_step"); }
    void release() { connection.run_command("RELEASE SAVEPOINT migration_step"); }
    void rollback_to() { connection.run_command("ROLLBACK TO SAVEPOINT migration_step"); }
    // A lost connection took the transaction with it: nothing was committed, nothing to undo.
    static bool recoverable(const Error& e) {
      const auto* pg = dynamic_cast<const PgError*>(&e);
      return pg == nullptr || !pg->sqlstate().empty();
    }
  } backend{connection, table};
  std::optional<Error> failure;
  const int version =
      apply_pending(backend, steps, applied_version(connection, table),
                    "the PostgreSQL database (" + connection.server() + ")", failure, software);
  tx.commit();
  if (failure) throw *failure;
  return version;
}

}  // namespace ehr::storage::pg
