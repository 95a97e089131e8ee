// Adapts AuditLog to ehr_audit_api: verify and list for the host's "audit verify/list".
#include "abi/audit_abi.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "abi/abi_error.hpp"
#include "abi/registration.hpp"
#include "audit/audit_log.hpp"
#include "common/error.hpp"

namespace ehr::portal::abi {

namespace {

AuditLog& log_of(ehr_audit* audit) {
  if (audit == nullptr || audit->log == nullptr) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "no audit handle was given", "audit");
  }
  return *audit->log;
}

ehr_status verify(ehr_audit* audit, ehr_audit_verify_result* out_result, ehr_error** out_error) {
  return guarded(out_error, [&] {
    constexpr size_t kRequired = offsetof(ehr_audit_verify_result, ok) + sizeof(uint32_t);
    if (out_result == nullptr || out_result->struct_size < kRequired) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT,
                  "verify needs an ehr_audit_verify_result with its struct_size set", "out_result");
    }
    const AuditVerification verification = log_of(audit).verify();
    ehr_audit_verify_result result{};
    result.struct_type = EHR_STRUCT_AUDIT_VERIFY_RESULT;
    result.struct_size = static_cast<uint32_t>(std::min<size_t>(out_result->struct_size, sizeof result));
    result.records_checked = verification.records_checked;
    result.first_bad_sequence = verification.first_bad_sequence;
    result.ok = verification.ok ? 1 : 0;
    // Write only as much as the host's struct holds.
    std::memcpy(out_result, &result, result.struct_size);
  });
}

ehr_status list(ehr_audit* audit, ehr_str patient_id, void* sink_ctx, ehr_audit_sink_fn sink,
                ehr_error** out_error) {
  return guarded(out_error, [&] {
    if (sink == nullptr) throw Error(EHR_STATUS_INVALID_ARGUMENT, "list needs a sink", "sink");
    for (const AuditRecord& record : log_of(audit).list(to_string(patient_id))) {
      const ehr_audit_event event = to_abi_event(record);
      if (!sink_continues(sink(sink_ctx, &event), "audit sink")) return;
    }
  });
}

constexpr ehr_audit_api kAuditApi = {EHR_STRUCT_AUDIT_API, sizeof(ehr_audit_api), &verify, &list};

}  // namespace

const ehr_audit_api& audit_api() noexcept {
  return kAuditApi;
}

void register_audit(const ehr_registrar& registrar, ehr_audit* handle) {
  if (registrar.register_audit == nullptr) return;
  ehr_error* host_error = nullptr;
  const ehr_status status = registrar.register_audit(registrar.registrar, &kAuditApi, handle, &host_error);
  check_registration(status, host_error, "the audit log");
}

}  // namespace ehr::portal::abi
