// What the sample host's notification service "delivered": kept in the host's data directory so
// that `ehr-host notifications list` can show it later. A real host would hand these to its
// email, SMS and in-app services instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

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

class NotificationStore {
 public:
  // Creates the database file if it does not exist. Throws std::runtime_error naming the file.
  explicit NotificationStore(const std::filesystem::path& file);
  ~NotificationStore();
  NotificationStore(const NotificationStore&) = delete;
  NotificationStore& operator=(const NotificationStore&) = delete;

  // Durably stores one notification; returns its id. Safe from several threads.
  std::int64_t add(const DeliveredNotification& notification);
  // Oldest first.
  [[nodiscard]] std::vector<DeliveredNotification> list() const;

 private:
  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
};

}  // namespace ehr::sample
