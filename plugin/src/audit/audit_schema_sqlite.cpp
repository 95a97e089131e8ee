#include "audit/audit_schema.hpp"

namespace ehr::portal {

namespace {

// The audit log's steps; their versions are places in the plugin's one sequence (portal_schema.hpp).
constexpr Migration kSqliteSteps[] = {
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
    // R-SEC-3: each record names the audit key its hash (an HMAC) was made with, so that the key
    // can be rotated; 0 marks a record of the unkeyed SHA-256 chain, which AuditLog::start()
    // re-chains under the host's key on the first start that has one.
    {8, "audit log: the key id of each record's keyed hash", R"sql(
ALTER TABLE audit_log ADD COLUMN key_id INTEGER NOT NULL DEFAULT 0;
)sql"},
    // A start finds the host's newest checkpoint record without reading the log back to it: one
    // in a thousand records, so the index costs a send nothing (AuditLog::checkpoint_records_after).
    {11, "audit log: an index of the checkpoint records", R"sql(
CREATE INDEX audit_log_checkpoints ON audit_log(sequence) WHERE action = 'audit.checkpoint';
)sql"},
};

}  // namespace

// As migration 1 created it: AuditLog::start() drops and restores it inside the one transaction
// that re-chains an unkeyed log under the audit key.
const char* const kAuditRefuseUpdateTriggerSql = R"sql(
CREATE TRIGGER audit_log_refuse_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a record cannot be changed'); END;
)sql";

std::span<const Migration> audit_sqlite_steps() {
  return kSqliteSteps;
}

}  // namespace ehr::portal
