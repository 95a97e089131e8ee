#include "pg_baselines.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace ehr::bench {

namespace {

// A fixed 64-hex text stands in for the chained hash: the baseline pays for the row, not the HMAC.
const std::string& stand_in_hash() {
  static const std::string hash(64, 'a');
  return hash;
}

// BEGIN, a reply's four statements and COMMIT, by name. Ids as the plugin assigns them, the next
// after the highest (it reads that first, under its write lock): the baseline's rows and the
// plugin's, which alternate, never collide. `pipelined`: no statement needs an answer before the
// next is sent, so the thread names the newest message (in the transaction, the one just inserted)
// instead of taking the id the message's statement returned.
void prepare_reply_rows(RawPgConnection& db, bool pipelined) {
  db.prepare("begin", "BEGIN");
  db.prepare("message",
             std::string("INSERT INTO messages (id, thread_id, sender_kind, sender_id, body, sent_at) "
                         "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM messages), $1, 1, $2, $3, $4)") +
                 (pipelined ? "" : " RETURNING id"));
  db.prepare("thread", std::string("UPDATE message_threads SET last_sender_kind = 1, last_sender_id = $2, "
                                   "last_message_at = GREATEST(last_message_at, $3), last_message_id = ") +
                           (pipelined ? "(SELECT MAX(id) FROM messages)" : "$4") +
                           ", message_count = message_count + 1 WHERE id = $1");
  db.prepare("participants",
             "UPDATE thread_participants SET archived = 0, "
             "last_message_at = (SELECT last_message_at FROM message_threads WHERE id = $1), "
             "unread_count = unread_count + (CASE WHEN principal_kind <> 1 OR principal_id <> $2 THEN 1 "
             "ELSE 0 END) WHERE thread_id = $1");
  db.prepare("audit",
             "INSERT INTO audit_log (sequence, at_unix_ms, actor_kind, actor_id, action, patient_id, "
             "target, outcome, detail, previous_hash, hash) VALUES ((SELECT COALESCE(MAX(sequence), 0) + 1 "
             "FROM audit_log), $1, 1, $2, 'message.send', $3, $4, 'ok', 'reply', $5, $5)");
  db.prepare("commit", "COMMIT");
}

}  // namespace

RawPgConnection::RawPgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    throw std::runtime_error("cannot connect to the bench's PostgreSQL server: " + why);
  }
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  // As the plugin's connections: an acknowledged COMMIT is durable whatever the server's default.
  execute("SET synchronous_commit = on");
}

RawPgConnection::~RawPgConnection() {
  PQfinish(conn_);
}

std::string RawPgConnection::execute(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string why = PQresultErrorMessage(result);
    PQclear(result);
    throw std::runtime_error(sql.substr(0, 60) + ": " + why);
  }
  std::string first = PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  return first;
}

void RawPgConnection::prepare(const std::string& name, const std::string& sql) {
  PGresult* result = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string why = ok ? "" : PQresultErrorMessage(result);
  PQclear(result);
  if (!ok) throw std::runtime_error("cannot prepare " + name + ": " + why);
}

std::string RawPgConnection::run(const std::string& name, const std::vector<std::string_view>& parameters,
                                 const std::vector<bool>& binary) {
  std::vector<std::string> texts;
  texts.reserve(parameters.size());
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const bool bytes = i < binary.size() && binary[i];
    // Text-format values are read up to a NUL: each gets its own terminated copy.
    texts.emplace_back(parameters[i]);
    values.push_back(bytes ? parameters[i].data() : texts.back().c_str());
    lengths.push_back(static_cast<int>(parameters[i].size()));
    formats.push_back(bytes ? 1 : 0);
  }
  PGresult* result = PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                                    lengths.data(), formats.data(), 0);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string why = PQresultErrorMessage(result);
    PQclear(result);
    throw std::runtime_error("raw statement " + name + ": " + why);
  }
  std::string first = PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  return first;
}

RawPgSend::RawPgSend(const std::string& conninfo, Rows rows) : rows_(rows), db_(conninfo) {
  prepare_reply_rows(db_, /*pipelined=*/false);
}

void RawPgSend::send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
                     const std::string& body, int64_t at_ms) {
  const std::string thread = std::to_string(thread_id);
  const std::string at = std::to_string(at_ms);
  const std::string target = "thread:" + thread;
  db_.run("begin", {});
  const std::string message_id = db_.run("message", {thread, sender_id, body, at}, {false, false, true});
  if (rows_ == Rows::rows) {
    db_.run("thread", {thread, sender_id, at, message_id});
    db_.run("participants", {thread, sender_id});
  }
  // The thread's patient, as the plugin records it.
  db_.run("audit", {at, sender_id, patient_id, target, stand_in_hash()});
  db_.run("commit", {});
}

