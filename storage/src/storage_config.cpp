#include "storage/storage_config.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "storage/error.hpp"

namespace ehr::storage {

namespace {

constexpr std::array<const char*, 4> kPostgresqlKeys{kConninfoKey, kPoolSizeKey, kStatementTimeoutKey,
                                                     kAcquireTimeoutKey};

Error refused(std::string_view key, std::string_view source, const std::string& what) {
  return Error(EHR_STATUS_INVALID_ARGUMENT,
               "the key '" + std::string(key) + "' in " + std::string(source) + " " + what, "config");
}

// A whole number in [min, max], or `fallback` when the key is absent.
std::int64_t integer(const std::map<std::string, std::string>& keys, const char* key, std::string_view source,
                     std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const auto found = keys.find(key);
  if (found == keys.end()) return fallback;
  const std::string& text = found->second;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < min || value > max)
    throw refused(key, source,
                  "takes a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return value;
}

// libpq's own parse errors quote the text around the fault ("missing "=" after "..."", "invalid
// percent-encoded token: "..."), which may be a piece of the password: only the key is named.
void require_parsable(const std::string& conninfo, std::string_view source) {
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &message);
  PQfreemem(message);
  if (parsed == nullptr)
    throw refused(kConninfoKey, source,
                  "is not a libpq connection string (key=value pairs) or postgresql:// URI; libpq's reason "
                  "is not repeated, as it may quote the password");
  PQconninfoFree(parsed);
}

}  // namespace

bool is_storage_key(std::string_view key) noexcept {
  return key == kStorageKey || std::any_of(kPostgresqlKeys.begin(), kPostgresqlKeys.end(),
                                           [&](const char* known) { return key == known; });
}

StorageConfig parse_storage_config(const std::map<std::string, std::string>& keys, std::string_view source) {
  StorageConfig config;
  if (const auto storage = keys.find(kStorageKey); storage != keys.end()) {
    if (storage->second == "postgresql")
      config.backend = StorageConfig::Backend::postgresql;
    else if (storage->second != "sqlite")
      throw refused(kStorageKey, source, "takes sqlite (the default) or postgresql");
  }
  if (config.backend == StorageConfig::Backend::sqlite) {
    for (const char* key : kPostgresqlKeys)
      if (keys.count(key) != 0)
        throw refused(key, source, "applies only with storage = postgresql (the store is SQLite)");
    return config;
  }
  const auto conninfo = keys.find(kConninfoKey);
  if (conninfo == keys.end() || conninfo->second.empty())
    throw refused(kConninfoKey, source,
                  "is required with storage = postgresql: the libpq connection string of the database, "
                  "with sslmode");
  require_parsable(conninfo->second, source);
  config.postgresql.conninfo = conninfo->second;
  config.postgresql.pool_size = static_cast<std::size_t>(integer(keys, kPoolSizeKey, source, 4, 1, 64));
  config.postgresql.statement_timeout =
      std::chrono::milliseconds(integer(keys, kStatementTimeoutKey, source, 5000, 0, 3600000));
  config.postgresql.acquire_timeout =
      std::chrono::milliseconds(integer(keys, kAcquireTimeoutKey, source, 5000, 1, 600000));
  return config;
}

}  // namespace ehr::storage
