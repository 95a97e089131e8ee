// AuditLog: the C++ wrapper over a plugin's append-only, hash-chained audit log (ehr_audit_api).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
};

// A cheap, copyable handle. THREADING: any method may be called concurrently.
class AuditLog {
 public:
  explicit AuditLog(std::shared_ptr<const detail::AuditBinding> binding);

  const std::string& plugin_id() const;
  // Recomputes the chain; names the first altered, removed or reordered record.
  Result<AuditVerification> verify() const;
  // Oldest first; patient_id empty for every record.
  Result<std::vector<AuditEvent>> list(std::string_view patient_id = {}) const;

 private:
  std::shared_ptr<const detail::AuditBinding> binding_;
};

}  // namespace ehr::host
