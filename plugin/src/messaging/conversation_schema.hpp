// The conversation tables, as the messaging feature owns them: its SQLite steps (3, 4, 6, 9 and 10 of
// the plugin's sequence, which Portal assembles: portal_schema.hpp). Never edited once released:
// later changes are new steps.
#pragma once

#include <span>
#include <string_view>

#include "common/storage.hpp"
#include "storage/migrations.hpp"

namespace ehr::portal {

[[nodiscard]] std::span<const Migration> conversations_sqlite_steps();

// Participants copy the thread's patient and last-message time so that the inbox page and the
// badge are one range of one index over the reader's own rows (200k threads, 1M messages).
inline constexpr std::string_view kConversationSchemaSql = R"sql(
CREATE TABLE message_threads (
  id INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  started_by_kind INTEGER NOT NULL CHECK (started_by_kind IN (1, 2)),
  started_by_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_sender_kind INTEGER NOT NULL CHECK (last_sender_kind IN (1, 2)),
  last_sender_id TEXT NOT NULL,
  last_message_at INTEGER NOT NULL,
  last_message_id INTEGER NOT NULL DEFAULT 0,
  message_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE thread_participants (
  thread_id INTEGER NOT NULL REFERENCES message_threads(id),
  principal_kind INTEGER NOT NULL CHECK (principal_kind IN (1, 2)),
  principal_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  last_message_at INTEGER NOT NULL,
  unread_count INTEGER NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
  last_read_message_id INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (thread_id, principal_kind, principal_id)
) WITHOUT ROWID;
CREATE INDEX thread_participants_inbox
  ON thread_participants (principal_kind, principal_id, archived, last_message_at DESC, thread_id DESC, patient_id);
CREATE INDEX thread_participants_unread
  ON thread_participants (principal_kind, principal_id, patient_id, unread_count)
  WHERE unread_count > 0 AND archived = 0;
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES message_threads(id),
  sender_kind INTEGER NOT NULL CHECK (sender_kind IN (1, 2)),
  sender_id TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
CREATE INDEX messages_by_thread ON messages (thread_id, id);
CREATE TRIGGER messages_are_never_changed BEFORE UPDATE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are never changed'); END;
CREATE TRIGGER messages_are_never_deleted BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are never deleted'); END;
)sql";

// Step 4: covering indexes for the inbox (bench scenarios 3 and 4, 1M messages). The badge
// query reads `archived` (the partial index's own condition) and the inbox page reads
// `unread_count`; neither was in its index, so every row cost a seek into thread_participants:
// about 0.5 ms of the badge for a clinician with ~200 unread threads, and 50 seeks per page.
// With the columns in the indexes both are index ranges; same rows, same order, same conditions.
inline constexpr std::string_view kCoveringInboxIndexesSql = R"sql(
DROP INDEX thread_participants_unread;
CREATE INDEX thread_participants_unread
  ON thread_participants (principal_kind, principal_id, patient_id, unread_count, archived)
  WHERE unread_count > 0 AND archived = 0;
DROP INDEX thread_participants_inbox;
CREATE INDEX thread_participants_inbox
  ON thread_participants (principal_kind, principal_id, archived, last_message_at DESC, thread_id DESC, patient_id,
                          unread_count);
)sql";

// Step 6: export and import (FHIR, docs/integrators.md). A store draws its id once, so its own
// threads and messages have identifiers no other store shares ("<store id>.<row id>"); imported
// ones keep the identifier they came with, the message it answered and when it was received, so a
// later export says what the other system said and a second import of the same records adds
// nothing. Threads by patient: the export reads one chart's threads. Receipts: when a message was
// first read by a recipient (FHIR Communication.received), written as a reader opens the thread.
inline constexpr std::string_view kExchangeSchemaSql = R"sql(
CREATE TABLE store_identity (
  only     INTEGER PRIMARY KEY CHECK (only = 1),
  store_id TEXT NOT NULL
);
INSERT INTO store_identity (only, store_id) VALUES (1, lower(hex(randomblob(8))));
CREATE TABLE imported_threads (
  thread_id         INTEGER PRIMARY KEY REFERENCES message_threads(id),
  identifier_system TEXT NOT NULL,
  identifier_value  TEXT NOT NULL,
  UNIQUE (identifier_system, identifier_value)
);
CREATE TABLE imported_messages (
  message_id            INTEGER PRIMARY KEY REFERENCES messages(id),
  identifier_system     TEXT NOT NULL,
  identifier_value      TEXT NOT NULL,
  in_response_to_system TEXT NOT NULL DEFAULT '',
  in_response_to_value  TEXT NOT NULL DEFAULT '',
  received_at           INTEGER,
  UNIQUE (identifier_system, identifier_value)
);
CREATE INDEX message_threads_by_patient ON message_threads (patient_id, last_message_at);
CREATE TABLE message_receipts (
  message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
  received_at INTEGER NOT NULL
);
)sql";

}  // namespace ehr::portal
