/* ehr/host_api.h: the host C API. Everything a C++ host gets from the host SDK (ehr::host),
 * as flat C functions for hosts written in C, Python, PHP, Java, Node.js, Go... Shipped as
 * libehr_host.so, which exports only the ehr_host_* functions declared here; the C++ SDK is its
 * implementation. Version: EHR_HOST_API_VERSION (major.minor, as the plugin ABI's).
 *
 * Conventions (the plugin ABI's, see ehr/common.h):
 *  - Every struct starts with struct_type and struct_size; fields are only appended. The tags of
 *    this API start at 1000 (EHR_HOST_STRUCT_*), the plugin ABI's structs keep theirs.
 *  - Requests, results and sinks reuse the plugin ABI's structs (ehr_start_request, ehr_sent,
 *    ehr_page_sink, ehr_audit_event, ...): a host builds what a plugin reads.
 *  - Every function returns an ehr_status; details of a failure come back through the optional
 *    out_error, which the caller frees with ehr_host_error_free (the message never holds PHI; for
 *    messaging refusals error->reason is an ehr_deny_reason, see ehr_host_deny_reason_name).
 *  - Arrays of structs (options.trusted_keys, settings values, recipients) are stepped by each
 *    element's own struct_size, as the plugin ABI's are (common.h).
 *  - Strings are UTF-8 views valid for the call. Views a sink receives are valid only during that
 *    sink call: copy what you keep. A sink returns EHR_STATUS_OK to go on, EHR_STATUS_STOP to stop
 *    early (the call then answers EHR_STATUS_OK), any other status to fail the call with it.
 *
 * OWNERSHIP: ehr_host_create copies the options and the services table; the `host` context the
 * table points to must outlive the ehr_host. ehr_host_destroy shuts the plugins down and frees
 * the handle. A role store is independent of any ehr_host and freed by ehr_host_role_store_close.
 *
 * THREADING (read this before writing a binding):
 *  - Every function may be called from any thread, concurrently; lifecycle calls (discover,
 *    enable, disable, shutdown, destroy) run one at a time and wait for calls in flight.
 *  - Host services and hooks are called back from inside these calls, and ALSO FROM OTHER THREADS
 *    while the calling thread waits inside the call: e.g. the messaging plugin commits the writes
 *    of concurrent calls together, and the call that commits a batch asks `now` and mirrors
 *    `audit` records for the others while their ehr_host_channel_start waits for the commit. So,
 *    with the default EHR_HOST_CALLBACKS_ANY_THREAD:
 *      * callbacks must be thread-safe and must not wait for the thread that made the call;
 *      * a binding with an interpreter lock must release it for the duration of every ehr_host_*
 *        call (Python's ctypes.CDLL does; ctypes.PyDLL would deadlock);
 *      * a callback answers from the host's own data: it must not call back into ehr_host_*
 *        functions of the same host, nor of another host that loads the same plugin (a send from
 *        a callback of a write being committed would wait for itself, which the plugin refuses,
 *        or for a call that waits for it; lifecycle functions of the same host answer
 *        EHR_STATUS_CONFLICT). The role store is not a host: its
 *        functions may be called from callbacks (user_has_role usually does).
 *  - A runtime that cannot take a call on a foreign thread (PHP, a single-threaded event loop)
 *    sets callbacks = EHR_HOST_CALLBACKS_CALLING_THREAD: each call then runs on an internal thread
 *    while the calling thread waits and runs every callback of that call itself, whichever
 *    thread asked. Calls on one ehr_host are then serialized, and a callback must not call
 *    ehr_host_* functions of the same ehr_host (it gets EHR_STATUS_CONFLICT). */
#ifndef EHR_HOST_API_H
#define EHR_HOST_API_H

#include "ehr/audit.h"
#include "ehr/channel.h"
#include "ehr/common.h"
#include "ehr/hooks.h"
#include "ehr/host_services.h"
#include "ehr/roles.h"
#include "ehr/settings.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EHR_HOST_API_VERSION_MAJOR 1
#define EHR_HOST_API_VERSION_MINOR 0
#define EHR_HOST_API_VERSION EHR_MAKE_VERSION(EHR_HOST_API_VERSION_MAJOR, EHR_HOST_API_VERSION_MINOR)

