// Group commit: the writes that many host threads submit run several to a transaction, and each
// is answered only after COMMIT has returned. With synchronous=FULL one fsync then makes a whole
// batch durable (R-CONV-5) instead of one fsync per message, which is what lets many concurrent
// senders go fast on SQLite's single writer.
//
// The submitting threads commit the batches themselves (a leader/follower queue, as LevelDB's
// writer queue or MySQL's binlog group commit): a submitter that finds no batch in progress
// leads one, committing its own work and whatever else is queued at that moment; the others
// queued meanwhile wait, are answered by their leader once its COMMIT has returned, and the
// first of those still waiting leads the next batch. So a lone sender commits on its own thread
// with no hand-off to another thread and back (two wake-ups per message, which on a small
// machine cost as much as the plugin's own work for a send), and the process runs no writer
// threads at all: a host that loads the plugin once per tenant gets no thread per tenant, and a
// tenant's batches are committed by that tenant's own callers. Concurrent senders still share
// transactions: what queues while one batch commits forms the next.
//
// On PostgreSQL every statement waited for is a round trip, and a message's writes are written on
// guesses that a host makes without asking (the next message id, the audit chain's head, the
// settings version its checks used), each checked by the statement itself. A batch therefore
// first runs optimistically (Checks::deferred): its statements go without waiting, their answers
// come back together, and COMMIT follows only if every guess held; two round trips for the whole
// batch. A batch in which a guess was wrong (another host wrote meanwhile) is rolled back and run
// again checking as it goes, which is where a failing job is also told apart from the others.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "common/storage.hpp"
#include "storage/transaction.hpp"

namespace ehr::portal {

class GroupCommitWriter {
 public:
  // `store` is the plugin's store; it must outlive the writer.
  explicit GroupCommitWriter(Store& store, std::size_t max_batch = 64);
  // Waits until what is queued has been committed and answered (its submitters commit it).
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Writes submitted and not answered yet: being committed, or queued for the next batch.
  [[nodiscard]] std::size_t in_flight();

  // Runs `work(tx)` inside a write transaction it may share with other submitted work, on this
  // thread or on another submitter's, and returns its result once that transaction is committed.
  // Work that throws fails alone: the batch is rolled back and the rest of it runs again without
  // it, so the work must touch nothing but the transaction (it may run more than once). Work may
  // not submit to the writer that runs it (that is refused: it would wait for itself).
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
  // On its submitter's stack, linked into the queue: submitting allocates nothing.
  struct Job {
    std::function<void(Transaction&)> work;
    std::exception_ptr error;
    Job* next = nullptr;
    std::condition_variable wake;  // one per job, so that an answer wakes only its submitter
    bool done = false;
    bool lead = false;  // the submitter leads the next batch
  };

  // Queues the job and waits until it is committed or has failed, leading a batch when it is its
  // turn; rethrows its failure.
  void submit(std::function<void(Transaction&)> work);
  // The leader's part, entered and left with `lock` held: takes the batch off the queue, commits
  // it unlocked, answers it, and passes the lead to the first job still queued.
  void lead(std::unique_lock<std::mutex>& lock);
  // Commits the jobs linked from `first` together; a job that throws is taken out and the others
  // are run again.
  void commit_batch(Job* first) noexcept;
  enum class Optimism { committed, guess_wrong, job_failed };
  // On a server, a batch first goes with the checks of its guesses deferred: its statements and
  // COMMIT then travel in one round trip. After a guess was wrong (another host wrote
  // meanwhile) the next batches check as they go for a while, longer each time it happens again:
  // where several hosts take turns, guesses are often wrong. True when the batch is answered
  // (committed, or failed whole); false when commit_batch must run it checking as it goes.
  bool answered_optimistically(Job* first) noexcept;
  // The batch once, its guesses checked only at the end (Checks::deferred); throws when the batch
  // fails whole (its write lock timed out, its connection was lost, or COMMIT failed).
  Optimism commit_optimistically(Job* first);

  Store& store_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable idle_;  // the destructor waits on it for the last submitter to leave
  Job* head_ = nullptr;           // the queue: jobs not yet taken into a batch, oldest first
  Job* tail_ = nullptr;
  bool leading_ = false;     // a batch is being committed, or its lead was passed on: no second leader
  std::size_t waiting_ = 0;  // submitters not yet out of submit(), which the destructor waits for
  bool stopping_ = false;
  // The leader's alone (answered_optimistically; the lead passes under mutex_): wrong guesses in a
  // row, capped, and how many batches still check as they go before the next optimistic one
  // (2^wrong - 1).
  static constexpr std::size_t kLongestOptimismPause = 6;
  std::size_t wrong_guesses_in_a_row_ = 0;
  std::size_t batches_before_optimism_ = 0;
};

}  // namespace ehr::portal
