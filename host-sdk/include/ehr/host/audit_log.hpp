// AuditLog: the C++ wrapper over a plugin's append-only, hash-chained audit log (ehr_audit_api).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/audit.h"
#include "ehr/host/host_types.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host {

namespace detail {
struct AuditBinding;
}

struct AuditVerification {
  std::uint64_t records_checked = 0;
  std::int64_t first_bad_sequence = 0;  // 0 when the chain verifies
  bool ok = false;
  // Since 1.1 (a 1.0 plugin leaves them zero: EHR_AUDIT_INTACT when ok, ALTERED otherwise).
  ehr_audit_finding finding = EHR_AUDIT_INTACT;
  std::int64_t checkpoint_sequence = 0;  // the host checkpoint concerned, if any
  std::uint64_t checkpoints_checked = 0;
};

// "truncated", "forged", ...: the finding as a word for scripts (ehr-host audit verify --json).
[[nodiscard]] std::string_view audit_finding_name(ehr_audit_finding finding);
// What the finding means for this chain, naming the record (and checkpoint), for an admin:
// e.g. "records from 41 on were removed (the host holds a checkpoint of record 57)".
[[nodiscard]] std::string describe(const AuditVerification& verification);

// A cheap, copyable handle. THREADING: any method may be called concurrently.
class AuditLog {
 public:
  explicit AuditLog(std::shared_ptr<const detail::AuditBinding> binding);

  const std::string& plugin_id() const;
  // Recomputes the chain; names the first altered, removed or reordered record.
  Result<AuditVerification> verify() const;
  // Oldest first; patient_id empty for every record.
  Result<std::vector<AuditEvent>> list(std::string_view patient_id = {}) const;
  // Records what the host changed on the plugin's behalf (ehr_audit_api.append_host_records):
  // all of `events` in one plugin transaction, or none. Only actions "role.assign" and
  // "role.unassign"; sequence, time and hash are the plugin's. Unsupported when the plugin's
  // audit table lacks the function (a plugin older than 1.1).
  Status append_host_records(const std::vector<AuditEvent>& events) const;
  // Whether the plugin's audit table has append_host_records.
  bool records_host_changes() const;

 private:
  std::shared_ptr<const detail::AuditBinding> binding_;
};

}  // namespace ehr::host
