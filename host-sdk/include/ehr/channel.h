/* ehr/channel.h: a messaging channel between a patient's care team and the patient's portal
 * users. The plugin implements the table; the host calls it for its users.
 *
 * Every call names the acting principal; the plugin checks access on every call (settings,
 * roles, care team, contact links, account states are asked from the host each time) and
 * audits every read and write. Refusals return EHR_STATUS_FORBIDDEN with ehr_error.reason set
 * to an ehr_deny_reason and a message an admin can act on.
 * THREADING: any function may be called concurrently from many host threads. */
#ifndef EHR_CHANNEL_H
#define EHR_CHANNEL_H

#include "ehr/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehr_channel ehr_channel; /* opaque, owned by the plugin until on_shutdown */

/* Why messaging was refused: the one table of reasons. The plugin's refusals, its audit records
 * (as ehr_deny_reason_name's words) and the product documentation all use it as written here.
 * Numbers and words never change; reasons are only added.
 *
 * Sending, replying, listing recipients and explain check, in this order, and answer the first
 * that fails: the patient (UNKNOWN_PATIENT); My Messages at the patient's location
 * (MESSAGING_OFF); the staff user (UNKNOWN_USER, STAFF_INACTIVE, STAFF_LACKS_ROLE); the audience
 * (NOT_ON_CARE_TEAM); the portal user (UNKNOWN_USER, NOT_A_CONTACT, PORTAL_ACCOUNT_INACTIVE).
 * Opening, listing, counting and archiving threads check the reader (UNKNOWN_USER, then
 * STAFF_INACTIVE or PORTAL_ACCOUNT_INACTIVE), then the thread (a thread that does not exist is
 * EHR_STATUS_NOT_FOUND, without a reason; NOT_A_PARTICIPANT), then, for a portal user, the chart
 * (NOT_A_CONTACT). */
typedef uint32_t ehr_deny_reason;
enum {
  EHR_DENY_NONE = 0,                    /* "ok": allowed */
  EHR_DENY_MESSAGING_OFF = 1,           /* My Messages is off at the patient's location */
  EHR_DENY_STAFF_LACKS_ROLE = 2,        /* the staff user lacks available_for_portal_messages */
  EHR_DENY_STAFF_INACTIVE = 3,          /* the staff user's account is inactive */
  EHR_DENY_NOT_ON_CARE_TEAM = 4,        /* audience Care Team only, and the staff user is not on it */
  EHR_DENY_PORTAL_ACCOUNT_INACTIVE = 5, /* the portal user's account is inactive */
  EHR_DENY_NOT_A_CONTACT = 6,           /* the portal user is not (or no longer) a contact on the chart */
  EHR_DENY_UNKNOWN_PATIENT = 7,         /* the host does not know the patient */
  EHR_DENY_UNKNOWN_USER = 8,            /* the host does not know the staff or portal user */
  EHR_DENY_NOT_A_PARTICIPANT = 9        /* an active reader asked for a thread it is not on */
};

typedef struct ehr_decision {
  uint32_t struct_type; /* EHR_STRUCT_DECISION */
  uint32_t struct_size;
  uint32_t allowed;
  ehr_deny_reason reason;
  ehr_str explanation; /* words an admin can act on; for allowed, why it is allowed */
} ehr_decision;

/* May `staff` and `portal_user` (either may be the actor) message about `patient_id`?
 * An empty portal_user id asks only about the staff side. */
typedef struct ehr_explain_request {
  uint32_t struct_type; /* EHR_STRUCT_EXPLAIN_REQUEST */
  uint32_t struct_size;
  ehr_str staff_user_id;
  ehr_str portal_user_id;
  ehr_str patient_id;
} ehr_explain_request;

typedef struct ehr_recipient {
  uint32_t struct_type; /* EHR_STRUCT_RECIPIENT */
  uint32_t struct_size;
  ehr_principal principal;
  ehr_str display_name;
} ehr_recipient;

/* Starts a thread about one patient. Staff write to the patient's portal users (recipients
 * empty: every portal user eligible on the chart); a portal user writes to one staff recipient
 * from the list it is offered. */
