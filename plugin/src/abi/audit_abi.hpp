#pragma once

#include "ehr/plugin.h"

namespace ehr::portal {
class AuditLog;
}

// The handle the host passes back to every audit call. OWNERSHIP: the plugin's, until on_shutdown.
struct ehr_audit {
  ehr::portal::AuditLog* log;
};

namespace ehr::portal::abi {

[[nodiscard]] const ehr_audit_api& audit_api() noexcept;
// Skipped when the host does not read plugin audit logs; throws Error when it refuses.
void register_audit(const ehr_registrar& registrar, ehr_audit* handle);

}  // namespace ehr::portal::abi