RawPgPipelinedSend::RawPgPipelinedSend(const std::string& conninfo, int messages_per_commit)
    : messages_per_commit_(std::max(messages_per_commit, 1)), db_(conninfo) {
  prepare_reply_rows(db_, /*pipelined=*/true);
  if (PQenterPipelineMode(db_.handle()) != 1)
    throw std::runtime_error(std::string("cannot enter pipeline mode: ") + PQerrorMessage(db_.handle()));
}

RawPgPipelinedSend::~RawPgPipelinedSend() {
  try {
    flush();
  } catch (const std::exception&) {
    // The connection closes next, which rolls the open transaction back; nothing measures it any more.
  }
}

void RawPgPipelinedSend::queue(const char* name, const std::vector<std::string>& parameters,
                               const std::vector<bool>& binary) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    values.push_back(parameters[i].c_str());
    lengths.push_back(static_cast<int>(parameters[i].size()));
    formats.push_back(i < binary.size() && binary[i] ? 1 : 0);
  }
  if (PQsendQueryPrepared(db_.handle(), name, static_cast<int>(values.size()), values.data(), lengths.data(),
                          formats.data(), 0) != 1)
    throw std::runtime_error(std::string("cannot send raw statement ") + name + ": " +
                             PQerrorMessage(db_.handle()));
  ++queued_;
}

void RawPgPipelinedSend::send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
                              const std::string& body, int64_t at_ms) {
  const std::string thread = std::to_string(thread_id);
  const std::string at = std::to_string(at_ms);
  if (open_messages_ == 0) queue("begin", {});
  queue("message", {thread, sender_id, body, at}, {false, false, true});
  queue("thread", {thread, sender_id, at});
  queue("participants", {thread, sender_id});
  queue("audit", {at, sender_id, patient_id, "thread:" + thread, stand_in_hash()});
  if (++open_messages_ == messages_per_commit_) flush();
}

void RawPgPipelinedSend::flush() {
  if (open_messages_ == 0) return;
  queue("commit", {});
  open_messages_ = 0;
  if (PQpipelineSync(db_.handle()) != 1)
    throw std::runtime_error(std::string("cannot sync the pipeline: ") + PQerrorMessage(db_.handle()));
  std::string failure;
  // Each statement's answer ends with a null result; the sync's own answer ends the transaction's.
  for (; queued_ > 0; --queued_) {
    PGresult* result = PQgetResult(db_.handle());
    const ExecStatusType status = PQresultStatus(result);
    if (failure.empty() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      failure = PQresultErrorMessage(result);
    PQclear(result);
    PQclear(PQgetResult(db_.handle()));
  }
  PGresult* sync = PQgetResult(db_.handle());
  const bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!failure.empty()) throw std::runtime_error("a pipelined raw statement failed: " + failure);
  if (!synced) throw std::runtime_error("the raw pipeline did not end with its sync");
}

double raw_pg_role_inserts_ms(const std::string& conninfo, uint32_t users, uint32_t round) {
  RawPgConnection db(conninfo);
  db.execute(
      "CREATE TABLE IF NOT EXISTS raw_role_assignments (user_id TEXT NOT NULL, role_id TEXT NOT NULL, "
      "PRIMARY KEY (user_id, role_id));"
      "CREATE TABLE IF NOT EXISTS raw_role_changes (sequence BIGINT GENERATED BY DEFAULT AS IDENTITY "
      "PRIMARY KEY, at_unix_ms BIGINT NOT NULL, actor_user_id TEXT NOT NULL, user_id TEXT NOT NULL, "
      "role_id TEXT NOT NULL, old_assigned BIGINT NOT NULL, new_assigned BIGINT NOT NULL);"
      "TRUNCATE raw_role_assignments;");
  db.prepare("assign", "INSERT INTO raw_role_assignments (user_id, role_id) VALUES ($1, $2)");
  db.prepare("change",
             "INSERT INTO raw_role_changes (at_unix_ms, actor_user_id, user_id, role_id, old_assigned, "
             "new_assigned) VALUES ($1, 'admin', $2, $3, 0, 1)");
  const std::string role = "available_for_portal_messages";
  const std::string at = std::to_string(round);
  const auto started = std::chrono::steady_clock::now();
  db.execute("BEGIN");
  for (uint32_t i = 0; i < users; ++i) {
    const std::string user = "u" + std::to_string(i);
    db.run("assign", {user, role});
    db.run("change", {at, user, role});
  }
  db.execute("COMMIT");
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace ehr::bench
