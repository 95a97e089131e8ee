#include "notification_store.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include "ehr/host/private_files.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

namespace ehr::sample {

namespace host = ehr::host;

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

// One transaction: BEGIN IMMEDIATE takes the write lock up front (no deadlock between readers
// upgrading), and anything left uncommitted is rolled back, so nothing is half-written.
class Transaction {
 public:
  Transaction(sqlite3* db, const std::filesystem::path& file) : db_(db), file_(file) {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
      fail(db_, file_, "begin");
  }
  ~Transaction() {
    if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_, file_, "commit");
    committed_ = true;
  }

 private:
  sqlite3* db_;
  const std::filesystem::path& file_;
  bool committed_ = false;
};

// What a sealed address is bound to: its row and its column, so that a ciphertext copied into
// another row (or, later, another column) fails authentication instead of showing someone
// else's address.
std::string associated_data(std::int64_t id) {
  return "notifications.address:" + std::to_string(id);
}

// nonce (24 bytes, random) || ciphertext || tag (16 bytes).
std::string seal(const std::string& plain, std::int64_t id, const host::Key& key) {
  const std::string ad = associated_data(id);
  std::string sealed(
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES,
      '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
                                             reinterpret_cast<const unsigned char*>(plain.data()),
                                             plain.size(), reinterpret_cast<const unsigned char*>(ad.data()),
                                             ad.size(), nullptr, out, key.bytes.data());
  return sealed;
}

// The address of row `id`, or nullopt when it does not authenticate under `key`.
std::optional<std::string> open_sealed(const std::string& sealed, std::int64_t id, const host::Key& key) {
  constexpr std::size_t overhead =
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < overhead) return std::nullopt;
  const std::string ad = associated_data(id);
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(sealed.size() - overhead, '\0');
  unsigned long long read = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &read,
                                                 nullptr, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                 sealed.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                 in, key.bytes.data()) != 0)
    return std::nullopt;
  plain.resize(static_cast<std::size_t>(read));
  return plain;
}

std::string column_bytes(sqlite3_stmt* statement, int index) {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, index));
  return bytes != nullptr
             ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement, index)))
             : std::string();
}

}  // namespace

host::Key NotificationStore::data_key(std::uint32_t key_id, std::int64_t row) const {
  host::Result<host::Key> key = keys_.get(host::KeyPurpose::data, key_id);
  if (!key) {
    throw std::runtime_error("notification store " + file_.string() +
                             (row != 0 ? ": the address of notification " + std::to_string(row) +
                                             " is encrypted under data key " + std::to_string(key_id) +
                                             ", which the host cannot give: "
                                       : ": no current data key: ") +
                             key.status().message());
  }
  return std::move(key).value();
}

std::string NotificationStore::address_of(sqlite3_stmt* statement, int address_column, int key_column,
                                          std::int64_t row) const {
  const auto key_id = static_cast<std::uint32_t>(sqlite3_column_int64(statement, key_column));
  if (key_id == 0) return column_text(statement, address_column);  // written before encryption
  const host::Key key = data_key(key_id, row);
  std::optional<std::string> address = open_sealed(column_bytes(statement, address_column), row, key);
  if (!address) {
    throw std::runtime_error("notification store " + file_.string() +
                             ": the stored address of notification " + std::to_string(row) +
                             " does not decrypt under data key " + std::to_string(key_id) +
                             ": it was altered, or copied from another row");
  }
  return std::move(*address);
}

NotificationStore::NotificationStore(const std::filesystem::path& file, const host::KeyStore& keys)
    : file_(file), keys_(keys) {
  if (sodium_init() < 0)
    throw std::runtime_error("notification store " + file.string() + ": libsodium did not start");
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
  try {
    migrate();
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

// The store's schema, by PRAGMA user_version: 0 is the table as first shipped (or no table yet),
// 1 adds each address's data key id (0 for the addresses already there, which stay in clear
// until reseal()). A file already at the current version is not written to, so read-only
// commands still work on a full disk.
void NotificationStore::migrate() {
  if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr) !=
      SQLITE_OK)
    fail(db_, file_, "cannot set its journal mode");
  const auto version = [this] {
    Statement statement = prepare(db_, file_, "PRAGMA user_version");
    if (sqlite3_step(statement.get()) != SQLITE_ROW) fail(db_, file_, "read its schema version");
    return sqlite3_column_int64(statement.get(), 0);
  };
  constexpr std::int64_t kCurrent = 1;
  if (version() >= kCurrent) return;
  Transaction transaction(db_, file_);
  if (version() < 1) {  // again under the write lock: another process may have migrated it meanwhile
    const char* to_1 =
        "CREATE TABLE IF NOT EXISTS notifications ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  at_unix_ms INTEGER NOT NULL,"
        "  kind TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL, address TEXT NOT NULL,"
        "  brand TEXT NOT NULL, subject TEXT NOT NULL, body_text TEXT NOT NULL, body_html TEXT NOT NULL);"
        "ALTER TABLE notifications ADD COLUMN address_key_id INTEGER NOT NULL DEFAULT 0;"
        "PRAGMA user_version = 1;";
    if (sqlite3_exec(db_, to_1, nullptr, nullptr, nullptr) != SQLITE_OK)
      fail(db_, file_, "cannot create or upgrade its table");
  }
  transaction.commit();
}

