#include "storage/storage_choice.hpp"

#include <libpq-fe.h>

#include <array>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "config/plugin_config.hpp"
#include "ehr/common.h"

namespace ehr::portal {

namespace {

Error invalid(const std::string& key, const std::string& what) {
  return Error(EHR_STATUS_INVALID_ARGUMENT, "the configuration key '" + key + "' " + what, "config");
}

// libpq's own parse errors quote the text around the fault ("missing "=" after "..."", "invalid
// percent-encoded token: "..."), which may be a piece of the password: only the key is named.
void require_parsable(const std::string& conninfo) {
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &message);
  PQfreemem(message);
  if (parsed == nullptr)
    throw invalid(StorageChoice::kConninfoKey,
                  "is not a libpq connection string (key=value pairs) or postgresql:// URI; libpq's "
                  "reason is not repeated, as it may quote the password");
  PQconninfoFree(parsed);
}

}  // namespace

StorageChoice StorageChoice::from(const PluginConfig& config) {
  static constexpr std::array<const char*, 4> kPostgresqlKeys{kConninfoKey, kPoolSizeKey,
                                                              kStatementTimeoutKey, kAcquireTimeoutKey};
  StorageChoice choice;
  const std::optional<std::string> storage = config.get(kStorageKey);
  if (storage && *storage == "postgresql") {
    choice.backend = Backend::postgresql;
  } else if (storage && *storage != "sqlite") {
    throw invalid(kStorageKey, "takes sqlite (the default) or postgresql");
  }
  if (choice.backend == Backend::sqlite) {
    for (const char* key : kPostgresqlKeys)
      if (config.get(key)) throw invalid(key, "applies only with storage = postgresql (the store is SQLite)");
    return choice;
  }
  const std::optional<std::string> conninfo = config.get(kConninfoKey);
  if (!conninfo || conninfo->empty())
    throw invalid(kConninfoKey,
                  "is required with storage = postgresql: the libpq connection string of the "
                  "database, with sslmode");
  require_parsable(*conninfo);
  choice.conninfo = *conninfo;
  choice.pool_size = static_cast<std::size_t>(config.get_integer(kPoolSizeKey, 4, 1, 64));
  choice.statement_timeout =
      std::chrono::milliseconds(config.get_integer(kStatementTimeoutKey, 5000, 0, 3600000));
  choice.acquire_timeout = std::chrono::milliseconds(config.get_integer(kAcquireTimeoutKey, 5000, 1, 600000));
  return choice;
}

}  // namespace ehr::portal
