/* ehr/audit.h: the plugin's append-only, hash-chained audit log, readable by the host. */
#ifndef EHR_AUDIT_H
#define EHR_AUDIT_H

#include "ehr/host_services.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehr_audit ehr_audit; /* opaque, owned by the plugin until on_shutdown */

/* Since 1.1. What `verify` found, when the chain does not verify. */
typedef uint32_t ehr_audit_finding;
enum {
  EHR_AUDIT_INTACT = 0,
  EHR_AUDIT_ALTERED = 1,   /* record first_bad_sequence was changed: its hash (MAC) does not verify */
  EHR_AUDIT_REMOVED = 2,   /* record first_bad_sequence is missing from inside the chain */
  EHR_AUDIT_REORDERED = 3, /* record first_bad_sequence is out of order */
  EHR_AUDIT_FORGED = 4,    /* the chain ends with a record the plugin did not write (its MAC is wrong) */
  EHR_AUDIT_TRUNCATED = 5, /* the chain ends before checkpoint_sequence: records from first_bad_sequence
                            * on were removed */
  EHR_AUDIT_CHECKPOINT_MISMATCH = 6, /* record first_bad_sequence differs from the host's checkpoint */
  EHR_AUDIT_UNKEYED = 7, /* record first_bad_sequence is chained without the audit key: the chain was
                          * rebuilt or extended with the unkeyed algorithm */
  EHR_AUDIT_CHECKPOINT_MISSING = 8, /* the chain says a checkpoint of record first_bad_sequence was
                                     * taken; the host's checkpoints lack it (deleted) */
  EHR_AUDIT_CHECKPOINT_FORGED = 9,  /* the host's checkpoint of record checkpoint_sequence was not
                                     * made by the plugin (its MAC is wrong) */
  EHR_AUDIT_UNKNOWN_KEY = 10        /* record first_bad_sequence names an audit key the host's key
                                     * service does not have */
};

typedef struct ehr_audit_verify_result {
  uint32_t struct_type; /* EHR_STRUCT_AUDIT_VERIFY_RESULT */
  uint32_t struct_size;
  uint64_t records_checked;
  int64_t first_bad_sequence; /* 0 when the chain verifies */
  uint32_t ok;
  uint32_t reserved;
  /* Since 1.1 (a host passes struct_size = sizeof to receive them; the plugin writes no more than
   * struct_size bytes). */
  ehr_audit_finding finding;   /* EHR_AUDIT_INTACT when ok */
  uint32_t reserved2;          /* zero */
  int64_t checkpoint_sequence; /* the host checkpoint concerned (TRUNCATED, CHECKPOINT_FORGED); else 0 */
  uint64_t checkpoints_checked;
} ehr_audit_verify_result;

typedef ehr_status (*ehr_audit_sink_fn)(void* sink_ctx, const ehr_audit_event* event);

typedef struct ehr_audit_api {
  uint32_t struct_type; /* EHR_STRUCT_AUDIT_API */
  uint32_t struct_size;
  /* Recomputes the chain; an altered, removed or reordered record makes ok 0 and names the first
   * bad sequence. Since 1.1 it also checks each record's MAC under the host's audit key and the
   * chain against the host's checkpoints, says what it found (`finding`), and, when the chain
   * verifies, hands the host a new checkpoint of its head. */
  ehr_status (*verify)(ehr_audit* audit, ehr_audit_verify_result* out_result, ehr_error** out_error);
  /* Oldest first; patient_id empty for all. */
  ehr_status (*list)(ehr_audit* audit, ehr_str patient_id, void* sink_ctx, ehr_audit_sink_fn sink,
                     ehr_error** out_error);
  /* Optional. Since 1.1. Records in this plugin's chain what the HOST changed on the plugin's
   * behalf, e.g. assignments of roles this plugin declared: `count` events (an array stepped by
   * each element's struct_size), appended in order in ONE transaction, all or none. Only the host
   * namespace is accepted: action "role.assign" or "role.unassign" (anything else:
   * EHR_STATUS_INVALID_ARGUMENT, field "action", nothing appended); the actor must be a staff
   * principal with an id. The plugin numbers, timestamps and chains the records itself: each
   * event's sequence, at_unix_ms and hash are ignored. The SDK's RoleStore calls this before it
   * commits a role change, so that no change is made that the chain does not hold. */
  ehr_status (*append_host_records)(ehr_audit* audit, const ehr_audit_event* events, size_t count,
                                    ehr_error** out_error);
} ehr_audit_api;

#ifdef __cplusplus
}
#endif

#endif /* EHR_AUDIT_H */
