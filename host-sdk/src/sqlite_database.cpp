#include "sqlite_database.hpp"

#include "ehr/host/private_files.hpp"

namespace ehr::host::detail {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK) {
    status_ = Status::storage(std::string("cannot prepare a statement: ") + sqlite3_errmsg(db));
    statement_ = nullptr;
  }
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(statement_);
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  if (statement_ != nullptr && status_.is_ok() &&
      sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) !=
          SQLITE_OK)
    status_ = Status::storage(std::string("cannot bind a value: ") + sqlite3_errmsg(db_));
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  if (statement_ != nullptr && status_.is_ok() && sqlite3_bind_int64(statement_, index, value) != SQLITE_OK)
    status_ = Status::storage(std::string("cannot bind a value: ") + sqlite3_errmsg(db_));
  return *this;
}

bool SqliteStatement::step() {
  if (statement_ == nullptr || !status_.is_ok()) return false;
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE)
    status_ = Status::storage(std::string("the role store failed: ") + sqlite3_errmsg(db_));
  return false;
}

SqliteStatement& SqliteStatement::reset() {
  if (statement_ != nullptr) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  return *this;
}

std::string SqliteStatement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return data == nullptr
             ? std::string()
             : std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::int64_t SqliteStatement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

Result<SqliteDatabase> SqliteDatabase::open(const std::filesystem::path& file) {
  if (Status made = make_private_file(file); !made) return made;
  SqliteDatabase db;
  db.file_ = file;
  if (sqlite3_open_v2(file.c_str(), &db.db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Status failed = db.error("cannot open " + file.string());
    return failed;
  }
  sqlite3_busy_timeout(db.db_, 5000);
  // Keep the -wal and -shm files (allocated once, mode 0600 like the database) when the last
  // connection closes: recreating them on the next start needs free space, and without it even
  // a read-only command would fail on a full disk.
  int persist_wal = 1;
  sqlite3_file_control(db.db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (Status status = db.execute(pragma); !status) return status;
  }
  return db;
}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : db_(other.db_), file_(std::move(other.file_)) {
  other.db_ = nullptr;
}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = other.db_;
    file_ = std::move(other.file_);
    other.db_ = nullptr;
  }
  return *this;
}

SqliteDatabase::~SqliteDatabase() {
  sqlite3_close(db_);
}

Status SqliteDatabase::execute(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Status failed =
        Status::storage(file_.string() + ": " + (message != nullptr ? message : "unknown SQLite error"));
    sqlite3_free(message);
    return failed;
  }
  return Status();
}

Status SqliteDatabase::error(const std::string& what) const {
  return Status::storage(what + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& db) : db_(db) {
  begun_ = db_.execute("BEGIN IMMEDIATE");
  open_ = begun_.is_ok();
}

SqliteTransaction::~SqliteTransaction() {
  if (open_) (void)db_.execute("ROLLBACK");
}

Status SqliteTransaction::commit() {
  Status committed = db_.execute("COMMIT");
  if (committed) open_ = false;
  return committed;
}

}  // namespace ehr::host::detail
