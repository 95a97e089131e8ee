/* A host written in plain C99 on the host C API (libehr_host.so), loading the real My Messages
 * plugin: the help text's walk, then the threading contract of ehr/host_api.h.
 *
 * Usage: capi_host walk|gil|calling-thread PLUGINS_DIR DATA_DIR
 *   walk            R-SET-*, R-ROLE-3, R-MSG-*, R-BRAND-2, R-HOOK-1, R-AUD-1 through the C API
 *   gil             a blocking binding (one "interpreter lock" held by every callback and by the
 *                   host's threads except inside ehr_host_* calls, as Python's) sends from two
 *                   threads while a third reads, and the call that commits the writes of both
 *                   senders asks host services for the other's: no deadlock, and every callback
 *                   came from a thread inside an ehr_host_* call
 *   calling-thread  EHR_HOST_CALLBACKS_CALLING_THREAD: every callback runs on the calling thread
 * Prints one line per check and "N passed, N failed"; exits 0 only when nothing failed. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ehr/host_api.h"

static int passed = 0;
static int failed = 0;

#define CHECK(condition, what)                                  \
  do {                                                          \
    if (condition) {                                            \
      ++passed;                                                 \
      printf("ok: %s\n", what);                                 \
    } else {                                                    \
      ++failed;                                                 \
      printf("FAILED: %s (%s:%d)\n", what, __FILE__, __LINE__); \
    }                                                           \
  } while (0)

static ehr_str str(const char* text) {
  ehr_str out;
  out.data = text;
  out.size = text != NULL ? strlen(text) : 0;
  return out;
}

static int str_is(ehr_str value, const char* text) {
  size_t size = strlen(text);
  return value.size == size && (size == 0 || memcmp(value.data, text, size) == 0);
}

/* Checks a call's status and, on failure, prints and frees its error. */
static int ok(ehr_status status, ehr_error* error, const char* what) {
  if (status != EHR_STATUS_OK)
    printf("  %s: %s: %.*s\n", what, ehr_host_status_name(status),
           error != NULL ? (int)error->message.size : 0, error != NULL ? error->message.data : "");
  ehr_host_error_free(error);
  return status == EHR_STATUS_OK;
}

/* ---- Threading bookkeeping --------------------------------------------------------------------- */

static pthread_mutex_t interpreter_lock = PTHREAD_MUTEX_INITIALIZER; /* the "GIL" of mode gil */
static int use_interpreter_lock = 0;
static pthread_mutex_t counters_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t calling_threads[4];
static int in_call[4]; /* the calling thread is inside an ehr_host_* call of the threading check */
static int calling_thread_count = 0;
static long callbacks_total = 0;
static long callbacks_on_other_threads = 0; /* on a thread not inside an ehr_host_* call */

static void calling_thread_add(pthread_t thread) {
  pthread_mutex_lock(&counters_lock);
  in_call[calling_thread_count] = 0;
  calling_threads[calling_thread_count++] = thread;
  pthread_mutex_unlock(&counters_lock);
}

/* Marks this calling thread inside (1) or out of (0) an ehr_host_* call. */
static void calling(int inside) {
  int i;
  pthread_mutex_lock(&counters_lock);
  for (i = 0; i < calling_thread_count; ++i)
    if (pthread_equal(calling_threads[i], pthread_self())) in_call[i] = inside;
  pthread_mutex_unlock(&counters_lock);
}

static void callback_enter(void) {
  int i, mine = 0;
  pthread_mutex_lock(&counters_lock);
  for (i = 0; i < calling_thread_count; ++i)
    if (pthread_equal(calling_threads[i], pthread_self()) && in_call[i]) mine = 1;
  ++callbacks_total;
  if (!mine) ++callbacks_on_other_threads;
  pthread_mutex_unlock(&counters_lock);
  if (use_interpreter_lock) pthread_mutex_lock(&interpreter_lock);
}

static void callback_leave(void) {
  if (use_interpreter_lock) pthread_mutex_unlock(&interpreter_lock);
}

/* A binding's host thread holds the interpreter lock except inside ehr_host_* calls. */
static void take_interpreter(void) {
  if (use_interpreter_lock) pthread_mutex_lock(&interpreter_lock);
}
static void release_interpreter(void) {
  if (use_interpreter_lock) pthread_mutex_unlock(&interpreter_lock);
}

/* ---- The practice: one company with a North location, four staff, one patient, two portal users */

typedef struct staff {
  const char* id;
  const char* name;
} staff;

static const staff staff_users[] = {
    {"admin", "Alex Morgan"}, {"drlee", "Dr. Lee"}, {"nurse", "Jamie Smith"}, {"drpatel", "Dr. Patel"}};
