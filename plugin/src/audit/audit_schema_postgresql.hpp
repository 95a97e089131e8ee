// The audit log's tables on PostgreSQL: global schema version 1 of the PostgreSQL store, equal in
// effect to SQLite's audit steps (1 and 8).
#pragma once

#include <span>
#include "common/storage.hpp"

namespace ehr::portal {

// Re-chaining an unkeyed log (AuditLog::start) disables audit_log_refuse_update for the one
// transaction that updates the records: the trigger keeps that name.
[[nodiscard]] std::span<const Migration> audit_postgresql_steps();

}  // namespace ehr::portal
