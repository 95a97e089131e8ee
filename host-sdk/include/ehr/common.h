/* ehr/common.h: types and rules shared by every module of the EHR plugin ABI.
 *
 * C99. Includes only <stdint.h>, <stddef.h>, <stdbool.h>. Rules every module follows:
 *  - Every exchanged struct and function table starts with `struct_type` and `struct_size`.
 *    Members are only ever appended, at the end, each in a new minor version; a member appended
 *    after 1.0 says "Since 1.N." in its comment. A reader zero-fills its own copy, copies
 *    min(struct_size, sizeof) bytes, and checks that the members it requires fit
 *    (EHR_SIZE_THROUGH). An appended member that the writer's struct_size does not cover reads as
 *    zero, and zero always means what the older version did ("absent", "not supported").
 *  - Presence follows struct_size, not the negotiated version: a member or function is there when
 *    the struct that carries it is large enough and, for a function, not NULL.
 *  - Arrays of structs that cross (ehr_roles_section.roles, the values of a settings save,
 *    ehr_start_request.recipients, ehr_field_info.choices, and every array added later) are
 *    stepped by each element's own struct_size: element i+1 starts element i's struct_size bytes
 *    after element i. A writer may use any size from the reader's required members up, as long as
 *    it is a multiple of 8 (every ABI struct's alignment); a plain C array of one struct type
 *    already is such an array. A reader refuses an element that is too small, misaligned in size,
 *    or of the wrong struct_type, and names it.
 *  - A NULL function pointer in a table means "not supported".
 *  - Strings are UTF-8 views, valid for the duration of the call unless a comment says otherwise.
 *  - Every function returns an ehr_status and never lets an exception cross.
 *  - Whoever allocates provides the release function.
 *  - New members use ehr_bool for yes/no (the 1.0 members keep the types they shipped with).
 *  - New callbacks that hand over results take the sink shape below (ehr_<noun>_sink_fn).
 *
 * THREADING: lifecycle calls (negotiate, on_init, on_enable, on_disable, on_shutdown) come from
 * one host thread at a time. Settings, channel, audit and hook calls may come concurrently from
 * many host threads. Host services may be called concurrently by the plugin, from the host's
 * calling thread or, while that call waits, from another thread (another call's, or the
 * plugin's own); host_services.h says which and when, and what that asks of the host.
 */
#ifndef EHR_COMMON_H
#define EHR_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version: major in the high 16 bits, minor in the low 16. Major must match; a newer minor
 * only appends fields and functions. */
#define EHR_MAKE_VERSION(major, minor) ((uint32_t)(((uint32_t)(major) << 16) | (uint32_t)(minor)))
#define EHR_VERSION_MAJOR(version) ((uint32_t)(version) >> 16)
#define EHR_VERSION_MINOR(version) ((uint32_t)(version)&0xFFFFu)
#define EHR_ABI_VERSION_MAJOR 1
#define EHR_ABI_VERSION_MINOR 1
#define EHR_ABI_VERSION EHR_MAKE_VERSION(EHR_ABI_VERSION_MAJOR, EHR_ABI_VERSION_MINOR)

/* The size of struct T up to and including `member`: a reader requires struct_size to be at least
 * this before it reads the member (for an appended member: before it uses it at all). */
#define EHR_SIZE_THROUGH(T, member) (offsetof(T, member) + sizeof(((T*)0)->member))

/* Yes or no, for members and out-parameters added from 1.1 on: 0 is false, 1 is true, and a
 * reader treats any other value as true. Fixed width, so every language lays it out alike. */
typedef uint32_t ehr_bool;
enum { EHR_FALSE = 0, EHR_TRUE = 1 };

