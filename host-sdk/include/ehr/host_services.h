/* ehr/host_services.h: what only the host knows, offered to the plugin as one function table.
 *
 * The host implements every function. Each takes the table's
 * `host` context first. Lookups that return text hand it to a sink callback; the views passed
 * to the sink are valid only during that callback. An unknown id returns EHR_STATUS_NOT_FOUND.
 * The plugin asks at the moment it needs an answer and keeps no copy that could go stale.
 *
 * THREADING AND TIMING. Every function here may be called concurrently. The plugin calls them only
 * while one of its own functions is running, on behalf of that call, and never after it has
 * returned (on_shutdown waits until its threads are done with this host). They are called on the
 * thread that made the call, except that the writes of concurrent calls are committed together by
 * one of those calls: it calls `now` (inside the write transaction), `audit` (after COMMIT) and
 * `log` for the others' writes on its own thread, while they wait: for a send, a reply, opening a
 * thread, archiving, and a refusal that is audited. So a slow `now`, `audit` or `log` also delays
 * the writes of this host's other calls in flight (not other hosts': each commits its own). A host
 * must never make a host service wait for a thread that is inside a plugin call: no lock held
 * across the call that a service also takes (a language runtime's global lock included: release
 * it for the call), and no handing a service to that thread (a UI or event-loop thread) to wait
 * for it there. Either deadlocks.
 *
 * ERRORS. A function that fails returns its status; since 1.1 the host can also say why, through
 * take_error, and the plugin passes that reason on to the admin who sees the failure. */
#ifndef EHR_HOST_SERVICES_H
#define EHR_HOST_SERVICES_H

#include "ehr/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t ehr_log_level;
enum { EHR_LOG_DEBUG = 0, EHR_LOG_INFO = 1, EHR_LOG_WARNING = 2, EHR_LOG_ERROR = 3 };

typedef struct ehr_user_info {
  uint32_t struct_type; /* EHR_STRUCT_USER_INFO */
  uint32_t struct_size;
  ehr_str id;
  ehr_str display_name;
  uint32_t active; /* 1 when the account is active */
  uint32_t reserved;
} ehr_user_info;

typedef struct ehr_patient_info {
  uint32_t struct_type; /* EHR_STRUCT_PATIENT_INFO */
  uint32_t struct_size;
  ehr_str id;
  ehr_str display_name; /* PHI: never logged, never put in a notification */
  ehr_str location_id;  /* empty in a single instance */
} ehr_patient_info;

typedef uint32_t ehr_portal_user_kind;
enum { EHR_PORTAL_PATIENT = 1, EHR_PORTAL_GUARDIAN = 2, EHR_PORTAL_GUARANTOR = 3 };

typedef struct ehr_portal_user_info {
  uint32_t struct_type; /* EHR_STRUCT_PORTAL_USER_INFO */
  uint32_t struct_size;
  ehr_str id;
  ehr_str display_name;
  ehr_str first_name;
  ehr_portal_user_kind kind;
  uint32_t active; /* 1 when the portal account is active */
} ehr_portal_user_info;

/* The company (location_id empty) or one of its locations, as set in the host's Company tab. */
typedef struct ehr_organization_info {
  uint32_t struct_type; /* EHR_STRUCT_ORGANIZATION_INFO */
  uint32_t struct_size;
  ehr_str location_id; /* empty for the company */
  ehr_str name;
  ehr_str alias; /* when not empty, shown instead of name */
  ehr_str address;
  ehr_str phone;
  ehr_str portal_url; /* where portal users sign in */
  uint32_t is_master; /* company only: 1 for a master instance with locations */
  uint32_t reserved;
} ehr_organization_info;

typedef uint32_t ehr_notification_kind;
enum { EHR_NOTIFY_PORTAL_INVITATION = 1, EHR_NOTIFY_NEW_MESSAGE = 2 };

typedef uint32_t ehr_delivery;
enum {
  EHR_DELIVERY_PORTAL_CONTACT = 1, /* the host picks email or SMS from the portal user's record */
  EHR_DELIVERY_IN_APP = 2          /* a notice inside the host, for staff */
};

/* Something the plugin asks the host to deliver. It never carries message content or PHI. */
typedef struct ehr_notification {
  uint32_t struct_type; /* EHR_STRUCT_NOTIFICATION */
  uint32_t struct_size;
  ehr_notification_kind kind;
  ehr_delivery delivery;
  ehr_principal recipient;
  ehr_str subject;
  ehr_str text;
  ehr_str html; /* may be empty */
  ehr_str brand_name;
} ehr_notification;

