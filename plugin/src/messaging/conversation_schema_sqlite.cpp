#include "messaging/conversation_schema.hpp"

namespace ehr::portal {

namespace {

// The conversations' steps; their versions are places in the plugin's one sequence (portal_schema.hpp).
constexpr Migration kSqliteSteps[] = {
    {3, "conversations: threads, participants with unread and archive state, messages",
     kConversationSchemaSql},
    {4, "conversations: covering indexes for the inbox page and the unread badge", kCoveringInboxIndexesSql},
    {6, "conversations: the store's own id, identifiers of imported threads and messages",
     kExchangeSchemaSql},
    // R-SEC-2: subjects, bodies and pending webhook payloads are stored sealed under the host's data
    // key (crypto/at_rest.hpp), with the key's id per row: 0 is clear text, which is what every row
    // written before this step holds, so they stay readable and a key rotation seals them. A
    // rotation re-seals a body in place: the trigger still refuses any other change to a message,
    // and a new body without a new key.
    // The step also adds the webhook outbox's payload_key (step 7's table): released as one step,
    // it stays one, owned here, since splitting it would change what version 9 means for the
    // databases that already have it.
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
    // The badge of a lead clinician summed thousands of entries of the unread index, and the inbox
    // page counted thousands of the inbox index (bench scenarios 3 and 4). Each reader's totals per
    // box (archived 0 or 1): its threads, and the sum of their unread counts, which for box 0 is the
    // badge (the unread index's rows are those of box 0 with unread_count > 0; the others add 0).
    // Kept by triggers in the transaction that changes the participants, so no statement that
    // changes them can leave the totals behind; the step counts what is there. A reply changes only
    // unread counts within one box (one UPDATE per reader); a row changing box or reader moves its
    // thread and its unread count. As PostgreSQL's step 5, plus the unread sum.
    {10,
     "conversations: each reader's thread and unread totals, inbox and archive, kept with the participants",
     R"sql(
CREATE TABLE inbox_totals (
  principal_kind INTEGER NOT NULL,
  principal_id   TEXT NOT NULL,
  archived       INTEGER NOT NULL,
  threads        INTEGER NOT NULL CHECK (threads >= 0),
  unread         INTEGER NOT NULL CHECK (unread >= 0),
  PRIMARY KEY (principal_kind, principal_id, archived)
) WITHOUT ROWID;
INSERT INTO inbox_totals (principal_kind, principal_id, archived, threads, unread)
  SELECT principal_kind, principal_id, archived, COUNT(*), SUM(unread_count) FROM thread_participants
  GROUP BY principal_kind, principal_id, archived;
CREATE TRIGGER inbox_totals_follow_inserts AFTER INSERT ON thread_participants
BEGIN
  INSERT INTO inbox_totals (principal_kind, principal_id, archived, threads, unread)
    VALUES (NEW.principal_kind, NEW.principal_id, NEW.archived, 1, NEW.unread_count)
    ON CONFLICT (principal_kind, principal_id, archived)
    DO UPDATE SET threads = threads + 1, unread = unread + excluded.unread;
END;
CREATE TRIGGER inbox_totals_follow_deletes AFTER DELETE ON thread_participants
BEGIN
  UPDATE inbox_totals SET threads = threads - 1, unread = unread - OLD.unread_count
    WHERE principal_kind = OLD.principal_kind AND principal_id = OLD.principal_id AND archived = OLD.archived;
END;
CREATE TRIGGER inbox_totals_follow_unread AFTER UPDATE OF unread_count ON thread_participants
WHEN NEW.unread_count IS NOT OLD.unread_count AND NEW.archived IS OLD.archived
  AND NEW.principal_kind IS OLD.principal_kind AND NEW.principal_id IS OLD.principal_id
BEGIN
  UPDATE inbox_totals SET unread = unread + NEW.unread_count - OLD.unread_count
    WHERE principal_kind = OLD.principal_kind AND principal_id = OLD.principal_id AND archived = OLD.archived;
END;
CREATE TRIGGER inbox_totals_follow_moves AFTER UPDATE OF principal_kind, principal_id, archived
  ON thread_participants
WHEN NEW.archived IS NOT OLD.archived OR NEW.principal_kind IS NOT OLD.principal_kind
  OR NEW.principal_id IS NOT OLD.principal_id
BEGIN
  UPDATE inbox_totals SET threads = threads - 1, unread = unread - OLD.unread_count
    WHERE principal_kind = OLD.principal_kind AND principal_id = OLD.principal_id AND archived = OLD.archived;
  INSERT INTO inbox_totals (principal_kind, principal_id, archived, threads, unread)
    VALUES (NEW.principal_kind, NEW.principal_id, NEW.archived, 1, NEW.unread_count)
    ON CONFLICT (principal_kind, principal_id, archived)
    DO UPDATE SET threads = threads + 1, unread = unread + excluded.unread;
END;
)sql"},
};

}  // namespace

std::span<const Migration> conversations_sqlite_steps() {
  return kSqliteSteps;
}

}  // namespace ehr::portal
