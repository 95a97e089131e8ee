// KeyStore: the host's keys for its plugins (host_services.h get_key, ABI 1.1), kept outside every
// plugin's database, so that a copy of a database or of its backup reveals no message (R-SEC-2).
//
// The keys come from the environment variable EHR_HOST_KEYS when it is set, else from the file
// `keys` in the host data directory (mode 0600), which is created on first start with a fresh
// random key for each purpose. Both hold the same text: one key per line,
//
//   <key id> <purpose> <base64 of 32 bytes>      e.g.  3 data q83vEjRWeJq8...=
//
// purpose `data` or `audit`; ids are whole numbers from 1, unique across the file; the current
// key of a purpose is its highest id. Blank lines and lines starting with '#' are ignored; in
// EHR_HOST_KEYS a ';' also ends a line. Rotation appends a new current key and keeps the old
// ones, which still read what was written under them.
//
// THREADING: every method is thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/host/host_types.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

class KeyStore {
 public:
  static constexpr const char* kEnvironmentVariable = "EHR_HOST_KEYS";
  static constexpr const char* kFileName = "keys";

  // The keys of EHR_HOST_KEYS when set, else of host_data_directory/keys, creating the file (and
  // the directory, 0700) with a fresh key per purpose when missing, and appending a fresh key for
  // a purpose the file has none of. Fails naming the file (or variable) and line of a malformed
  // entry, a file that is not private to its owner, or one that cannot be written.
  static Result<std::unique_ptr<KeyStore>> open(const std::filesystem::path& host_data_directory);
  // The keys of `text` (the format above), kept in memory only; `source` names it in errors.
  static Result<std::unique_ptr<KeyStore>> from_text(std::string_view text, std::string source);
  // Fresh random keys for every purpose, in memory only: for tests and for hosts that keep keys
  // elsewhere and hand them over themselves.
  static std::unique_ptr<KeyStore> generate();

  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // key_id 0: the current key of the purpose; else that key, which must be of that purpose. An id
  // this store has not seen is looked up in the file again, so a running host reads what another
  // process rotated in. NOT_FOUND naming the id (or the purpose) and where the keys come from.
  Result<Key> get(KeyPurpose purpose, std::uint32_t key_id) const;
  // Makes a new current key for the purpose: appended to the file (under a lock, re-reading what
  // another process may have appended) or, in memory, added. Keys from EHR_HOST_KEYS cannot be
  // rotated here: UNSUPPORTED, saying to add a line to the variable instead.
  Result<Key> rotate(KeyPurpose purpose);
  // Where the keys come from: the file's path, "EHR_HOST_KEYS" or "memory".
  const std::string& source() const noexcept { return source_; }
  // Whether rotate() can make a new key (false for EHR_HOST_KEYS).
  bool can_rotate() const noexcept { return !from_environment_; }
  // The number of keys of each purpose (none secret), e.g. for `keys list`.
  std::vector<std::pair<std::uint32_t, KeyPurpose>> list() const;

 private:
  KeyStore(std::string source, std::filesystem::path file, bool from_environment);
  Status reload_locked();

  mutable std::mutex mutex_;
  std::string source_;
  std::filesystem::path file_;  // empty: in memory
  bool from_environment_ = false;
  mutable std::vector<Key> keys_;  // read again by get() when asked for an id it lacks
};

// "data" or "audit".
const char* key_purpose_name(KeyPurpose purpose) noexcept;

}  // namespace ehr::host
