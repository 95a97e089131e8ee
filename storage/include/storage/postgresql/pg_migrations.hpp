// Schema migrations on the shared PostgreSQL server. Several hosts may start at the same moment
// against one database: each takes the migration lock (a transaction-scoped advisory lock), so the
// first applies the pending steps and the others, once it commits, find nothing left to do.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "storage/migrations.hpp"

namespace ehr::storage::pg {

class Connection;

inline constexpr const char* kDefaultMigrationsTable = "schema_migrations";

// Applies every step newer than the database's version, in one transaction (PostgreSQL's DDL is
// transactional) with a savepoint per step, under the migration lock; returns the version reached.
// As on SQLite: a failing step is rolled back whole and reported by name, the steps before it stay
// applied, and a database newer than `steps` is refused rather than misread.
// `table` records the applied steps: each user of the database keeps its own version list there
// (the plugin's schema_migrations, the host SDK's role_schema_migrations), so two step lists
// sharing one database never read each other's versions. Lower-case letters, digits and _ only.
// `software` is whose steps these are (apply_pending).
int migrate(Connection& connection, std::span<const Migration> steps,
            const std::string& table = kDefaultMigrationsTable,
            std::string_view software = kPluginSchemaOwner);

// The newest step applied (0 for a database never migrated).
[[nodiscard]] int schema_version(Connection& connection, const std::string& table = kDefaultMigrationsTable);

}  // namespace ehr::storage::pg
