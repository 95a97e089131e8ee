#include "messaging/group_commit.hpp"

#include <algorithm>
#include <system_error>
#include <thread>

#include "common/error.hpp"

namespace ehr::portal {

// The threads that serve every writer's queue. One pool exists while any writer does: the first
// writer starts it and the last one to go stops it, so no thread outlives the last tenant (nor
// the library, which a host may unload once its tenants are gone).
//
// Lock order: a writer's mutex, then the pool's.
class WriterPool {
 public:
  static std::shared_ptr<WriterPool> acquire() {
    static std::mutex mutex;
    static std::weak_ptr<WriterPool> current;
    std::lock_guard lock(mutex);
    if (std::shared_ptr<WriterPool> pool = current.lock()) return pool;
    auto pool = std::make_shared<WriterPool>();
    current = pool;
    return pool;
  }

  WriterPool() {
    threads_.reserve(GroupCommitWriter::thread_limit());
    threads_.emplace_back([this] { loop(); });
  }

  ~WriterPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_cv_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  WriterPool(const WriterPool&) = delete;
  WriterPool& operator=(const WriterPool&) = delete;

  // A writer that was idle has work. The caller holds the writer's mutex.
  void schedule(GroupCommitWriter& writer) {
    std::lock_guard lock(mutex_);
    ready_.push_back(&writer);
    // One more thread only when every running one is taken, so a single busy tenant keeps
    // using one thread and its batches stay large.
    if (ready_.size() + busy_ > threads_.size() && threads_.size() < GroupCommitWriter::thread_limit()) {
      try {
        threads_.emplace_back([this] { loop(); });
      } catch (const std::system_error&) {
        // No thread to spare in the process: the running ones will get to this writer.
      }
    }
    ready_cv_.notify_one();
  }

  // A pool thread is done with `writer`; `more` says the writer has queued work again, which
  // goes to the back of the line so that one busy tenant cannot hold a thread from the others.
  // The caller holds the writer's mutex.
  void served(GroupCommitWriter& writer, bool more) {
    std::lock_guard lock(mutex_);
    --busy_;
    if (more) {
      ready_.push_back(&writer);
      ready_cv_.notify_one();
    }
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
      if (ready_.empty()) return;  // stopping: the last writer is gone
      GroupCommitWriter* writer = ready_.front();
      ready_.pop_front();
      ++busy_;
      lock.unlock();
      writer->serve();  // may be the last this thread sees of it: the writer can be gone after
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_cv_;
  std::deque<GroupCommitWriter*> ready_;  // writers with queued work and no thread yet
  std::size_t busy_ = 0;                  // threads serving a writer right now
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

std::size_t GroupCommitWriter::thread_limit() noexcept {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
}

GroupCommitWriter::GroupCommitWriter(Store& store, std::size_t max_batch)
    : store_(store), max_batch_(max_batch == 0 ? 1 : max_batch), pool_(WriterPool::acquire()) {}

GroupCommitWriter::~GroupCommitWriter() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  finished_.wait(lock, [&] { return queue_.empty() && !scheduled_ && waiting_ == 0; });
  // pool_ goes last: if this was the last writer, its threads stop and are joined.
}

void GroupCommitWriter::submit(std::function<void(Transaction&)> work) {
  Job job{std::move(work), nullptr, false};
  {
    std::unique_lock lock(mutex_);
    if (stopping_) throw Error(EHR_STATUS_DISABLED, "the messaging store is shutting down");
    queue_.push_back(&job);
    if (!scheduled_) {
      try {
        pool_->schedule(*this);
      } catch (...) {
        queue_.pop_back();
        throw;
      }
      scheduled_ = true;
    }
    ++waiting_;
    finished_.wait(lock, [&] { return job.done; });
    --waiting_;
    // Under the lock: once it is released the destructor may return and free the writer.
    if (stopping_ && waiting_ == 0) finished_.notify_all();
  }
  if (job.error) std::rethrow_exception(job.error);
}

void GroupCommitWriter::serve() {
  std::vector<Job*> batch;
  {
    std::lock_guard lock(mutex_);
    // Everything that queued while the previous batch was committing goes in this one.
    try {
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    } catch (const std::bad_alloc&) {
      // Commit what fits; the rest stays queued for the next turn.
    }
  }
  commit_batch(batch);
  std::lock_guard lock(mutex_);
  for (Job* job : batch) job->done = true;
  const bool more = !queue_.empty();
  pool_->served(*this, more);
  if (!more) scheduled_ = false;
  // Under the lock: once unscheduled, the destructor may free the writer as soon as it is released.
  finished_.notify_all();
}

void GroupCommitWriter::commit_batch(const std::vector<Job*>& batch) {
  const auto pending = [](const Job* job) { return !job->error; };
  while (std::any_of(batch.begin(), batch.end(), pending)) {
    try {
      Transaction tx(store_, TransactionMode::write);
      bool failed = false;
      for (Job* job : batch) {
        if (!pending(job)) continue;
        try {
          job->work(tx);
        } catch (...) {
          job->error = std::current_exception();
          failed = true;
          break;
        }
      }
      if (!failed) {
        tx.commit();
        return;
      }
    } catch (...) {
      // BEGIN or COMMIT failed: nothing of this batch was written, and every job says so.
      for (Job* job : batch) {
        if (pending(job)) job->error = std::current_exception();
      }
      return;
    }
    // The transaction rolled back when it went out of scope; the others run again without the
    // failed one.
  }
}

}  // namespace ehr::portal
