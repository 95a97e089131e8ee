#include "notification_store.hpp"

#include <sqlite3.h>

#include "ehr/host/private_files.hpp"

#include <memory>
#include <stdexcept>

namespace ehr::sample {

namespace {

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

[[noreturn]] void fail(sqlite3* db, const std::filesystem::path& file, const char* doing) {
  throw std::runtime_error("notification store " + file.string() + ": " + doing + ": " +
                           (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

Statement prepare(sqlite3* db, const std::filesystem::path& file, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) fail(db, file, "prepare");
  return Statement(statement);
}

void bind_text(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* statement, int index) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, index));
  return text != nullptr ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)))
                         : std::string();
}

}  // namespace

NotificationStore::NotificationStore(const std::filesystem::path& file) : file_(file) {
  // Patients' e-mail addresses and phone numbers: the owner's alone (R-SEC-2).
  if (host::Status made = host::make_private_file(file); !made)
    throw std::runtime_error("notification store " + file.string() + ": " + made.message());
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("notification store " + file.string() + ": cannot open: " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  // Keep the -wal and -shm files (allocated once, mode 0600 like the database) when the last
  // connection closes: recreating them on the next start needs free space, and without it even
  // a read-only command would fail on a full disk.
  int persist_wal = 1;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS notifications ("
      "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  at_unix_ms INTEGER NOT NULL,"
      "  kind TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, address TEXT NOT NULL,"
      "  brand TEXT NOT NULL, subject TEXT NOT NULL, body_text TEXT NOT NULL, body_html TEXT NOT NULL);";
  if (sqlite3_exec(db_, schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    throw std::runtime_error("notification store " + file.string() + ": cannot create its table: " + message);
  }
}

NotificationStore::~NotificationStore() {
  sqlite3_close(db_);
}

std::int64_t NotificationStore::add(const DeliveredNotification& n) {
  const std::lock_guard lock(mutex_);
  Statement statement =
      prepare(db_, file_,
              "INSERT INTO notifications (at_unix_ms, kind, channel, recipient, address, brand, "
              "subject, body_text, body_html) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite3_bind_int64(statement.get(), 1, n.at_unix_ms);
  bind_text(statement.get(), 2, n.kind);
  bind_text(statement.get(), 3, n.channel);
  bind_text(statement.get(), 4, n.to);
  bind_text(statement.get(), 5, n.address);
  bind_text(statement.get(), 6, n.brand);
  bind_text(statement.get(), 7, n.subject);
  bind_text(statement.get(), 8, n.text);
  bind_text(statement.get(), 9, n.html);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) fail(db_, file_, "insert");
  return sqlite3_last_insert_rowid(db_);
}

std::vector<DeliveredNotification> NotificationStore::list() const {
  const std::lock_guard lock(mutex_);
  Statement statement = prepare(db_, file_,
                                "SELECT id, at_unix_ms, kind, channel, recipient, address, brand, subject, "
                                "body_text, body_html FROM notifications ORDER BY id");
  std::vector<DeliveredNotification> out;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(statement.get())) == SQLITE_ROW) {
    DeliveredNotification n;
    n.id = sqlite3_column_int64(statement.get(), 0);
    n.at_unix_ms = sqlite3_column_int64(statement.get(), 1);
    n.kind = column_text(statement.get(), 2);
    n.channel = column_text(statement.get(), 3);
    n.to = column_text(statement.get(), 4);
    n.address = column_text(statement.get(), 5);
    n.brand = column_text(statement.get(), 6);
    n.subject = column_text(statement.get(), 7);
    n.text = column_text(statement.get(), 8);
    n.html = column_text(statement.get(), 9);
    out.push_back(std::move(n));
  }
  if (step != SQLITE_DONE) fail(db_, file_, "list");
  return out;
}

}  // namespace ehr::sample
