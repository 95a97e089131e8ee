#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>
#include "common/storage.hpp"

namespace ehr::portal {

// Persists Portal Settings values by scope ('' is General, else a location id), inside the
// caller's transaction. A location "has its own settings" exactly while its scope row exists.
namespace settings_store {

[[nodiscard]] std::map<std::string, std::string> values(Transaction& tx, std::string_view scope);
[[nodiscard]] bool has_own(Transaction& tx, std::string_view scope);
void mark_saved(Transaction& tx, std::string_view scope, std::string_view actor, int64_t at_unix_ms);
void put(Transaction& tx, std::string_view scope, std::string_view key, std::string_view value);
// Drops a scope and its values.
void drop(Transaction& tx, std::string_view scope);
// The locations that have their own settings (General's '' excluded).
[[nodiscard]] std::vector<std::string> own_locations(Transaction& tx);
// Grows with every change to the settings tables, by whichever connection made it (triggers).
[[nodiscard]] int64_t version(Transaction& tx);
// In a transaction that defers its checks (Transaction::check_later): the version is still
// `expected`, or nothing of the transaction is stored.
void check_version_later(Transaction& tx, int64_t expected);

}  // namespace settings_store
}  // namespace ehr::portal
