/* ehr/common.h: types shared by every module of the EHR plugin ABI.
 *
 * C99. Includes only <stdint.h>, <stddef.h>, <stdbool.h>. Rules every module follows:
 *  - Every exchanged struct and function table starts with `struct_type` and `struct_size`.
 *    Fields are only ever appended. A reader zero-fills its own copy, copies
 *    min(struct_size, sizeof) bytes, and checks that the members it requires fit.
 *  - A NULL function pointer in a table means "not supported".
 *  - Strings are UTF-8 views, valid for the duration of the call unless a comment says otherwise.
 *  - Every function returns an ehr_status and never lets an exception cross.
 *  - Whoever allocates provides the release function.
 *
 * THREADING: lifecycle calls (negotiate, on_init, on_enable, on_disable, on_shutdown) come from
 * one host thread at a time. Settings, channel, audit and hook calls may come concurrently from
 * many host threads; host services may likewise be called concurrently by the plugin.
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
#define EHR_ABI_VERSION_MINOR 0
#define EHR_ABI_VERSION EHR_MAKE_VERSION(EHR_ABI_VERSION_MAJOR, EHR_ABI_VERSION_MINOR)

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
  EHR_STATUS_STOP = 11             /* returned by a sink to stop an enumeration early; not an error */
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
  EHR_STRUCT_INVITE_REQUEST = 39
};

/* A UTF-8 string view. `data` need not be NUL-terminated; {NULL, 0} is the empty string. */
typedef struct ehr_str {
  const char* data;
  size_t size;
} ehr_str;

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
