#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/statement.hpp"
#include "storage/store.hpp"

namespace ehr::storage {

// Whether a write's checks of its own guesses wait (the default) or are left for commit_checked().
enum class Checks {
  // Each statement's answer is read when the code asks for it.
  now,
  // Optimistic, on a backend with round trips (PostgreSQL): work that guesses what the store holds
  // (the next message id, the audit chain's head, the settings version it decided on) sends the
  // statement that writes on the guess, or reads it, guarded so that it refuses to run when the
  // guess no longer holds, and leaves reading its answer to commit_checked(), which sends COMMIT
  // behind every statement of the transaction and reads all their answers in one round trip. On
  // SQLite, where nothing waits on a round trip, it is the same as `now`.
  deferred
};

// RAII transaction on a Store, whichever backend: rolls back unless commit() is called.
// Statements are prepared through it and must not outlive it. A write transaction holds the
// store's write serialization for its whole life, so a second write transaction on the same store
// from the same thread is refused rather than left to wait for itself.
class Transaction {
 public:
  explicit Transaction(Store& store, TransactionMode mode = TransactionMode::write,
                       Checks checks = Checks::now);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Statement prepare(std::string_view sql);
  // Runs several ';'-separated statements without parameters (migrations).
  void execute_script(std::string_view sql);

  // Whether Checks::deferred defers anything on this store: only where statements cost round trips.
  [[nodiscard]] static bool defers_checks_on(const Store& store) noexcept {
    return store.dialect() == Dialect::postgresql;
  }
  // Checks::deferred, on a backend where it saves round trips: a guess's statement is then
  // send()-ed and handed to check_later() instead of stepped at once.
  [[nodiscard]] bool defers_checks() const noexcept { return defers_checks_; }
  // Keeps a statement written on a guess until commit_checked(), which reads its answer. Its SQL
  // must refuse to run on the server when the guess no longer holds, with the guard that raises
  // GuessWrong (error.hpp): COMMIT travels with it, and only a refusal keeps COMMIT from running.
  void check_later(Statement sent);

  // How commit_checked() ended.
  enum class Checked {
    committed,
    // A guess was wrong: nothing was stored; the work runs again checking as it goes.
    guess_wrong,
    // A statement failed: nothing was stored; which work it was, running again checking as it
    // goes tells.
    statement_failed
  };
  // Commits a transaction whose checks were kept: COMMIT is sent behind its statements, so the
  // whole transaction waits once. A failure of the transaction rather than of its work (its
  // opening, its lock, its connection lost, COMMIT itself) throws as commit() does.
  [[nodiscard]] Checked commit_checked();

  // Commits, releases the connection, then runs the after-commit actions in order. Checks kept
  // and not verified are refused: they may not hold.
  void commit();
  // Work that must happen only once the data is durable (host audit mirror, hooks). Actions run
  // after the connection is released; an exception from one is contained so the others still run.
  void after_commit(std::function<void()> action);

  // The transaction could not open (store.hpp): retrying work in it is pointless.
  [[nodiscard]] bool failed_to_open() const noexcept { return backend_ && backend_->failed_to_open(); }
  // Its connection is gone (store.hpp).
  [[nodiscard]] bool connection_lost() const noexcept { return backend_ && backend_->connection_lost(); }

  // For the few statements whose text differs between the databases (store.hpp).
  [[nodiscard]] Dialect dialect() const noexcept { return dialect_; }

 private:
  // Ends every borrowed statement; Statements still held see none.
  void return_statements() noexcept;
  // Once committed: the after-commit actions, in order.
  void run_after_commit() noexcept;

  const Dialect dialect_;
  const bool defers_checks_;
  std::vector<Statement> checks_;
  std::unique_ptr<TransactionBackend> backend_;  // null once committed
  std::vector<std::shared_ptr<StatementSlot>> statements_;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace ehr::storage
