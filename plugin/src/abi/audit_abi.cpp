// Adapts AuditLog to ehr_audit_api: verify and list for the host's "audit verify/list".
#include "abi/audit_abi.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

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
    result.finding = verification.finding;
    result.checkpoint_sequence = verification.checkpoint_sequence;
    result.checkpoints_checked = verification.checkpoints_checked;
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

ehr_status append_host_records(ehr_audit* audit, const ehr_audit_event* events, size_t count,
                               ehr_error** out_error) {
  return guarded(out_error, [&] {
    if (events == nullptr && count > 0)
      throw Error(EHR_STATUS_INVALID_ARGUMENT, "append_host_records needs its events", "events");
    std::vector<AuditEntry> entries;
    entries.reserve(count);
    for (const ehr_audit_event& event :
         copy_host_array(events, count, EHR_STRUCT_AUDIT_EVENT, EHR_SIZE_THROUGH(ehr_audit_event, detail),
                         "ehr_audit_event", "events")) {
      auto actor =
          abi_support::copy_struct(&event.actor, EHR_STRUCT_PRINCIPAL, EHR_SIZE_THROUGH(ehr_principal, id));
      if (!actor || actor->kind != EHR_PRINCIPAL_STAFF)
        throw Error(EHR_STATUS_INVALID_ARGUMENT, "a host audit record needs a staff user as its actor",
                    "actor");
      AuditEntry entry;
      entry.actor = Principal::staff(to_string(actor->id));
      entry.action = to_string(event.action);
      entry.patient_id = to_string(event.patient_id);
      entry.target = to_string(event.target);
      entry.outcome = event.outcome.size == 0 ? "ok" : to_string(event.outcome);
      entry.detail = to_string(event.detail);
      entries.push_back(std::move(entry));
    }
    log_of(audit).append_host_records(std::move(entries));
  });
}

constexpr ehr_audit_api kAuditApi = {EHR_STRUCT_AUDIT_API, sizeof(ehr_audit_api), &verify, &list,
                                     &append_host_records};

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
