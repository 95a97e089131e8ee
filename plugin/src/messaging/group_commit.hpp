// Group commit: a writer runs the writes that many host threads queue, several to a transaction,
// and answers each only after COMMIT has returned. With synchronous=FULL one fsync then makes a
// whole batch durable (R-CONV-5) instead of one fsync per message, which is what lets many
// concurrent senders go fast on SQLite's single writer.
//
// The threads that commit are a small pool shared by every writer in the process (a host may
// load the plugin once per tenant, and a thread per tenant does not scale). A writer is served
// by one pool thread at a time, since its store serializes writes anyway (SQLite's one write
// connection, PostgreSQL's write lock); what queues while its batch commits forms its next batch
// once it gets a thread again.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/storage.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

class WriterPool;

class GroupCommitWriter {
 public:
  // `store` is the plugin's store; it must outlive the writer.
  explicit GroupCommitWriter(Store& store, std::size_t max_batch = 64);
  // Finishes what is queued and answers it, then stops.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // The most threads the shared pool runs at once, however many writers there are.
  [[nodiscard]] static std::size_t thread_limit() noexcept;

  // Runs `work(tx)` on a writer thread inside a write transaction it may share with other
  // queued work, and returns its result once that transaction is committed. Work that throws
  // fails alone: the batch is rolled back and the rest of it runs again without it, so the work
  // must touch nothing but the transaction (it may run more than once).
  template <typename Work>
  auto run(Work&& work) -> std::invoke_result_t<Work&, Transaction&> {
    using Result = std::invoke_result_t<Work&, Transaction&>;
    if constexpr (std::is_void_v<Result>) {
      submit([&](Transaction& tx) { work(tx); });
    } else {
      std::optional<Result> result;
      submit([&](Transaction& tx) { result.emplace(work(tx)); });
      return std::move(*result);
    }
  }

 private:
  friend class WriterPool;

  struct Job {
    std::function<void(Transaction&)> work;
    std::exception_ptr error;
    bool done = false;
  };

  // Queues the job and waits until it is committed or has failed; rethrows its failure.
  void submit(std::function<void(Transaction&)> work);
  // Called by a pool thread: commits one batch of the queue, then either hands the writer back
  // to the pool (more is queued) or leaves it unscheduled.
  void serve();
  // Commits the jobs together; a job that throws is taken out and the others are run again.
  void commit_batch(const std::vector<Job*>& batch);

  Store& store_;
  const std::size_t max_batch_;
  std::shared_ptr<WriterPool> pool_;
  std::mutex mutex_;
  std::condition_variable finished_;
  std::deque<Job*> queue_;
  bool scheduled_ = false;   // in the pool's queue or being served: no second thread may take it
  std::size_t waiting_ = 0;  // submitters not yet out of submit(), which the destructor waits for
  bool stopping_ = false;
};

}  // namespace ehr::portal
