#include "settings/settings_schema.hpp"

namespace ehr::portal {

namespace {

// The settings tables' steps; their versions are places in the plugin's one sequence (portal_schema.hpp).
constexpr Migration kSqliteSteps[] = {
    {2, "portal settings: General and per-location values", R"sql(
CREATE TABLE settings_scope (
  scope            TEXT PRIMARY KEY,  -- '' for General, else a location id
  saved_at_unix_ms INTEGER NOT NULL,
  saved_by         TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE settings_value (
  scope TEXT NOT NULL REFERENCES settings_scope(scope) ON DELETE CASCADE,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
)sql"},
    // The plugin serves settings from memory; a writer of the same file (another host on a shared
    // store, an older plugin) must still make that copy stale. Triggers, not the plugin's code,
    // bump the version, so every change to the settings tables counts whoever made it.
    {5, "portal settings: a version every settings change bumps", R"sql(
CREATE TABLE settings_version (
  only    INTEGER PRIMARY KEY CHECK (only = 1),
  version INTEGER NOT NULL
);
INSERT INTO settings_version(only, version) VALUES (1, 0);
CREATE TRIGGER settings_scope_insert_bumps AFTER INSERT ON settings_scope
BEGIN UPDATE settings_version SET version = version + 1; END;
CREATE TRIGGER settings_scope_update_bumps AFTER UPDATE ON settings_scope
BEGIN UPDATE settings_version SET version = version + 1; END;
CREATE TRIGGER settings_scope_delete_bumps AFTER DELETE ON settings_scope
BEGIN UPDATE settings_version SET version = version + 1; END;
CREATE TRIGGER settings_value_insert_bumps AFTER INSERT ON settings_value
BEGIN UPDATE settings_version SET version = version + 1; END;
CREATE TRIGGER settings_value_update_bumps AFTER UPDATE ON settings_value
BEGIN UPDATE settings_version SET version = version + 1; END;
CREATE TRIGGER settings_value_delete_bumps AFTER DELETE ON settings_value
BEGIN UPDATE settings_version SET version = version + 1; END;
)sql"},
};

}  // namespace

std::span<const Migration> settings_sqlite_steps() {
  return kSqliteSteps;
}

}  // namespace ehr::portal