/* Status codes. Numbers never change; new codes are only added. */
typedef int32_t ehr_status;
enum {
  EHR_STATUS_OK = 0,
  EHR_STATUS_INVALID_ARGUMENT = 1, /* bad input: the error names the field */
  EHR_STATUS_FORBIDDEN = 2,        /* the actor may not do this: the error says why */
  EHR_STATUS_NOT_FOUND = 3,        /* unknown id (user, patient, thread, location, ...) */
  EHR_STATUS_CONFLICT = 4,         /* e.g. a duplicate registration */
  EHR_STATUS_UNSUPPORTED = 5,      /* the other side lacks this function or version */
  EHR_STATUS_VERSION_MISMATCH = 6, /* ABI negotiation failed */
  EHR_STATUS_STORAGE = 7,          /* the database failed; nothing was half-written */
  EHR_STATUS_INTERNAL = 8,         /* a bug or an unexpected exception, caught at the boundary */
  EHR_STATUS_REJECTED = 9,         /* an integrator hook refused the operation */
  EHR_STATUS_DISABLED = 10,        /* the plugin is disabled, or the feature is off */
  EHR_STATUS_STOP = 11             /* a sink's answer: enough, end the enumeration; not an error */
};

static inline const char* ehr_status_name(ehr_status status) {
  switch (status) {
    case EHR_STATUS_OK:
      return "ok";
    case EHR_STATUS_INVALID_ARGUMENT:
      return "invalid argument";
    case EHR_STATUS_FORBIDDEN:
      return "forbidden";
    case EHR_STATUS_NOT_FOUND:
      return "not found";
    case EHR_STATUS_CONFLICT:
      return "conflict";
    case EHR_STATUS_UNSUPPORTED:
      return "unsupported";
    case EHR_STATUS_VERSION_MISMATCH:
      return "version mismatch";
    case EHR_STATUS_STORAGE:
      return "storage error";
    case EHR_STATUS_INTERNAL:
      return "internal error";
    case EHR_STATUS_REJECTED:
      return "rejected by hook";
    case EHR_STATUS_DISABLED:
      return "disabled";
    case EHR_STATUS_STOP:
      return "stopped";
    default:
      return "unknown status";
  }
}

/* struct_type tags: a reader checks the tag before trusting struct_size. Numbers never change. */
typedef uint32_t ehr_struct_type;
enum {
  EHR_STRUCT_ERROR = 1,
  EHR_STRUCT_NEGOTIATION = 2,
  EHR_STRUCT_PLUGIN_API = 3,
  EHR_STRUCT_INIT_PARAMS = 4,
  EHR_STRUCT_REGISTRAR = 5,
  EHR_STRUCT_HOST_SERVICES = 6,
  EHR_STRUCT_USER_INFO = 7,
  EHR_STRUCT_PATIENT_INFO = 8,
  EHR_STRUCT_PORTAL_USER_INFO = 9,
  EHR_STRUCT_ORGANIZATION_INFO = 10,
  EHR_STRUCT_NOTIFICATION = 11,
  EHR_STRUCT_AUDIT_EVENT = 12,
  EHR_STRUCT_PRINCIPAL = 13,
  EHR_STRUCT_SETTINGS_API = 14,
  EHR_STRUCT_PAGE_INFO = 15,
  EHR_STRUCT_FIELD_INFO = 16,
  EHR_STRUCT_CHOICE = 17,
  EHR_STRUCT_PAGE_SINK = 18,
  EHR_STRUCT_SETTING_VALUE = 19,
  EHR_STRUCT_EFFECTIVE_SETTING = 20,
  EHR_STRUCT_ROLE_DESCRIPTOR = 21,
  EHR_STRUCT_ROLES_SECTION = 22,
  EHR_STRUCT_CHANNEL_API = 23,
  EHR_STRUCT_START_REQUEST = 24,
  EHR_STRUCT_REPLY_REQUEST = 25,
  EHR_STRUCT_SENT = 26,
  EHR_STRUCT_DECISION = 27,
  EHR_STRUCT_RECIPIENT = 28,
  EHR_STRUCT_LIST_REQUEST = 29,
  EHR_STRUCT_THREAD_SUMMARY = 30,
  EHR_STRUCT_INBOX_TOTALS = 31,
  EHR_STRUCT_MESSAGE_VIEW = 32,
  EHR_STRUCT_AUDIT_API = 33,
  EHR_STRUCT_AUDIT_VERIFY_RESULT = 34,
  EHR_STRUCT_HOOKS_API = 35,
  EHR_STRUCT_HOOK_EVENT = 36,
  EHR_STRUCT_HOOK_POINT_INFO = 37,
  EHR_STRUCT_EXPLAIN_REQUEST = 38,
  EHR_STRUCT_INVITE_REQUEST = 39,
  EHR_STRUCT_CONFIG_ENTRY = 40,     /* since 1.1 */
  EHR_STRUCT_BRAND = 41,            /* since 1.1 */
  EHR_STRUCT_EXPORT_REQUEST = 42,   /* since 1.1 */
  EHR_STRUCT_THREAD_RECORD = 43,    /* since 1.1 */
  EHR_STRUCT_MESSAGE_RECORD = 44,   /* since 1.1 */
  EHR_STRUCT_IMPORT_REQUEST = 45,   /* since 1.1 */
  EHR_STRUCT_WEBHOOK_DELIVERY = 46, /* since 1.1 */
  EHR_STRUCT_KEY = 47,              /* since 1.1 */
  EHR_STRUCT_AUDIT_CHECKPOINT = 48  /* since 1.1 */
};