NotificationStore::~NotificationStore() {
  sqlite3_close(db_);
}

std::int64_t NotificationStore::add(const DeliveredNotification& n) {
  const std::lock_guard lock(mutex_);
  const host::Key key = data_key(0, 0);
  // The row's id is the associated data, and is known only once the row exists: insert it with
  // an empty address, then seal into it, in one transaction (the clear address never reaches
  // the file, and no row is left without its address).
  Transaction transaction(db_, file_);
  Statement statement =
      prepare(db_, file_,
              "INSERT INTO notifications (at_unix_ms, kind, channel, recipient, address, brand, "
              "subject, body_text, body_html, address_key_id) VALUES (?, ?, ?, ?, x'', ?, ?, ?, ?, ?)");
  sqlite3_bind_int64(statement.get(), 1, n.at_unix_ms);
  bind_text(statement.get(), 2, n.kind);
  bind_text(statement.get(), 3, n.channel);
  bind_text(statement.get(), 4, n.to);
  bind_text(statement.get(), 5, n.brand);
  bind_text(statement.get(), 6, n.subject);
  bind_text(statement.get(), 7, n.text);
  bind_text(statement.get(), 8, n.html);
  sqlite3_bind_int64(statement.get(), 9, key.id);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) fail(db_, file_, "insert");
  const std::int64_t id = sqlite3_last_insert_rowid(db_);
  store_address(id, seal(n.address, id, key), key.id);
  transaction.commit();
  return id;
}

void NotificationStore::store_address(std::int64_t id, const std::string& sealed, std::uint32_t key_id) {
  Statement statement =
      prepare(db_, file_, "UPDATE notifications SET address = ?, address_key_id = ? WHERE id = ?");
  sqlite3_bind_blob(statement.get(), 1, sealed.data(), static_cast<int>(sealed.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(statement.get(), 2, key_id);
  sqlite3_bind_int64(statement.get(), 3, id);
  if (sqlite3_step(statement.get()) != SQLITE_DONE) fail(db_, file_, "store an address");
}

std::int64_t NotificationStore::reseal(std::uint32_t batch) {
  if (batch == 0) throw std::invalid_argument("NotificationStore::reseal: batch must be at least 1");
  std::int64_t resealed = 0;
  std::int64_t after = 0;  // rows are visited once, in id order, so each batch moves on
  for (;;) {
    const std::lock_guard lock(mutex_);
    const host::Key current = data_key(0, 0);
    Transaction transaction(db_, file_);
    Statement select = prepare(db_, file_,
                               "SELECT id, address, address_key_id FROM notifications "
                               "WHERE address_key_id != ? AND id > ? ORDER BY id LIMIT ?");
    sqlite3_bind_int64(select.get(), 1, current.id);
    sqlite3_bind_int64(select.get(), 2, after);
    sqlite3_bind_int64(select.get(), 3, batch);
    std::vector<std::pair<std::int64_t, std::string>> rows;
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
      const std::int64_t id = sqlite3_column_int64(select.get(), 0);
      rows.emplace_back(id, address_of(select.get(), 1, 2, id));
    }
    if (step != SQLITE_DONE) fail(db_, file_, "find addresses to re-encrypt");
    select.reset();
    if (rows.empty()) break;
    for (const auto& [id, address] : rows) store_address(id, seal(address, id, current), current.id);
    transaction.commit();
    resealed += static_cast<std::int64_t>(rows.size());
    after = rows.back().first;
  }
  return resealed;
}

std::vector<DeliveredNotification> NotificationStore::list() const {
  const std::lock_guard lock(mutex_);
  Statement statement = prepare(db_, file_,
                                "SELECT id, at_unix_ms, kind, channel, recipient, address, brand, subject, "
                                "body_text, body_html, address_key_id FROM notifications ORDER BY id");
  std::vector<DeliveredNotification> out;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(statement.get())) == SQLITE_ROW) {
    DeliveredNotification n;
    n.id = sqlite3_column_int64(statement.get(), 0);
    n.at_unix_ms = sqlite3_column_int64(statement.get(), 1);
    n.kind = column_text(statement.get(), 2);
    n.channel = column_text(statement.get(), 3);
    n.to = column_text(statement.get(), 4);
    n.address = address_of(statement.get(), 5, 10, n.id);
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
