// A minimal SQLite connection and prepared statement for the SDK's own stores (the role store).
// Prepared statements only: values are always bound, never pasted into SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "ehr/host/status.hpp"

namespace ehr::host::detail {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // False when preparing failed (see status()).
  explicit operator bool() const { return statement_ != nullptr; }
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t value);
  // True while there is a row; false when done or on error (then status() fails).
  bool step();
  // Rewinds to run again with new values; a failure stays in status().
  SqliteStatement& reset();
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  const Status& status() const { return status_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  Status status_;
};

class SqliteDatabase {
 public:
  // Opens or creates the file: WAL, synchronous=FULL, foreign keys on, busy timeout.
  static Result<SqliteDatabase> open(const std::filesystem::path& file);
  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  sqlite3* handle() const { return db_; }
  // For fixed SQL only (schema, pragmas, BEGIN/COMMIT): never with values in it.
  Status execute(const char* sql);
  Status error(const std::string& what) const;

 private:
  SqliteDatabase() = default;
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  const Status& begun() const { return begun_; }
  Status commit();

 private:
  SqliteDatabase& db_;
  Status begun_;
  bool open_ = false;
};

}  // namespace ehr::host::detail
