#include "storage/transaction.hpp"

#include <sqlite3.h>

#include <string>
#include <utility>

#include "common/error.hpp"
#include "storage/database.hpp"

namespace ehr::portal {

Transaction::Transaction(Database& db, TransactionMode mode) : db_(db) {
  if (db_.owner_ == std::this_thread::get_id()) {
    throw Error(EHR_STATUS_INTERNAL, "a transaction is already open on this thread");
  }
  lock_ = std::unique_lock<std::mutex>(db_.mutex_);
  db_.owner_ = std::this_thread::get_id();
  try {
    prepare(mode == TransactionMode::write ? "BEGIN IMMEDIATE" : "BEGIN").run();
  } catch (...) {
    return_statements();
    db_.owner_ = {};
    throw;
  }
  open_ = true;
}

Transaction::~Transaction() {
  if (open_) {
    try {
      finish("ROLLBACK");
    } catch (...) {
      // A failed rollback leaves SQLite to roll back when the connection next begins.
    }
  }
  return_statements();
  if (lock_.owns_lock()) db_.owner_ = {};
}

Statement Transaction::prepare(std::string_view sql) {
  auto slot = std::make_shared<StatementSlot>();
  slot->sql = std::string(sql);
  slot->handle = db_.acquire(slot->sql);
  statements_.push_back(slot);
  return Statement(db_, std::move(slot));
}

void Transaction::execute_script(std::string_view sql) {
  std::string text(sql);
  const char* next = text.c_str();
  while (*next != '\0') {
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_.db_, next, -1, &statement, &tail) != SQLITE_OK)
      db_.fail("cannot prepare a script");
    if (statement == nullptr) break;  // only whitespace or comments remained
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) db_.fail("a script statement failed");
    next = tail;
  }
}

void Transaction::return_statements() noexcept {
  for (auto& slot : statements_) {
    if (slot->handle != nullptr) db_.release(slot->sql, std::exchange(slot->handle, nullptr));
  }
  statements_.clear();
}

void Transaction::finish(const char* sql) {
  // Give every borrowed statement back first: a COMMIT with a statement mid-step could fail.
  return_statements();
  open_ = false;
  sqlite3_stmt* statement = db_.acquire(sql);
  const int rc = sqlite3_step(statement);
  db_.release(sql, statement);
  if (rc != SQLITE_DONE) {
    db_.fail(sql);
  }
}

void Transaction::commit() {
  if (!open_) throw Error(EHR_STATUS_INTERNAL, "commit of a transaction that is not open");
  try {
    finish("COMMIT");
  } catch (...) {
    // The commit failed: SQLite keeps the transaction open; undo it so nothing is half-written.
    sqlite3_stmt* statement = db_.acquire("ROLLBACK");
    sqlite3_step(statement);
    db_.release("ROLLBACK", statement);
    throw;
  }
  db_.owner_ = {};
  lock_.unlock();
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

}  // namespace ehr::portal
