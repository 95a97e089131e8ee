// The webhook's outbox table, as the webhook feature owns it: its SQLite step (7 of the plugin's
// sequence, which Portal assembles: portal_schema.hpp). Never edited once released.
#pragma once

#include <span>

#include "common/storage.hpp"
#include "storage/migrations.hpp"

namespace ehr::portal {

[[nodiscard]] std::span<const Migration> webhook_sqlite_steps();

}  // namespace ehr::portal
