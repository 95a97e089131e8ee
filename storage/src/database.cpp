#include "storage/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/error.hpp"

namespace ehr::storage {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// Pragmas take no bound parameters; these are fixed texts, prepared like any other statement.
void run_pragma(sqlite3* db, const char* sql, const std::filesystem::path& file) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
  }
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE && rc != SQLITE_OK) {
    throw Error(EHR_STATUS_STORAGE, "cannot configure database " + file.string() + ": " + sqlite3_errmsg(db));
  }
}

// The database holds PHI: its owner's alone whatever the host's umask (R-SEC-2). SQLite gives
// the -wal, -shm and journal files the database file's mode, so creating this one 0600 covers
// them all; an existing file from an earlier version is narrowed.
void make_private(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0)
    throw Error(EHR_STATUS_STORAGE, "cannot create database " + file.string() + ": " + std::strerror(errno));
  struct stat info {};
  std::string problem;
  if (::fstat(fd, &info) != 0) {
    problem = std::strerror(errno);
  } else if (!S_ISREG(info.st_mode)) {
    problem = "not a regular file";
  } else if ((info.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0) {
    problem = std::string("cannot make it private: ") + std::strerror(errno);
  }
  ::close(fd);
  if (!problem.empty())
    throw Error(EHR_STATUS_STORAGE, "cannot use database " + file.string() + ": " + problem);
}

}  // namespace

Database::Database(const std::filesystem::path& file, Durability durability) : file_(file) {
  make_private(file);
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(EHR_STATUS_STORAGE, "cannot open database " + file.string() + ": " + message);
  }
  try {
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Keep the -wal and -shm files (allocated once, mode 0600 like the database) when the last
    // connection closes: recreating them on the next start needs free space, and without it even
    // a read-only command would fail on a full disk.
    // (A scratch file is published by its checkpoint at close, which must drop its WAL.)
    int persist_wal = durability == Durability::unpublished_scratch ? 0 : 1;
    sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
    sqlite3_extended_result_codes(db_, 1);
    // Before the switch to WAL, which is itself a write: a scratch file skips its syncs too.
    if (durability == Durability::unpublished_scratch) run_pragma(db_, "PRAGMA synchronous=OFF", file_);
    run_pragma(db_, "PRAGMA journal_mode=WAL", file_);
    if (durability == Durability::full) run_pragma(db_, "PRAGMA synchronous=FULL", file_);
    run_pragma(db_, "PRAGMA foreign_keys=ON", file_);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Database::~Database() {
  for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

sqlite3_stmt* Database::acquire(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    sqlite3_stmt* statement = it->second;
    cache_.erase(it);
    return statement;
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &statement, nullptr) != SQLITE_OK) {
    fail("cannot prepare a statement");
  }
  return statement;
}

void Database::release(const std::string& sql, sqlite3_stmt* statement) noexcept {
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  try {
    cache_.emplace(sql, statement);
  } catch (...) {
    sqlite3_finalize(statement);
  }
}

void Database::fail(const char* what) const {
  throw Error(EHR_STATUS_STORAGE,
              std::string(what) + " in " + file_.filename().string() + ": " + sqlite3_errmsg(db_));
}

}  // namespace ehr::storage
