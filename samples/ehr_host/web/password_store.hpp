// Sign-in passwords of the reference host's staff and portal users: argon2id hashes
// (libsodium crypto_pwhash_str) in one file of the host data directory, readable by its owner only.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace ehr::sample::web {

class PasswordStore {
 public:
  static constexpr const char* kFileName = "passwords.json";
  static constexpr std::size_t kMinimumLength = 10;

  explicit PasswordStore(std::filesystem::path data_directory);

  // Stores the hash of `password` for `principal` ("admin", "portal:rachel"), replacing any
  // earlier one. Throws std::invalid_argument for a password that is too short,
  // std::runtime_error when the file cannot be written (nothing is changed then).
  void set(std::string_view principal, std::string_view password);
  // Re-reads the file each time, so that `users set-password` takes effect on a running server.
  // Spends the same time whether or not the principal has a password, so that a failed sign-in
  // does not tell which accounts exist.
  [[nodiscard]] bool verify(std::string_view principal, std::string_view password) const;

 private:
  std::filesystem::path file_;
  mutable std::mutex mutex_;
};

}  // namespace ehr::sample::web
