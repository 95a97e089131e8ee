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
  AuditVerification verification{result.records_checked, result.first_bad_sequence, result.ok != 0};
  // Zero-filled past what the plugin wrote: a 1.0 plugin reports no finding.
  verification.finding = result.finding;
  if (!verification.ok && verification.finding == EHR_AUDIT_INTACT) verification.finding = EHR_AUDIT_ALTERED;
  verification.checkpoint_sequence = result.checkpoint_sequence;
  verification.checkpoints_checked = result.checkpoints_checked;
  return verification;
}

std::string_view audit_finding_name(ehr_audit_finding finding) {
  switch (finding) {
    case EHR_AUDIT_INTACT:
      return "intact";
    case EHR_AUDIT_ALTERED:
      return "altered";
    case EHR_AUDIT_REMOVED:
      return "removed";
    case EHR_AUDIT_REORDERED:
      return "reordered";
    case EHR_AUDIT_FORGED:
      return "forged";
    case EHR_AUDIT_TRUNCATED:
      return "truncated";
    case EHR_AUDIT_CHECKPOINT_MISMATCH:
      return "checkpoint_mismatch";
    case EHR_AUDIT_UNKEYED:
      return "unkeyed";
    case EHR_AUDIT_CHECKPOINT_MISSING:
      return "checkpoint_missing";
    case EHR_AUDIT_CHECKPOINT_FORGED:
      return "checkpoint_forged";
    case EHR_AUDIT_UNKNOWN_KEY:
      return "unknown_key";
    default:
      return "unknown";
  }
}

std::string describe(const AuditVerification& v) {
  const std::string record = "record " + std::to_string(v.first_bad_sequence);
  const std::string checkpoint = std::to_string(v.checkpoint_sequence);
  switch (v.finding) {
    case EHR_AUDIT_INTACT:
      return "the chain is intact";
    case EHR_AUDIT_ALTERED:
      return record + " was altered (its hash does not verify)";
    case EHR_AUDIT_REMOVED:
      return record + " was removed";
    case EHR_AUDIT_REORDERED:
      return record + " is out of order";
    case EHR_AUDIT_FORGED:
      return record + " was appended by forgery (its MAC does not verify under the audit key)";
    case EHR_AUDIT_TRUNCATED:
      return "the chain was truncated: records from " + std::to_string(v.first_bad_sequence) +
             " on are missing, but the host holds a checkpoint of record " + checkpoint;
    case EHR_AUDIT_CHECKPOINT_MISMATCH:
      return record + " differs from the host's checkpoint of it (rewritten)";
    case EHR_AUDIT_UNKEYED:
      return record + " is not keyed: the chain was rebuilt or extended without the audit key";
    case EHR_AUDIT_CHECKPOINT_MISSING:
      return "the checkpoint of " + record + " is missing from the host's checkpoint file (deleted)";
    case EHR_AUDIT_CHECKPOINT_FORGED:
      return "the host's checkpoint of record " + checkpoint + " was not made by the plugin (forged)";
    case EHR_AUDIT_UNKNOWN_KEY:
      return record + " was made with an audit key the host's key service does not have";
    default:
      return record + " does not verify (finding " + std::to_string(v.finding) + ")";
  }
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

bool AuditLog::records_host_changes() const {
  return binding_->api.append_host_records != nullptr;
}

Status AuditLog::append_host_records(const std::vector<AuditEvent>& events) const {
  if (binding_->api.append_host_records == nullptr)
    return Status::unsupported("plugin " + plugin_id() +
                               " cannot record host changes in its audit log (it predates ABI 1.1)");
  if (events.empty()) return Status();
  detail::CallGuard guard(*binding_->instance, detail::Requires::loaded);
  if (!guard) return guard.status();
  std::vector<ehr_audit_event> c_events;
  c_events.reserve(events.size());
  for (const AuditEvent& event : events) c_events.push_back(detail::to_c(event));
  detail::ErrorSlot error;
  const ehr_status code =
      binding_->api.append_host_records(binding_->handle, c_events.data(), c_events.size(), error.out());
  return error.status(code);
}

}  // namespace ehr::host
