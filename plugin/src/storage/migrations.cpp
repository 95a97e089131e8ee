#include "storage/migrations.hpp"

#include "common/error.hpp"
#include "messaging/conversation_schema.hpp"

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

}  // namespace ehr::portal