/* struct_type tags of this API. Numbers never change. */
enum {
  EHR_HOST_STRUCT_OPTIONS = 1001,
  EHR_HOST_STRUCT_TRUSTED_KEY = 1002,
  EHR_HOST_STRUCT_PLUGIN_INFO = 1003,
  EHR_HOST_STRUCT_VERIFICATION = 1004,
  EHR_HOST_STRUCT_USER_DIRECTORY = 1005,
  EHR_HOST_STRUCT_ROLE_CHANGE = 1006
};

#ifndef EHR_HOST_API
#if defined(__GNUC__) || defined(__clang__)
#define EHR_HOST_API __attribute__((visibility("default")))
#else
#define EHR_HOST_API
#endif
#endif

typedef struct ehr_host ehr_host;                       /* a plugin manager and its registries */
typedef struct ehr_host_role_store ehr_host_role_store; /* role assignments kept by the SDK */

/* ---- Basics ---------------------------------------------------------------------------------- */

/* The API version this library implements; a binding checks the major. */
EHR_HOST_API uint32_t ehr_host_api_version(void);
/* The plugin ABI version this library's plugin manager speaks up to. */
EHR_HOST_API uint32_t ehr_host_plugin_abi_version(void);
/* Frees an error this library returned (or any ehr_error, through its own release). NULL is ok. */
EHR_HOST_API void ehr_host_error_free(ehr_error* error);
/* An error a host-side callback returns (a before_store hook's refusal, a failed host service).
 * Released by ehr_host_error_free or by the plugin manager that receives it. NULL out of memory. */
EHR_HOST_API ehr_error* ehr_host_error_new(ehr_status code, ehr_str message, ehr_str field, uint32_t reason);
/* Stable words, never NULL: "forbidden", "not_on_care_team", "enabled", ... */
EHR_HOST_API const char* ehr_host_status_name(ehr_status status);
EHR_HOST_API const char* ehr_host_deny_reason_name(uint32_t reason);

/* ---- The plugin manager ---------------------------------------------------------------------- */

typedef struct ehr_host_trusted_key {
  uint32_t struct_type; /* EHR_HOST_STRUCT_TRUSTED_KEY */
  uint32_t struct_size;
  ehr_str key_id;            /* the manifest's <signature key-id> */
  ehr_str public_key_base64; /* an Ed25519 public key, 32 bytes */
} ehr_host_trusted_key;

typedef uint32_t ehr_host_callbacks;
enum {
  EHR_HOST_CALLBACKS_ANY_THREAD = 0,    /* callbacks come on whatever thread asks (default) */
  EHR_HOST_CALLBACKS_CALLING_THREAD = 1 /* callbacks run on the thread that made the call */
};

typedef struct ehr_host_options {
  uint32_t struct_type; /* EHR_HOST_STRUCT_OPTIONS */
  uint32_t struct_size;
  ehr_str plugins_directory;   /* holds the *.plugin.xml manifests */
  ehr_str host_data_directory; /* created if missing; one folder per plugin inside */
  const ehr_host_trusted_key* trusted_keys;
  size_t trusted_key_count;
  uint32_t require_signatures; /* 1: refuse plugins without a valid signature by a trusted key */
  uint32_t start_new_disabled; /* 1: a plugin seen for the first time starts disabled */
  uint32_t abi_min_version;    /* 0: the whole 1.x range this library was built with */
  uint32_t abi_max_version;    /* 0: likewise */
  ehr_host_callbacks callbacks;
  uint32_t reserved;
} ehr_host_options;

/* Validates the options and builds the manager; loads nothing yet (see ehr_host_discover).
 * `services` is the plugin ABI's host services table: log, now and the lookups are required,
 * notify and audit optional (NULL: not offered; a plugin whose manifest needs one is refused).
 * get_key (ABI 1.1) is optional too: a table without it (NULL, or a 1.0 table) gets the library's
 * own key service, the keys of the environment variable EHR_HOST_KEYS when set, else of the file
 * `keys` in host_data_directory (mode 0600), created with fresh random keys on first start; a
 * malformed key file or variable fails here, naming it and the line. */
EHR_HOST_API ehr_status ehr_host_create(const ehr_host_options* options, const ehr_host_services* services,
                                        ehr_host** out_host, ehr_error** out_error);
/* Shuts down what is still running and frees the host. NULL is ok. Not from inside a callback. */
EHR_HOST_API void ehr_host_destroy(ehr_host* host);

/* Scans the plugins directory and loads each plugin not loaded yet; a plugin that fails is
 * recorded in its info (state "failed", the cause and the problem) and the others go on. Fails
 * only when the directory cannot be read or the host data directory cannot be created. */
