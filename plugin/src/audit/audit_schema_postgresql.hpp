// The audit log's tables on PostgreSQL: global schema version 1 of the PostgreSQL store, equal in
// effect to SQLite's audit steps (1 and 8).
#pragma once

#include <span>
#include <string_view>

namespace ehr::portal {

struct Migration;

[[nodiscard]] std::span<const Migration> audit_postgresql_steps();

// The trigger refusing UPDATE, as step 1 creates it (its function stays): re-chaining an unkeyed
// log drops it (DROP TRIGGER audit_log_refuse_update ON audit_log) and restores it with this, in
// the one transaction that updates the records.
extern const std::string_view kAuditRefuseUpdateTriggerPostgresqlSql;

}  // namespace ehr::portal
