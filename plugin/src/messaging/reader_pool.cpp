#include "messaging/reader_pool.hpp"

#include <utility>

namespace ehr::portal {

ReaderPool::ReaderPool(std::filesystem::path file, std::size_t keep) : file_(std::move(file)), keep_(keep) {}

ReaderPool::Lease ReaderPool::lease() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Database> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
  }
  return Lease(*this, std::make_unique<Database>(file_));
}

ReaderPool::Lease::~Lease() {
  if (!db_) return;
  try {
    std::lock_guard lock(pool_->mutex_);
    if (pool_->idle_.size() < pool_->keep_) pool_->idle_.push_back(std::move(db_));
  } catch (...) {
    // Could not keep it for reuse: the connection simply closes.
  }
}

}  // namespace ehr::portal
