#include "messaging/group_commit.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace ehr::portal {

namespace {

// The writers whose batch this thread is committing, innermost first: work in one writer's batch
// may submit to another writer (it then leads that one's batch on this thread too), but not to
// its own, whose next batch waits for this one to finish.
struct Leading {
  const GroupCommitWriter* writer;
  const Leading* outer;
};
thread_local const Leading* leading_here = nullptr;

}  // namespace

GroupCommitWriter::GroupCommitWriter(Store& store, std::size_t max_batch)
    : store_(store), max_batch_(max_batch == 0 ? 1 : max_batch) {}

GroupCommitWriter::~GroupCommitWriter() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  // Every queued job has its submitter waiting in submit(), and a batch is committed by one of
  // them: once none is left, nothing is queued or being committed.
  idle_.wait(lock, [&] { return waiting_ == 0; });
}

std::size_t GroupCommitWriter::in_flight() {
  std::lock_guard lock(mutex_);
  return waiting_;
}

void GroupCommitWriter::submit(std::function<void(Transaction&)> work) {
  for (const Leading* frame = leading_here; frame != nullptr; frame = frame->outer) {
    if (frame->writer == this) {
      throw Error(EHR_STATUS_INTERNAL, "a write was submitted from inside its own writer's batch");
    }
  }
  Job job;
  job.work = std::move(work);
  {
    std::unique_lock lock(mutex_);
    if (stopping_) throw Error(EHR_STATUS_DISABLED, "the messaging store is shutting down");
    if (tail_ != nullptr) {
      tail_->next = &job;
    } else {
      head_ = &job;
    }
    tail_ = &job;
    ++waiting_;
    if (!leading_) {
      // Nothing is being committed, so nothing else is queued either: this job is the head.
      leading_ = true;
      job.lead = true;
    } else {
      job.wake.wait(lock, [&] { return job.done || job.lead; });
    }
    if (!job.done) lead(lock);
    --waiting_;
    // Under the lock: once it is released the destructor may return and free the writer.
    if (stopping_ && waiting_ == 0) idle_.notify_all();
  }
  if (job.error) std::rethrow_exception(job.error);
}

void GroupCommitWriter::lead(std::unique_lock<std::mutex>& lock) {
  // The leader's job is the head; the batch is it and what queued behind it, up to max_batch_.
  Job* const first = head_;
  Job* last = first;
  for (std::size_t count = 1; count < max_batch_ && last->next != nullptr; ++count) last = last->next;
  head_ = last->next;
  if (head_ == nullptr) tail_ = nullptr;
  last->next = nullptr;  // the batch is this leader's alone now; submitters append to the rest
  lock.unlock();
  {
    const Leading frame{this, leading_here};
    leading_here = &frame;
    commit_batch(first);
    leading_here = frame.outer;
  }
  lock.lock();
  // The next leader first, so that the next batch starts while this one's answers go out. The
  // notifications go under the lock: a job lives on its submitter's stack, which may be gone as
  // soon as the submitter sees its answer.
  if (head_ != nullptr) {
    head_->lead = true;
    head_->wake.notify_one();
  } else {
    leading_ = false;
  }
  for (Job* job = first; job != nullptr;) {
    Job* const next = job->next;
    job->done = true;
    job->wake.notify_one();
    job = next;
  }
}

GroupCommitWriter::Optimism GroupCommitWriter::commit_optimistically(Job* first) {
  Transaction tx(store_, TransactionMode::write, Checks::deferred);
  try {
    for (Job* job = first; job != nullptr; job = job->next) job->work(tx);
  } catch (...) {
    // A lock that timed out fails the batch whole, as in commit_batch; so does a connection lost
    // (a server restart): nothing of the batch was written, and running it again against a server
    // going away would only replace the clear error with another. Any other failure is some job's:
    // which, the batch run again checking as it goes tells.
    if (tx.failed_to_open() || tx.connection_lost()) throw;
    return Optimism::job_failed;
  }
  // COMMIT goes with the batch's statements. Its own failure, or an outcome unknown, throws and
  // fails the batch whole: never run twice.
  switch (tx.commit_checked()) {
    case Transaction::Checked::committed:
      return Optimism::committed;
    case Transaction::Checked::guess_wrong:
      return Optimism::guess_wrong;
    case Transaction::Checked::statement_failed:
      break;
  }
  return Optimism::job_failed;
}

bool GroupCommitWriter::answered_optimistically(Job* first) noexcept {
  if (!Transaction::defers_checks_on(store_)) return false;
  if (batches_before_optimism_ > 0) {
    --batches_before_optimism_;
    return false;
  }
  Optimism outcome;
  try {
    outcome = commit_optimistically(first);
  } catch (...) {
    for (Job* job = first; job != nullptr; job = job->next) job->error = std::current_exception();
    return true;  // answered: the batch failed whole
  }
  if (outcome == Optimism::guess_wrong) {
    wrong_guesses_in_a_row_ = std::min(wrong_guesses_in_a_row_ + 1, kLongestOptimismPause);
    batches_before_optimism_ = (std::size_t{1} << wrong_guesses_in_a_row_) - 1;
  } else if (outcome == Optimism::committed) {
    wrong_guesses_in_a_row_ = 0;
  }
  return outcome == Optimism::committed;
}

void GroupCommitWriter::commit_batch(Job* first) noexcept {
  const auto pending = [first] {
    for (const Job* job = first; job != nullptr; job = job->next) {
      if (!job->error) return true;
    }
    return false;
  };
  if (answered_optimistically(first)) return;
  while (pending()) {
    try {
      Transaction tx(store_, TransactionMode::write);
      bool failed = false;
      for (Job* job = first; job != nullptr; job = job->next) {
        if (job->error) continue;
        try {
          job->work(tx);
        } catch (...) {
          if (tx.failed_to_open()) throw;  // not this job's failure: the batch's, below
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
      // BEGIN (here or, sent with the first statement, in a job), the lock it takes, or COMMIT
      // failed: nothing of this batch was written, and every job says so. Run again, each job
      // would wait for the same lock again.
      for (Job* job = first; job != nullptr; job = job->next) {
        if (!job->error) job->error = std::current_exception();
      }
      return;
    }
    // The transaction rolled back when it went out of scope; the others run again without the
    // failed one.
  }
}

}  // namespace ehr::portal
