// The plugin's schema, assembled from the steps each feature owns (audit/audit_schema.hpp,
// settings/settings_schema.hpp, messaging/conversation_schema.hpp, webhook/webhook_schema.hpp):
// storage/ runs steps and knows no feature. Versions are places in ONE sequence per database shared
// by the features, as released. SQLite: audit 1, 8 and 11, settings 2 and 5, conversations 3, 4, 6,
// 9 and 10, webhook 7. PostgreSQL: audit 1 and 7, settings 2, conversations 3 and 5, webhook 4, and
// 6, which every feature's writes use (shared_postgresql_steps). A new step takes the next free
// version, in the feature that owns its tables.
#pragma once

#include <initializer_list>
#include <span>
#include <vector>

#include "common/storage.hpp"
#include "storage/migrations.hpp"

namespace ehr::portal {

// The features' step lists as one list, ordered by version (the store's migrate() refuses a gap
// or a version two features claim).
[[nodiscard]] std::vector<Migration> assemble_steps(
    std::initializer_list<std::span<const Migration>> features);

// Every feature's SQLite steps, oldest first: what Portal hands to a SqliteStore.
[[nodiscard]] std::span<const Migration> portal_sqlite_steps();

// Every feature's PostgreSQL steps, oldest first: what Portal hands to a pg::PgStore. Defined in
// portal_schema_postgresql.cpp, with the backend (library portal_postgresql).
[[nodiscard]] std::span<const Migration> portal_postgresql_steps();

// The PostgreSQL steps no one feature owns, because every feature's writes use them: the function
// portal_guess_held(held), the guard of a statement written on a guess whose check is left for
// later (storage::Transaction::check_later). It raises storage::pg::kGuessWrongSqlstate unless
// `held` is true, which makes the server skip the rest of the transaction, COMMIT included.
[[nodiscard]] std::span<const Migration> shared_postgresql_steps();

}  // namespace ehr::portal