/* One audit record, as the plugin stores it and mirrors it to the host's audit sink. */
typedef struct ehr_audit_event {
  uint32_t struct_type; /* EHR_STRUCT_AUDIT_EVENT */
  uint32_t struct_size;
  int64_t sequence; /* position in the plugin's hash chain, from 1 */
  int64_t at_unix_ms;
  ehr_principal actor;
  ehr_str action;     /* e.g. "message.send", "settings.change", "role.assign" */
  ehr_str patient_id; /* may be empty */
  ehr_str target;     /* thread, setting scope/field, user, ... */
  ehr_str outcome;    /* "ok" or the refusal reason code */
  ehr_str detail;     /* never message content */
  /* Hex, chained to the previous record: HMAC-SHA256 under the host's audit key (since 1.1, when the
   * host offers a key service), else SHA-256. */
  ehr_str hash;
} ehr_audit_event;

/* Since 1.1. What a key is for. Numbers never change; new purposes are only added. */
typedef uint32_t ehr_key_purpose;
enum {
  EHR_KEY_DATA = 1, /* encrypts what the plugin stores: message subjects and bodies, contact details */
  EHR_KEY_AUDIT = 2 /* the HMAC key of the plugin's audit chain */
};

/* Since 1.1. A 256-bit secret key the host keeps outside the plugin's database, for get_key. */
typedef struct ehr_key {
  uint32_t struct_type; /* EHR_STRUCT_KEY */
  uint32_t struct_size;
  uint32_t key_id;   /* never 0; stored with what the key protects, so an old key can be asked for */
  uint32_t reserved; /* zero */
  uint8_t bytes[32];
} ehr_key;

/* Since 1.1. The head of a plugin's audit chain as the plugin hands it to the host to keep outside
 * the plugin's database (save_audit_checkpoint). `mac` binds every other member and the plugin id
 * under the audit key, so a checkpoint can be neither forged nor moved to another plugin by whoever
 * can write the host's file; the host only stores and returns it. */
typedef struct ehr_audit_checkpoint {
  uint32_t struct_type; /* EHR_STRUCT_AUDIT_CHECKPOINT */
  uint32_t struct_size;
  int64_t sequence; /* the chain's last record when the checkpoint was taken */
  int64_t at_unix_ms;
  uint32_t key_id;   /* the audit key (EHR_KEY_AUDIT) the MAC was made with; never 0 */
  uint32_t reserved; /* zero */
  ehr_str hash;      /* that record's hash (hex) */
  ehr_str mac;       /* hex HMAC-SHA256 */
} ehr_audit_checkpoint;

typedef ehr_status (*ehr_audit_checkpoint_sink_fn)(void* sink_ctx, const ehr_audit_checkpoint* checkpoint);

typedef ehr_status (*ehr_user_sink_fn)(void* sink_ctx, const ehr_user_info* user);
typedef ehr_status (*ehr_patient_sink_fn)(void* sink_ctx, const ehr_patient_info* patient);
typedef ehr_status (*ehr_portal_user_sink_fn)(void* sink_ctx, const ehr_portal_user_info* portal_user);
typedef ehr_status (*ehr_organization_sink_fn)(void* sink_ctx, const ehr_organization_info* org);
typedef ehr_status (*ehr_id_sink_fn)(void* sink_ctx, ehr_str id);