EHR_HOST_API ehr_status ehr_host_discover(ehr_host* host, ehr_error** out_error);

typedef uint32_t ehr_host_plugin_state;
enum {
  EHR_HOST_PLUGIN_FAILED = 0,
  EHR_HOST_PLUGIN_ENABLED = 1,
  EHR_HOST_PLUGIN_DISABLED = 2,
  EHR_HOST_PLUGIN_SHUT_DOWN = 3
};

typedef struct ehr_host_plugin_info {
  uint32_t struct_type; /* EHR_HOST_STRUCT_PLUGIN_INFO */
  uint32_t struct_size;
  ehr_str id;
  ehr_str name;    /* from the manifest; empty when it could not be read */
  ehr_str version; /* from the manifest */
  ehr_str vendor;
  ehr_str manifest_path;
  ehr_str data_directory;
  ehr_str plugin_version; /* as the library reports it */
  ehr_host_plugin_state state;
  uint32_t enabled_preference; /* what the admin chose, remembered across restarts */
  uint32_t negotiated_version;
  ehr_status failure_code; /* EHR_STATUS_OK unless failed (or enabling failed) */
  ehr_str failure_cause;   /* e.g. "checksum_mismatch", "abi_minor_too_new"; "none" */
  ehr_str failure_message; /* names the file, line, field or check at fault */
  ehr_str failure_field;
} ehr_host_plugin_info;

typedef ehr_status (*ehr_host_plugin_sink_fn)(void* sink_ctx, const ehr_host_plugin_info* info);

/* Every plugin known, sorted by id. */
EHR_HOST_API ehr_status ehr_host_list_plugins(ehr_host* host, void* sink_ctx, ehr_host_plugin_sink_fn sink,
                                              ehr_error** out_error);
/* One plugin; EHR_STATUS_NOT_FOUND naming it when unknown. */
EHR_HOST_API ehr_status ehr_host_plugin_info_get(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                                 ehr_host_plugin_sink_fn sink, ehr_error** out_error);

typedef uint32_t ehr_host_signature;
enum {
  EHR_HOST_SIGNATURE_ABSENT = 0,
  EHR_HOST_SIGNATURE_VALID = 1,
  EHR_HOST_SIGNATURE_INVALID = 2,
  EHR_HOST_SIGNATURE_UNTRUSTED_KEY = 3
};

typedef struct ehr_host_verification {
  uint32_t struct_type; /* EHR_HOST_STRUCT_VERIFICATION */
  uint32_t struct_size;
  ehr_str plugin_id;
  ehr_str manifest_path;
  ehr_str library_path;
  ehr_str expected_sha256; /* from the manifest */
  ehr_str actual_sha256;   /* of the file now */
  uint32_t checksum_matches;
  ehr_host_signature signature;
  ehr_str signature_key_id;
  ehr_status status; /* EHR_STATUS_OK when everything checks out, else the first problem */
  uint32_t reserved;
  ehr_str problem; /* empty when status is OK */
} ehr_host_verification;

typedef ehr_status (*ehr_host_verification_sink_fn)(void* sink_ctx, const ehr_host_verification* result);

/* Checks the manifest, checksum and signature on disk now, without loading anything. The call
 * succeeds when the plugin is known; the verification's own status tells whether it checks out. */
EHR_HOST_API ehr_status ehr_host_verify_plugin(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                               ehr_host_verification_sink_fn sink, ehr_error** out_error);
/* Remembered across restarts. Disabling makes the plugin's channel refuse calls with
 * EHR_STATUS_DISABLED (its settings stay reachable, for an admin to configure it). */
EHR_HOST_API ehr_status ehr_host_enable_plugin(ehr_host* host, ehr_str plugin_id, ehr_error** out_error);
EHR_HOST_API ehr_status ehr_host_disable_plugin(ehr_host* host, ehr_str plugin_id, ehr_error** out_error);
/* Shuts every plugin down (reverse load order). Idempotent; later calls into the plugins answer
 * EHR_STATUS_DISABLED. */
EHR_HOST_API ehr_status ehr_host_shutdown(ehr_host* host, ehr_error** out_error);

/* ---- Settings pages (ehr/settings.h) --------------------------------------------------------- */

/* Calls sink with the id of each plugin that registered settings pages. */
EHR_HOST_API ehr_status ehr_host_list_settings_plugins(ehr_host* host, void* sink_ctx, ehr_id_sink_fn sink,
                                                       ehr_error** out_error);
