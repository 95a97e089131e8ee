// Encryption at rest (R-SEC-2): what the plugin stores of message subjects and bodies (and the
// webhook's pending payloads, which carry them) is sealed with XChaCha20-Poly1305 (IETF, libsodium)
// under the host's data key (get_key, ABI 1.1). Each value has its own random nonce, and its row's
// ids and field as associated data, so a ciphertext copied into another row or field fails to open
// instead of showing another message. The key id is stored with each row: 0 means clear text (rows
// written before this version, or by a host whose admin opted out), and a rotation re-encrypts
// rows under the new key in batches (ConversationService::rekey).
//
// THREADING: every method is thread-safe. Keys are asked of the host only from a call the host
// made (never from a plugin thread of its own) and kept in memory, wiped when dropped.
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "host/host_client.hpp"

namespace ehr::portal {

class PluginConfig;

// A value as stored: its key id (0: clear text) and the bytes (nonce, ciphertext and tag).
struct Sealed {
  uint32_t key_id = 0;
  std::string bytes;
};

class AtRest {
 public:
  // The configuration key by which a host admin without a key service stores text in clear.
  static constexpr const char* kAllowPlaintextKey = "storage.allow_plaintext";

  // Asks the host for its current data key. Without a key service (a 1.0 host, or a 1.1 host
  // whose table has no get_key) throws Error(EHR_STATUS_UNSUPPORTED) saying that message text
  // would be stored in clear and how to opt out, unless the configuration opts out: then new text
  // is stored in clear (key id 0).
  AtRest(const HostClient& host, const PluginConfig& config);
  ~AtRest();
  AtRest(const AtRest&) = delete;
  AtRest& operator=(const AtRest&) = delete;

  // Whether new values are encrypted (false only for an admin's opt-out without a key service).
  [[nodiscard]] bool encrypting() const;
  // The key new values are sealed under; 0 when storing in clear.
  [[nodiscard]] uint32_t current_key_id() const;

  // `associated` names the row and field (e.g. "message:<thread id>:<message id>:body").
  [[nodiscard]] Sealed seal(std::string_view plaintext, std::string_view associated) const;
  // The plaintext of a stored value. Throws Error(EHR_STATUS_STORAGE) naming `what` and the key
  // id when the host does not have that key, when there is no key service, or when the value does
  // not open (altered, or moved from another row or field). ask_host false: from a plugin thread,
  // which must not call the host; an unknown key id then fails as well.
  [[nodiscard]] std::string open(uint32_t key_id, std::string_view stored, std::string_view associated,
                                 std::string_view what, bool ask_host = true) const;
  // Loads a key by id now (from a host call), so that a plugin thread can open values under it.
  void preload(uint32_t key_id) const;
  // The same for values a plugin thread opens later (the webhook's payloads), where a key the host
  // cannot give must not stop the caller: it is remembered with the host's reason, which an
  // open(..., ask_host false) under it names, until a later load succeeds.
  void preload_for_later(uint32_t key_id) const noexcept;

  // Asks the host for its current data key again (after a rotation) and seals under it from now
  // on. Returns its id. Throws as the constructor does.
  uint32_t refresh_current();

 private:
  [[nodiscard]] HostKey key(uint32_t key_id, bool ask_host, std::string_view what) const;

  const HostClient& host_;
  mutable std::shared_mutex mutex_;
  mutable std::map<uint32_t, HostKey> keys_;             // every key used so far, by id
  mutable std::map<uint32_t, std::string> unavailable_;  // key id -> why the host could not give it
  uint32_t current_ = 0;                                 // 0: store in clear (opted out)
};

}  // namespace ehr::portal
