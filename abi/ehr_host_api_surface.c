/* The surface of the host C API (host-sdk/include/ehr/host_api.h) as libabigail sees it: a shared
 * object compiled from the header alone, exporting one function per API function whose parameter
 * points to it (so `abidw` records each function's signature and every struct it reaches) plus one
 * function per struct of its own. scripts/abi-check diffs it against abi/ehr_host_api.abi.
 * Built as gnu99 for __typeof__. When the header gains a function or a struct, add its line here;
 * host_capi.library_exports_only_the_api checks the library exports exactly the functions below. */
#include "ehr/host_api.h"

#define EHR_HOST_API_FUNCTIONS(X)             \
  X(ehr_host_api_version)                     \
  X(ehr_host_plugin_abi_version)              \
  X(ehr_host_error_free)                      \
  X(ehr_host_error_new)                       \
  X(ehr_host_status_name)                     \
  X(ehr_host_deny_reason_name)                \
  X(ehr_host_create)                          \
  X(ehr_host_destroy)                         \
  X(ehr_host_discover)                        \
  X(ehr_host_list_plugins)                    \
  X(ehr_host_plugin_info_get)                 \
  X(ehr_host_verify_plugin)                   \
  X(ehr_host_enable_plugin)                   \
  X(ehr_host_disable_plugin)                  \
  X(ehr_host_shutdown)                        \
  X(ehr_host_list_settings_plugins)           \
  X(ehr_host_settings_describe)               \
  X(ehr_host_settings_save)                   \
  X(ehr_host_settings_reset)                  \
  X(ehr_host_settings_effective)              \
  X(ehr_host_list_roles_sections)             \
  X(ehr_host_role_store_open)                 \
  X(ehr_host_role_store_close)                \
  X(ehr_host_role_store_declare_role)         \
  X(ehr_host_role_store_declare_plugin_roles) \
  X(ehr_host_role_store_has_role)             \
  X(ehr_host_role_store_members)              \
  X(ehr_host_role_store_roles_of)             \
  X(ehr_host_role_store_set)                  \
  X(ehr_host_role_store_assign)               \
  X(ehr_host_role_store_unassign)             \
  X(ehr_host_role_store_seed)                 \
  X(ehr_host_role_store_changes)              \
  X(ehr_host_list_channels)                   \
  X(ehr_host_channel_explain)                 \
  X(ehr_host_channel_recipients)              \
  X(ehr_host_channel_start)                   \
  X(ehr_host_channel_reply)                   \
  X(ehr_host_channel_list)                    \
  X(ehr_host_channel_unread)                  \
  X(ehr_host_channel_read)                    \
  X(ehr_host_channel_set_archived)            \
  X(ehr_host_channel_invite)                  \
  X(ehr_host_hook_points)                     \
  X(ehr_host_hook_add)                        \
  X(ehr_host_hook_remove)                     \
  X(ehr_host_audit_verify)                    \
  X(ehr_host_audit_list)                      \
  X(ehr_host_channel_add_participant)         \
  X(ehr_host_channel_participants)            \
  X(ehr_host_channel_brand)

/* One surface function per API function, taking a pointer to it: abidw records each signature
 * under the function's own name, so a changed signature shows as a changed function and a new one
 * as an added function (reviewed, then recorded with --update). A struct of all the pointers
 * would hide a reorder behind libabigail's "inserted at end" suppression. */
#define EHR_HOST_API_SIGNATURE(name)                                            \
  EHR_HOST_API void ehr_host_api_signature_##name(__typeof__(name)* function) { \
    (void)function;                                                             \
  }
EHR_HOST_API_FUNCTIONS(EHR_HOST_API_SIGNATURE)

#define EHR_HOST_API_SURFACE(type)                                   \
  EHR_HOST_API void ehr_host_api_surface_##type(const type* value) { \
    (void)value;                                                     \
  }

EHR_HOST_API_SURFACE(ehr_host_options)
EHR_HOST_API_SURFACE(ehr_host_trusted_key)
EHR_HOST_API_SURFACE(ehr_host_plugin_info)
EHR_HOST_API_SURFACE(ehr_host_verification)
EHR_HOST_API_SURFACE(ehr_host_user_directory)
EHR_HOST_API_SURFACE(ehr_host_role_change)
