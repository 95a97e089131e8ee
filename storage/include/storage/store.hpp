// The plugin's data store, whichever database holds it. Features (conversations, settings, audit,
// webhook outbox) write their SQL once, through Transaction and Statement, and never name a
// backend: SQLite (the embedded default, one file in the host's data directory) and PostgreSQL
// (one server several hosts share) each implement the three interfaces below.
//
// Why one SQL layer rather than a store interface per feature with a SQLite and a PostgreSQL
// implementation of each: the two databases agree on all the SQL the features need, so one text
// per query keeps one place to read and to fix, and every feature test proves both backends. The
// few queries the dialects disagree on choose their text by dialect() next to each other.
//
// Portable SQL, as every feature writes it:
//   - parameters are numbered, ?1 ?2 ... (the PostgreSQL backend sends them as $1 $2 ...);
//   - a parameter whose type the statement does not fix (?4 IS NULL) is cast: CAST(?4 AS TEXT);
//   - INSERT ... ON CONFLICT ... DO NOTHING / DO UPDATE, and RETURNING, instead of INSERT OR IGNORE
//     and last_insert_rowid();
//   - integers for flags and times (BIGINT on PostgreSQL), bytes through bind_blob();
//   - schema steps are per backend (migrations.hpp): each feature owns its steps for both.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ehr::storage {

struct Migration;

enum class Dialect { sqlite, postgresql };

enum class TransactionMode {
  // A consistent snapshot for queries, taken by its first statement: it sees every transaction
  // committed before that statement and nothing after (SQLite: a deferred read on a read
  // connection; PostgreSQL: REPEATABLE READ READ ONLY, its BEGIN sent with that statement). It may
  // run on another connection than the writes, concurrently with them.
  read,
  // Writes are serialized per store, as SQLite's single writer serializes them, across every host
  // sharing the store: SQLite's BEGIN IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock
  // taken first, so that the audit chain's head and every read-then-write in a transaction see
  // the last committed write and nothing else interleaves.
  write
};

// One prepared statement, lent for the life of one transaction. Parameters are numbered from 1,
// columns from 0. Values are only ever bound, never spliced into SQL text.
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void bind_text(int index, std::string_view text) = 0;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual void bind_null(int index) = 0;
  // Starts the statement without waiting for its rows, which step() then reads. On a server,
  // where each wait for an answer is a round trip, statements sent one after another (and the
  // transaction's BEGIN) travel together; a backend without round trips runs it at step().
  virtual void send() {}
  // Runs the statement on the first call, then advances; true while a row is ready to read.
  virtual bool step() = 0;
  // Rewinds so the statement can run again; the bindings stay until rebound.
  virtual void reset() = 0;
  [[nodiscard]] virtual std::int64_t int64(int column) const = 0;
  // Text as stored; a blob's bytes as they were bound.
  [[nodiscard]] virtual std::string text(int column) const = 0;
  [[nodiscard]] virtual bool is_null(int column) const = 0;
  // Rows the last run inserted, updated or deleted.
  [[nodiscard]] virtual std::int64_t changes() const = 0;
};

// One open transaction. Ending it without commit() rolls it back.
class TransactionBackend {
 public:
  virtual ~TransactionBackend() = default;
  [[nodiscard]] virtual std::unique_ptr<StatementBackend> prepare(std::string_view sql) = 0;
  // Several ';'-separated statements without parameters: schema steps, written in the plugin.
  virtual void execute_script(std::string_view sql) = 0;
  // Durable when it returns (SQLite synchronous=FULL; PostgreSQL synchronous_commit=on). Throws
  // Error(EHR_STATUS_STORAGE) naming the store; a connection lost during COMMIT says the outcome
  // is unknown.
  virtual void commit() = 0;
  // On a backend where each wait for an answer is a round trip (PostgreSQL): sends COMMIT behind
  // the statements sent and not answered yet, so that the transaction waits once for all of them,
  // and commit_sent() learns how it went. Elsewhere nothing, and commit_sent() commits.
  virtual void send_commit() {}
  // After send_commit(): true once committed. False when the server skipped COMMIT because a
  // statement sent before it failed: nothing was stored, and the transaction is rolled back.
  // Throws as commit() does.
  [[nodiscard]] virtual bool commit_sent() {
    commit();
    return true;
  }
  // True once the transaction could not open: its BEGIN, or what it takes first (a write lock that
  // waited past the statement timeout), failed, so every statement of it fails the same way. A
  // backend that opens at construction throws there instead; PostgreSQL, which sends BEGIN with
  // the first statement, learns it from that statement's answer.
  [[nodiscard]] virtual bool failed_to_open() const noexcept { return false; }
  // True once the connection the transaction ran on is gone (a server restart, a terminated
  // session): nothing of it was committed, and none of its statements can run any more.
  [[nodiscard]] virtual bool connection_lost() const noexcept { return false; }
};

// THREADING: every member is thread-safe; a transaction belongs to the thread that began it.
class Store {
 public:
  virtual ~Store() = default;
  [[nodiscard]] virtual Dialect dialect() const noexcept = 0;
  // Names the store in errors and logs: "database portal.db", "PostgreSQL host H port P database
  // D". Never a password nor a connection string.
  [[nodiscard]] virtual const std::string& name() const noexcept = 0;
  [[nodiscard]] virtual std::unique_ptr<TransactionBackend> begin(TransactionMode mode) = 0;
  // Applies the steps newer than the store's schema version, once however many hosts start at
  // the same moment, and returns the version reached (migrations.hpp: apply_pending's rules).
  virtual int migrate(std::span<const Migration> steps) = 0;
};

}  // namespace ehr::storage
