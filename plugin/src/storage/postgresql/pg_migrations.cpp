#include "storage/postgresql/pg_migrations.hpp"

#include <optional>
#include <string>

#include "storage/postgresql/pg_connection.hpp"
#include "storage/postgresql/pg_transaction.hpp"

namespace ehr::portal::pg {

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
  connection.run_command(kVersionTableSql);
  int version = applied_version(connection);
  const int known = steps.empty() ? 0 : steps.back().version;
  if (version > known) {
    throw Error(EHR_STATUS_STORAGE, "the PostgreSQL database (" + connection.server() +
                                        ") is at schema version " + std::to_string(version) +
                                        ", newer than this plugin knows (" + std::to_string(known) +
                                        "); upgrade the plugin");
  }
  std::optional<Error> failure;
  for (const Migration& step : steps) {
    if (step.version <= version) continue;
    if (step.version != version + 1)
      throw Error(EHR_STATUS_INTERNAL,
                  "migration list has a gap before version " + std::to_string(step.version));
    connection.run_command("SAVEPOINT migration_step");
    try {
      connection.run_command(step.sql);
      connection.run(kRecordStep, {std::int64_t{step.version}, step.name});
      connection.run_command("RELEASE SAVEPOINT migration_step");
    } catch (const PgError& e) {
      if (e.sqlstate().empty()) throw;  // the connection is gone: nothing was committed
      connection.run_command("ROLLBACK TO SAVEPOINT migration_step");
      failure.emplace(EHR_STATUS_STORAGE, "migration " + std::to_string(step.version) + " (" +
                                              std::string(step.name) +
                                              ") failed and was rolled back: " + e.what());
      break;
    }
    version = step.version;
  }
  tx.commit();
  if (failure) throw *failure;
  return version;
}

}  // namespace ehr::portal::pg
