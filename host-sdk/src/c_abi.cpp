#include "c_abi.hpp"

namespace ehr::host::detail {

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
