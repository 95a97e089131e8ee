// Persists conversations: threads, their participants (with each reader's unread count and
// archive state), and messages. Only persists: who may do what is decided by the service.
//
// Every function works inside the caller's Transaction, so a message, its thread's counters and
// its audit record commit together (R-CONV-5). Unread counts are kept per participant row, so the
// inbox page and the badge read only the reader's own rows, never the messages.
#pragma once

#include <atomic>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/storage.hpp"
#include "crypto/at_rest.hpp"
#include "host/principal.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

struct ThreadRecord {
  int64_t id = 0;
  std::string patient_id;
  std::string subject;
  Principal started_by;
  Principal last_sender;
  int64_t created_at_ms = 0;
  int64_t last_message_at_ms = 0;
  int64_t last_message_id = 0;
  uint32_t message_count = 0;
};

struct MessageRecord {
  int64_t id = 0;
  int64_t thread_id = 0;
  Principal sender;
  std::string body;
  int64_t sent_at_ms = 0;
};

// One reader's view of one thread.
struct ThreadSummaryRecord {
  ThreadRecord thread;
  uint32_t unread_count = 0;
  bool archived = false;
};

// A thread's or a message's identifier as export and import carry it (ehr_thread_record).
struct RecordIdentifier {
  std::string system;
  std::string value;
  [[nodiscard]] bool empty() const { return system.empty() && value.empty(); }
  friend bool operator==(const RecordIdentifier&, const RecordIdentifier&) = default;
};

// What an imported message keeps of the system it came from.
struct ImportedMessageOrigin {
  RecordIdentifier identifier;
  RecordIdentifier in_response_to;  // empty: the thread's first message
  std::optional<int64_t> received_at_ms;
};

struct InboxQuery {
  Principal reader;
  bool archived = false;  // false: the inbox; true: archived threads only
  uint32_t limit = 50;
  uint32_t offset = 0;
  // When set, only threads about these charts (a portal user's current contact charts, R-CONV-3).
  std::optional<std::vector<std::string>> charts;
};

// One inbox page and its totals, read on one snapshot.
struct InboxRecords {
  std::vector<ThreadSummaryRecord> threads;
  uint64_t thread_count = 0;
  uint64_t unread_total = 0;
};

// Subjects and bodies are stored sealed (crypto/at_rest.hpp), each with its key id (migration 8),
// and opened as they are read: a value that does not open fails the read with EHR_STATUS_STORAGE.
class ConversationStore {
 public:
  // OWNERSHIP: borrows `at_rest`, which must outlive the store.
  explicit ConversationStore(const AtRest& at_rest) : at_rest_(&at_rest) {}

  // Creates a thread with its participants (the starter included) and its first message.
  // Returns the thread with the message's id in last_message_id.
  ThreadRecord create_thread(Transaction& tx, const std::string& patient_id, const std::string& subject,
                             const Principal& starter, const std::vector<Principal>& participants,
                             const std::string& body, int64_t at_ms) const;
  // Appends a message: every other participant gets one more unread, and the thread comes back
  // out of the archive for every participant (R-CONV-4).
  MessageRecord add_message(Transaction& tx, int64_t thread_id, const Principal& sender,
                            const std::string& body, int64_t at_ms) const;

  // Puts `who` on the thread with every earlier message unread for it (messages it sent itself
  // excepted), so the inbox and the badge show what it was brought in to read. False when it was
  // already on the thread: nothing changes then.
  bool add_participant(Transaction& tx, int64_t thread_id, const Principal& who) const;

  [[nodiscard]] std::optional<ThreadRecord> find_thread(Transaction& tx, int64_t thread_id) const;
  [[nodiscard]] std::vector<Principal> participants(Transaction& tx, int64_t thread_id) const;
  // find_thread and participants in one query (one round trip to a server).
  [[nodiscard]] std::optional<std::pair<ThreadRecord, std::vector<Principal>>> find_thread_with_participants(
      Transaction& tx, int64_t thread_id) const;
  [[nodiscard]] bool is_participant(Transaction& tx, int64_t thread_id, const Principal& who) const;
  // Oldest first.
  [[nodiscard]] std::vector<MessageRecord> messages(Transaction& tx, int64_t thread_id) const;

