#include "storage/transaction.hpp"

#include <utility>

#include "storage/error.hpp"

namespace ehr::storage {

Transaction::Transaction(Store& store, TransactionMode mode, Checks checks)
    : dialect_(store.dialect()),
      // SQLite runs a statement when it is stepped, not when it is sent: deferring its checks would
      // reorder its writes and save nothing.
      defers_checks_(checks == Checks::deferred && defers_checks_on(store)),
      backend_(store.begin(mode)) {}

Transaction::~Transaction() {
  checks_.clear();
  // Statements first: the backend's rollback (or a connection's reuse) finds none mid-step.
  return_statements();
  backend_.reset();
}

Statement Transaction::prepare(std::string_view sql) {
  if (!backend_) throw Error(EHR_STATUS_INTERNAL, "a statement prepared after its transaction ended");
  auto slot = std::make_shared<StatementSlot>();
  slot->backend = backend_->prepare(sql);
  statements_.push_back(slot);
  return Statement(std::move(slot));
}

void Transaction::execute_script(std::string_view sql) {
  if (!backend_) throw Error(EHR_STATUS_INTERNAL, "a script run after its transaction ended");
  backend_->execute_script(sql);
}

void Transaction::check_later(Statement sent) {
  if (!defers_checks_)
    throw Error(EHR_STATUS_INTERNAL, "a check left for later in a transaction that checks at once");
  checks_.push_back(std::move(sent));
}

Transaction::Checked Transaction::commit_checked() {
  if (!backend_) throw Error(EHR_STATUS_INTERNAL, "commit of a transaction that is not open");
  // A check sent after COMMIT would run outside the transaction: each goes now if it has not.
  for (Statement& check : checks_) check.send();
  backend_->send_commit();
  // The first failure is the transaction's: the server ran nothing after it, and every later
  // answer repeats it. Every answer is read all the same, and none is left unclaimed.
  bool failed = false;
  bool guess_wrong = false;
  for (Statement& check : checks_) {
    try {
      (void)check.step();
    } catch (const GuessWrong&) {
      guess_wrong = guess_wrong || !failed;
      failed = true;
    } catch (const Error&) {
      failed = true;
    }
  }
  checks_.clear();
  return_statements();
  std::unique_ptr<TransactionBackend> backend = std::move(backend_);
  if (!backend->commit_sent()) {
    after_commit_.clear();
    return guess_wrong ? Checked::guess_wrong : Checked::statement_failed;
  }
  backend.reset();
  // A check's refusal keeps COMMIT from running: one that failed and was committed all the same
  // is a backend's bug, never to be acknowledged as a clean write nor run again.
  if (failed)
    throw Error(EHR_STATUS_INTERNAL, "a transaction was committed although a check in it had failed");
  run_after_commit();
  return Checked::committed;
}

void Transaction::return_statements() noexcept {
  for (auto& slot : statements_) slot->backend.reset();
  statements_.clear();
}

void Transaction::commit() {
  if (!backend_) throw Error(EHR_STATUS_INTERNAL, "commit of a transaction that is not open");
  if (!checks_.empty())
    throw Error(EHR_STATUS_INTERNAL, "commit of a transaction whose checks were not verified");
  // Give every borrowed statement back first: a COMMIT with a statement mid-step could fail.
  return_statements();
  // A failed commit is undone by the backend; ending it then releases the connection.
  std::unique_ptr<TransactionBackend> backend = std::move(backend_);
  backend->commit();
  backend.reset();
  run_after_commit();
}

void Transaction::run_after_commit() noexcept {
  auto actions = std::move(after_commit_);
  for (auto& action : actions) {
    try {
      action();
    } catch (...) {
      // Each action reports its own failures; one failing must not stop the others.
    }
  }
}

void Transaction::after_commit(std::function<void()> action) {
  after_commit_.push_back(std::move(action));
}

}  // namespace ehr::storage
