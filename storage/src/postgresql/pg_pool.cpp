#include "storage/postgresql/pg_pool.hpp"

#include <string>
#include <utility>

namespace ehr::storage::pg {

Pool::Pool(PoolOptions options) : options_(std::move(options)) {
  if (options_.size == 0)
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "the connection pool needs at least one connection");
  idle_.push_back(std::make_unique<Connection>(options_.connection));
  opened_ = 1;
}

Pool::Lease::~Lease() {
  if (connection_) pool_->give_back(std::move(connection_));
}

void Pool::give_back(std::unique_ptr<Connection> connection) noexcept {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

Pool::Lease Pool::acquire() {
  std::unique_ptr<Connection> connection;
  bool open_new = false;
  {
    std::unique_lock lock(mutex_);
    const bool available = returned_.wait_for(lock, options_.acquire_timeout,
                                              [&] { return !idle_.empty() || opened_ < options_.size; });
    if (!available)
      throw Error(EHR_STATUS_STORAGE, "all " + std::to_string(options_.size) +
                                          " connections to the PostgreSQL server stayed busy for " +
                                          std::to_string(options_.acquire_timeout.count()) +
                                          " ms (raise the pool size in the plugin's configuration)");
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++opened_;
      open_new = true;
    }
  }
  if (open_new) {
    try {
      connection = std::make_unique<Connection>(options_.connection);
    } catch (...) {
      std::lock_guard lock(mutex_);
      --opened_;
      returned_.notify_one();
      throw;
    }
  }
  Lease lease(*this, std::move(connection));
  // A connection the server dropped since its last use (restart, failover) connects again here;
  // if that fails the lease goes back unhealthy and the next caller tries again.
  lease->notice_server_goodbye();
  if (!lease->healthy()) lease->reconnect();
  return lease;
}

}  // namespace ehr::storage::pg
