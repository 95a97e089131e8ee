// The audit log's tables, as the audit feature owns them: its SQLite steps (1 and 8 of the
// plugin's sequence, which Portal assembles: portal_schema.hpp). Never edited once released.
#pragma once

#include <span>

#include "common/storage.hpp"
#include "storage/migrations.hpp"

namespace ehr::portal {

[[nodiscard]] std::span<const Migration> audit_sqlite_steps();

// SQLite's trigger refusing UPDATE on the audit log, as step 1 creates it: AuditLog::start()
// drops and restores it inside the one transaction that re-chains an unkeyed log under the key.
extern const char* const kAuditRefuseUpdateTriggerSql;

}  // namespace ehr::portal
