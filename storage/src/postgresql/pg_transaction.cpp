#include "storage/postgresql/pg_transaction.hpp"

#include <utility>

namespace ehr::storage::pg {

Transaction::Transaction(Connection& connection, Begin begin) : connection_(connection) {
  connection_.defer_begin(std::move(begin.commands), std::move(begin.on_timeout));
  if (begin.deferred) return;
  try {
    connection_.run_deferred_begin();
  } catch (const Error&) {
    // A failure after BEGIN itself (the snapshot, the lock) leaves a transaction open on the session.
    if (connection_.healthy()) {
      try {
        connection_.run_command("ROLLBACK");
      } catch (const Error&) {
        // Lost meanwhile: the server ended the session's transaction with it.
      }
    }
    throw;
  }
}

Transaction::~Transaction() {
  if (finished_) return;
  // A deferred BEGIN that no statement took along was never sent: the server has nothing to end.
  if (connection_.end_transaction() || !connection_.healthy()) return;
  // Not waited for: nothing the caller does next depends on the answer (a read transaction, the
  // usual one to end this way, has nothing to undo), and the server releases the snapshot and
  // locks as soon as it reads it. The answer is read before the connection's next use; a
  // connection that broke meanwhile had its transaction rolled back by the server, and the Pool
  // reconnects it before lending it again.
  connection_.send_command("ROLLBACK");
}

void Transaction::commit() {
  finished_ = true;
  if (connection_.begin_deferred()) {
    // No statement ran: the server never saw the transaction, and there is nothing to commit.
    (void)connection_.end_transaction();
    return;
  }
  std::string tag;
  try {
    tag = connection_.run_command("COMMIT");
  } catch (const Error& error) {
    commit_failed(error);
  }
  check_committed(tag);
}

void Transaction::send_commit() {
  commit_ticket_ = connection_.send_behind("COMMIT");
}

bool Transaction::commit_sent() {
  const std::uint64_t ticket = std::exchange(commit_ticket_, 0);
  if (ticket == 0) {
    commit();
    return true;
  }
  if (!connection_.ran(ticket)) {
    // The transaction failed on the server before COMMIT; the destructor rolls it back (a session
    // that ended took it along). A failure of its opening, or a session that ended, is the
    // transaction's rather than a statement's: thrown, with what the server said.
    if (connection_.healthy() && !failed_to_open()) {
      connection_.forget(ticket);
      return false;
    }
    (void)connection_.receive(ticket);  // throws what kept COMMIT from running
    throw Error(EHR_STATUS_INTERNAL, "a COMMIT the server skipped had an answer");
  }
  std::string tag;
  try {
    tag = connection_.receive(ticket).command_tag();
  } catch (const Error& error) {
    finished_ = true;
    commit_failed(error);
  }
  finished_ = true;
  check_committed(tag);
  return true;
}

void Transaction::commit_failed(const Error& error) {
  (void)connection_.end_transaction();
  // A refusal on a live session (a deferred constraint) rolled back; a session that ended in
  // COMMIT, even with the server's last words (57P01 when terminated), may have committed.
  // Anything else (a guess found wrong) is no COMMIT's failure: the transaction failed before it.
  const auto* refusal = dynamic_cast<const PgError*>(&error);
  if (refusal == nullptr || (!refusal->sqlstate().empty() && connection_.healthy())) throw;
  throw PgError(EHR_STATUS_STORAGE,
                "the connection to the PostgreSQL server (" + connection_.server() +
                    ") was lost while committing: the change may or may not have been stored",
                "");
}

void Transaction::check_committed(const std::string& tag) {
  (void)connection_.end_transaction();
  // A transaction that an earlier statement aborted ends in ROLLBACK, which PostgreSQL reports as
  // a successful command: its work is gone, and the caller must not acknowledge it.
  if (tag != "COMMIT")
    throw PgError(EHR_STATUS_STORAGE,
                  "the transaction on the PostgreSQL server (" + connection_.server() +
                      ") was rolled back, not committed, because a statement in it had failed",
                  "25P02");
}

}  // namespace ehr::storage::pg
