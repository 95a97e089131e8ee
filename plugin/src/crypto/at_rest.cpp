#include "crypto/at_rest.hpp"

#include <sodium.h>

#include <mutex>

#include "common/error.hpp"
#include "config/plugin_config.hpp"

namespace ehr::portal {

namespace {

constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == sizeof(HostKey::bytes));

// The key id is bound too: a row whose key id column was changed does not open under another key.
std::string associated_data(uint32_t key_id, std::string_view associated) {
  return "ehr-portal-messaging:v1:key " + std::to_string(key_id) + ":" + std::string(associated);
}

bool allow_plaintext(const PluginConfig& config) {
  const std::optional<std::string> value = config.get(AtRest::kAllowPlaintextKey);
  if (!value || *value == "false") return false;
  if (*value == "true") return true;
  throw Error(EHR_STATUS_INVALID_ARGUMENT,
              std::string("the configuration key '") + AtRest::kAllowPlaintextKey + "' takes true or false",
              "config");
}

}  // namespace

AtRest::AtRest(const HostClient& host, const PluginConfig& config) : host_(host) {
  if (sodium_init() < 0) throw Error(EHR_STATUS_INTERNAL, "libsodium could not be initialised");
  const bool opted_out = allow_plaintext(config);
  if (!host.supports_keys()) {
    if (opted_out) return;  // the admin chose clear text knowingly; current_ stays 0
    throw Error(EHR_STATUS_UNSUPPORTED,
                std::string("the host offers no key service (get_key, ABI 1.1): message subjects and bodies "
                            "would be stored in clear. Give the host a key service (the host SDK's "
                            "KeyStore, or libehr_host.so, which has one), or, to store them in clear "
                            "knowingly, set ") +
                    kAllowPlaintextKey +
                    " = true in the plugin's configuration (<host data directory>/plugins/"
                    "portal-messaging.conf). An ABI 1.0 host can do neither: upgrade it.",
                kAllowPlaintextKey);
  }
  refresh_current();
}

AtRest::~AtRest() = default;  // each HostKey wipes itself

bool AtRest::encrypting() const {
  std::shared_lock lock(mutex_);
  return current_ != 0;
}

uint32_t AtRest::current_key_id() const {
  std::shared_lock lock(mutex_);
  return current_;
}

uint32_t AtRest::refresh_current() {
  HostKey fresh = host_.get_key(EHR_KEY_DATA, 0);
  std::unique_lock lock(mutex_);
  current_ = fresh.id;
  keys_.insert_or_assign(fresh.id, fresh);
  return current_;
}

HostKey AtRest::key(uint32_t key_id, bool ask_host, std::string_view what) const {
  {
    std::shared_lock lock(mutex_);
    if (auto found = keys_.find(key_id); found != keys_.end()) return found->second;
  }
  const std::string under =
      "the stored " + std::string(what) + " is encrypted under data key " + std::to_string(key_id);
  if (!host_.supports_keys())
    throw Error(EHR_STATUS_STORAGE, under + ", but the host offers no key service to read it with");
  if (!ask_host) {
    std::shared_lock lock(mutex_);
    if (auto gone = unavailable_.find(key_id); gone != unavailable_.end())
      throw Error(EHR_STATUS_STORAGE, under + ", which the host cannot give: " + gone->second);
    throw Error(EHR_STATUS_STORAGE, under + ", which this process has not loaded yet; it will be retried");
  }
  HostKey fetched;
  try {
    fetched = host_.get_key(EHR_KEY_DATA, key_id);
  } catch (const Error& e) {
    {
      std::unique_lock lock(mutex_);
      unavailable_.insert_or_assign(key_id, e.what());
    }
    throw Error(EHR_STATUS_STORAGE, under + ", which the host cannot give: " + e.what());
  }
  std::unique_lock lock(mutex_);
  keys_.insert_or_assign(key_id, fetched);
  unavailable_.erase(key_id);
  return fetched;
}

void AtRest::preload(uint32_t key_id) const {
  if (key_id != 0) (void)key(key_id, true, "value");
}

void AtRest::preload_for_later(uint32_t key_id) const noexcept {
  try {
    preload(key_id);
  } catch (...) {
    // Remembered by key() with the host's reason (or there is no key service, which key() names).
  }
}

Sealed AtRest::seal(std::string_view plaintext, std::string_view associated) const {
  HostKey sealing;
  {
    std::shared_lock lock(mutex_);
    if (current_ == 0) return Sealed{0, std::string(plaintext)};
    sealing = keys_.at(current_);
  }
  const std::string ad = associated_data(sealing.id, associated);
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(bytes, kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, bytes, sealing.bytes.data());
  out.resize(kNonce + written);
  return Sealed{sealing.id, std::move(out)};
}

std::string AtRest::open(uint32_t key_id, std::string_view stored, std::string_view associated,
                         std::string_view what, bool ask_host) const {
  if (key_id == 0) return std::string(stored);  // written in clear (before 1.1, or opted out)
  const HostKey opening = key(key_id, ask_host, what);
  const std::string ad = associated_data(key_id, associated);
  if (stored.size() < kNonce + kTag)
    throw Error(EHR_STATUS_STORAGE, "the stored " + std::string(what) + " under data key " +
                                        std::to_string(key_id) +
                                        " is too short to be encrypted: it was altered");
  std::string out(stored.size() - kNonce - kTag, '\0');
  unsigned long long size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(stored.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out.data()), &size, nullptr,
                                                 bytes + kNonce, stored.size() - kNonce,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                 bytes, opening.bytes.data()) != 0) {
    throw Error(EHR_STATUS_STORAGE, "the stored " + std::string(what) + " does not decrypt under data key " +
                                        std::to_string(key_id) +
                                        ": it was altered, or copied from another row or field");
  }
  out.resize(size);
  return out;
}

}  // namespace ehr::portal