typedef struct ehr_start_request {
  uint32_t struct_type; /* EHR_STRUCT_START_REQUEST */
  uint32_t struct_size;
  ehr_principal sender;
  ehr_str patient_id;
  const ehr_principal* recipients;
  size_t recipient_count;
  ehr_str subject; /* optional */
  ehr_str body;    /* UTF-8 plain text, within the schema's size limit; never truncated */
} ehr_start_request;

typedef struct ehr_reply_request {
  uint32_t struct_type; /* EHR_STRUCT_REPLY_REQUEST */
  uint32_t struct_size;
  ehr_principal sender;
  int64_t thread_id;
  ehr_str body;
} ehr_reply_request;

/* Written by the plugin once the message is durably committed. */
typedef struct ehr_sent {
  uint32_t struct_type; /* EHR_STRUCT_SENT */
  uint32_t struct_size;
  int64_t thread_id;
  int64_t message_id;
  int64_t sent_at_unix_ms;
} ehr_sent;

typedef struct ehr_list_request {
  uint32_t struct_type; /* EHR_STRUCT_LIST_REQUEST */
  uint32_t struct_size;
  ehr_principal reader;
  uint32_t include_archived; /* 0: inbox, 1: archived threads only */
  uint32_t limit;            /* 0: the plugin's default page size */
  uint32_t offset;
  uint32_t reserved;
} ehr_list_request;

typedef struct ehr_thread_summary {
  uint32_t struct_type; /* EHR_STRUCT_THREAD_SUMMARY */
  uint32_t struct_size;
  int64_t thread_id;
  ehr_str patient_id;
  ehr_str subject;
  ehr_principal started_by;
  ehr_principal last_sender;
  int64_t last_message_at_unix_ms;
  uint32_t message_count;
  uint32_t unread_count; /* for this reader */
  uint32_t archived;     /* for this reader */
  uint32_t reserved;
} ehr_thread_summary;

typedef struct ehr_inbox_totals {
  uint32_t struct_type; /* EHR_STRUCT_INBOX_TOTALS */
  uint32_t struct_size;
  uint64_t thread_count; /* threads matching the request, across all pages */
  uint64_t unread_total; /* the badge: unread messages in the reader's unarchived threads */
} ehr_inbox_totals;

typedef struct ehr_message_view {
  uint32_t struct_type; /* EHR_STRUCT_MESSAGE_VIEW */
  uint32_t struct_size;
  int64_t message_id;
  int64_t thread_id;
  ehr_principal sender;
  ehr_str sender_display_name;
  ehr_str body;
  int64_t sent_at_unix_ms;
} ehr_message_view;

/* Invite a portal user to the portal, branded by the patient's location. */
typedef struct ehr_invite_request {
  uint32_t struct_type; /* EHR_STRUCT_INVITE_REQUEST */
  uint32_t struct_size;
  ehr_str actor_user_id;
  ehr_str portal_user_id;
} ehr_invite_request;

/* Since 1.1. Whose name, phone and address a portal page about a chart shows: the same brand
 * rules as the plugin's notifications and invitations (the location's information when My
 * Messages and Use Location Information are both on at the chart's location, else the
 * company's). The strings are valid for the sink call only. */
typedef struct ehr_brand {
  uint32_t struct_type; /* EHR_STRUCT_BRAND */
  uint32_t struct_size;
  ehr_str name; /* the alias when one is set, else the name */
  ehr_str phone;
  ehr_str address;
  ehr_str location_id; /* the location whose information is shown; empty for the company's */
} ehr_brand;
/* Since 1.1: a chart's conversations as plain records, for export_records and import_records.
 * A host maps them to and from FHIR R4 (its own choice of format); the plugin keeps what makes
 * them the same records again: each thread and message has an identifier (system, value) that
 * never changes. The plugin's own use system "urn:ehr-portal-messaging:thread" or
 * "urn:ehr-portal-messaging:message" and value "<store id>.<number>"; imported ones keep the
 * identifier they came with. People are principals: the host knows their names and kinds. */
