// The webhook's delivery outbox on PostgreSQL: global schema version 4 of the PostgreSQL store,
// equal in effect to SQLite's webhook steps (7 and 9). It references messages (version 3).
#pragma once

#include <span>
#include "common/storage.hpp"

namespace ehr::portal {

[[nodiscard]] std::span<const Migration> webhook_postgresql_steps();

}  // namespace ehr::portal
