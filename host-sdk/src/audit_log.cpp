#include "ehr/host/audit_log.hpp"

#include "c_abi.hpp"
#include "plugin_instance.hpp"

namespace ehr::host {

using detail::copy;
using detail::view;

AuditLog::AuditLog(std::shared_ptr<const detail::AuditBinding> binding) : binding_(std::move(binding)) {}

const std::string& AuditLog::plugin_id() const {
  return binding_->instance->plugin_id;
}

namespace {

struct EventCollector {
  std::vector<AuditEvent> events;
  Status problem;
};

ehr_status event_sink(void* ctx, const ehr_audit_event* event) noexcept {
  auto& collector = *static_cast<EventCollector*>(ctx);
  try {
    ehr_audit_event in;
    if (!detail::read_struct(event, EHR_STRUCT_AUDIT_EVENT, EHR_SIZE_THROUGH(ehr_audit_event, hash), in)) {
      collector.problem = Status::internal("the plugin sent a malformed ehr_audit_event");
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    collector.events.push_back(detail::from_c(in));
    return EHR_STATUS_OK;
  } catch (...) {
    collector.problem = Status::internal("out of memory while reading audit records");
    return EHR_STATUS_INTERNAL;
  }
}

}  // namespace

Result<AuditVerification> AuditLog::verify() const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  auto result = detail::make_struct<ehr_audit_verify_result>(EHR_STRUCT_AUDIT_VERIFY_RESULT);
  detail::ErrorSlot error;
  const ehr_status code = binding_->api.verify(binding_->handle, &result, error.out());
  if (code != EHR_STATUS_OK) return error.status(code);
  return AuditVerification{result.records_checked, result.first_bad_sequence, result.ok != 0};
}

Result<std::vector<AuditEvent>> AuditLog::list(std::string_view patient_id) const {
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  EventCollector collector;
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.list(binding_->handle, view(patient_id), &collector, event_sink, error.out());
  if (!collector.problem.is_ok()) return collector.problem;
  if (code != EHR_STATUS_OK) return error.status(code);
  return std::move(collector.events);
}

}  // namespace ehr::host