typedef struct ehr_message_record {
  uint32_t struct_type; /* EHR_STRUCT_MESSAGE_RECORD */
  uint32_t struct_size;
  ehr_str identifier_system;
  ehr_str identifier_value;
  ehr_str in_response_to_system; /* the message it answers; both empty for a thread's first */
  ehr_str in_response_to_value;
  ehr_principal sender;
  const ehr_principal* recipients; /* the thread's other participants */
  size_t recipient_count;
  ehr_str body;
  int64_t sent_at_unix_ms;
  int64_t received_at_unix_ms; /* first read by a recipient when known; 0: not known */
} ehr_message_record;

typedef struct ehr_thread_record {
  uint32_t struct_type; /* EHR_STRUCT_THREAD_RECORD */
  uint32_t struct_size;
  ehr_str identifier_system;
  ehr_str identifier_value;
  ehr_str patient_id;
  ehr_str subject; /* may be empty */
  ehr_principal started_by;
  const ehr_principal* recipients; /* the participants other than started_by */
  size_t recipient_count;
  int64_t started_at_unix_ms;
  const ehr_message_record* messages; /* oldest first; at least one */
  size_t message_count;
} ehr_thread_record;

/* One chart's threads, for staff with access to the chart (the staff side of a send about the
 * patient: the deny reasons and their order above). */
typedef struct ehr_export_request {
  uint32_t struct_type; /* EHR_STRUCT_EXPORT_REQUEST */
  uint32_t struct_size;
  ehr_principal actor;
  ehr_str patient_id;
  int64_t since_unix_ms; /* 0: every thread; else each thread with a message sent at or after it, whole */
} ehr_export_request;

/* Threads from another system (or from an export of this one). */
typedef struct ehr_import_request {
  uint32_t struct_type; /* EHR_STRUCT_IMPORT_REQUEST */
  uint32_t struct_size;
  ehr_principal actor;
  const ehr_thread_record* threads;
  size_t thread_count;
} ehr_import_request;

/* Since 1.1. One message's delivery to the webhook the host admin configured (plugin config
 * webhook.url): what an admin needs to see that deliveries flow, and nothing of the message
 * itself (no body, subject or person). */
typedef struct ehr_webhook_delivery {
  uint32_t struct_type; /* EHR_STRUCT_WEBHOOK_DELIVERY */
  uint32_t struct_size;
  int64_t delivery_id;
  int64_t message_id;
  int64_t thread_id;
  ehr_str idempotency_key; /* the Idempotency-Key header, the same on every attempt */
  ehr_str state;           /* "pending", "delivered" or "dead" */
  uint32_t attempts;
  uint32_t reserved;
  int64_t created_at_unix_ms;
  int64_t next_attempt_at_unix_ms; /* pending: when it is next tried (0: at once); else 0 */
  int64_t delivered_at_unix_ms;    /* delivered only; 0 otherwise */
  ehr_str last_error;              /* the last failed attempt in words ("HTTP 503"); empty if none */
} ehr_webhook_delivery;

typedef ehr_status (*ehr_decision_sink_fn)(void* sink_ctx, const ehr_decision* decision);
typedef ehr_status (*ehr_recipient_sink_fn)(void* sink_ctx, const ehr_recipient* recipient);
typedef ehr_status (*ehr_thread_sink_fn)(void* sink_ctx, const ehr_thread_summary* thread);
typedef ehr_status (*ehr_message_sink_fn)(void* sink_ctx, const ehr_message_view* message);
typedef ehr_status (*ehr_brand_sink_fn)(void* sink_ctx, const ehr_brand* brand);
/* Since 1.1. */
typedef ehr_status (*ehr_thread_record_sink_fn)(void* sink_ctx, const ehr_thread_record* thread);
typedef ehr_status (*ehr_webhook_delivery_sink_fn)(void* sink_ctx, const ehr_webhook_delivery* delivery);