/* The page as `actor_user_id` may see it, with its current values (location_id empty: the
 * General page); EHR_STATUS_FORBIDDEN without the page's required role. */
EHR_HOST_API ehr_status ehr_host_settings_describe(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                                   ehr_str location_id, void* sink_ctx,
                                                   const ehr_page_sink* sink, ehr_error** out_error);
/* Saves one page atomically: on any error nothing is saved and error->field names the key. */
EHR_HOST_API ehr_status ehr_host_settings_save(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                               ehr_str location_id, const ehr_setting_value* values,
                                               size_t value_count, ehr_error** out_error);
/* Drops a location's own settings so that it follows General again. */
EHR_HOST_API ehr_status ehr_host_settings_reset(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                                ehr_str location_id, ehr_error** out_error);
/* The effective settings of a location (empty: General) and where each value comes from. */
EHR_HOST_API ehr_status ehr_host_settings_effective(ehr_host* host, ehr_str plugin_id, ehr_str location_id,
                                                    void* sink_ctx, ehr_effective_sink_fn sink,
                                                    ehr_error** out_error);

/* ---- Roles (ehr/roles.h) and the role store -------------------------------------------------- */

/* The roles sections plugins declared, with the declaring plugin's id. */
typedef ehr_status (*ehr_host_roles_section_sink_fn)(void* sink_ctx, ehr_str plugin_id,
                                                     const ehr_roles_section* section);
EHR_HOST_API ehr_status ehr_host_list_roles_sections(ehr_host* host, void* sink_ctx,
                                                     ehr_host_roles_section_sink_fn sink,
                                                     ehr_error** out_error);

/* The host's staff users, as the role store needs them (ids and active state). THREADING: called
 * on the thread that calls the role store; must not call the role store back. */
typedef struct ehr_host_user_directory {
  uint32_t struct_type; /* EHR_HOST_STRUCT_USER_DIRECTORY */
  uint32_t struct_size;
  void* context; /* passed back first */
  /* Required. Every staff user, active or not. */
  ehr_status (*list_users)(void* context, void* sink_ctx, ehr_user_sink_fn sink);
} ehr_host_user_directory;

/* For hosts that keep no roles themselves: opens (creating) host_data_directory/roles.sqlite3.
 * `manage_users` is declared from the start; only its holders change assignments (R-ROLE-4).
 * Open it before ehr_host_create when user_has_role answers from it, and declare the plugins'
 * sections after ehr_host_discover (ehr_host_role_store_declare_plugin_roles). */
EHR_HOST_API ehr_status ehr_host_role_store_open(ehr_str host_data_directory,
                                                 const ehr_host_user_directory* users,
                                                 ehr_host_role_store** out_store, ehr_error** out_error);
EHR_HOST_API void ehr_host_role_store_close(ehr_host_role_store* store);
EHR_HOST_API ehr_status ehr_host_role_store_declare_role(ehr_host_role_store* store,
                                                         const ehr_role_descriptor* role,
                                                         ehr_error** out_error);
/* Declares every roles section the host's plugins registered. From then on every change of a
 * plugin's role through this store is first recorded in that plugin's audit chain (one record per
 * user changed, one plugin transaction per operation; ehr_audit_api.append_host_records); when the
 * plugin cannot record it, the change is refused and nothing changes. */
EHR_HOST_API ehr_status ehr_host_role_store_declare_plugin_roles(ehr_host_role_store* store, ehr_host* host,
                                                                 ehr_error** out_error);
/* Unknown user or role: EHR_STATUS_NOT_FOUND naming it. */
EHR_HOST_API ehr_status ehr_host_role_store_has_role(ehr_host_role_store* store, ehr_str user_id,
                                                     ehr_str role_id, bool* out_has_role,
                                                     ehr_error** out_error);
/* Every holder, active or not, sorted by id. */
EHR_HOST_API ehr_status ehr_host_role_store_members(ehr_host_role_store* store, ehr_str role_id,
                                                    void* sink_ctx, ehr_id_sink_fn sink,
                                                    ehr_error** out_error);
EHR_HOST_API ehr_status ehr_host_role_store_roles_of(ehr_host_role_store* store, ehr_str user_id,
                                                     void* sink_ctx, ehr_id_sink_fn sink,
                                                     ehr_error** out_error);
/* One user's check box (R-ROLE-2). out_changed (may be NULL): 1 when it changed, 0 when it
 * already was so. */
EHR_HOST_API ehr_status ehr_host_role_store_set(ehr_host_role_store* store, ehr_str actor_user_id,
                                                ehr_str user_id, ehr_str role_id, uint32_t assigned,
                                                size_t* out_changed, ehr_error** out_error);
