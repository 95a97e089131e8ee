#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ehr::portal {

// One SQLite connection to the plugin's database file. Opening it sets what every write relies
// on: WAL journal, synchronous=FULL (an acknowledged commit survives a crash, R-CONV-5), foreign
// keys and a busy timeout. All access goes through a Transaction, which serializes the many host
// threads that may call the plugin at once on this one connection.
class Database {
 public:
  enum class Durability {
    full,  // synchronous=FULL: what every database the plugin serves from uses
    // No syncs at all, for a file nobody opens before it is synced whole and renamed into place
    // (create_database_if_missing); never for a file that is already published.
    unpublished_scratch
  };

  // Creates the file if it is missing. Throws Error(EHR_STATUS_STORAGE) naming the file.
  explicit Database(const std::filesystem::path& file, Durability durability = Durability::full);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  friend class Transaction;
  friend class Statement;

  // Takes a prepared statement for `sql` from the cache (or prepares one). Caller holds mutex_.
  sqlite3_stmt* acquire(const std::string& sql);
  // Gives a reset statement back to the cache. Caller holds mutex_.
  void release(const std::string& sql, sqlite3_stmt* statement) noexcept;
  [[noreturn]] void fail(const char* what) const;

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;       // held by the open Transaction
  std::thread::id owner_;  // the thread holding mutex_, to refuse nested transactions
  std::unordered_multimap<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ehr::portal
