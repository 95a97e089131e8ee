#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "storage/statement.hpp"

namespace ehr::portal {

class Database;

enum class TransactionMode {
  read,  // BEGIN (deferred): a consistent snapshot for queries
  write  // BEGIN IMMEDIATE: takes the write lock up front so a commit cannot fail on a busy upgrade
};

// RAII transaction: rolls back unless commit() is called. It holds the connection for its whole
// life, so statements are prepared through it and must not outlive it. Not reentrant: opening a
// second Transaction on the same Database from the same thread is refused.
class Transaction {
 public:
  explicit Transaction(Database& db, TransactionMode mode = TransactionMode::write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Statement prepare(std::string_view sql);
  // Runs several ';'-separated statements without parameters (migrations).
  void execute_script(std::string_view sql);

  // Commits, releases the connection, then runs the after-commit actions in order.
  void commit();
  // Work that must happen only once the data is durable (host audit mirror, hooks). Actions run
  // outside the connection lock; an exception from one is contained so the others still run.
  void after_commit(std::function<void()> action);

  [[nodiscard]] Database& database() noexcept { return db_; }

 private:
  void finish(const char* sql);
  // Gives every borrowed statement back to the connection's cache; Statements still held see none.
  void return_statements() noexcept;

  Database& db_;
  std::unique_lock<std::mutex> lock_;
  bool open_ = false;
  std::vector<std::shared_ptr<StatementSlot>> statements_;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace ehr::portal