/* Bulk (R-ROLE-3), atomic: on any error nothing changes. user_ids NULL with count 0 and all = 1:
 * every active user. out_changed (may be NULL): how many users changed. */
EHR_HOST_API ehr_status ehr_host_role_store_assign(ehr_host_role_store* store, ehr_str actor_user_id,
                                                   ehr_str role_id, const ehr_str* user_ids,
                                                   size_t user_count, uint32_t all, size_t* out_changed,
                                                   ehr_error** out_error);
EHR_HOST_API ehr_status ehr_host_role_store_unassign(ehr_host_role_store* store, ehr_str actor_user_id,
                                                     ehr_str role_id, const ehr_str* user_ids,
                                                     size_t user_count, uint32_t all, size_t* out_changed,
                                                     ehr_error** out_error);
/* The host's initial assignments (pairs user_ids[i], role_ids[i]), applied once when the store
 * file is new; *out_applied (may be NULL) tells whether they were. */
EHR_HOST_API ehr_status ehr_host_role_store_seed(ehr_host_role_store* store, const ehr_str* user_ids,
                                                 const ehr_str* role_ids, size_t count, bool* out_applied,
                                                 ehr_error** out_error);

typedef struct ehr_host_role_change {
  uint32_t struct_type; /* EHR_HOST_STRUCT_ROLE_CHANGE */
  uint32_t struct_size;
  int64_t sequence;
  int64_t at_unix_ms;
  ehr_str actor_user_id; /* "(initial)" for seeded assignments */
  ehr_str user_id;
  ehr_str role_id;
  uint32_t old_assigned;
  uint32_t new_assigned;
} ehr_host_role_change;

typedef ehr_status (*ehr_host_role_change_sink_fn)(void* sink_ctx, const ehr_host_role_change* change);
/* Every recorded change, oldest first (R-ROLE-4). */
EHR_HOST_API ehr_status ehr_host_role_store_changes(ehr_host_role_store* store, void* sink_ctx,
                                                    ehr_host_role_change_sink_fn sink, ehr_error** out_error);

/* ---- The messaging channel (ehr/channel.h) --------------------------------------------------- */

/* Calls sink(channel_id, plugin_id) for each channel; "portal-messaging" is My Messages'. */
typedef ehr_status (*ehr_host_channel_sink_fn)(void* sink_ctx, ehr_str channel_id, ehr_str plugin_id);
EHR_HOST_API ehr_status ehr_host_list_channels(ehr_host* host, void* sink_ctx, ehr_host_channel_sink_fn sink,
                                               ehr_error** out_error);
/* Each call names the acting principal; the plugin checks access and audits every call. A
 * disabled plugin's channel answers EHR_STATUS_DISABLED. Refusals: EHR_STATUS_FORBIDDEN with
 * error->reason. */
EHR_HOST_API ehr_status ehr_host_channel_explain(ehr_host* host, ehr_str channel_id,
                                                 const ehr_explain_request* request, void* sink_ctx,
                                                 ehr_decision_sink_fn sink, ehr_error** out_error);
EHR_HOST_API ehr_status ehr_host_channel_recipients(ehr_host* host, ehr_str channel_id,
                                                    const ehr_principal* reader, ehr_str patient_id,
                                                    void* sink_ctx, ehr_recipient_sink_fn sink,
                                                    ehr_error** out_error);
/* Answers once the message is durably committed. */
EHR_HOST_API ehr_status ehr_host_channel_start(ehr_host* host, ehr_str channel_id,
                                               const ehr_start_request* request, ehr_sent* out_sent,
                                               ehr_error** out_error);
EHR_HOST_API ehr_status ehr_host_channel_reply(ehr_host* host, ehr_str channel_id,
                                               const ehr_reply_request* request, ehr_sent* out_sent,
                                               ehr_error** out_error);
/* Newest first; out_totals (may be NULL) counts across all pages. */
EHR_HOST_API ehr_status ehr_host_channel_list(ehr_host* host, ehr_str channel_id,
                                              const ehr_list_request* request, void* sink_ctx,
                                              ehr_thread_sink_fn sink, ehr_inbox_totals* out_totals,
                                              ehr_error** out_error);
/* The badge: unread messages in the reader's unarchived threads. */
EHR_HOST_API ehr_status ehr_host_channel_unread(ehr_host* host, ehr_str channel_id,
                                                const ehr_principal* reader, uint64_t* out_unread,
                                                ehr_error** out_error);
