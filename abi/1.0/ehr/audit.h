/* ehr/audit.h: the plugin's append-only, hash-chained audit log, readable by the host. */
#ifndef EHR_AUDIT_H
#define EHR_AUDIT_H

#include "ehr/host_services.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehr_audit ehr_audit; /* opaque, owned by the plugin until on_shutdown */

typedef struct ehr_audit_verify_result {
  uint32_t struct_type; /* EHR_STRUCT_AUDIT_VERIFY_RESULT */
  uint32_t struct_size;
  uint64_t records_checked;
  int64_t first_bad_sequence; /* 0 when the chain verifies */
  uint32_t ok;
  uint32_t reserved;
} ehr_audit_verify_result;

typedef ehr_status (*ehr_audit_sink_fn)(void* sink_ctx, const ehr_audit_event* event);

typedef struct ehr_audit_api {
  uint32_t struct_type; /* EHR_STRUCT_AUDIT_API */
  uint32_t struct_size;
  /* Recomputes the chain; an altered, removed or reordered record makes ok 0 and names the first
   * bad sequence. */
  ehr_status (*verify)(ehr_audit* audit, ehr_audit_verify_result* out_result, ehr_error** out_error);
  /* Oldest first; patient_id empty for all. */
  ehr_status (*list)(ehr_audit* audit, ehr_str patient_id, void* sink_ctx, ehr_audit_sink_fn sink,
                     ehr_error** out_error);
} ehr_audit_api;

#ifdef __cplusplus
}
#endif

#endif /* EHR_AUDIT_H */
