#include "storage/sqlite_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "storage/error.hpp"
#include "storage/migrations.hpp"
#include "storage/transaction.hpp"

namespace ehr::storage {

namespace {

// Enough for a busy tenant's concurrent page loads to find a warm connection, few enough that
// the descriptors of idle tenants do not add up (two per connection: database and WAL).
constexpr std::size_t kProcessIdleReaders = 4;

// One compiled statement borrowed from a connection's cache for one transaction; it goes back
// (reset, bindings cleared) when this ends, which the transaction sees to before it ends.
class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(Database& db, std::string_view sql) : db_(db), sql_(sql), handle_(db.acquire(sql_)) {}
  ~SqliteStatement() override { db_.release(sql_, handle_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bind_text(int index, std::string_view text) override {
    check(sqlite3_bind_text64(handle_, index, text.data() != nullptr ? text.data() : "", text.size(),
                              SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_int64(int index, std::int64_t value) override {
    check(sqlite3_bind_int64(handle_, index, value));
  }
  void bind_blob(int index, std::string_view bytes) override {
    check(sqlite3_bind_blob64(handle_, index, bytes.data() != nullptr ? bytes.data() : "", bytes.size(),
                              SQLITE_TRANSIENT));
  }
  void bind_null(int index) override { check(sqlite3_bind_null(handle_, index)); }
  bool step() override {
    const int rc = sqlite3_step(handle_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(handle_);
    db_.fail("a statement failed");
  }
  void reset() override { sqlite3_reset(handle_); }
  [[nodiscard]] std::int64_t int64(int column) const override {
    return sqlite3_column_int64(handle_, column);
  }
  [[nodiscard]] std::string text(int column) const override {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(handle_, column));
    if (data == nullptr) return {};
    return std::string(data, static_cast<size_t>(sqlite3_column_bytes(handle_, column)));
  }
  [[nodiscard]] bool is_null(int column) const override {
    return sqlite3_column_type(handle_, column) == SQLITE_NULL;
  }
  [[nodiscard]] std::int64_t changes() const override { return sqlite3_changes(db_.handle()); }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) db_.fail("cannot bind a value");
  }

  Database& db_;
  const std::string sql_;
  sqlite3_stmt* const handle_;
};

// Runs one fixed statement (BEGIN, COMMIT, ROLLBACK) through the cache; false when it failed,
// with SQLite's message left on the connection.
bool run_fixed(Database& db, const std::string& sql) {
  sqlite3_stmt* statement = db.acquire(sql);
  const int rc = sqlite3_step(statement);
  db.release(sql, statement);
  return rc == SQLITE_DONE;
}

const std::string kBeginImmediate = "BEGIN IMMEDIATE";
const std::string kBeginDeferred = "BEGIN";
const std::string kCommit = "COMMIT";
const std::string kRollback = "ROLLBACK";

}  // namespace

// A transaction on the write connection (holding the store's write lock) or on a leased read
// connection (which goes back to the idle budget when it ends).
class SqliteStore::SqliteTransaction final : public TransactionBackend {
 public:
  // On the write connection; `lock` holds write_mutex_.
  SqliteTransaction(SqliteStore& store, std::unique_lock<std::mutex> lock)
      : store_(store), db_(&store.writer_), lock_(std::move(lock)) {
    store_.write_owner_ = std::this_thread::get_id();
  }
  // On a read connection leased for this transaction.
  SqliteTransaction(SqliteStore& store, std::unique_ptr<Database> leased)
      : store_(store), db_(leased.get()), leased_(std::move(leased)) {}

  ~SqliteTransaction() override {
    if (open_ && !run_fixed(*db_, kRollback)) {
      // A failed rollback leaves SQLite to roll back when the connection next begins.
    }
    if (lock_.owns_lock()) {
      store_.write_owner_ = std::thread::id{};
      lock_.unlock();
    }
    if (leased_) {
      try {
        store_.idle_.keep(store_, std::move(leased_));
      } catch (...) {
        // Could not keep it for reuse: the connection simply closes.
      }
    }
  }
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  void start(const std::string& begin) {
    sqlite3_stmt* statement = db_->acquire(begin);
    const int rc = sqlite3_step(statement);
    if (rc != SQLITE_DONE) {
      sqlite3_reset(statement);
      try {
        db_->fail("a statement failed");  // SQLite's message, before the cache resets it again
      } catch (...) {
        db_->release(begin, statement);
        throw;
      }
    }
    db_->release(begin, statement);
    open_ = true;
  }

  [[nodiscard]] std::unique_ptr<StatementBackend> prepare(std::string_view sql) override {
    return std::make_unique<SqliteStatement>(*db_, sql);
  }

  void execute_script(std::string_view sql) override {
    std::string text(sql);
    const char* next = text.c_str();
    while (*next != '\0') {
      sqlite3_stmt* statement = nullptr;
      const char* tail = nullptr;
      if (sqlite3_prepare_v2(db_->handle(), next, -1, &statement, &tail) != SQLITE_OK)
        db_->fail("cannot prepare a script");
      if (statement == nullptr) break;  // only whitespace or comments remained
      int rc;
      while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      }
      sqlite3_finalize(statement);
      if (rc != SQLITE_DONE) db_->fail("a script statement failed");
      next = tail;
    }
  }

  void commit() override {
    open_ = false;
    if (run_fixed(*db_, kCommit)) return;
    try {
      db_->fail("COMMIT");
    } catch (...) {
      // The commit failed: SQLite keeps the transaction open; undo it so nothing is half-written.
      (void)run_fixed(*db_, kRollback);
      throw;
    }
  }

 private:
  SqliteStore& store_;
  Database* db_;
  std::unique_lock<std::mutex> lock_;
  std::unique_ptr<Database> leased_;
  bool open_ = false;
};

IdleReaders::IdleReaders(std::size_t budget) : budget_(budget) {
  idle_.reserve(budget);  // so that keeping one never fails for want of memory
}

IdleReaders& IdleReaders::process() {
  static IdleReaders readers(kProcessIdleReaders);
  return readers;
}

std::size_t IdleReaders::held_by(const SqliteStore& store) {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(idle_.begin(), idle_.end(), [&](const Idle& idle) { return idle.store == &store; }));
}

std::unique_ptr<Database> IdleReaders::take(const SqliteStore& store) {
  std::lock_guard lock(mutex_);
  const auto found =
      std::find_if(idle_.rbegin(), idle_.rend(), [&](const Idle& idle) { return idle.store == &store; });
  if (found == idle_.rend()) return nullptr;
  std::unique_ptr<Database> db = std::move(found->db);
  idle_.erase(std::next(found).base());
  return db;
}

void IdleReaders::keep(const SqliteStore& store, std::unique_ptr<Database> db) {
  std::lock_guard lock(mutex_);
  if (budget_ == 0) return;  // db closes
  if (idle_.size() == budget_) idle_.erase(idle_.begin());
  idle_.push_back({&store, std::move(db)});
}

void IdleReaders::close_all(const SqliteStore& store) {
  std::lock_guard lock(mutex_);
  std::erase_if(idle_, [&](const Idle& idle) { return idle.store == &store; });
}

SqliteStore::SqliteStore(const std::filesystem::path& file, IdleReaders& idle,
                         Database::Durability durability, std::string schema_owner)
    : file_(file),
      name_("database " + file.filename().string()),
      schema_owner_(std::move(schema_owner)),
      idle_(idle),
      writer_(file, durability) {}

SqliteStore::~SqliteStore() {
  idle_.close_all(*this);
}

std::unique_ptr<TransactionBackend> SqliteStore::begin(TransactionMode mode) {
  if (mode == TransactionMode::read) {
    std::unique_ptr<Database> db = idle_.take(*this);
    if (!db) db = std::make_unique<Database>(file_);
    auto tx = std::make_unique<SqliteTransaction>(*this, std::move(db));
    tx->start(kBeginDeferred);
    return tx;
  }
  if (write_owner_.load() == std::this_thread::get_id()) {
    throw Error(EHR_STATUS_INTERNAL, "a transaction is already open on this thread");
  }
  std::unique_lock lock(write_mutex_);
  auto tx = std::make_unique<SqliteTransaction>(*this, std::move(lock));
  tx->start(kBeginImmediate);
  return tx;
}

namespace {

constexpr const char* kVersionTableSql = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);)sql";

