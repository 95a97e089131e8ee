// Read connections for queries (inbox, badge, thread metadata). In WAL mode readers never wait
// for the writer, so each concurrent host thread takes its own connection from the pool.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/database.hpp"

namespace ehr::portal {

class ReaderPool {
 public:
  // Connections are opened on demand; at most `keep` idle ones are kept for reuse.
  explicit ReaderPool(std::filesystem::path file, std::size_t keep = 8);

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
  std::size_t keep_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace ehr::portal