typedef struct ehr_host_services {
  uint32_t struct_type; /* EHR_STRUCT_HOST_SERVICES */
  uint32_t struct_size;
  void* host; /* passed back as the first argument of every function below */

  /* Required. Must not be given PHI. */
  ehr_status (*log)(void* host, ehr_log_level level, ehr_str message);
  /* Required. Wall clock, milliseconds since the Unix epoch. */
  ehr_status (*now)(void* host, int64_t* out_unix_ms);

  /* Required. Staff users and their roles, asked at the moment of each decision. */
  ehr_status (*get_user)(void* host, ehr_str user_id, void* sink_ctx, ehr_user_sink_fn sink);
  ehr_status (*user_has_role)(void* host, ehr_str user_id, ehr_str role_id, bool* out_has_role);
  /* Every user holding the role, active or not. */
  ehr_status (*list_users_with_role)(void* host, ehr_str role_id, void* sink_ctx, ehr_user_sink_fn sink);

  /* Required. Patients, their care teams and their portal contacts. */
  ehr_status (*get_patient)(void* host, ehr_str patient_id, void* sink_ctx, ehr_patient_sink_fn sink);
  /* The staff user ids on the patient's care team. */
  ehr_status (*list_care_team)(void* host, ehr_str patient_id, void* sink_ctx, ehr_id_sink_fn sink);
  ehr_status (*get_portal_user)(void* host, ehr_str portal_user_id, void* sink_ctx,
                                ehr_portal_user_sink_fn sink);
  /* Portal users that are contacts on the patient's chart (patient, guardians, guarantors). */
  ehr_status (*list_patient_contacts)(void* host, ehr_str patient_id, void* sink_ctx,
                                      ehr_portal_user_sink_fn sink);
  /* The patient ids whose charts the portal user is a contact on. */
  ehr_status (*list_contact_charts)(void* host, ehr_str portal_user_id, void* sink_ctx, ehr_id_sink_fn sink);

  /* Required. The company and its locations (none in a single instance). */
  ehr_status (*get_company)(void* host, void* sink_ctx, ehr_organization_sink_fn sink);
  ehr_status (*list_locations)(void* host, void* sink_ctx, ehr_organization_sink_fn sink);

  /* Optional. Delivery of notifications; the host resolves addresses. */
  ehr_status (*notify)(void* host, const ehr_notification* notification);
  /* Optional. A copy of each audit record for the host's own audit trail. */
  ehr_status (*audit)(void* host, const ehr_audit_event* event);

  /* Optional. Since 1.1. The details of this table's call that has just failed on the calling
   * thread: after a function above returned a status other than EHR_STATUS_OK, the plugin may call
   * take_error on the same thread, before any other call to this table, and receives the host's
   * ehr_error in *out_error (OWNERSHIP: the plugin releases it with ehr_error_free), or NULL when
   * the host has none. The message is for an admin: it says what is missing or wrong, names the
   * record by id, and carries no PHI. A host keeps at most one error per thread and drops it at its
   * next call from that thread. */
  ehr_status (*take_error)(void* host, ehr_error** out_error);

  /* Optional. Since 1.1. A key the host keeps for the plugin, outside the plugin's database, so
   * that someone holding only a copy of the database (or of a backup of it) reads no message and
   * cannot forge the audit chain. key_id 0 asks for the current key of `purpose` (the one to use
   * for what is written now); another id asks for that key, which may be retired by a rotation
   * but is still needed to read what was written under it. The plugin sets out_key's struct_type
   * to EHR_STRUCT_KEY and its struct_size; the host fills key_id (never 0) and bytes, and answers
   * EHR_STATUS_INVALID_ARGUMENT for an out_key smaller than EHR_SIZE_THROUGH(ehr_key, bytes),
   * EHR_STATUS_NOT_FOUND for a key id it does not have, or a purpose it keeps no key for (saying
   * which through take_error). The plugin keeps the keys it needs in memory while it runs and
   * wipes every copy it no longer needs; a host rotates by making a new current key and keeping
   * the old ones. The C++ SDK's ehr::host::KeyStore and libehr_host.so offer a file-backed one.
   * Without this function the plugin stores message text in clear only when the host admin says
   * so in the plugin's configuration, and refuses to start otherwise. */
  ehr_status (*get_key)(void* host, ehr_key_purpose purpose, uint32_t key_id, ehr_key* out_key);

  /* Optional. Since 1.1. Audit checkpoints, kept by the host outside the plugin's database, so that
   * `audit verify` finds a chain cut after a checkpoint, a record that differs from its checkpoint
   * or a checkpoint deleted from the host's keeping. save_audit_checkpoint stores one durably
   * (append-only: never replace or drop one) before it returns EHR_STATUS_OK; the plugin calls it
   * inside its write transaction, before that commits, possibly from another call's thread (see
   * THREADING). list_audit_checkpoints hands every checkpoint saved for `plugin_id` to the sink, in
   * the order saved. The SDK's PluginManager offers both itself, file-backed (one file per plugin
   * under the host data directory, mode 0600); a host that offers neither (NULL) gets an audit chain
   * without checkpoints, which cannot show a cut tail. */
  ehr_status (*save_audit_checkpoint)(void* host, ehr_str plugin_id, const ehr_audit_checkpoint* checkpoint);
  ehr_status (*list_audit_checkpoints)(void* host, ehr_str plugin_id, void* sink_ctx,
                                       ehr_audit_checkpoint_sink_fn sink);

  /* Later appends go here, never in between. */
} ehr_host_services;

#ifdef __cplusplus
}
#endif

#endif /* EHR_HOST_SERVICES_H */
