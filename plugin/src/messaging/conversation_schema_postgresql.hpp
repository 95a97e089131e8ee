// The conversation tables on PostgreSQL: global schema version 3 of the PostgreSQL store, equal
// in effect to SQLite's conversation steps (3, 4, 6 and 9; conversation_schema.hpp).
#pragma once

#include <span>
#include "common/storage.hpp"

namespace ehr::portal {

[[nodiscard]] std::span<const Migration> conversations_postgresql_steps();

}  // namespace ehr::portal
