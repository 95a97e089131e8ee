#include "settings/settings_schema_postgresql.hpp"

#include "common/storage.hpp"
#include "storage/migrations.hpp"

namespace ehr::portal {

namespace {

// Each host serves settings from memory and re-reads them when settings_version moved: triggers,
// not the plugin's code, bump it, so a change by any host (or by hand) counts. "only" is quoted:
// ONLY is a reserved word in PostgreSQL (portable SQL quotes it too; SQLite accepts the quotes).
constexpr Migration kSteps[] = {
    {2, "portal settings: General and per-location values, a version every change bumps", R"sql(
CREATE TABLE settings_scope (
  scope            TEXT PRIMARY KEY,  -- '' for General, else a location id
  saved_at_unix_ms BIGINT NOT NULL,
  saved_by         TEXT NOT NULL
);
CREATE TABLE settings_value (
  scope TEXT NOT NULL REFERENCES settings_scope(scope) ON DELETE CASCADE,
  key   TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE settings_version (
  "only"  BIGINT PRIMARY KEY CHECK ("only" = 1),
  version BIGINT NOT NULL
);
INSERT INTO settings_version ("only", version) VALUES (1, 0);
CREATE FUNCTION settings_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE settings_version SET version = version + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER settings_scope_insert_bumps AFTER INSERT ON settings_scope
  FOR EACH ROW EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_scope_update_bumps AFTER UPDATE ON settings_scope
  FOR EACH ROW EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_scope_delete_bumps AFTER DELETE ON settings_scope
  FOR EACH ROW EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_value_insert_bumps AFTER INSERT ON settings_value
  FOR EACH ROW EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_value_update_bumps AFTER UPDATE ON settings_value
  FOR EACH ROW EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_value_delete_bumps AFTER DELETE ON settings_value
  FOR EACH ROW EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_scope_truncate_bumps AFTER TRUNCATE ON settings_scope
  FOR EACH STATEMENT EXECUTE FUNCTION settings_bump_version();
CREATE TRIGGER settings_value_truncate_bumps AFTER TRUNCATE ON settings_value
  FOR EACH STATEMENT EXECUTE FUNCTION settings_bump_version();
)sql"},
};

}  // namespace

std::span<const Migration> settings_postgresql_steps() {
  return kSteps;
}

}  // namespace ehr::portal