#define STAFF_COUNT (sizeof staff_users / sizeof staff_users[0])

static ehr_host_role_store* role_store = NULL; /* user_has_role answers from it */

typedef struct notification_log {
  pthread_mutex_t lock;
  int count; /* of notifications to portal users */
  char brand[64];
  char recipient[32];
  int had_body; /* a notification carrying the message text would be a PHI leak (R-BRAND-4) */
} notification_log;
static notification_log notifications = {PTHREAD_MUTEX_INITIALIZER, 0, "", "", 0};
static const char* secret_body = "Your potassium is 5.9";

static ehr_status svc_log(void* host, ehr_log_level level, ehr_str message) {
  (void)host;
  callback_enter();
  if (level >= EHR_LOG_WARNING)
    fprintf(stderr, "plugin log [%u]: %.*s\n", level, (int)message.size, message.data);
  callback_leave();
  return EHR_STATUS_OK;
}

static ehr_status svc_now(void* host, int64_t* out_unix_ms) {
  (void)host;
  callback_enter();
  *out_unix_ms = (int64_t)time(NULL) * 1000;
  callback_leave();
  return EHR_STATUS_OK;
}

static ehr_user_info user_info(const staff* user) {
  ehr_user_info out;
  memset(&out, 0, sizeof out);
  out.struct_type = EHR_STRUCT_USER_INFO;
  out.struct_size = sizeof out;
  out.id = str(user->id);
  out.display_name = str(user->name);
  out.active = 1;
  return out;
}

static const staff* find_staff(ehr_str id) {
  size_t i;
  for (i = 0; i < STAFF_COUNT; ++i)
    if (str_is(id, staff_users[i].id)) return &staff_users[i];
  return NULL;
}

