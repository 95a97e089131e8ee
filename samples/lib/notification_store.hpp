// What the sample host's notification service "delivered": kept in the host's data directory so
// that `ehr-host notifications list` can show it later. A real host would hand these to its
// email, SMS and in-app services instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "ehr/host/key_store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ehr::sample {

struct DeliveredNotification {
  std::int64_t id = 0;
  std::int64_t at_unix_ms = 0;
  std::string kind;     // "portal_invitation" or "new_message"
  std::string channel;  // "email", "sms" or "in-app"
  std::string to;       // the recipient principal, e.g. "portal:maria" or "staff:drlee"
  std::string address;  // where it went: an email address, a phone number, or the staff user id
  std::string brand;
  std::string subject;
  std::string text;
  std::string html;
};

// Addresses (e-mail, phone) are sealed at rest (R-SEC-2) with XChaCha20-Poly1305 IETF under the
// host's current data key from `keys`, a random nonce per value and the row's id and column as
// associated data, so an address copied into another row does not decrypt there. Each row keeps
// its key's id; rows from before encryption (key id 0) stay readable in clear until reseal().
class NotificationStore {
 public:
  // Creates the database file if it does not exist, or adds the key id column to a file from
  // before encryption. Throws std::runtime_error naming the file. `keys` must outlive the store.
  NotificationStore(const std::filesystem::path& file, const ehr::host::KeyStore& keys);
  ~NotificationStore();
  NotificationStore(const NotificationStore&) = delete;
  NotificationStore& operator=(const NotificationStore&) = delete;

  // Durably stores one notification; returns its id. Safe from several threads.
  std::int64_t add(const DeliveredNotification& notification);
  // Oldest first. Throws std::runtime_error naming the row whose address does not decrypt
  // (altered, or copied from another row) or whose key the host does not have.
  [[nodiscard]] std::vector<DeliveredNotification> list() const;
  // Re-encrypts every address not under the current data key (including those in clear),
  // `batch` rows per transaction so that sends go on meanwhile; returns how many. Throws like
  // list(); what was committed before a failure stays re-encrypted.
  std::int64_t reseal(std::uint32_t batch);

 private:
  void migrate();
  // The data key `key_id` (0: the current one); throws naming notification `row` (0: none).
  ehr::host::Key data_key(std::uint32_t key_id, std::int64_t row) const;
  // The clear address of row `row` from the statement's address and key id columns.
  std::string address_of(sqlite3_stmt* statement, int address_column, int key_column, std::int64_t row) const;
  void store_address(std::int64_t id, const std::string& sealed, std::uint32_t key_id);

  std::filesystem::path file_;
  const ehr::host::KeyStore& keys_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
};

}  // namespace ehr::sample
