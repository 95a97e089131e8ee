// One transaction on a leased connection: BEGIN at construction, COMMIT by commit(), ROLLBACK
// when it ends uncommitted. A call is acknowledged only after commit() returns, which with
// synchronous_commit=on (PostgreSQL's default) means the commit is durable on the server.
#pragma once

#include "storage/postgresql/pg_connection.hpp"

namespace ehr::storage::pg {

class Transaction {
 public:
  explicit Transaction(Connection& connection) : Transaction(connection, "BEGIN") {}
  // `begin`: fixed SQL starting the transaction, e.g. with its isolation level and what it takes
  // first (a snapshot, a lock), in one round trip.
  Transaction(Connection& connection, std::string_view begin);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Connection& connection() const noexcept { return connection_; }
  // A connection lost during COMMIT leaves the outcome unknown; the error says so.
  void commit();

 private:
  Connection& connection_;
  bool finished_ = false;
};

}  // namespace ehr::storage::pg
