// The portal settings' tables on PostgreSQL: global schema version 2 of the PostgreSQL store,
// equal in effect to SQLite's settings steps (2 and 5).
#pragma once

#include <span>
#include "common/storage.hpp"

namespace ehr::portal {

[[nodiscard]] std::span<const Migration> settings_postgresql_steps();

}  // namespace ehr::portal
