#include "c_abi.hpp"

#include <cstdlib>
#include <new>

namespace ehr::host::detail {

namespace {
void release_sdk_error(ehr_error* error) {
  std::free(error);
}
}  // namespace

// One allocation holds the struct and both strings, so release is a single free.
ehr_error* make_error(const Status& status) {
  const std::string& message = status.message();
  const std::string& field = status.field();
  const std::size_t total = sizeof(ehr_error) + message.size() + 1 + field.size() + 1;
  void* memory = std::malloc(total);
  if (memory == nullptr) return nullptr;
  auto* error = new (memory) ehr_error(make_struct<ehr_error>(EHR_STRUCT_ERROR));
  char* text = static_cast<char*>(memory) + sizeof(ehr_error);
  std::memcpy(text, message.c_str(), message.size() + 1);
  char* field_text = text + message.size() + 1;
  std::memcpy(field_text, field.c_str(), field.size() + 1);
  error->code = status.code();
  error->reason = status.deny_reason();
  error->message = ehr_str{text, message.size()};
  error->field = ehr_str{field_text, field.size()};
  error->release = release_sdk_error;
  return error;
}

Principal from_c(const ehr_principal& principal) {
  Principal out;
  out.kind = principal.kind == EHR_PRINCIPAL_PORTAL_USER ? PrincipalKind::portal_user : PrincipalKind::staff;
  out.id = copy(principal.id);
  return out;
}

AuditEvent from_c(const ehr_audit_event& in) {
  AuditEvent out;
  out.sequence = in.sequence;
  out.at_unix_ms = in.at_unix_ms;
  out.actor = from_c(in.actor);
  out.action = copy(in.action);
  out.patient_id = copy(in.patient_id);
  out.target = copy(in.target);
  out.outcome = copy(in.outcome);
  out.detail = copy(in.detail);
  out.hash = copy(in.hash);
  return out;
}

}  // namespace ehr::host::detail