/* A UTF-8 string view. `data` need not be NUL-terminated; {NULL, 0} is the empty string. */
typedef struct ehr_str {
  const char* data;
  size_t size;
} ehr_str;

/* Callbacks. Results that come as several items are handed to a sink, one call per item:
 *   typedef ehr_status (*ehr_<noun>_sink_fn)(void* sink_ctx, const ehr_<noun>* item);
 * sink_ctx is the caller's, passed through untouched; the item is valid only during that call.
 * A sink answers EHR_STATUS_OK for more, or EHR_STATUS_STOP to end the enumeration early and
 * successfully: the function that was enumerating then returns EHR_STATUS_OK. Any other answer is a
 * failure: the enumeration ends and the function returns that status. STOP never reports a
 * failure, and a function never returns STOP itself. This holds both ways: for the host's sinks
 * that plugin functions call and for the plugin's sinks that host services call.
 * 1.0 also has ehr_id_sink_fn (an ehr_str by value) and ehr_page_sink (a table of two sinks);
 * they stay as they are. */

/* Details of a failure. OWNERSHIP: allocated by the side that reports it, released only through
 * its own `release` (use ehr_error_free). `message` is NUL-terminated and safe to show an admin;
 * it never contains message bodies or other PHI. */
typedef struct ehr_error {
  uint32_t struct_type; /* EHR_STRUCT_ERROR */
  uint32_t struct_size;
  ehr_status code;
  uint32_t reason; /* for EHR_STATUS_FORBIDDEN from messaging: an ehr_deny_reason; else 0 */
  ehr_str message;
  ehr_str field; /* the setting key, manifest field or argument at fault; may be empty */
  void (*release)(struct ehr_error* error);
} ehr_error;

/* Accepts NULL. */
static inline void ehr_error_free(ehr_error* error) {
  if (error != NULL && error->release != NULL) error->release(error);
}

/* Who acts or receives: a staff user of the host, or a portal user (patient, guardian,
 * guarantor). */
typedef uint32_t ehr_principal_kind;
enum { EHR_PRINCIPAL_STAFF = 1, EHR_PRINCIPAL_PORTAL_USER = 2 };

typedef struct ehr_principal {
  uint32_t struct_type; /* EHR_STRUCT_PRINCIPAL */
  uint32_t struct_size;
  ehr_principal_kind kind;
  uint32_t reserved; /* zero */
  ehr_str id;
} ehr_principal;

#ifdef __cplusplus
}
#endif

#endif /* EHR_COMMON_H */
