#pragma once

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

// Applies every migration newer than the database's version, each in its own transaction, and
// returns the version reached. A failing step is rolled back whole and reported by name; a
// database newer than the plugin knows is refused rather than misread.
int migrate(Database& db, std::span<const Migration> steps = migrations());

// The newest migration applied to the database (0 for a fresh file).
[[nodiscard]] int schema_version(Database& db);

}  // namespace ehr::portal
