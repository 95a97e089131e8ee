// Read connections for queries (inbox, badge, thread metadata). In WAL mode readers never wait
// for the writer, so each concurrent host thread takes its own connection from the pool.
//
// Connections left idle are kept for reuse, but within a budget shared by every pool in the
// process: a host that loads the plugin once per tenant must not hold two descriptors per idle
// tenant. Beyond the budget the least recently used idle connection closes, whichever tenant it
// belongs to, so busy tenants keep reusing theirs and an idle tenant holds only its writer's.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/database.hpp"

namespace ehr::portal {

class ReaderPool;

class IdleReaders {
 public:
  // At most `budget` idle connections, across all pools that use this budget.
  explicit IdleReaders(std::size_t budget);
  IdleReaders(const IdleReaders&) = delete;
  IdleReaders& operator=(const IdleReaders&) = delete;

  // The budget every ReaderPool of the process shares unless given another.
  static IdleReaders& process();

  // How many idle connections `pool` has kept.
  [[nodiscard]] std::size_t held_by(const ReaderPool& pool);

 private:
  friend class ReaderPool;
  struct Idle {
    const ReaderPool* pool;
    std::unique_ptr<Database> db;
  };
  // The pool's most recently used idle connection, or null.
  std::unique_ptr<Database> take(const ReaderPool& pool);
  // Keeps `db` idle; closes the least recently used one when that exceeds the budget.
  void keep(const ReaderPool& pool, std::unique_ptr<Database> db);
  // Closes the pool's idle connections.
  void close_all(const ReaderPool& pool);

  const std::size_t budget_;
  std::mutex mutex_;
  // Least recently used first. Connections close under mutex_, so that none of a pool's
  // outlives the pool on another thread.
  std::vector<Idle> idle_;
};

class ReaderPool {
 public:
  // Connections are opened on demand; idle ones are kept within `idle`'s budget.
  explicit ReaderPool(std::filesystem::path file, IdleReaders& idle = IdleReaders::process());
  ~ReaderPool();
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // A connection for this thread alone until the lease ends.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Database> db) : pool_(&pool), db_(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    [[nodiscard]] Database& operator*() const { return *db_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Database> db_;
  };

  [[nodiscard]] Lease lease();

 private:
  std::filesystem::path file_;
  IdleReaders& idle_;
};

}  // namespace ehr::portal
