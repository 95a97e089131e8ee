#include "storage/migrations.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <random>
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
    {6, "conversations: the store's own id, identifiers of imported threads and messages",
     kExchangeSchemaSql},
    // The webhook's outbox: a row per stored message, written in the message's own transaction,
    // so a message is durable exactly when its delivery is. Idempotency keys take the store id of
    // migration 6, which makes them unique across plugin databases.
    {7, "webhook: the delivery outbox", R"sql(
CREATE TABLE webhook_outbox (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL UNIQUE REFERENCES messages(id),
  thread_id       INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  payload         TEXT,              -- the Communication; cleared once delivered
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,  -- unix ms
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_outbox_by_state ON webhook_outbox(state, thread_id, id);
)sql"},
    // R-SEC-3: each record names the audit key its hash (an HMAC) was made with, so that the key
    // can be rotated; 0 marks a record of the unkeyed SHA-256 chain, which AuditLog::start()
    // re-chains under the host's key on the first start that has one.
    {8, "audit log: the key id of each record's keyed hash", R"sql(
ALTER TABLE audit_log ADD COLUMN key_id INTEGER NOT NULL DEFAULT 0;
)sql"},
    // R-SEC-2: subjects, bodies and pending webhook payloads are stored sealed under the host's data
    // key (crypto/at_rest.hpp), with the key's id per row: 0 is clear text, which is what every row
    // written before this step holds, so they stay readable and a key rotation seals them. A
    // rotation re-seals a body in place: the trigger still refuses any other change to a message,
    // and a new body without a new key.
    {9, "encryption at rest: the key id of each subject, body and webhook payload", R"sql(
ALTER TABLE message_threads ADD COLUMN subject_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN body_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_outbox ADD COLUMN payload_key INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER messages_are_never_changed;
CREATE TRIGGER messages_are_never_changed BEFORE UPDATE ON messages
WHEN NEW.id IS NOT OLD.id OR NEW.thread_id IS NOT OLD.thread_id OR NEW.sender_kind IS NOT OLD.sender_kind
  OR NEW.sender_id IS NOT OLD.sender_id OR NEW.sent_at IS NOT OLD.sent_at
  OR (NEW.body IS NOT OLD.body AND NEW.body_key IS OLD.body_key)
BEGIN SELECT RAISE(ABORT, 'messages are never changed'); END;
)sql"},
};

constexpr const char* kVersionTableSql = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);)sql";

int applied_version(Transaction& tx) {
  auto query = tx.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return query.step() ? static_cast<int>(query.int64(0)) : 0;
}

}  // namespace

// As migration 1 created it: AuditLog::start() drops and restores it inside the one transaction
// that re-chains an unkeyed log under the audit key.
const char* const kAuditRefuseUpdateTriggerSql = R"sql(
CREATE TRIGGER audit_log_refuse_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a record cannot be changed'); END;
)sql";

std::span<const Migration> migrations() {
  return kMigrations;
}

int schema_version(Database& db) {
  Transaction tx(db);
  tx.execute_script(kVersionTableSql);
  const int version = applied_version(tx);
  tx.commit();
  return version;
}

// Every pending step runs in ONE write transaction, so a new database costs one commit's fsyncs
// instead of one commit per step. Each step sits in its own savepoint: a failing step is undone
// whole, and the steps before it are still committed, as when each step was its own transaction.
int migrate(Database& db, std::span<const Migration> steps) {
  Transaction tx(db);
  tx.execute_script(kVersionTableSql);
  struct SqliteSteps {
    Transaction& tx;
    void run_step(const Migration& step) {
      tx.execute_script(step.sql);
      tx.prepare("INSERT INTO schema_migrations(version, name) VALUES (?, ?)")
          .bind_all(step.version, step.name)
          .run();
    }
    void savepoint() { tx.execute_script("SAVEPOINT migration_step"); }
    void release() { tx.execute_script("RELEASE migration_step"); }
    void rollback_to() { tx.execute_script("ROLLBACK TO migration_step; RELEASE migration_step"); }
    static bool recoverable(const Error&) { return true; }
  } backend{tx};
  std::optional<Error> failure;
  const int version = apply_pending(backend, steps, applied_version(tx),
                                    "database " + db.file().filename().string(), failure);
  tx.commit();
  if (failure) throw *failure;
  return version;
}

namespace {

[[noreturn]] void fail_creating(const std::filesystem::path& file, const std::string& what) {
  throw Error(EHR_STATUS_STORAGE,
              "cannot create database " + file.string() + ": " + what + ": " + std::strerror(errno));
}

void sync_path(const std::filesystem::path& path, int flags, const std::filesystem::path& file) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_creating(file, "cannot open " + path.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_creating(file, "cannot sync " + path.string());
}

}  // namespace

const std::filesystem::path& create_database_if_missing(const std::filesystem::path& file,
                                                        std::span<const Migration> steps) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(file, ec))) return file;
  const std::filesystem::path directory = file.has_parent_path() ? file.parent_path() : ".";
  const std::filesystem::path scratch =
      directory / (file.filename().string() + ".new-" + std::to_string(::getpid()) + "-" +
                   std::to_string(std::random_device{}()));
  auto remove_scratch = [&] {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(scratch.string() + suffix, ec);
  };
  try {
    {
      Database db(scratch, Database::Durability::unpublished_scratch);
      migrate(db, steps);
    }  // the last connection's close checkpoints everything into the file and drops its WAL
    sync_path(scratch, O_RDONLY, file);
    // link() refuses to replace: if another process created the database meanwhile, its file wins.
    if (::link(scratch.c_str(), file.c_str()) != 0 && errno != EEXIST) fail_creating(file, "cannot link it");
    remove_scratch();
    sync_path(directory, O_RDONLY | O_DIRECTORY, file);
  } catch (...) {
    remove_scratch();
    throw;
  }
  return file;
}

}  // namespace ehr::portal
