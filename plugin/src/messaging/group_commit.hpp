// Group commit: one writer thread runs the writes that many host threads queue, several to a
// transaction, and answers each only after COMMIT has returned. With synchronous=FULL one fsync
// then makes a whole batch durable (R-CONV-5) instead of one fsync per message, which is what
// lets many concurrent senders go fast on SQLite's single writer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/transaction.hpp"

namespace ehr::portal {

class Database;

class GroupCommitWriter {
 public:
  // `db` is the plugin's write connection; it must outlive the writer.
  explicit GroupCommitWriter(Database& db, std::size_t max_batch = 64);
  // Finishes what is queued, then stops.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `work(tx)` on the writer thread inside a write transaction it may share with other
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
  struct Job {
    std::function<void(Transaction&)> work;
    std::exception_ptr error;
    bool done = false;
  };

  // Queues the job and waits until it is committed or has failed; rethrows its failure.
  void submit(std::function<void(Transaction&)> work);
  void loop();
  // Commits the jobs together; a job that throws is taken out and the others are run again.
  void commit_batch(std::vector<Job*> batch);

  Database& db_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable finished_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ehr::portal
