#include "storage/migrations.hpp"

#include <string>

#include "common/error.hpp"
#include "messaging/conversation_schema.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

namespace {

// Each feature appends its steps at the END of this list, with the next version number.
constexpr Migration kMigrations[] = {
    {1, "audit log: append-only, hash-chained", R"sql(
CREATE TABLE audit_log (
  sequence      INTEGER PRIMARY KEY,
  at_unix_ms    INTEGER NOT NULL,
  actor_kind    INTEGER NOT NULL,
  actor_id      TEXT NOT NULL,
  action        TEXT NOT NULL,
  patient_id    TEXT NOT NULL DEFAULT '',
  target        TEXT NOT NULL DEFAULT '',
  outcome       TEXT NOT NULL,
  detail        TEXT NOT NULL DEFAULT '',
  previous_hash TEXT NOT NULL,
  hash          TEXT NOT NULL
);
CREATE INDEX audit_log_by_patient ON audit_log(patient_id, sequence);
CREATE TRIGGER audit_log_refuse_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a record cannot be changed'); END;
CREATE TRIGGER audit_log_refuse_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a record cannot be deleted'); END;
)sql"},
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
    {3, "conversations: threads, participants with unread and archive state, messages",
     kConversationSchemaSql},
    {4, "conversations: covering indexes for the inbox page and the unread badge", kCoveringInboxIndexesSql},
};

void ensure_version_table(Database& db) {
  Transaction tx(db);
  tx.execute_script(R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);)sql");
  tx.commit();
}

bool has_version_table(Database& db) {
  Transaction tx(db, TransactionMode::read);
  return tx.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").step();
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int schema_version(Database& db) {
  // Only a new database needs the table: a write on every start would make even read-only
  // commands fail on a full disk.
  if (!has_version_table(db)) ensure_version_table(db);
  Transaction tx(db, TransactionMode::read);
  auto query = tx.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return query.step() ? static_cast<int>(query.int64(0)) : 0;
}

int migrate(Database& db, std::span<const Migration> steps) {
  int version = schema_version(db);
  const int known = steps.empty() ? 0 : steps.back().version;
  if (version > known) {
    throw Error(EHR_STATUS_STORAGE, "database " + db.file().filename().string() + " is at schema version " +
                                        std::to_string(version) + ", newer than this plugin knows (" +
                                        std::to_string(known) + "); upgrade the plugin");
  }
  for (const Migration& step : steps) {
    if (step.version <= version) continue;
    if (step.version != version + 1) {
      throw Error(EHR_STATUS_INTERNAL,
                  "migration list has a gap before version " + std::to_string(step.version));
    }
    Transaction tx(db);
    try {
      tx.execute_script(step.sql);
      tx.prepare("INSERT INTO schema_migrations(version, name) VALUES (?, ?)")
          .bind_all(step.version, step.name)
          .run();
      tx.commit();
    } catch (const Error& e) {
      throw Error(EHR_STATUS_STORAGE, "migration " + std::to_string(step.version) + " (" +
                                          std::string(step.name) +
                                          ") failed and was rolled back: " + e.what());
    }
    version = step.version;
  }
  return version;
}

}  // namespace ehr::portal
