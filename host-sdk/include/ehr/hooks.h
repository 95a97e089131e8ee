/* ehr/hooks.h: points where an integrator's code, living in the host, extends the plugin.
 *
 * The integrator's function gets its own user_data back. A before-store hook that returns an
 * error status rejects the message (EHR_STATUS_REJECTED reaches the sender with the hook's
 * message); every other hook's failure is logged and ignored. A hook can never corrupt stored
 * data: it runs outside the plugin's transactions. THREADING: hooks may be called concurrently;
 * add/remove may be called at any time. */
#ifndef EHR_HOOKS_H
#define EHR_HOOKS_H

#include "ehr/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehr_hooks ehr_hooks; /* opaque, owned by the plugin until on_shutdown */

typedef uint32_t ehr_hook_point;
enum {
  EHR_HOOK_BEFORE_STORE = 1,    /* a message is about to be stored; may reject */
  EHR_HOOK_AFTER_STORE = 2,     /* a message was durably stored */
  EHR_HOOK_ON_READ = 3,         /* a reader opened a thread */
  EHR_HOOK_SETTINGS_CHANGED = 4 /* a settings page was saved or reset */
};

typedef struct ehr_hook_point_info {
  uint32_t struct_type; /* EHR_STRUCT_HOOK_POINT_INFO */
  uint32_t struct_size;
  ehr_hook_point point;
  uint32_t can_reject;
  ehr_str name; /* e.g. "before_store" */
  ehr_str description;
} ehr_hook_point_info;

typedef struct ehr_hook_event {
  uint32_t struct_type; /* EHR_STRUCT_HOOK_EVENT */
  uint32_t struct_size;
  ehr_hook_point point;
  uint32_t reserved;
  ehr_principal actor;
  ehr_str patient_id;  /* message hooks */
  int64_t thread_id;   /* message hooks; 0 before a new thread exists */
  int64_t message_id;  /* after_store */
  ehr_str subject;     /* before/after store */
  ehr_str body;        /* before/after store: PHI, for the integrator's eyes only */
  ehr_str location_id; /* settings_changed: empty for General */
  ehr_str setting_key; /* settings_changed: one event per changed field */
  ehr_str old_value;
  ehr_str new_value;
} ehr_hook_event;

typedef ehr_status (*ehr_hook_point_sink_fn)(void* sink_ctx, const ehr_hook_point_info* info);

/* Return EHR_STATUS_OK to accept. To reject (before_store only), return an error status and
 * optionally set *out_error, allocated by the hook's side with its own release. */
typedef ehr_status (*ehr_hook_fn)(void* user_data, const ehr_hook_event* event, ehr_error** out_error);

typedef struct ehr_hooks_api {
  uint32_t struct_type; /* EHR_STRUCT_HOOKS_API */
  uint32_t struct_size;
  /* Calls sink for each hook point the plugin offers. */
  ehr_status (*list_points)(ehr_hooks* hooks, void* sink_ctx, ehr_hook_point_sink_fn sink,
                            ehr_error** out_error);
  /* user_data must stay valid until remove_hook returns or the plugin shuts down. */
  ehr_status (*add_hook)(ehr_hooks* hooks, ehr_hook_point point, ehr_hook_fn fn, void* user_data,
                         uint64_t* out_hook_id, ehr_error** out_error);
  /* After it returns, fn is no longer running and will not be called again. */
  ehr_status (*remove_hook)(ehr_hooks* hooks, uint64_t hook_id, ehr_error** out_error);
} ehr_hooks_api;

#ifdef __cplusplus
}
#endif

#endif /* EHR_HOOKS_H */
