// The backend's connections to the shared PostgreSQL server: a fixed number, sized by the host
// admin's configuration, lent to one caller at a time. A connection the server dropped (a restart,
// a failover) is connected again when it is next lent, so after a server restart the call in
// flight fails with a clear error and the next one works.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/postgresql/pg_connection.hpp"

namespace ehr::storage::pg {

struct PoolOptions {
  ConnectionOptions connection;
  std::size_t size = 4;
  // How long a caller waits for a free connection before its call fails.
  std::chrono::milliseconds acquire_timeout{5000};
};

// THREADING: thread-safe.
class Pool {
 public:
  // Opens the first connection at once, so a wrong connection string fails at start with a clear
  // error instead of at the first message; the others open when first needed.
  explicit Pool(PoolOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection lent until the Lease ends. OWNERSHIP: the Pool must outlive its leases.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), connection_(std::move(other.connection_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }

   private:
    friend class Pool;
    Lease(Pool& pool, std::unique_ptr<Connection> connection) noexcept
        : pool_(&pool), connection_(std::move(connection)) {}
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits up to acquire_timeout for a connection; EHR_STATUS_STORAGE when none frees up, or when
  // the server cannot be reached.
  Lease acquire();
  [[nodiscard]] std::size_t size() const noexcept { return options_.size; }

 private:
  void give_back(std::unique_ptr<Connection> connection) noexcept;

  PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t opened_ = 0;  // connections in existence, idle or lent
};

}  // namespace ehr::storage::pg
