#include "messaging/reader_pool.hpp"

#include <algorithm>
#include <utility>

namespace ehr::portal {

namespace {
// Enough for a busy tenant's concurrent page loads to find a warm connection, few enough that
// the descriptors of idle tenants do not add up (two per connection: database and WAL).
constexpr std::size_t kProcessIdleReaders = 4;
}  // namespace

IdleReaders::IdleReaders(std::size_t budget) : budget_(budget) {
  idle_.reserve(budget);  // so that keeping one never fails for want of memory
}

IdleReaders& IdleReaders::process() {
  static IdleReaders readers(kProcessIdleReaders);
  return readers;
}

std::size_t IdleReaders::held_by(const ReaderPool& pool) {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(idle_.begin(), idle_.end(), [&](const Idle& idle) { return idle.pool == &pool; }));
}

std::unique_ptr<Database> IdleReaders::take(const ReaderPool& pool) {
  std::lock_guard lock(mutex_);
  const auto found =
      std::find_if(idle_.rbegin(), idle_.rend(), [&](const Idle& idle) { return idle.pool == &pool; });
  if (found == idle_.rend()) return nullptr;
  std::unique_ptr<Database> db = std::move(found->db);
  idle_.erase(std::next(found).base());
  return db;
}

void IdleReaders::keep(const ReaderPool& pool, std::unique_ptr<Database> db) {
  std::lock_guard lock(mutex_);
  if (budget_ == 0) return;  // db closes
  if (idle_.size() == budget_) idle_.erase(idle_.begin());
  idle_.push_back({&pool, std::move(db)});
}

void IdleReaders::close_all(const ReaderPool& pool) {
  std::lock_guard lock(mutex_);
  std::erase_if(idle_, [&](const Idle& idle) { return idle.pool == &pool; });
}

ReaderPool::ReaderPool(std::filesystem::path file, IdleReaders& idle) : file_(std::move(file)), idle_(idle) {}

ReaderPool::~ReaderPool() {
  idle_.close_all(*this);
}

ReaderPool::Lease ReaderPool::lease() {
  if (std::unique_ptr<Database> db = idle_.take(*this)) return Lease(*this, std::move(db));
  return Lease(*this, std::make_unique<Database>(file_));
}

ReaderPool::Lease::~Lease() {
  if (!db_) return;
  try {
    pool_->idle_.keep(*pool_, std::move(db_));
  } catch (...) {
    // Could not keep it for reuse: the connection simply closes.
  }
}

}  // namespace ehr::portal