/* Oldest first; marks the thread read for this reader only. */
EHR_HOST_API ehr_status ehr_host_channel_read(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                              int64_t thread_id, void* sink_ctx, ehr_message_sink_fn sink,
                                              ehr_error** out_error);
/* archived 1: archive for this reader; 0: back to the inbox. */
EHR_HOST_API ehr_status ehr_host_channel_set_archived(ehr_host* host, ehr_str channel_id,
                                                      const ehr_principal* reader, int64_t thread_id,
                                                      uint32_t archived, ehr_error** out_error);
/* A branded portal invitation; EHR_STATUS_UNSUPPORTED when the plugin offers none. */
EHR_HOST_API ehr_status ehr_host_channel_invite(ehr_host* host, ehr_str channel_id,
                                                const ehr_invite_request* request, ehr_error** out_error);
/* A staff participant adds a staff colleague eligible for the thread's patient (the plugin's
 * add_participant). *out_added (may be NULL) is false when the colleague was already on the
 * thread: nothing changed. EHR_STATUS_UNSUPPORTED from a plugin built for ABI 1.0. */
EHR_HOST_API ehr_status ehr_host_channel_add_participant(ehr_host* host, ehr_str channel_id,
                                                         const ehr_principal* actor, int64_t thread_id,
                                                         const ehr_principal* added, bool* out_added,
                                                         ehr_error** out_error);
/* Everyone on the thread, by display name, for a reader that may open it.
 * EHR_STATUS_UNSUPPORTED from a plugin built for ABI 1.0. */
EHR_HOST_API ehr_status ehr_host_channel_participants(ehr_host* host, ehr_str channel_id,
                                                      const ehr_principal* reader, int64_t thread_id,
                                                      void* sink_ctx, ehr_recipient_sink_fn sink,
                                                      ehr_error** out_error);
/* The practice a page about the chart names (name or alias, phone, address), handed to the sink
 * once, for an active staff user or a portal user who is a contact on the chart.
 * EHR_STATUS_UNSUPPORTED from a plugin built for ABI 1.0. */
EHR_HOST_API ehr_status ehr_host_channel_brand(ehr_host* host, ehr_str channel_id,
                                               const ehr_principal* reader, ehr_str patient_id,
                                               void* sink_ctx, ehr_brand_sink_fn sink, ehr_error** out_error);

/* ---- Hooks (ehr/hooks.h) --------------------------------------------------------------------- */

EHR_HOST_API ehr_status ehr_host_hook_points(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                             ehr_status (*sink)(void* sink_ctx,
                                                                const ehr_hook_point_info* info),
                                             ehr_error** out_error);
/* Adds fn at `point` of the plugin. A before_store hook rejects by returning an error status and
 * (optionally) *out_error from ehr_host_error_new: the sender gets EHR_STATUS_REJECTED with its
 * message. user_data must stay valid until ehr_host_hook_remove returns or the host is destroyed.
 * THREADING: fn may be called concurrently, from plugin threads (see the top of this file). */
EHR_HOST_API ehr_status ehr_host_hook_add(ehr_host* host, ehr_str plugin_id, ehr_hook_point point,
                                          ehr_hook_fn fn, void* user_data, uint64_t* out_hook_id,
                                          ehr_error** out_error);
/* After it returns, fn is not running and will not be called again. */
EHR_HOST_API ehr_status ehr_host_hook_remove(ehr_host* host, uint64_t hook_id, ehr_error** out_error);

/* ---- Audit (ehr/audit.h) --------------------------------------------------------------------- */

/* Recomputes the plugin's keyed chain and checks it against the checkpoints the SDK keeps for it
 * (HOST_DATA/plugins/<id>.checkpoints); result->ok 0 names the first bad record. A result of the
 * 1.1 size (struct_size through checkpoints_checked) also gets what was found (`finding`). */
EHR_HOST_API ehr_status ehr_host_audit_verify(ehr_host* host, ehr_str plugin_id,
                                              ehr_audit_verify_result* out_result, ehr_error** out_error);
/* Oldest first; patient_id empty for every record. */
EHR_HOST_API ehr_status ehr_host_audit_list(ehr_host* host, ehr_str plugin_id, ehr_str patient_id,
                                            void* sink_ctx, ehr_audit_sink_fn sink, ehr_error** out_error);

#ifdef __cplusplus
}
#endif

#endif /* EHR_HOST_API_H */
