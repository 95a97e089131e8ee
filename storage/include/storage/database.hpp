#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace ehr::storage {

// One SQLite connection to the plugin's database file, with its cache of prepared statements: the
// SQLite backend's internals (sqlite_store.hpp), which features never name. Opening it sets what
// every write relies on: WAL journal, synchronous=FULL (an acknowledged commit survives a crash,
// R-CONV-5), foreign keys and a busy timeout. NOT thread-safe: SqliteStore lends it to one
// transaction at a time (the write connection under its lock, a read connection by lease).
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
  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

  // Takes a prepared statement for `sql` from the cache (or prepares one).
  sqlite3_stmt* acquire(const std::string& sql);
  // Resets a statement and gives it back to the cache.
  void release(const std::string& sql, sqlite3_stmt* statement) noexcept;
  // Throws Error(EHR_STATUS_STORAGE): `what`, the file's name and SQLite's message.
  [[noreturn]] void fail(const char* what) const;

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  std::unordered_multimap<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ehr::storage
