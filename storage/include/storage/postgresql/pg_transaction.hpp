// One transaction on a leased connection: BEGIN at construction (or, deferred, with the first
// statement), COMMIT by commit(), ROLLBACK when it ends uncommitted. A call is acknowledged only
// after commit() returns, which with synchronous_commit=on (PostgreSQL's default) means the commit
// is durable on the server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/postgresql/pg_connection.hpp"

namespace ehr::storage::pg {

// How a transaction opens: fixed SQL, one statement per command (BEGIN with its isolation level,
// then what it takes first, such as a lock).
struct Begin {
  std::vector<std::string> commands;
  // What a statement timeout in these commands means to the caller (what was waited for); empty
  // for the server's own message.
  std::string on_timeout;
  // Sent with the transaction's first statement, in its round trip, instead of waited for at
  // construction. The server runs them first all the same; a failure of one is what that first
  // statement throws.
  bool deferred = false;
};

class Transaction {
 public:
  explicit Transaction(Connection& connection) : Transaction(connection, Begin{{"BEGIN"}, {}, false}) {}
  Transaction(Connection& connection, Begin begin);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Connection& connection() const noexcept { return connection_; }
  // A connection lost during COMMIT leaves the outcome unknown; the error says so.
  void commit();
  // Sends COMMIT behind the statements sent and not answered yet, in their round trip, so that the
  // transaction waits once for all of them. commit_sent() then learns how it went. Where no
  // statement waits to be sent, nothing is: commit_sent() commits as commit() does.
  void send_commit();
  // After send_commit(): true once committed. False when the server skipped COMMIT because a
  // statement sent before it failed (what reading that statement's answer threw): nothing was
  // stored, and the transaction is rolled back. Throws as commit() does, and the failure of the
  // transaction's opening (failed_to_open()) as its statements do.
  [[nodiscard]] bool commit_sent();
  // Its deferred BEGIN (or the lock after it) failed when it went with the first statement.
  [[nodiscard]] bool failed_to_open() const noexcept { return connection_.begin_failed(); }

 private:
  // What the server answered COMMIT; throws as commit() documents.
  void check_committed(const std::string& tag);
  // Called from the handler of what COMMIT threw: rethrows a refusal, or says the outcome is unknown.
  [[noreturn]] void commit_failed(const Error& error);

  Connection& connection_;
  bool finished_ = false;
  std::uint64_t commit_ticket_ = 0;  // a COMMIT sent, its answer not read
};

}  // namespace ehr::storage::pg
