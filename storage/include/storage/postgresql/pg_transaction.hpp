// One transaction on a leased connection: BEGIN at construction (or, deferred, with the first
// statement), COMMIT by commit(), ROLLBACK when it ends uncommitted. A call is acknowledged only
// after commit() returns, which with synchronous_commit=on (PostgreSQL's default) means the commit
// is durable on the server.
#pragma once

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
  // Its deferred BEGIN (or the lock after it) failed when it went with the first statement.
  [[nodiscard]] bool failed_to_open() const noexcept { return connection_.begin_failed(); }

 private:
  Connection& connection_;
  bool finished_ = false;
};

}  // namespace ehr::storage::pg