int applied_version(Transaction& tx) {
  auto query = tx.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return query.step() ? static_cast<int>(query.int64(0)) : 0;
}

}  // namespace

int SqliteStore::schema_version() {
  Transaction tx(*this);
  tx.execute_script(kVersionTableSql);
  const int version = applied_version(tx);
  tx.commit();
  return version;
}

// Every pending step runs in ONE write transaction, so a new database costs one commit's fsyncs
// instead of one commit per step. Each step sits in its own savepoint: a failing step is undone
// whole, and the steps before it are still committed, as when each step was its own transaction.
int SqliteStore::migrate(std::span<const Migration> steps) {
  Transaction tx(*this);
  tx.execute_script(kVersionTableSql);
  struct SqliteSteps {
    Transaction& tx;
    void run_step(const Migration& step) {
      tx.execute_script(step.sql);
      tx.prepare("INSERT INTO schema_migrations(version, name) VALUES (?1, ?2)")
          .bind_all(step.version, step.name)
          .run();
    }
    void savepoint() { tx.execute_script("SAVEPOINT migration_step"); }
    void release() { tx.execute_script("RELEASE migration_step"); }
    void rollback_to() { tx.execute_script("ROLLBACK TO migration_step; RELEASE migration_step"); }
    static bool recoverable(const Error&) { return true; }
  } backend{tx};
  std::optional<Error> failure;
  const int version = apply_pending(backend, steps, applied_version(tx), name_, failure, schema_owner_);
  tx.commit();
  if (failure) throw *failure;
  return version;
}

