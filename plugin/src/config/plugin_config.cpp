#include "config/plugin_config.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "common/error.hpp"
#include "ehr/common.h"

namespace ehr::portal {

namespace {

// Grows with each feature that needs an admin's configuration.
constexpr std::array<ConfigKey, 12> kConfigKeys{{
    {"webhook.url",
     "where each stored message is POSTed as a FHIR Communication (http:// or https://); unset: no webhook"},
    {"webhook.secret",
     "the HMAC-SHA256 key of the X-Signature header (at least 16 characters; required with webhook.url)"},
    {"webhook.max_attempts", "attempts before a message is dead-lettered (1 to 100, default 10)"},
    {"webhook.backoff_base_ms",
     "the wait after a first failed attempt, doubled after each (1 to 3600000, default 1000)"},
    {"webhook.backoff_max_ms", "the longest wait between two attempts (1 to 86400000, default 600000)"},
    {"webhook.timeout_ms",
     "how long one attempt may take to connect, send and be answered (1 to 120000, default 10000)"},
    {"storage.allow_plaintext",
     "true: start on a host without a key service and store message text in clear (default false: refuse)"},
    {"storage", "the plugin's store: sqlite (default, a file in the plugin's data directory) or postgresql"},
    {"storage.postgresql.conninfo",
     "the libpq connection string or URI of the PostgreSQL database, with sslmode (a secret; required with "
     "storage = postgresql)"},
    {"storage.postgresql.pool_size",
     "connections this host keeps to the server at most (1 to 64, default 4)"},
    {"storage.postgresql.statement_timeout_ms",
     "the server cancels a statement running longer (0: no limit; up to 3600000, default 5000)"},
    {"storage.postgresql.acquire_timeout_ms",
     "how long a call waits for a free connection before it fails (1 to 600000, default 5000)"},
}};

std::span<const ConfigKey> known() noexcept {
  return kConfigKeys;
}

std::string known_list() {
  std::string list;
  for (const ConfigKey& key : known()) list += (list.empty() ? "" : ", ") + std::string(key.key);
  return list.empty() ? "none" : list;
}

}  // namespace

std::span<const ConfigKey> config_keys() noexcept {
  return known();
}

PluginConfig::PluginConfig(Entries entries) : entries_(std::move(entries)) {
  std::string unknown;
  std::set<std::string> seen;
  for (const auto& entry : entries_) {
    const std::string& key = entry.first;
    if (!seen.insert(key).second)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "the configuration key '" + key + "' is given twice",
                  "config");
    const bool is_known =
        std::any_of(known().begin(), known().end(), [&](const ConfigKey& k) { return key == k.key; });
    if (!is_known) unknown += (unknown.empty() ? "'" : ", '") + key + "'";
  }
  if (!unknown.empty()) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "unknown configuration key " + unknown +
                    " (this version of portal-messaging knows: " + known_list() + ")",
                "config");
  }
}

std::optional<std::string> PluginConfig::get(const std::string& key) const {
  for (const auto& [k, value] : entries_)
    if (k == key) return value;
  return std::nullopt;
}

int64_t PluginConfig::get_integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) const {
  const std::optional<std::string> text = get(key);
  if (!text) return fallback;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, value);
  if (text->empty() || error != std::errc() || stop != end || value < min || value > max) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "the configuration key '" + key + "' takes a whole number from " + std::to_string(min) +
                    " to " + std::to_string(max),
                "config");
  }
  return value;
}

}  // namespace ehr::portal
