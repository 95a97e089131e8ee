#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/statement.hpp"
#include "storage/store.hpp"

namespace ehr::storage {

// RAII transaction on a Store, whichever backend: rolls back unless commit() is called.
// Statements are prepared through it and must not outlive it. A write transaction holds the
// store's write serialization for its whole life, so a second write transaction on the same store
// from the same thread is refused rather than left to wait for itself.
class Transaction {
 public:
  explicit Transaction(Store& store, TransactionMode mode = TransactionMode::write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Statement prepare(std::string_view sql);
  // Runs several ';'-separated statements without parameters (migrations).
  void execute_script(std::string_view sql);

  // Commits, releases the connection, then runs the after-commit actions in order.
  void commit();
  // Work that must happen only once the data is durable (host audit mirror, hooks). Actions run
  // after the connection is released; an exception from one is contained so the others still run.
  void after_commit(std::function<void()> action);

  // The transaction could not open (store.hpp): retrying work in it is pointless.
  [[nodiscard]] bool failed_to_open() const noexcept { return backend_ && backend_->failed_to_open(); }

  // For the few statements whose text differs between the databases (store.hpp).
  [[nodiscard]] Dialect dialect() const noexcept { return dialect_; }

 private:
  // Ends every borrowed statement; Statements still held see none.
  void return_statements() noexcept;

  const Dialect dialect_;
  std::unique_ptr<TransactionBackend> backend_;  // null once committed
  std::vector<std::shared_ptr<StatementSlot>> statements_;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace ehr::storage