namespace {

[[noreturn]] void fail_creating(const std::filesystem::path& file, const std::string& what) {
  throw Error(EHR_STATUS_STORAGE,
              "cannot create database " + file.string() + ": " + what + ": " + std::strerror(errno));
}

void sync_path(const std::filesystem::path& path, int flags, const std::filesystem::path& file) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_creating(file, "cannot open " + path.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_creating(file, "cannot sync " + path.string());
}

}  // namespace

const std::filesystem::path& create_database_if_missing(const std::filesystem::path& file,
                                                        std::span<const Migration> steps) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(file, ec))) return file;
  const std::filesystem::path directory = file.has_parent_path() ? file.parent_path() : ".";
  const std::filesystem::path scratch =
      directory / (file.filename().string() + ".new-" + std::to_string(::getpid()) + "-" +
                   std::to_string(std::random_device{}()));
  auto remove_scratch = [&] {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(scratch.string() + suffix, ec);
  };
  try {
    {
      // Its own idle budget of none: no read connection of the scratch file stays open.
      IdleReaders no_readers(0);
      SqliteStore store(scratch, no_readers, Database::Durability::unpublished_scratch);
      store.migrate(steps);
    }  // the last connection's close checkpoints everything into the file and drops its WAL
    sync_path(scratch, O_RDONLY, file);
    // link() refuses to replace: if another process created the database meanwhile, its file wins.
    if (::link(scratch.c_str(), file.c_str()) != 0 && errno != EEXIST) fail_creating(file, "cannot link it");
    remove_scratch();
    sync_path(directory, O_RDONLY | O_DIRECTORY, file);
  } catch (...) {
    remove_scratch();
    throw;
  }
  return file;
}

}  // namespace ehr::storage
