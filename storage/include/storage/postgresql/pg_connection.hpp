// One libpq connection to the shared PostgreSQL server, for the backend that lets several hosts
// share one store. Statements are only ever prepared and bound (a Query names its SQL once), never
// built from values; each connection prepares a Query the first time it runs it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "storage/error.hpp"

struct pg_conn;
struct pg_result;

namespace ehr::storage::pg {

// A statement of the backend: its name on the server and its SQL with $1, $2, ... parameters.
struct Query {
  std::string_view name;
  std::string_view sql;
};

// Bytes for a bytea parameter, sent in binary form as they are (NULs and all).
struct Bytes {
  std::string_view bytes;
};

// One parameter value. std::monostate is SQL NULL; text and integers are sent in text form for the
// server to read as the type it inferred for the parameter; Bytes, and text bound to a parameter
// the server inferred as bytea, are sent in binary form.
using Value = std::variant<std::monostate, std::string_view, std::int64_t, Bytes>;

// A failure the server reported. `sqlstate` is PostgreSQL's five-character code (e.g. "23505"
// unique violation, "57014" statement timeout), empty when the connection itself failed.
class PgError : public Error {
 public:
  PgError(ehr_status code, const std::string& message, std::string sqlstate);
  [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// What the server raises for a guard in a statement written on a guess (Checks::deferred) when the
// guess no longer holds: a code of its own, so that it is never mistaken for a real failure. The
// Connection throws it as storage::GuessWrong. The guard itself is schema: the plugin's
// portal_guess_held function, which raises this code.
inline constexpr std::string_view kGuessWrongSqlstate = "PMG01";

// The rows of one statement. OWNERSHIP: owns its PGresult.
class Rows {
 public:
  explicit Rows(pg_result* result) noexcept : result_(result) {}
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  [[nodiscard]] int size() const noexcept;
  [[nodiscard]] int columns() const noexcept;
  [[nodiscard]] bool is_null(int row, int column) const;
  // The value's text; a bytea column's raw bytes.
  [[nodiscard]] std::string text(int row, int column) const;
  // An integer column's value (a boolean reads 1 or 0); anything else is an EHR_STATUS_STORAGE
  // error naming the column.
  [[nodiscard]] std::int64_t int64(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  [[nodiscard]] std::int64_t affected() const;
  // The server's command tag ("COMMIT", or "ROLLBACK" for a COMMIT of a failed transaction).
  [[nodiscard]] std::string command_tag() const;

 private:
  pg_result* result_;
};

struct ConnectionOptions {
  // A libpq connection string or URI (host, port, dbname, user, sslmode, ...). A secret: it is
  // never logged nor put into an error; errors name the server by host, port and database.
  std::string conninfo;
  // The server cancels any statement running longer (statement_timeout); 0 means no limit.
  std::chrono::milliseconds statement_timeout{5000};
  // When set, counts every time a connection waits for the server's answers (a round trip:
  // a statement or a batch of them, a command, preparing a statement). Shared by a pool's
  // connections; for tests and benchmarks.
  std::shared_ptr<std::atomic<std::uint64_t>> round_trips;
};

// THREADING: one thread at a time (the Pool lends it to one caller).
class Connection {
 public:
  // Connects; a server that cannot be reached is an EHR_STATUS_STORAGE error saying which.
  explicit Connection(ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs the query with these parameters, preparing it on this connection first if needed.
  // A statement the server refuses throws PgError with its SQLSTATE; a lost connection throws
  // PgError with an empty SQLSTATE, and the connection is re-established by reconnect().
  // send() then receive() with nothing between: statements sent before it travel with it.
  Rows run(const Query& query, std::initializer_list<Value> parameters = {});
  Rows run(const Query& query, std::span<const Value> parameters);

  // Pipelining (libpq's pipeline mode): each round trip to the server is a wait, so statements
  // whose parameters are known go together. send() queues the statement (behind a deferred
  // begin(), if one is due) and returns at once; receive() sends what is queued, reads every
  // answer of the batch in order and returns this statement's rows, or throws its error. A
  // statement the server did not run because one before it in its batch failed throws that
  // failure. The parameters are copied: they need not outlive send(). The query's name and text
  // must, until its answer is read (the plugin's statements are translated once and kept:
  // pg_sql.hpp).
  [[nodiscard]] std::uint64_t send(const Query& query, std::span<const Value> parameters);
  Rows receive(std::uint64_t ticket);
  // Prepares the query on this session the first time (run() and send() do it otherwise): a
  // statement prepared before any of its batch is sent costs no wait in the batch. Returns the
  // parameter types the server inferred (type OIDs, in order). Waits for what send() queued.
  const std::vector<unsigned>& prepare(const Query& query);
  // Drops the answer to a sent statement nobody will receive (its Statement was reset).
  void forget(std::uint64_t ticket) noexcept;
  // Queues fixed SQL (a transaction's COMMIT, a literal: its text is kept until its answer is read)
  // behind the statements send() queued, in their round trip: reading their answers reads its too,
  // and receive(ticket) returns it. Returns 0, sending nothing, when no statement is queued for it
  // to travel with.
  [[nodiscard]] std::uint64_t send_behind(std::string_view command);
  // False when the server skipped the command: one before it in its batch failed, and a failed
  // transaction runs nothing more until it is rolled back. receive() then throws that failure.
  // Reads the batch's answers if they are not read yet.
  [[nodiscard]] bool ran(std::uint64_t ticket) noexcept;

  // A transaction's opening commands (fixed SQL, one statement each: BEGIN, then what it takes
  // first, such as a lock) sent with the next statement, in its round trip, rather than waited
  // for on their own. A failure of one of them is what every statement of the batch throws; a
  // statement timeout in them throws `on_timeout` (which says what was waited for).
  void defer_begin(std::vector<std::string> commands, std::string on_timeout);
  // True if the deferred begin was never sent (no statement ran): the server saw no transaction,
  // and there is nothing to end. Clears it and every unclaimed answer: the transaction is over.
  bool end_transaction() noexcept;
  // True while a deferred begin waits for a statement to travel with.
  [[nodiscard]] bool begin_deferred() const noexcept;
  // True once a command of the current transaction's begin failed (the server ran none of what
  // was sent after it).
  [[nodiscard]] bool begin_failed() const noexcept { return begin_failed_; }
  // Runs a deferred begin now, on its own, waiting for each command (a transaction that must
  // hold its lock before it goes on, or a command that cannot be pipelined comes next).
  void run_deferred_begin();
  // Fixed SQL written in the plugin's code, never holding a value: transaction control and
  // schema migrations (which may hold several statements; rows they return are dropped). Returns
  // the last statement's command tag ("COMMIT", or "ROLLBACK" for a COMMIT the server refused).
  std::string run_command(std::string_view command);
  // Sends fixed SQL whose answer nobody waits for (a read transaction's ROLLBACK): the caller goes
  // on at once, and the answer is read before the connection's next use, by which time it has
  // arrived. The server still acts on it at once (a snapshot or lock is released when it is read
  // there, not when the answer is). A failure is not reported: the only command sent this way
  // ends a transaction, which a lost session ends too.
  void send_command(const char* command) noexcept;

  // False once the server went away (restart, network): the Pool then reconnects it.
  [[nodiscard]] bool healthy() const noexcept;
  // Reads, without waiting, what the server sent an idle connection: a session the server ended
  // (a restart, an admin's termination) shows as not healthy before a call is risked on it.
  void notice_server_goodbye() noexcept;
  // Re-establishes a connection that is not healthy; statements are prepared again on use.
  void reconnect();
  // "host H port P database D", for errors (never the connection string).
  [[nodiscard]] const std::string& server() const noexcept { return server_; }

 private:
  void connect();
  void count_round_trip() noexcept {
    if (options_.round_trips) options_.round_trips->fetch_add(1, std::memory_order_relaxed);
  }
  [[noreturn]] void fail(pg_result* result, std::string_view what);
  // Reads and drops the answer to a send_command(), if one is still due.
  void finish_sent() noexcept;
  // Reads the answers of everything send() queued, in order, up to the batch's sync, and leaves
  // pipeline mode; stores each statement's outcome for receive(). Never throws: a failure is an
  // outcome, and a connection it leaves unusable shows as not healthy.
  void read_pipeline() noexcept;
  std::exception_ptr begin_failure(pg_result* result, std::string_view command);

  // A command sent in the current pipeline: a statement (ticket != 0) or a begin command.
  // Errors name it from `query`, only when there is one: nothing is formatted per statement sent.
  struct Sent {
    std::uint64_t ticket;
    Query query;  // a begin command's text is in sending_begin_
  };
  struct Outcome {
    std::optional<Rows> rows;
    std::exception_ptr error;
    bool skipped = false;  // not run, because of the failure before it (error)
  };

  ConnectionOptions options_;
  pg_conn* conn_ = nullptr;
  std::string server_;
  bool server_said_goodbye_ = false;
  bool answer_due_ = false;  // a send_command() whose answer is not read yet
  // A pipeline whose end the client could not read: the session is reconnected before reuse.
  bool broken_ = false;
  std::vector<std::string> begin_commands_;  // deferred, not sent yet
  std::vector<std::string> sending_begin_;   // sent in the current pipeline, until its answers are read
  std::string begin_on_timeout_;
  bool begin_failed_ = false;
  bool in_pipeline_ = false;
  std::vector<Sent> sent_;  // the current pipeline's commands, in order
  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, Outcome> outcomes_;  // answers read, not received yet
  // Statements prepared on this session, by name, with their parameters' types.
  std::unordered_map<std::string, std::vector<unsigned>> prepared_;
};

}  // namespace ehr::storage::pg
