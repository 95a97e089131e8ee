#include "messaging/conversation_store.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.hpp"

namespace ehr::portal {
namespace {

constexpr const char* kThreadColumns =
    "t.id, t.patient_id, t.subject, t.started_by_kind, t.started_by_id, t.created_at, t.last_sender_kind, "
    "t.last_sender_id, t.last_message_at, t.last_message_id, t.message_count, t.subject_key";

// What each sealed value is bound to (AtRest's associated data): its row and its field, so a
// ciphertext copied to another thread, message or field does not open.
std::string subject_binding(int64_t thread_id) {
  return "thread:" + std::to_string(thread_id) + ":subject";
}
std::string body_binding(int64_t thread_id, int64_t message_id) {
  return "message:" + std::to_string(thread_id) + ":" + std::to_string(message_id) + ":body";
}

// NULL for "no filter", else a JSON array the queries open (chart_filter): the ids stay bound
// values, never SQL text.
std::optional<std::string> charts_json(const std::optional<std::vector<std::string>>& charts) {
  if (!charts) return std::nullopt;
  std::string json = "[";
  for (const std::string& id : *charts) {
    if (json.size() > 1) json += ',';
    json += '"';
    for (unsigned char c : id) {
      if (c == '"' || c == '\\') {
        json += '\\';
        json += static_cast<char>(c);
      } else if (c < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        json += escaped;
      } else {
        json += static_cast<char>(c);
      }
    }
    json += '"';
  }
  return json + "]";
}

// The chart filter: the patient ids of the JSON array bound as `parameter`, or every chart when it
// is NULL. The one text the dialects disagree on: SQLite opens the array with json_each,
// PostgreSQL with json_array_elements_text (both name the element `value`).
std::string chart_filter(Dialect dialect, const char* column, const char* parameter) {
  const std::string p(parameter);
  const std::string ids = dialect == Dialect::sqlite
                              ? "SELECT value FROM json_each(" + p + ")"
                              : "SELECT value FROM json_array_elements_text(CAST(" + p + " AS json))";
  return "(CAST(" + p + " AS TEXT) IS NULL OR " + column + " IN (" + ids + "))";
}

std::string inbox_page_sql(Dialect dialect) {
  return std::string("SELECT ") + kThreadColumns +
         ", p.unread_count, p.archived FROM thread_participants p "
         "JOIN message_threads t ON t.id = p.thread_id "
         "WHERE p.principal_kind = ?1 AND p.principal_id = ?2 AND p.archived = ?3 AND " +
         chart_filter(dialect, "p.patient_id", "?4") +
         " ORDER BY p.last_message_at DESC, p.thread_id DESC LIMIT ?5 OFFSET ?6";
}

std::string inbox_count_sql(Dialect dialect) {
  return "SELECT COUNT(*) FROM thread_participants "
         "WHERE principal_kind = ?1 AND principal_id = ?2 AND archived = ?3 AND " +
         chart_filter(dialect, "patient_id", "?4");
}

// The partial index holds only unread, unarchived rows: the badge costs O(threads with unread
// messages). SQLite's planner would otherwise pick the inbox index (no ANALYZE statistics), hence
// INDEXED BY, which PostgreSQL, planning from its own statistics, does not have.
std::string unread_total_sql(Dialect dialect) {
  const char* const from = dialect == Dialect::sqlite
                               ? "FROM thread_participants INDEXED BY thread_participants_unread "
                               : "FROM thread_participants ";
  return std::string("SELECT COALESCE(SUM(unread_count), 0) ") + from +
         "WHERE principal_kind = ?1 AND principal_id = ?2 AND unread_count > 0 AND archived = 0 AND " +
         chart_filter(dialect, "patient_id", "?3");
}

void bind_charts(Statement& statement, int index, const std::optional<std::string>& json) {
  if (json) {
    statement.bind(index, *json);
  } else {
    statement.bind_null(index);
  }
}

Principal principal_at(const Statement& row, int kind_column) {
  return {static_cast<PrincipalKind>(row.int64(kind_column)), row.text(kind_column + 1)};
}

}  // namespace

ThreadRecord ConversationStore::thread_at(const Statement& row) const {
  ThreadRecord thread;
  thread.id = row.int64(0);
  thread.patient_id = row.text(1);
  thread.subject =
      at_rest_->open(static_cast<uint32_t>(row.int64(11)), row.text(2), subject_binding(thread.id),
                     "subject of thread " + std::to_string(thread.id));
  thread.started_by = principal_at(row, 3);
  thread.created_at_ms = row.int64(5);
  thread.last_sender = principal_at(row, 6);
  thread.last_message_at_ms = row.int64(8);
  thread.last_message_id = row.int64(9);
  thread.message_count = static_cast<uint32_t>(row.int64(10));
  return thread;
}

namespace {

int64_t kind_value(const Principal& p) {
  return static_cast<int64_t>(p.kind);
}

// The id the next row of `table` gets. The sealed value is bound to it, so it is known before the
// insert; the write transaction (BEGIN IMMEDIATE) keeps any other writer out until COMMIT.
int64_t next_id(Transaction& tx, const char* max_query) {
  Statement query = tx.prepare(max_query);
  if (!query.step()) throw Error(EHR_STATUS_STORAGE, "cannot read the next row id");
  return query.int64(0) + 1;
}

}  // namespace

// A thread with its participants (the starter included) and no message yet.
int64_t ConversationStore::insert_thread(Transaction& tx, const std::string& patient_id,
                                         const std::string& subject, const Principal& starter,
                                         const std::vector<Principal>& participants, int64_t at_ms) const {
  const int64_t thread_id = next_id(tx, "SELECT COALESCE(MAX(id), 0) FROM message_threads");
  const Sealed sealed = at_rest_->seal(subject, subject_binding(thread_id));
  Statement insert = tx.prepare(
      "INSERT INTO message_threads (id, patient_id, subject, subject_key, started_by_kind, started_by_id, "
      "created_at, last_sender_kind, last_sender_id, last_message_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, ?6, ?7)");
  insert.bind(1, thread_id).bind(2, patient_id);
  if (sealed.key_id == 0) {
    insert.bind(3, sealed.bytes);
  } else {
    insert.bind_blob(3, sealed.bytes);
  }
  insert.bind(4, sealed.key_id).bind(5, kind_value(starter)).bind(6, starter.id).bind(7, at_ms).run();

  Statement join = tx.prepare(
      "INSERT INTO thread_participants (thread_id, principal_kind, principal_id, patient_id, "
      "last_message_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
  join.bind_all(thread_id, kind_value(starter), starter.id, patient_id, at_ms).run();
  for (const Principal& p : participants) {
    join.reset();
    join.bind_all(thread_id, kind_value(p), p.id, patient_id, at_ms).run();
  }
  return thread_id;
}

ThreadRecord ConversationStore::create_thread(Transaction& tx, const std::string& patient_id,
                                              const std::string& subject, const Principal& starter,
                                              const std::vector<Principal>& participants,
                                              const std::string& body, int64_t at_ms) const {
  const int64_t thread_id = insert_thread(tx, patient_id, subject, starter, participants, at_ms);
  add_message(tx, thread_id, starter, body, at_ms);
  return *find_thread(tx, thread_id);
}

MessageRecord ConversationStore::add_message(Transaction& tx, int64_t thread_id, const Principal& sender,
                                             const std::string& body, int64_t at_ms) const {
  if (tx.dialect() == Dialect::postgresql) return add_message_postgresql(tx, thread_id, sender, body, at_ms);
  const int64_t message_id = next_id(tx, "SELECT COALESCE(MAX(id), 0) FROM messages");
  const Sealed sealed = at_rest_->seal(body, body_binding(thread_id, message_id));
  Statement insert = tx.prepare(
      "INSERT INTO messages (id, thread_id, sender_kind, sender_id, body, body_key, sent_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind_all(message_id, thread_id, kind_value(sender), sender.id);
  if (sealed.key_id == 0) {
    insert.bind(5, sealed.bytes);
  } else {
    insert.bind_blob(5, sealed.bytes);
  }
  insert.bind(6, sealed.key_id).bind(7, at_ms).run();
  MessageRecord message{message_id, thread_id, sender, body, at_ms};

  // The host clock may step back between two senders; the thread's order must not.
  tx.prepare(
        "UPDATE message_threads SET last_sender_kind = ?2, last_sender_id = ?3, "
        "last_message_at = CASE WHEN last_message_at > ?4 THEN last_message_at ELSE ?4 END, "
        "last_message_id = ?5, message_count = message_count + 1 "
        "WHERE id = ?1")
      .bind_all(thread_id, kind_value(sender), sender.id, at_ms, message.id)
      .run();
  tx.prepare(
        "UPDATE thread_participants SET archived = 0, "
        "last_message_at = (SELECT last_message_at FROM message_threads WHERE id = ?1), "
        "unread_count = unread_count + CASE WHEN principal_kind <> ?2 OR principal_id <> ?3 THEN 1 ELSE 0 "
        "END "
        "WHERE thread_id = ?1")
      .bind_all(thread_id, kind_value(sender), sender.id)
      .run();
  return message;
}

// On a server each statement is a round trip: the three writes of a message go as one, and its id is
// this store's guess (the one after the last message it wrote), which the insert checks against the
// table under the write lock. Another host's message, or a transaction rolled back, makes the
// guess wrong: nothing is written then, and the id is read and the body sealed again.
MessageRecord ConversationStore::add_message_postgresql(Transaction& tx, int64_t thread_id,
                                                        const Principal& sender, const std::string& body,
                                                        int64_t at_ms) const {
  // The counters as add_message's SQLite statements write them; every data-modifying part of a
  // WITH runs once, on one snapshot, so the participants read the thread's new time from t.
  constexpr std::string_view kWrite =
      "WITH m AS (INSERT INTO messages (id, thread_id, sender_kind, sender_id, body, body_key, sent_at) "
      "SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), CAST(?4 AS TEXT), "
      "CAST(?5 AS BYTEA), CAST(?6 AS BIGINT), CAST(?7 AS BIGINT) "
      "WHERE COALESCE((SELECT MAX(id) FROM messages), 0) = ?1 - 1 RETURNING id), "
      "t AS (UPDATE message_threads SET last_sender_kind = ?3, last_sender_id = ?4, "
      "last_message_at = CASE WHEN last_message_at > ?7 THEN last_message_at ELSE ?7 END, "
      "last_message_id = ?1, message_count = message_count + 1 "
      "WHERE id = ?2 AND EXISTS (SELECT 1 FROM m) RETURNING last_message_at), "
      "p AS (UPDATE thread_participants SET archived = 0, last_message_at = (SELECT last_message_at FROM t), "
      "unread_count = unread_count + CASE WHEN principal_kind <> ?3 OR principal_id <> ?4 THEN 1 ELSE 0 END "
      "WHERE thread_id = ?2 AND EXISTS (SELECT 1 FROM t) RETURNING 1) ";
  // Checking as it goes, a wrong guess writes nothing and answers 0; left for later, it refuses to
  // run, which keeps the COMMIT sent with it from running too.
  static const std::string kWriteAnsweringCount = std::string(kWrite) + "SELECT COUNT(*) FROM m";
  static const std::string kWriteGuarded =
      std::string(kWrite) + "SELECT portal_guess_held(COUNT(*) = 1) FROM m";
  const auto send_write = [&](int64_t message_id, const std::string& sql) {
    const Sealed sealed = at_rest_->seal(body, body_binding(thread_id, message_id));
    Statement write = tx.prepare(sql);
    write.bind_all(message_id, thread_id, kind_value(sender), sender.id);
    if (sealed.key_id == 0) {
      write.bind(5, sealed.bytes);
    } else {
      write.bind_blob(5, sealed.bytes);
    }
    write.bind(6, sealed.key_id).bind(7, at_ms).send();
    return write;
  };
  const auto written = [](Statement& write) { return write.step() && write.int64(0) == 1; };
  int64_t message_id = next_message_id_.load();
  if (message_id != 0 && tx.defers_checks()) {
    // Its answer is read with the batch's others and COMMIT's (Transaction::commit_checked); a
    // wrong guess found there makes the batch run again, checking each guess as it goes.
    tx.check_later(send_write(message_id, kWriteGuarded));
  } else {
    for (int attempt = 0;; ++attempt) {
      if (message_id == 0 || attempt > 0)
        message_id = next_id(tx, "SELECT COALESCE(MAX(id), 0) FROM messages");
      Statement write = send_write(message_id, kWriteAnsweringCount);
      if (written(write)) break;
      // A read id is the table's next one under the write lock; a guess may not be.
      if (attempt > 0)
        throw Error(EHR_STATUS_STORAGE, "message " + std::to_string(message_id) + " was not written");
    }
  }
  next_message_id_.store(message_id + 1);
  return MessageRecord{message_id, thread_id, sender, body, at_ms};
}

bool ConversationStore::add_participant(Transaction& tx, int64_t thread_id, const Principal& who) const {
  Statement insert = tx.prepare(
      "INSERT INTO thread_participants (thread_id, principal_kind, principal_id, patient_id, "
      "last_message_at, unread_count) "
      "SELECT t.id, ?2, ?3, t.patient_id, t.last_message_at, "
      "(SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND (m.sender_kind <> ?2 OR m.sender_id <> "
      "?3)) "
      "FROM message_threads t WHERE t.id = ?1 ON CONFLICT DO NOTHING RETURNING 1");
  insert.bind_all(thread_id, kind_value(who), who.id);
  return insert.step();
}

std::optional<ThreadRecord> ConversationStore::find_thread(Transaction& tx, int64_t thread_id) const {
  Statement query =
      tx.prepare(std::string("SELECT ") + kThreadColumns + " FROM message_threads t WHERE t.id = ?1");
  query.bind(1, thread_id);
  if (!query.step()) return std::nullopt;
  return thread_at(query);
}

std::optional<std::pair<ThreadRecord, std::vector<Principal>>>
ConversationStore::find_thread_with_participants(Transaction& tx, int64_t thread_id) const {
  Statement query = tx.prepare(std::string("SELECT ") + kThreadColumns +
                               ", p.principal_kind, p.principal_id FROM message_threads t "
                               "LEFT JOIN thread_participants p ON p.thread_id = t.id WHERE t.id = ?1 "
                               "ORDER BY p.principal_kind, p.principal_id");
  query.bind(1, thread_id);
  if (!query.step()) return std::nullopt;
  std::pair<ThreadRecord, std::vector<Principal>> found{thread_at(query), {}};
  do {
    if (!query.is_null(12)) found.second.push_back(principal_at(query, 12));
  } while (query.step());
  return found;
}

std::vector<Principal> ConversationStore::participants(Transaction& tx, int64_t thread_id) const {
  Statement query = tx.prepare(
      "SELECT principal_kind, principal_id FROM thread_participants WHERE thread_id = ?1 "
      "ORDER BY principal_kind, principal_id");
  query.bind(1, thread_id);
  std::vector<Principal> result;
  while (query.step()) result.push_back(principal_at(query, 0));
  return result;
}

bool ConversationStore::is_participant(Transaction& tx, int64_t thread_id, const Principal& who) const {
  Statement query = tx.prepare(
      "SELECT 1 FROM thread_participants WHERE thread_id = ?1 AND principal_kind = ?2 AND principal_id = ?3");
  query.bind_all(thread_id, kind_value(who), who.id);
  return query.step();
}

std::vector<MessageRecord> ConversationStore::messages(Transaction& tx, int64_t thread_id) const {
  Statement query = tx.prepare(
      "SELECT id, thread_id, sender_kind, sender_id, body, sent_at, body_key FROM messages WHERE thread_id = "
      "?1 "
      "ORDER BY id");
  query.bind(1, thread_id);
  std::vector<MessageRecord> result;
  while (query.step()) {
    const int64_t id = query.int64(0);
    std::string body =
        at_rest_->open(static_cast<uint32_t>(query.int64(6)), query.text(4), body_binding(query.int64(1), id),
                       "body of message " + std::to_string(id));
    result.push_back({id, query.int64(1), principal_at(query, 2), std::move(body), query.int64(5)});
  }
  return result;
}

namespace {

// The inbox's three queries, prepared and bound, not yet run.
Statement page_statement(Transaction& tx, const InboxQuery& query) {
  static const std::string sql[] = {inbox_page_sql(Dialect::sqlite), inbox_page_sql(Dialect::postgresql)};
  Statement statement = tx.prepare(tx.dialect() == Dialect::sqlite ? sql[0] : sql[1]);
  statement.bind_all(kind_value(query.reader), query.reader.id, query.archived);
  bind_charts(statement, 4, charts_json(query.charts));
  statement.bind(5, static_cast<int64_t>(query.limit)).bind(6, static_cast<int64_t>(query.offset));
  return statement;
}

Statement count_statement(Transaction& tx, const InboxQuery& query) {
  if (!query.charts) {
    // The total the participants' triggers keep (PostgreSQL step 5, SQLite step 10): one row,
    // where counting the reader's range of the index would visit all of it.
    Statement total = tx.prepare(
        "SELECT threads FROM inbox_totals WHERE principal_kind = ?1 AND principal_id = ?2 AND archived = ?3");
    total.bind_all(kind_value(query.reader), query.reader.id, query.archived);
    return total;
  }
  static const std::string sql[] = {inbox_count_sql(Dialect::sqlite), inbox_count_sql(Dialect::postgresql)};
  Statement statement = tx.prepare(tx.dialect() == Dialect::sqlite ? sql[0] : sql[1]);
  statement.bind_all(kind_value(query.reader), query.reader.id, query.archived);
  bind_charts(statement, 4, charts_json(query.charts));
  return statement;
}

Statement unread_statement(Transaction& tx, const Principal& reader,
                           const std::optional<std::vector<std::string>>& charts) {
  if (tx.dialect() == Dialect::sqlite && !charts) {
    // The sum the participants' triggers keep for the reader's inbox (SQLite step 10): one row,
    // where the partial index's range holds an entry per unread thread. A chart filter still
    // counts the range: the totals are per reader, not per chart.
    Statement total = tx.prepare(
        "SELECT unread FROM inbox_totals WHERE principal_kind = ?1 AND principal_id = ?2 AND archived = 0");
    total.bind_all(kind_value(reader), reader.id);
    return total;
  }
  static const std::string sql[] = {unread_total_sql(Dialect::sqlite), unread_total_sql(Dialect::postgresql)};
  Statement statement = tx.prepare(tx.dialect() == Dialect::sqlite ? sql[0] : sql[1]);
  statement.bind_all(kind_value(reader), reader.id);
  bind_charts(statement, 3, charts_json(charts));
  return statement;
}

// A count's one row, or 0 when there is none (a reader with no totals row yet).
uint64_t count_of(Statement& statement) {
  return statement.step() ? static_cast<uint64_t>(statement.int64(0)) : 0;
}

}  // namespace

std::vector<ThreadSummaryRecord> ConversationStore::page_rows(Statement& statement) const {
  std::vector<ThreadSummaryRecord> result;
  while (statement.step()) {
    result.push_back(
        {thread_at(statement), static_cast<uint32_t>(statement.int64(12)), statement.int64(13) != 0});
  }
  return result;
}

std::vector<ThreadSummaryRecord> ConversationStore::list_threads(Transaction& tx,
                                                                 const InboxQuery& query) const {
  Statement statement = page_statement(tx, query);
  return page_rows(statement);
}

uint64_t ConversationStore::count_threads(Transaction& tx, const InboxQuery& query) const {
  Statement statement = count_statement(tx, query);
  return count_of(statement);
}

uint64_t ConversationStore::unread_total(Transaction& tx, const Principal& reader,
                                         const std::optional<std::vector<std::string>>& charts) const {
  Statement statement = unread_statement(tx, reader, charts);
  return count_of(statement);
}

InboxRecords ConversationStore::inbox_page(Transaction& tx, const InboxQuery& query) const {
  // On a server the three go together with the read's BEGIN: one round trip for the page. SQLite
  // has no round trips: send() leaves each to run when it is stepped.
  Statement page = page_statement(tx, query);
  Statement count = count_statement(tx, query);
  Statement unread = unread_statement(tx, query.reader, query.charts);
  page.send();
  count.send();
  unread.send();
  std::vector<ThreadSummaryRecord> threads = page_rows(page);
  const uint64_t thread_count = count_of(count);
  return {std::move(threads), thread_count, count_of(unread)};
}

// ---- export and import ---------------------------------------------------------------------

std::string ConversationStore::store_id(Transaction& tx) {
  // The table's one row (CHECK (only = 1)); the query does not name `only`, a reserved word in
  // PostgreSQL.
  Statement query = tx.prepare("SELECT store_id FROM store_identity");
  if (!query.step()) throw Error(EHR_STATUS_STORAGE, "the database has no store id (migration 6 missing)");
  return query.text(0);
}

std::vector<ThreadRecord> ConversationStore::patient_threads(Transaction& tx, const std::string& patient_id,
                                                             int64_t since_ms) const {
  Statement query = tx.prepare(std::string("SELECT ") + kThreadColumns +
                               " FROM message_threads t WHERE t.patient_id = ?1 AND t.last_message_at >= ?2 "
                               "ORDER BY t.created_at, t.id");
  query.bind_all(patient_id, since_ms);
  std::vector<ThreadRecord> result;
  while (query.step()) result.push_back(thread_at(query));
  return result;
}

std::optional<RecordIdentifier> ConversationStore::imported_thread(Transaction& tx, int64_t thread_id) const {
  Statement query =
      tx.prepare("SELECT identifier_system, identifier_value FROM imported_threads WHERE thread_id = ?1");
  query.bind(1, thread_id);
  if (!query.step()) return std::nullopt;
  return RecordIdentifier{query.text(0), query.text(1)};
}

std::vector<std::pair<int64_t, ImportedMessageOrigin>> ConversationStore::imported_messages(
    Transaction& tx, int64_t thread_id) const {
  Statement query = tx.prepare(
      "SELECT i.message_id, i.identifier_system, i.identifier_value, i.in_response_to_system, "
      "i.in_response_to_value, i.received_at FROM imported_messages i JOIN messages m ON m.id = i.message_id "
      "WHERE m.thread_id = ?1 ORDER BY i.message_id");
  query.bind(1, thread_id);
  std::vector<std::pair<int64_t, ImportedMessageOrigin>> result;
  while (query.step()) {
    ImportedMessageOrigin origin{
        {query.text(1), query.text(2)}, {query.text(3), query.text(4)}, std::nullopt};
    if (!query.is_null(5)) origin.received_at_ms = query.int64(5);
    result.emplace_back(query.int64(0), std::move(origin));
  }
  return result;
}

std::optional<int64_t> ConversationStore::find_imported_thread(Transaction& tx,
                                                               const RecordIdentifier& id) const {
  Statement query = tx.prepare(
      "SELECT thread_id FROM imported_threads WHERE identifier_system = ?1 AND identifier_value = ?2");
  query.bind_all(id.system, id.value);
  if (!query.step()) return std::nullopt;
  return query.int64(0);
}

bool ConversationStore::has_imported_message(Transaction& tx, const RecordIdentifier& id) const {
  Statement query =
      tx.prepare("SELECT 1 FROM imported_messages WHERE identifier_system = ?1 AND identifier_value = ?2");
  query.bind_all(id.system, id.value);
  return query.step();
}

std::vector<std::pair<int64_t, int64_t>> ConversationStore::receipts(Transaction& tx,
                                                                     int64_t thread_id) const {
  Statement query = tx.prepare(
      "SELECT r.message_id, r.received_at FROM message_receipts r JOIN messages m ON m.id = r.message_id "
      "WHERE m.thread_id = ?1 ORDER BY r.message_id");
  query.bind(1, thread_id);
  std::vector<std::pair<int64_t, int64_t>> result;
  while (query.step()) result.emplace_back(query.int64(0), query.int64(1));
  return result;
}

bool ConversationStore::has_message(Transaction& tx, int64_t thread_id, int64_t message_id) const {
  Statement query = tx.prepare("SELECT 1 FROM messages WHERE id = ?1 AND thread_id = ?2");
  query.bind_all(message_id, thread_id);
  return query.step();
}

int64_t ConversationStore::import_thread(Transaction& tx, const std::string& patient_id,
                                         const std::string& subject, const Principal& starter,
                                         const std::vector<Principal>& participants, int64_t at_ms,
                                         const RecordIdentifier& identifier) const {
  const int64_t thread_id = insert_thread(tx, patient_id, subject, starter, participants, at_ms);
  tx.prepare(
        "INSERT INTO imported_threads (thread_id, identifier_system, identifier_value) VALUES (?1, ?2, ?3)")
      .bind_all(thread_id, identifier.system, identifier.value)
      .run();
  return thread_id;
}

int64_t ConversationStore::import_message(Transaction& tx, int64_t thread_id, const Principal& sender,
                                          const std::string& body, int64_t at_ms,
                                          const ImportedMessageOrigin& origin) const {
  const MessageRecord message = add_message(tx, thread_id, sender, body, at_ms);
  Statement insert = tx.prepare(
      "INSERT INTO imported_messages (message_id, identifier_system, identifier_value, "
      "in_response_to_system, "
      "in_response_to_value, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind_all(message.id, origin.identifier.system, origin.identifier.value, origin.in_response_to.system,
                  origin.in_response_to.value);
  if (origin.received_at_ms) {
    insert.bind(6, *origin.received_at_ms);
  } else {
    insert.bind_null(6);
  }
  insert.run();
  return message.id;
}

void ConversationStore::mark_read(Transaction& tx, int64_t thread_id, const Principal& reader,
                                  int64_t up_to_message_id, std::optional<int64_t> received_at_ms) const {
  if (received_at_ms) {
    // Only the messages this reader had not read yet: a read costs the new messages, not the thread.
    tx.prepare(
          "INSERT INTO message_receipts (message_id, received_at) "
          "SELECT m.id, ?5 FROM messages m WHERE m.thread_id = ?1 AND m.id <= ?4 "
          "AND m.id > (SELECT last_read_message_id FROM thread_participants "
          "WHERE thread_id = ?1 AND principal_kind = ?2 AND principal_id = ?3) "
          "AND (m.sender_kind <> ?2 OR m.sender_id <> ?3) ON CONFLICT DO NOTHING")
        .bind_all(thread_id, kind_value(reader), reader.id, up_to_message_id, *received_at_ms)
        .run();
  }
  tx.prepare(
        "UPDATE thread_participants SET "
        "last_read_message_id = CASE WHEN last_read_message_id > ?4 THEN last_read_message_id ELSE ?4 END, "
        "unread_count = (SELECT COUNT(*) FROM messages m WHERE m.thread_id = ?1 "
        "AND m.id > CASE WHEN thread_participants.last_read_message_id > ?4 "
        "THEN thread_participants.last_read_message_id ELSE ?4 END "
        "AND (m.sender_kind <> ?2 OR m.sender_id <> ?3)) "
        "WHERE thread_id = ?1 AND principal_kind = ?2 AND principal_id = ?3")
      .bind_all(thread_id, kind_value(reader), reader.id, up_to_message_id)
      .run();
}

bool ConversationStore::set_archived(Transaction& tx, int64_t thread_id, const Principal& reader,
                                     bool archived) const {
  Statement update = tx.prepare(
      "UPDATE thread_participants SET archived = ?4 "
      "WHERE thread_id = ?1 AND principal_kind = ?2 AND principal_id = ?3 AND archived <> ?4 RETURNING 1");
  update.bind_all(thread_id, kind_value(reader), reader.id, archived);
  return update.step();
}

// ---- key rotation --------------------------------------------------------------------------

uint64_t ConversationStore::reseal(Transaction& tx, int64_t* thread_cursor, int64_t* message_cursor,
                                   uint32_t limit) const {
  const int64_t current = at_rest_->current_key_id();
  uint64_t done = 0;
  Statement threads = tx.prepare(
      "SELECT id, subject, subject_key FROM message_threads WHERE id > ?1 AND subject_key <> ?2 ORDER BY id "
      "LIMIT ?3");
  threads.bind_all(*thread_cursor, current, static_cast<int64_t>(limit));
  std::vector<std::pair<int64_t, Sealed>> resealed;
  while (threads.step()) {
    const int64_t id = threads.int64(0);
    const std::string subject =
        at_rest_->open(static_cast<uint32_t>(threads.int64(2)), threads.text(1), subject_binding(id),
                       "subject of thread " + std::to_string(id));
    resealed.emplace_back(id, at_rest_->seal(subject, subject_binding(id)));
    *thread_cursor = id;
  }
  threads.reset();
  for (const auto& [id, sealed] : resealed) {
    Statement update = tx.prepare("UPDATE message_threads SET subject = ?2, subject_key = ?3 WHERE id = ?1");
    update.bind(1, id).bind_blob(2, sealed.bytes).bind(3, sealed.key_id).run();
  }
  done += resealed.size();
  if (done >= limit) return done;

  resealed.clear();
  Statement messages = tx.prepare(
      "SELECT id, thread_id, body, body_key FROM messages WHERE id > ?1 AND body_key <> ?2 ORDER BY id LIMIT "
      "?3");
  messages.bind_all(*message_cursor, current, static_cast<int64_t>(limit - done));
  std::vector<int64_t> threads_of;
  while (messages.step()) {
    const int64_t id = messages.int64(0);
    const int64_t thread_id = messages.int64(1);
    const std::string body =
        at_rest_->open(static_cast<uint32_t>(messages.int64(3)), messages.text(2),
                       body_binding(thread_id, id), "body of message " + std::to_string(id));
    resealed.emplace_back(id, at_rest_->seal(body, body_binding(thread_id, id)));
    *message_cursor = id;
  }
  messages.reset();
  for (const auto& [id, sealed] : resealed) {
    Statement update = tx.prepare("UPDATE messages SET body = ?2, body_key = ?3 WHERE id = ?1");
    update.bind(1, id).bind_blob(2, sealed.bytes).bind(3, sealed.key_id).run();
  }
  return done + resealed.size();
}

uint64_t ConversationStore::count_not_current(Transaction& tx) const {
  const int64_t current = at_rest_->current_key_id();
  Statement query = tx.prepare(
      "SELECT (SELECT COUNT(*) FROM message_threads WHERE subject_key <> ?1) + "
      "(SELECT COUNT(*) FROM messages WHERE body_key <> ?1)");
  query.bind(1, current);
  return query.step() ? static_cast<uint64_t>(query.int64(0)) : 0;
}

}  // namespace ehr::portal