static ehr_status svc_get_user(void* host, ehr_str user_id, void* ctx, ehr_user_sink_fn sink) {
  const staff* user;
  ehr_status status = EHR_STATUS_NOT_FOUND;
  ehr_user_info info;
  (void)host;
  callback_enter();
  user = find_staff(user_id);
  if (user != NULL) {
    info = user_info(user);
    status = sink(ctx, &info);
  }
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_user_has_role(void* host, ehr_str user_id, ehr_str role_id, bool* out_has_role) {
  ehr_status status;
  ehr_error* error = NULL;
  (void)host;
  callback_enter();
  /* A role the store does not know (yet) is a role nobody holds. */
  status = ehr_host_role_store_has_role(role_store, user_id, role_id, out_has_role, &error);
  if (status == EHR_STATUS_NOT_FOUND) {
    *out_has_role = false;
    status = EHR_STATUS_OK;
  }
  ehr_host_error_free(error);
  callback_leave();
  return status;
}

typedef struct id_list {
  char ids[8][32];
  size_t count;
} id_list;

static ehr_status collect_id(void* ctx, ehr_str id) {
  id_list* list = (id_list*)ctx;
  if (list->count < 8 && id.size < 32) {
    memcpy(list->ids[list->count], id.data, id.size);
    list->ids[list->count][id.size] = '\0';
    ++list->count;
  }
  return EHR_STATUS_OK;
}

static ehr_status svc_list_users_with_role(void* host, ehr_str role_id, void* ctx, ehr_user_sink_fn sink) {
  id_list members;
  size_t i;
  ehr_status status = EHR_STATUS_OK;
  ehr_error* error = NULL;
  (void)host;
  callback_enter();
  memset(&members, 0, sizeof members);
  if (ehr_host_role_store_members(role_store, role_id, &members, collect_id, &error) != EHR_STATUS_OK)
    members.count = 0;
  ehr_host_error_free(error);
  for (i = 0; i < members.count && status == EHR_STATUS_OK; ++i) {
    const staff* user = find_staff(str(members.ids[i]));
    ehr_user_info info;
    if (user == NULL) continue;
    info = user_info(user);
    status = sink(ctx, &info);
  }
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_get_patient(void* host, ehr_str patient_id, void* ctx, ehr_patient_sink_fn sink) {
  ehr_patient_info info;
  ehr_status status = EHR_STATUS_NOT_FOUND;
  (void)host;
  callback_enter();
  if (str_is(patient_id, "p01")) {
    memset(&info, 0, sizeof info);
    info.struct_type = EHR_STRUCT_PATIENT_INFO;
    info.struct_size = sizeof info;
    info.id = str("p01");
    info.display_name = str("Maria Alvarez");
    info.location_id = str("north");
    status = sink(ctx, &info);
  }
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_list_care_team(void* host, ehr_str patient_id, void* ctx, ehr_id_sink_fn sink) {
  ehr_status status = EHR_STATUS_NOT_FOUND;
  (void)host;
  callback_enter();
  if (str_is(patient_id, "p01")) {
    status = sink(ctx, str("drlee"));
    if (status == EHR_STATUS_OK) status = sink(ctx, str("nurse"));
  }
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_portal_user_info portal_info(const char* id, const char* name, const char* first) {
  ehr_portal_user_info info;
  memset(&info, 0, sizeof info);
  info.struct_type = EHR_STRUCT_PORTAL_USER_INFO;
  info.struct_size = sizeof info;
  info.id = str(id);
  info.display_name = str(name);
  info.first_name = str(first);
  info.kind = EHR_PORTAL_PATIENT;
  info.active = 1;
  return info;
}

static ehr_status svc_get_portal_user(void* host, ehr_str id, void* ctx, ehr_portal_user_sink_fn sink) {
  ehr_portal_user_info info;
  ehr_status status = EHR_STATUS_NOT_FOUND;
  (void)host;
  callback_enter();
  if (str_is(id, "maria")) {
    info = portal_info("maria", "Maria Alvarez", "Maria");
    status = sink(ctx, &info);
  } else if (str_is(id, "hoa")) {
    info = portal_info("hoa", "Hoa Nguyen", "Hoa");
    info.kind = EHR_PORTAL_GUARDIAN;
    status = sink(ctx, &info);
  }
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_list_patient_contacts(void* host, ehr_str patient_id, void* ctx,
                                            ehr_portal_user_sink_fn sink) {
  ehr_portal_user_info info;
  ehr_status status = EHR_STATUS_NOT_FOUND;
  (void)host;
  callback_enter();
  if (str_is(patient_id, "p01")) {
    info = portal_info("maria", "Maria Alvarez", "Maria");
    status = sink(ctx, &info);
  }
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_list_contact_charts(void* host, ehr_str portal_user_id, void* ctx,
                                          ehr_id_sink_fn sink) {
  ehr_status status = EHR_STATUS_OK;
  (void)host;
  callback_enter();
  if (str_is(portal_user_id, "maria"))
    status = sink(ctx, str("p01"));
  else if (!str_is(portal_user_id, "hoa"))
    status = EHR_STATUS_NOT_FOUND;
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_organization_info organization(const char* location_id, const char* name, const char* alias) {
  ehr_organization_info info;
  memset(&info, 0, sizeof info);
  info.struct_type = EHR_STRUCT_ORGANIZATION_INFO;
  info.struct_size = sizeof info;
  info.location_id = str(location_id);
  info.name = str(name);
  info.alias = str(alias);
  info.address = str("1 River Road");
  info.phone = str("555-0100");
  info.portal_url = str("https://portal.example.org");
  return info;
}

static ehr_status svc_get_company(void* host, void* ctx, ehr_organization_sink_fn sink) {
  ehr_organization_info info = organization("", "Riverbend Health Network", "Riverbend Health");
  ehr_status status;
  (void)host;
  callback_enter();
  info.is_master = 1;
  status = sink(ctx, &info);
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_list_locations(void* host, void* ctx, ehr_organization_sink_fn sink) {
  ehr_organization_info info = organization("north", "Riverbend North Clinic", "North Clinic");
  ehr_status status;
  (void)host;
  callback_enter();
  status = sink(ctx, &info);
  callback_leave();
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status svc_notify(void* host, const ehr_notification* n) {
  (void)host;
  callback_enter();
  pthread_mutex_lock(&notifications.lock);
  if (n->recipient.kind == EHR_PRINCIPAL_PORTAL_USER) { /* staff get in-app notices too */
    ++notifications.count;
    snprintf(notifications.brand, sizeof notifications.brand, "%.*s", (int)n->brand_name.size,
             n->brand_name.data);
    snprintf(notifications.recipient, sizeof notifications.recipient, "%.*s", (int)n->recipient.id.size,
             n->recipient.id.data);
  }
  if ((n->text.size > 0 && strstr(n->text.data, secret_body) != NULL) ||
      (n->subject.size > 0 && strstr(n->subject.data, secret_body) != NULL))
    notifications.had_body = 1;
  pthread_mutex_unlock(&notifications.lock);
  callback_leave();
  return EHR_STATUS_OK;
}

static long audit_mirrored = 0;
static ehr_status svc_audit(void* host, const ehr_audit_event* event) {
  (void)host;
  (void)event;
  callback_enter();
  pthread_mutex_lock(&counters_lock);
  ++audit_mirrored;
  pthread_mutex_unlock(&counters_lock);
  callback_leave();
  return EHR_STATUS_OK;
}

static ehr_host_services services_table(void) {
  ehr_host_services table;
  memset(&table, 0, sizeof table);
  table.struct_type = EHR_STRUCT_HOST_SERVICES;
  table.struct_size = sizeof table;
  table.log = svc_log;
  table.now = svc_now;
  table.get_user = svc_get_user;
  table.user_has_role = svc_user_has_role;
  table.list_users_with_role = svc_list_users_with_role;
  table.get_patient = svc_get_patient;
  table.list_care_team = svc_list_care_team;
  table.get_portal_user = svc_get_portal_user;
  table.list_patient_contacts = svc_list_patient_contacts;
  table.list_contact_charts = svc_list_contact_charts;
  table.get_company = svc_get_company;
  table.list_locations = svc_list_locations;
  table.notify = svc_notify;
  table.audit = svc_audit;
  return table;
}

static ehr_status dir_list_users(void* context, void* ctx, ehr_user_sink_fn sink) {
  size_t i;
  ehr_status status = EHR_STATUS_OK;
  (void)context;
  for (i = 0; i < STAFF_COUNT && status == EHR_STATUS_OK; ++i) {
    ehr_user_info info = user_info(&staff_users[i]);
    status = sink(ctx, &info);
  }
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

/* ---- Small builders ---------------------------------------------------------------------------- */

static ehr_principal principal(ehr_principal_kind kind, const char* id) {
  ehr_principal out;
  memset(&out, 0, sizeof out);
  out.struct_type = EHR_STRUCT_PRINCIPAL;
  out.struct_size = sizeof out;
  out.kind = kind;
  out.id = str(id);
  return out;
}

static ehr_setting_value setting(const char* key, const char* value) {
  ehr_setting_value out;
  memset(&out, 0, sizeof out);
  out.struct_type = EHR_STRUCT_SETTING_VALUE;
  out.struct_size = sizeof out;
  out.key = str(key);
  out.value = str(value);
  return out;
}

static ehr_sent sent_struct(void) {
  ehr_sent out;
  memset(&out, 0, sizeof out);
  out.struct_type = EHR_STRUCT_SENT;
  out.struct_size = sizeof out;
  return out;
}

static const char* channel_id = "portal-messaging";
static const char* plugin_id = "portal-messaging";

static ehr_status send_to_maria(ehr_host* host, const char* from, const char* body, ehr_sent* sent,
                                ehr_error** error) {
  ehr_start_request request;
  ehr_principal to = principal(EHR_PRINCIPAL_PORTAL_USER, "maria");
  memset(&request, 0, sizeof request);
  request.struct_type = EHR_STRUCT_START_REQUEST;
  request.struct_size = sizeof request;
  request.sender = principal(EHR_PRINCIPAL_STAFF, from);
  request.patient_id = str("p01");
  request.recipients = &to;
  request.recipient_count = 1;
  request.subject = str("Your lab results");
  request.body = str(body);
  *sent = sent_struct();
  return ehr_host_channel_start(host, str(channel_id), &request, sent, error);
}

static ehr_status reply(ehr_host* host, ehr_principal_kind kind, const char* from, int64_t thread_id,
                        const char* body, ehr_sent* sent, ehr_error** error) {
  ehr_reply_request request;
  memset(&request, 0, sizeof request);
  request.struct_type = EHR_STRUCT_REPLY_REQUEST;
  request.struct_size = sizeof request;
  request.sender = principal(kind, from);
  request.thread_id = thread_id;
  request.body = str(body);
  *sent = sent_struct();
  return ehr_host_channel_reply(host, str(channel_id), &request, sent, error);
}

static ehr_host* open_host(const char* plugins, const char* data, int start_new_disabled,
                           ehr_host_callbacks mode) {
  ehr_host_options options;
  ehr_host_services table = services_table();
  ehr_host* host = NULL;
  ehr_error* error = NULL;
  memset(&options, 0, sizeof options);
  options.struct_type = EHR_HOST_STRUCT_OPTIONS;
  options.struct_size = sizeof options;
  options.plugins_directory = str(plugins);
  options.host_data_directory = str(data);
  options.start_new_disabled = (uint32_t)start_new_disabled;
  options.callbacks = mode;
  if (!ok(ehr_host_create(&options, &table, &host, &error), error, "ehr_host_create")) return NULL;
  return host;
}

static int open_role_store(const char* data) {
  ehr_host_user_directory users;
  ehr_error* error = NULL;
  ehr_str user = str("admin"), role = str("manage_users");
  memset(&users, 0, sizeof users);
  users.struct_type = EHR_HOST_STRUCT_USER_DIRECTORY;
  users.struct_size = sizeof users;
  users.list_users = dir_list_users;
  if (!ok(ehr_host_role_store_open(str(data), &users, &role_store, &error), error, "role store open"))
    return 0;
  return ok(ehr_host_role_store_seed(role_store, &user, &role, 1, NULL, &error), error, "role store seed");
}

/* Discovers, enables and declares the plugin's roles: admin manages portal settings, drlee and the
 * nurse may message. */
static int start_plugin(ehr_host* host) {
  ehr_error* error = NULL;
  ehr_str lee_and_nurse[2];
  if (!ok(ehr_host_discover(host, &error), error, "discover")) return 0;
  if (!ok(ehr_host_enable_plugin(host, str(plugin_id), &error), error, "enable")) return 0;
  if (!ok(ehr_host_role_store_declare_plugin_roles(role_store, host, &error), error, "declare roles"))
    return 0;
  if (!ok(ehr_host_role_store_set(role_store, str("admin"), str("admin"), str("manage_portal_settings"), 1,
                                  NULL, &error),
          error, "admin role"))
    return 0;
  lee_and_nurse[0] = str("drlee");
  lee_and_nurse[1] = str("nurse");
  return ok(ehr_host_role_store_assign(role_store, str("admin"), str("available_for_portal_messages"),
                                       lee_and_nurse, 2, 0, NULL, &error),
            error, "assign");
}

/* ---- walk ------------------------------------------------------------------------------------- */

static ehr_status plugin_state(void* ctx, const ehr_host_plugin_info* info) {
  *(ehr_host_plugin_state*)ctx = info->state;
  return EHR_STATUS_OK;
}

typedef struct page_seen {
  int fields;
  int has_my_messages;
  char my_messages[16];
} page_seen;

static ehr_status on_page(void* ctx, const ehr_page_info* page) {
  (void)ctx;
  (void)page;
  return EHR_STATUS_OK;
}

static ehr_status on_field(void* ctx, const ehr_field_info* field) {
  page_seen* seen = (page_seen*)ctx;
  ++seen->fields;
  if (str_is(field->key, "my_messages")) {
    seen->has_my_messages = 1;
    snprintf(seen->my_messages, sizeof seen->my_messages, "%.*s", (int)field->value.size, field->value.data);
  }
  return EHR_STATUS_OK;
}

typedef struct read_seen {
  int messages;
  int first_body_matches;
} read_seen;

static ehr_status on_message(void* ctx, const ehr_message_view* message) {
  read_seen* seen = (read_seen*)ctx;
  if (seen->messages == 0) seen->first_body_matches = str_is(message->body, secret_body);
  ++seen->messages;
  return EHR_STATUS_OK;
}

static ehr_status count_participant(void* ctx, const ehr_recipient* participant) {
  (void)participant;
  ++*(int*)ctx;
  return EHR_STATUS_OK;
}

static ehr_status on_brand(void* ctx, const ehr_brand* brand) {
  snprintf((char*)ctx, 64, "%.*s", (int)brand->name.size, brand->name.data);
  return EHR_STATUS_OK;
}

static ehr_status card_guard(void* user_data, const ehr_hook_event* event, ehr_error** out_error) {
  size_t i, digits = 0;
  (void)user_data;
  callback_enter();
  for (i = 0; i < event->body.size; ++i)
    digits = (event->body.data[i] >= '0' && event->body.data[i] <= '9')
                 ? digits + 1
                 : (event->body.data[i] == ' ' ? digits : 0);
  callback_leave();
  if (digits < 12) return EHR_STATUS_OK;
  if (out_error != NULL)
    *out_error = ehr_host_error_new(EHR_STATUS_REJECTED,
                                    str("card numbers may not be sent through the portal"), str("body"), 0);
  return EHR_STATUS_REJECTED;
}

static int walk(const char* plugins, const char* data) {
  ehr_host* host;
  ehr_error* error = NULL;
  ehr_status status;
  ehr_host_plugin_state state = EHR_HOST_PLUGIN_FAILED;
  page_seen seen;
  ehr_setting_value values[2];
  ehr_sent sent;
  int64_t thread_id;
  uint64_t unread = 0, hook_id = 0;
  read_seen messages;
  ehr_principal maria = principal(EHR_PRINCIPAL_PORTAL_USER, "maria");
  ehr_principal drlee = principal(EHR_PRINCIPAL_STAFF, "drlee");
  ehr_audit_verify_result verified;
  size_t changed = 99;
  ehr_str lee_and_nurse[2];

  CHECK(EHR_VERSION_MAJOR(ehr_host_api_version()) == EHR_HOST_API_VERSION_MAJOR,
        "the library speaks this API major");
  if (!open_role_store(data)) return 1;
  host = open_host(plugins, data, 1, EHR_HOST_CALLBACKS_ANY_THREAD);
  if (host == NULL) return 1;
  CHECK(ok(ehr_host_discover(host, &error), error, "discover"), "discover finds the plugin");
  CHECK(ehr_host_plugin_info_get(host, str(plugin_id), &state, plugin_state, NULL) == EHR_STATUS_OK &&
            state == EHR_HOST_PLUGIN_DISABLED,
        "a new plugin waits disabled for the admin");
  CHECK(ok(ehr_host_enable_plugin(host, str(plugin_id), &error), error, "enable"), "the admin enables it");
  ehr_host_plugin_info_get(host, str(plugin_id), &state, plugin_state, NULL);
  CHECK(state == EHR_HOST_PLUGIN_ENABLED, "it is enabled");
  CHECK(ok(ehr_host_role_store_declare_plugin_roles(role_store, host, &error), error, "declare"),
        "the plugin's roles are declared to the role store");
  CHECK(ok(ehr_host_role_store_set(role_store, str("admin"), str("admin"), str("manage_portal_settings"), 1,
                                   &changed, &error),
           error, "set") &&
            changed == 1,
        "R-ROLE-2: admin gets Manage Portal Settings");

  /* R-SET-1, R-SET-2 */
  memset(&seen, 0, sizeof seen);
  {
    ehr_page_sink sink;
    memset(&sink, 0, sizeof sink);
    sink.struct_type = EHR_STRUCT_PAGE_SINK;
    sink.struct_size = sizeof sink;
    sink.on_page = on_page;
    sink.on_field = on_field;
    status = ehr_host_settings_describe(host, str(plugin_id), str("drlee"), str(""), &seen, &sink, &error);
    CHECK(status == EHR_STATUS_FORBIDDEN, "R-SET-1: Dr. Lee may not open Portal Settings");
    ehr_host_error_free(error);
    error = NULL;
    CHECK(ok(ehr_host_settings_describe(host, str(plugin_id), str("admin"), str(""), &seen, &sink, &error),
             error, "describe") &&
              seen.has_my_messages && strcmp(seen.my_messages, "off") == 0,
          "R-SET-2: the General page shows My Messages, off");
  }
  values[0] = setting("my_messages", "on");
  values[1] = setting("audience", "everyone");
  status = ehr_host_settings_save(host, str(plugin_id), str("admin"), str(""), values, 2, &error);
  CHECK(status == EHR_STATUS_INVALID_ARGUMENT && error != NULL && str_is(error->field, "audience"),
        "R-SET-6: a bad audience is refused naming the field");
  ehr_host_error_free(error);
  error = NULL;
  values[1] = setting("audience", "care_team_only");
  status = ehr_host_settings_save(host, str(plugin_id), str("admin"), str(""), values, 1, &error);
  CHECK(ok(status, error, "save general"), "R-SET-2: My Messages on in General");
  error = NULL;
  values[0] = setting("use_location_information", "on");
  CHECK(ok(ehr_host_settings_save(host, str(plugin_id), str("admin"), str("north"), values, 1, &error), error,
           "save north"),
        "R-SET-4: North uses its own location information");

  /* R-ROLE-3 */
  lee_and_nurse[0] = str("drlee");
  lee_and_nurse[1] = str("nurse");
  CHECK(ok(ehr_host_role_store_assign(role_store, str("admin"), str("available_for_portal_messages"),
                                      lee_and_nurse, 2, 0, &changed, &error),
           error, "assign") &&
            changed == 2,
        "R-ROLE-3: two users assigned at once");
  ehr_host_role_store_assign(role_store, str("admin"), str("available_for_portal_messages"), lee_and_nurse, 2,
                             0, &changed, NULL);
  CHECK(changed == 0, "R-ROLE-3: assigning again changes nobody");
  status = ehr_host_role_store_assign(role_store, str("drlee"), str("available_for_portal_messages"),
                                      lee_and_nurse, 1, 0, &changed, &error);
  CHECK(status == EHR_STATUS_FORBIDDEN, "R-ROLE-4: only a user manager may assign roles");
  ehr_host_error_free(error);
  error = NULL;

  /* R-CONV-1, R-CONV-2: both ways */
  status = send_to_maria(host, "drlee", secret_body, &sent, &error);
  CHECK(ok(status, error, "send"), "Dr. Lee writes to Maria");
  error = NULL;
  thread_id = sent.thread_id;
  CHECK(ok(ehr_host_channel_unread(host, str(channel_id), &maria, &unread, &error), error, "unread") &&
            unread == 1,
        "R-CONV-2: Maria's badge shows one unread message");
  memset(&messages, 0, sizeof messages);
  CHECK(ok(ehr_host_channel_read(host, str(channel_id), &maria, thread_id, &messages, on_message, &error),
           error, "read") &&
            messages.messages == 1 && messages.first_body_matches,
        "Maria reads the message");
  CHECK(ok(reply(host, EHR_PRINCIPAL_PORTAL_USER, "maria", thread_id, "Thank you!", &sent, &error), error,
           "reply"),
        "Maria answers");
  CHECK(ehr_host_channel_unread(host, str(channel_id), &drlee, &unread, NULL) == EHR_STATUS_OK && unread == 1,
        "Dr. Lee sees the answer unread");

  /* R-CONV-6: the nurse covers; Maria sees three people on the thread */
  {
    ehr_principal nurse = principal(EHR_PRINCIPAL_STAFF, "nurse");
    bool added = false;
    int participants = 0;
    char brand[64] = "";
    CHECK(
        ok(ehr_host_channel_add_participant(host, str(channel_id), &drlee, thread_id, &nurse, &added, &error),
           error, "add participant") &&
            added,
        "R-CONV-6: Dr. Lee adds the nurse to the thread");
    CHECK(ok(ehr_host_channel_participants(host, str(channel_id), &maria, thread_id, &participants,
                                           count_participant, &error),
             error, "participants") &&
              participants == 3,
          "R-CONV-6: Maria sees who takes part");
    CHECK(ok(ehr_host_channel_brand(host, str(channel_id), &maria, str("p01"), brand, on_brand, &error),
             error, "brand") &&
              strcmp(brand, "North Clinic") == 0,
          "R-BRAND-2: Maria's pages name North, as its location information is on");
  }

  /* R-BRAND-2, R-BRAND-4 */
  pthread_mutex_lock(&notifications.lock);
  CHECK(notifications.count >= 1 && strcmp(notifications.recipient, "maria") == 0,
        "Maria was notified of the new message");
  CHECK(strcmp(notifications.brand, "North Clinic") == 0,
        "R-BRAND-2: the notification carries North's alias");
  CHECK(!notifications.had_body, "R-BRAND-4: the notification carries no message content");
  pthread_mutex_unlock(&notifications.lock);

  /* R-MSG-2, R-MSG-5 */
  status = send_to_maria(host, "drpatel", "Hello", &sent, &error);
  CHECK(status == EHR_STATUS_FORBIDDEN && error != NULL && error->reason == EHR_DENY_STAFF_LACKS_ROLE &&
            strcmp(ehr_host_deny_reason_name(error->reason), "staff_lacks_role") == 0,
        "R-MSG-5: Dr. Patel is refused, and the reason says why");
  ehr_host_error_free(error);
  error = NULL;

  /* R-HOOK-1 */
  CHECK(ok(ehr_host_hook_add(host, str(plugin_id), EHR_HOOK_BEFORE_STORE, card_guard, NULL, &hook_id, &error),
           error, "hook add"),
        "a before_store hook is added");
  status = reply(host, EHR_PRINCIPAL_PORTAL_USER, "maria", thread_id, "My card is 4111 1111 1111 1111", &sent,
                 &error);
  CHECK(status == EHR_STATUS_REJECTED && error != NULL && strstr(error->message.data, "card numbers") != NULL,
        "R-HOOK-1: the hook rejects a card number, with its words");
  ehr_host_error_free(error);
  error = NULL;
  CHECK(ok(ehr_host_hook_remove(host, hook_id, &error), error, "hook remove"), "the hook is removed");

  /* R-AUD-1, R-SEC-3 */
  memset(&verified, 0, sizeof verified);
  verified.struct_type = EHR_STRUCT_AUDIT_VERIFY_RESULT;
  verified.struct_size = sizeof verified;
  CHECK(ok(ehr_host_audit_verify(host, str(plugin_id), &verified, &error), error, "audit verify") &&
            verified.ok && verified.records_checked >= 5,
        "R-AUD-1: the audit chain verifies");
  CHECK(audit_mirrored >= 5, "audit records are mirrored to the host");

  /* Disable refuses calls; shutdown */
  CHECK(ok(ehr_host_disable_plugin(host, str(plugin_id), &error), error, "disable"), "the admin disables it");
  status = send_to_maria(host, "drlee", "Still there?", &sent, &error);
  CHECK(status == EHR_STATUS_DISABLED, "a disabled plugin's channel refuses calls");
  ehr_host_error_free(error);
  error = NULL;
  CHECK(ok(ehr_host_shutdown(host, &error), error, "shutdown"), "shutdown");
  ehr_host_plugin_info_get(host, str(plugin_id), &state, plugin_state, NULL);
  CHECK(state == EHR_HOST_PLUGIN_SHUT_DOWN, "the plugin is shut down");
  ehr_host_destroy(host);
  return 0;
}

/* ---- Threading --------------------------------------------------------------------------------- */

typedef struct worker {
  ehr_host* host;
  int sends;
  int failures;
} worker;

static void* sender(void* arg) {
  worker* w = (worker*)arg;
  int i;
  ehr_sent sent;
  ehr_status status;
  calling_thread_add(pthread_self());
  take_interpreter();
  for (i = 0; i < 20; ++i) {
    ehr_error* error = NULL;
    release_interpreter();
    calling(1);
    status = send_to_maria(w->host, "drlee", "Checking in", &sent, &error);
    calling(0);
    take_interpreter();
    if (status == EHR_STATUS_OK)
      ++w->sends;
    else
      ++w->failures;
    ehr_host_error_free(error);
  }
  release_interpreter();
  return NULL;
}

static void* reader(void* arg) {
  worker* w = (worker*)arg;
  int i;
  ehr_principal maria = principal(EHR_PRINCIPAL_PORTAL_USER, "maria");
  uint64_t unread = 0;
  ehr_status status;
  calling_thread_add(pthread_self());
  take_interpreter();
  for (i = 0; i < 20; ++i) {
    ehr_error* error = NULL;
    release_interpreter();
    calling(1);
    status = ehr_host_channel_unread(w->host, str(channel_id), &maria, &unread, &error);
    calling(0);
    take_interpreter();
    if (status == EHR_STATUS_OK)
      ++w->sends;
    else
      ++w->failures;
    ehr_host_error_free(error);
  }
  release_interpreter();
  return NULL;
}

static void on_deadlock(int signal_number) {
  (void)signal_number;
  static const char message[] =
      "FAILED: deadlock: the threads did not finish within 120 s\n0 passed, 1 failed\n";
  if (write(STDOUT_FILENO, message, sizeof message - 1) < 0) _exit(3);
  _exit(2);
}

static int threads(const char* plugins, const char* data, ehr_host_callbacks mode) {
  ehr_host* host;
  pthread_t a, b, c;
  worker w1 = {NULL, 0, 0}, w2 = {NULL, 0, 0}, w3 = {NULL, 0, 0};
  long total, foreign;
  if (!open_role_store(data)) return 1;
  calling_thread_add(pthread_self());
  host = open_host(plugins, data, 0, mode);
  if (host == NULL || !start_plugin(host)) return 1;
  {
    ehr_setting_value on = setting("my_messages", "on");
    ehr_error* error = NULL;
    if (!ok(ehr_host_settings_save(host, str(plugin_id), str("admin"), str(""), &on, 1, &error), error,
            "save"))
      return 1;
  }
  pthread_mutex_lock(&counters_lock);
  callbacks_total = 0;
  callbacks_on_other_threads = 0;
  pthread_mutex_unlock(&counters_lock);
  w1.host = w2.host = w3.host = host;
  signal(SIGALRM, on_deadlock);
  alarm(120);
  pthread_create(&a, NULL, sender, &w1);
  pthread_create(&b, NULL, reader, &w2);
  pthread_create(&c, NULL, sender, &w3);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_join(c, NULL);
  alarm(0);
  CHECK(w1.sends == 20 && w1.failures == 0 && w3.sends == 20 && w3.failures == 0,
        "every message from the sending threads went through");
  CHECK(w2.sends == 20 && w2.failures == 0, "every badge call from the reading thread answered");
  pthread_mutex_lock(&counters_lock);
  total = callbacks_total;
  foreign = callbacks_on_other_threads;
  pthread_mutex_unlock(&counters_lock);
  printf("  callbacks: %ld, on a thread outside any call: %ld\n", total, foreign);
  if (mode == EHR_HOST_CALLBACKS_ANY_THREAD)
    CHECK(total > 0 && foreign == 0,
          "every callback came from a thread inside a call (the plugin commits on its callers' threads)");
  else
    CHECK(total > 0 && foreign == 0, "every callback ran on the thread that made the call");
  ehr_host_destroy(host);
  return 0;
}

int main(int argc, char** argv) {
  int rc;
  if (argc != 4) {
    fprintf(stderr, "usage: capi_host walk|gil|calling-thread PLUGINS_DIR DATA_DIR\n");
    return 2;
  }
  if (strcmp(argv[1], "walk") == 0) {
    calling_thread_add(pthread_self());
    rc = walk(argv[2], argv[3]);
  } else if (strcmp(argv[1], "gil") == 0) {
    use_interpreter_lock = 1;
    rc = threads(argv[2], argv[3], EHR_HOST_CALLBACKS_ANY_THREAD);
  } else if (strcmp(argv[1], "calling-thread") == 0) {
    rc = threads(argv[2], argv[3], EHR_HOST_CALLBACKS_CALLING_THREAD);
  } else {
    fprintf(stderr, "capi_host: unknown mode %s\n", argv[1]);
    return 2;
  }
  ehr_host_role_store_close(role_store);
  printf("%d passed, %d failed\n", passed, failed);
  return rc != 0 || failed != 0 ? 1 : 0;
}