typedef struct ehr_channel_api {
  uint32_t struct_type; /* EHR_STRUCT_CHANNEL_API */
  uint32_t struct_size;
  /* Says whether the pair may message about the patient, and why, without sending anything. */
  ehr_status (*explain)(ehr_channel* channel, const ehr_explain_request* request, void* sink_ctx,
                        ehr_decision_sink_fn sink, ehr_error** out_error);
  /* The staff a portal user may write to about a patient: exactly the allowed set. */
  ehr_status (*list_recipients)(ehr_channel* channel, const ehr_principal* reader, ehr_str patient_id,
                                void* sink_ctx, ehr_recipient_sink_fn sink, ehr_error** out_error);
  ehr_status (*start_thread)(ehr_channel* channel, const ehr_start_request* request, ehr_sent* out_sent,
                             ehr_error** out_error);
  ehr_status (*reply)(ehr_channel* channel, const ehr_reply_request* request, ehr_sent* out_sent,
                      ehr_error** out_error);
  /* Newest first. out_totals may be NULL. */
  ehr_status (*list_threads)(ehr_channel* channel, const ehr_list_request* request, void* sink_ctx,
                             ehr_thread_sink_fn sink, ehr_inbox_totals* out_totals, ehr_error** out_error);
  ehr_status (*unread_total)(ehr_channel* channel, const ehr_principal* reader, uint64_t* out_unread,
                             ehr_error** out_error);
  /* Oldest first; marks the thread read for this reader only. */
  ehr_status (*read_thread)(ehr_channel* channel, const ehr_principal* reader, int64_t thread_id,
                            void* sink_ctx, ehr_message_sink_fn sink, ehr_error** out_error);
  ehr_status (*set_archived)(ehr_channel* channel, const ehr_principal* reader, int64_t thread_id,
                             uint32_t archived, ehr_error** out_error);
  /* Optional. */
  ehr_status (*invite_portal_user)(ehr_channel* channel, const ehr_invite_request* request,
                                   ehr_error** out_error);

  /* Optional. Since 1.1. A staff participant of the thread adds another staff user, who from then
   * on reads, replies to and counts the thread like any participant, its earlier messages
   * included. The actor is checked like a reader opening the thread, then both the actor and the
   * added user like the staff side of a send (the deny reasons and their order above). Only staff
   * add and only staff are added: a portal user as either is EHR_STATUS_INVALID_ARGUMENT naming
   * the field. Adding someone already on the thread changes nothing and is not audited again:
   * *out_added is EHR_FALSE then, EHR_TRUE when the user was added. out_added may be NULL. */
  ehr_status (*add_participant)(ehr_channel* channel, const ehr_principal* actor, int64_t thread_id,
                                const ehr_principal* added, ehr_bool* out_added, ehr_error** out_error);
  /* Optional. Since 1.1. Everyone on the thread, for any reader that may open it (the same checks
   * as read_thread), ordered by display name: one ehr_recipient per participant. Lets a portal
   * user see which staff were added. */
  ehr_status (*list_participants)(ehr_channel* channel, const ehr_principal* reader, int64_t thread_id,
                                  void* sink_ctx, ehr_recipient_sink_fn sink, ehr_error** out_error);
  /* Optional. Since 1.1. The brand of a chart (ehr_brand), handed to the sink once, for an active
   * staff user or for an active portal user who is a contact on the chart; refused otherwise with
   * the reader's deny reason (UNKNOWN_USER, STAFF_INACTIVE, PORTAL_ACCOUNT_INACTIVE,
   * NOT_A_CONTACT), audited like any refusal. An unknown patient is EHR_STATUS_NOT_FOUND for staff
   * and NOT_A_CONTACT for a portal user (which learns nothing of other charts). Lets a
   * portal show the practice a patient's messages come from, as its notifications do. */
  ehr_status (*chart_brand)(ehr_channel* channel, const ehr_principal* reader, ehr_str patient_id,
                            void* sink_ctx, ehr_brand_sink_fn sink, ehr_error** out_error);

  /* Optional. Since 1.1. The chart's threads with their messages, one ehr_thread_record per
   * thread, oldest thread first. Staff only: a portal user, or staff without access to the
   * chart, is EHR_STATUS_FORBIDDEN (a reason as for a send; NONE for a portal user). Audited as
   * chart.export, a refusal too. */
  ehr_status (*export_records)(ehr_channel* channel, const ehr_export_request* request, void* sink_ctx,
                               ehr_thread_record_sink_fn sink, ehr_error** out_error);
  /* Optional. Since 1.1. Stores the threads and messages whose identifiers it does not hold yet
   * (importing the same records twice adds nothing), all in one transaction: a refused import
   * stores nothing. Refused (EHR_STATUS_FORBIDDEN) when the actor is not staff with access to
   * every chart named (reasons as for export), or when a record names a patient
   * (EHR_DENY_UNKNOWN_PATIENT) or a person (EHR_DENY_UNKNOWN_USER) the host does not know: the
   * message names the first such id. Every imported message is audited as message.import.
   * Either out pointer may be NULL. */
  ehr_status (*import_records)(ehr_channel* channel, const ehr_import_request* request,
                               uint64_t* out_threads_added, uint64_t* out_messages_added,
                               ehr_error** out_error);
  /* Optional. Since 1.1. The webhook's deliveries, newest first, for the host's admin tooling
   * (never a staff or portal page: there is no reader to check). state: empty for every state,
   * else "pending", "delivered" or "dead" (another word is EHR_STATUS_INVALID_ARGUMENT naming
   * "state"). limit: at most that many; 0 means 100. With no webhook configured the list is
   * empty. */
  ehr_status (*list_webhook_deliveries)(ehr_channel* channel, ehr_str state, uint32_t limit, void* sink_ctx,
                                        ehr_webhook_delivery_sink_fn sink, ehr_error** out_error);
  /* Optional. Since 1.1. Puts a dead delivery (delivery_id), or every dead one (delivery_id 0),
   * back to pending with a fresh round of attempts, due at once. A delivery that is not dead is
   * EHR_STATUS_INVALID_ARGUMENT, an unknown one EHR_STATUS_NOT_FOUND, both naming "delivery_id".
   * *out_count: how many were put back; may be NULL. */
  ehr_status (*retry_webhook_deliveries)(ehr_channel* channel, int64_t delivery_id, uint64_t* out_count,
                                         ehr_error** out_error);
  /* Optional. Since 1.1. Key rotation for the host's admin tooling (never a staff or portal page):
   * the plugin asks the host's get_key for the current data key and re-encrypts every stored
   * subject and body, and every webhook payload waiting for delivery, not under it, at most
   * batch_size (1 to 10000, else
   * EHR_STATUS_INVALID_ARGUMENT naming "batch_size") per write transaction, so sends go on
   * meanwhile. Audited as keys.rotate by `actor` (the admin), with counts only. Without a key
   * service: EHR_STATUS_UNSUPPORTED. *out_key_id: the key everything is now under;
   * *out_resealed: how many values were re-encrypted, webhook payloads included (one count, so
   * that the table needs no new member); either may be NULL. */
  ehr_status (*rekey)(ehr_channel* channel, const ehr_principal* actor, uint32_t batch_size,
                      uint32_t* out_key_id, uint64_t* out_resealed, ehr_error** out_error);
} ehr_channel_api;

/* Stable words for a deny reason, e.g. for audit records and machine-readable
 * output. Numbers and words never change; never NULL. */
static inline const char* ehr_deny_reason_name(ehr_deny_reason reason) {
  switch (reason) {
    case EHR_DENY_NONE:
      return "ok";
    case EHR_DENY_MESSAGING_OFF:
      return "messaging_off";
    case EHR_DENY_STAFF_LACKS_ROLE:
      return "staff_lacks_role";
    case EHR_DENY_STAFF_INACTIVE:
      return "staff_inactive";
    case EHR_DENY_NOT_ON_CARE_TEAM:
      return "not_on_care_team";
    case EHR_DENY_PORTAL_ACCOUNT_INACTIVE:
      return "portal_account_inactive";
    case EHR_DENY_NOT_A_CONTACT:
      return "not_a_contact";
    case EHR_DENY_UNKNOWN_PATIENT:
      return "unknown_patient";
    case EHR_DENY_UNKNOWN_USER:
      return "unknown_user";
    case EHR_DENY_NOT_A_PARTICIPANT:
      return "not_a_participant";
    default:
      return "unknown_reason";
  }
}

#ifdef __cplusplus
}
#endif

#endif /* EHR_CHANNEL_H */
