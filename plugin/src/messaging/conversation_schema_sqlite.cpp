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
};

}  // namespace

std::span<const Migration> conversations_sqlite_steps() {
  return kSqliteSteps;
}

}  // namespace ehr::portal