  // Newest first.
  [[nodiscard]] std::vector<ThreadSummaryRecord> list_threads(Transaction& tx, const InboxQuery& query) const;
  [[nodiscard]] uint64_t count_threads(Transaction& tx, const InboxQuery& query) const;
  // The badge: unread messages in the reader's unarchived threads (charts filter as in InboxQuery).
  [[nodiscard]] uint64_t unread_total(Transaction& tx, const Principal& reader,
                                      const std::optional<std::vector<std::string>>& charts) const;
  // list_threads, count_threads and unread_total together: on a server, the three queries are
  // sent at once (with the transaction's BEGIN), one round trip.
  [[nodiscard]] InboxRecords inbox_page(Transaction& tx, const InboxQuery& query) const;

  // ---- export and import ----
  // The id this store drew once (migration 6), which makes its own identifiers unique.
  [[nodiscard]] static std::string store_id(Transaction& tx);
  // One chart's threads with a message at or after since_ms (0: all), oldest first.
  [[nodiscard]] std::vector<ThreadRecord> patient_threads(Transaction& tx, const std::string& patient_id,
                                                          int64_t since_ms) const;
  // The identifier an imported thread came with; nullopt for the store's own threads.
  [[nodiscard]] std::optional<RecordIdentifier> imported_thread(Transaction& tx, int64_t thread_id) const;
  // The origins of a thread's imported messages, by message id.
  [[nodiscard]] std::vector<std::pair<int64_t, ImportedMessageOrigin>> imported_messages(
      Transaction& tx, int64_t thread_id) const;
  // The thread or message stored under an imported identifier.
  [[nodiscard]] std::optional<int64_t> find_imported_thread(Transaction& tx,
                                                            const RecordIdentifier& id) const;
  [[nodiscard]] bool has_imported_message(Transaction& tx, const RecordIdentifier& id) const;
  // When each message of the thread was first read by a recipient, by message id (read ones only).
  [[nodiscard]] std::vector<std::pair<int64_t, int64_t>> receipts(Transaction& tx, int64_t thread_id) const;
  [[nodiscard]] bool has_message(Transaction& tx, int64_t thread_id, int64_t message_id) const;
  // A thread from elsewhere, with its participants and no message yet; import_message adds them
  // (each unread for the participants other than its sender, as a message sent here).
  int64_t import_thread(Transaction& tx, const std::string& patient_id, const std::string& subject,
                        const Principal& starter, const std::vector<Principal>& participants, int64_t at_ms,
                        const RecordIdentifier& identifier) const;
  int64_t import_message(Transaction& tx, int64_t thread_id, const Principal& sender, const std::string& body,
                         int64_t at_ms, const ImportedMessageOrigin& origin) const;

  // Marks the thread read for this reader only, up to the newest message the reader was shown
  // (R-CONV-2): a message that arrived meanwhile stays unread.
  // received_at_ms, when given, is recorded as the time each message this reader reads for the
  // first time was received, unless another recipient read it earlier.
  void mark_read(Transaction& tx, int64_t thread_id, const Principal& reader, int64_t up_to_message_id,
                 std::optional<int64_t> received_at_ms = std::nullopt) const;
  // Per reader (R-CONV-4). Returns false when nothing changed: the reader is not a participant, or
  // the thread is already in that state.
  bool set_archived(Transaction& tx, int64_t thread_id, const Principal& reader, bool archived) const;

  // ---- key rotation ----
  // Re-seals up to `limit` subjects and bodies not under the current key (clear ones included),
  // threads with an id above *thread_cursor and messages above *message_cursor, advancing the
  // cursors. Returns how many values it re-sealed; fewer than `limit` means it reached the end.
  uint64_t reseal(Transaction& tx, int64_t* thread_cursor, int64_t* message_cursor, uint32_t limit) const;
  // How many subjects and bodies are not under the current key.
  [[nodiscard]] uint64_t count_not_current(Transaction& tx) const;

 private:
  [[nodiscard]] ThreadRecord thread_at(const Statement& row) const;
  [[nodiscard]] std::vector<ThreadSummaryRecord> page_rows(Statement& statement) const;
  [[nodiscard]] int64_t insert_thread(Transaction& tx, const std::string& patient_id,
                                      const std::string& subject, const Principal& starter,
                                      const std::vector<Principal>& participants, int64_t at_ms) const;

  // PostgreSQL's add_message: the message and the thread's and participants' counters in one
  // statement.
  MessageRecord add_message_postgresql(Transaction& tx, int64_t thread_id, const Principal& sender,
                                       const std::string& body, int64_t at_ms) const;

  const AtRest* at_rest_;
  // PostgreSQL: the id after the last message this store wrote, the likely next one; 0 when
  // unknown. Only a guess, which the insert checks (add_message_postgresql).
  mutable std::atomic<int64_t> next_message_id_{0};
};

}  // namespace ehr::portal
