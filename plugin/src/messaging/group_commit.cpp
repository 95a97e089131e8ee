#include "messaging/group_commit.hpp"

#include "common/error.hpp"
#include "storage/database.hpp"

namespace ehr::portal {

GroupCommitWriter::GroupCommitWriter(Database& db, std::size_t max_batch)
    : db_(db), max_batch_(max_batch == 0 ? 1 : max_batch), thread_([this] { loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  thread_.join();
}

void GroupCommitWriter::submit(std::function<void(Transaction&)> work) {
  Job job{std::move(work), nullptr, false};
  {
    std::unique_lock lock(mutex_);
    if (stopping_) throw Error(EHR_STATUS_DISABLED, "the messaging store is shutting down");
    queue_.push_back(&job);
    queued_.notify_one();
    finished_.wait(lock, [&] { return job.done; });
  }
  if (job.error) std::rethrow_exception(job.error);
}

void GroupCommitWriter::loop() {
  for (;;) {
    std::vector<Job*> batch;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing is left to write
      // Everything that queued while the previous batch was committing goes in this one.
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    {
      std::lock_guard lock(mutex_);
      for (Job* job : batch) job->done = true;
    }
    finished_.notify_all();
  }
}

void GroupCommitWriter::commit_batch(std::vector<Job*> batch) {
  while (!batch.empty()) {
    std::size_t failed = batch.size();
    try {
      Transaction tx(db_, TransactionMode::write);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
          batch[i]->work(tx);
        } catch (...) {
          batch[i]->error = std::current_exception();
          failed = i;
          break;
        }
      }
      if (failed == batch.size()) {
        tx.commit();
        return;
      }
    } catch (...) {
      // BEGIN or COMMIT failed: nothing of this batch was written, and every job says so.
      for (Job* job : batch) {
        if (!job->error) job->error = std::current_exception();
      }
      return;
    }
    // The transaction rolled back when it went out of scope; run the others without the failed one.
    batch.erase(batch.begin() + static_cast<std::ptrdiff_t>(failed));
  }
}

}  // namespace ehr::portal
