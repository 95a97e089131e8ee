#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace ehr::portal {

class Database;

// One step of the database's schema. Versions are consecutive from 1; a step is never edited
// once released, only followed by new ones.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The plugin's migrations, oldest first (plugin/src/storage/migrations.cpp holds the one list).
[[nodiscard]] std::span<const Migration> migrations();

// Applies every migration newer than the database's version, in one transaction, and returns the
// version reached. A failing step is rolled back whole and reported by name (the steps before it
// stay applied); a database newer than the plugin knows is refused rather than misread.
int migrate(Database& db, std::span<const Migration> steps = migrations());

// When `file` does not exist, creates it already migrated, for two fsyncs instead of a WAL switch
// and a commit (seven): the database is built under a unique temporary name with no syncs (no one
// can see it yet), synced once, linked into place unless another process created `file`
// meanwhile, and the directory is synced. An existing file is left alone. Returns `file`.
const std::filesystem::path& create_database_if_missing(const std::filesystem::path& file,
                                                        std::span<const Migration> steps = migrations());

// The audit log's trigger refusing UPDATE, as migration 1 creates it.
extern const char* const kAuditRefuseUpdateTriggerSql;

// The newest migration applied to the database (0 for a fresh file).
[[nodiscard]] int schema_version(Database& db);

}  // namespace ehr::portal
