/* A host written in plain C99 (compiled with -pedantic -Werror): it loads a plugin with dlopen,
 * negotiates, calls on_init with a minimal host services table and a registrar, prints what the
 * plugin registered, uses its channel without ever calling on_enable (the header promises a plugin
 * is enabled once on_init returns), switches it off and on, and shuts it down. It proves the ABI
 * needs nothing from C++. Built against today's headers and against the 1.0 headers as they
 * shipped: it uses nothing that 1.0 lacked.
 *
 * Usage: c_host PLUGIN.so DATA_DIR [SETTINGS_SCHEMA [MANIFEST_DIR]]
 * Exit 0 when the plugin initialised and shut down; non-zero with the reason on stderr. */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ehr/plugin.h"

#define MAX_REGISTERED 8

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

/* ---- a tiny practice: one company, one location, two staff, one patient, one portal user ---- */

/* A sink answering EHR_STATUS_STOP ends an enumeration successfully. */
static ehr_status sink_outcome(ehr_status status) {
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

static ehr_status host_log(void* host, ehr_log_level level, ehr_str message) {
  (void)host;
  fprintf(stderr, "plugin log [%u]: %.*s\n", (unsigned)level, (int)message.size, message.data);
  return EHR_STATUS_OK;
}

static ehr_status host_now(void* host, int64_t* out_unix_ms) {
  (void)host;
  if (out_unix_ms == NULL) return EHR_STATUS_INVALID_ARGUMENT;
  *out_unix_ms = (int64_t)time(NULL) * 1000;
  return EHR_STATUS_OK;
}

static ehr_user_info user_info(const char* id, const char* name) {
  ehr_user_info user;
  memset(&user, 0, sizeof user);
  user.struct_type = EHR_STRUCT_USER_INFO;
  user.struct_size = sizeof user;
  user.id = str(id);
  user.display_name = str(name);
  user.active = 1;
  return user;
}

static ehr_status host_get_user(void* host, ehr_str user_id, void* ctx, ehr_user_sink_fn sink) {
  ehr_user_info user;
  (void)host;
  if (str_is(user_id, "admin"))
    user = user_info("admin", "Ada Admin");
  else if (str_is(user_id, "drlee"))
    user = user_info("drlee", "Dr. Lee");
  else
    return EHR_STATUS_NOT_FOUND;
  return sink_outcome(sink(ctx, &user));
}

static ehr_status host_user_has_role(void* host, ehr_str user_id, ehr_str role_id, bool* out_has_role) {
  (void)host;
  (void)role_id;
  if (!str_is(user_id, "admin") && !str_is(user_id, "drlee")) return EHR_STATUS_NOT_FOUND;
  *out_has_role = str_is(user_id, "admin");
  return EHR_STATUS_OK;
}

static ehr_status host_list_users_with_role(void* host, ehr_str role_id, void* ctx, ehr_user_sink_fn sink) {
  ehr_user_info admin = user_info("admin", "Ada Admin");
  (void)host;
  (void)role_id;
  return sink_outcome(sink(ctx, &admin));
}

static ehr_status host_get_patient(void* host, ehr_str patient_id, void* ctx, ehr_patient_sink_fn sink) {
  ehr_patient_info patient;
  (void)host;
  if (!str_is(patient_id, "p1")) return EHR_STATUS_NOT_FOUND;
  memset(&patient, 0, sizeof patient);
  patient.struct_type = EHR_STRUCT_PATIENT_INFO;
  patient.struct_size = sizeof patient;
  patient.id = str("p1");
  patient.display_name = str("Pat One");
  patient.location_id = str("north");
  return sink_outcome(sink(ctx, &patient));
}

static ehr_status host_list_care_team(void* host, ehr_str patient_id, void* ctx, ehr_id_sink_fn sink) {
  (void)host;
  if (!str_is(patient_id, "p1")) return EHR_STATUS_NOT_FOUND;
  return sink_outcome(sink(ctx, str("drlee")));
}

static ehr_portal_user_info portal_user(void) {
  ehr_portal_user_info user;
  memset(&user, 0, sizeof user);
  user.struct_type = EHR_STRUCT_PORTAL_USER_INFO;
  user.struct_size = sizeof user;
  user.id = str("pat1");
  user.display_name = str("Pat One");
  user.first_name = str("Pat");
  user.kind = EHR_PORTAL_PATIENT;
  user.active = 1;
  return user;
}

static ehr_status host_get_portal_user(void* host, ehr_str id, void* ctx, ehr_portal_user_sink_fn sink) {
  ehr_portal_user_info user = portal_user();
  (void)host;
  if (!str_is(id, "pat1")) return EHR_STATUS_NOT_FOUND;
  return sink_outcome(sink(ctx, &user));
}

static ehr_status host_list_patient_contacts(void* host, ehr_str patient_id, void* ctx,
                                             ehr_portal_user_sink_fn sink) {
  ehr_portal_user_info user = portal_user();
  (void)host;
  if (!str_is(patient_id, "p1")) return EHR_STATUS_NOT_FOUND;
  return sink_outcome(sink(ctx, &user));
}

static ehr_status host_list_contact_charts(void* host, ehr_str portal_user_id, void* ctx,
                                           ehr_id_sink_fn sink) {
  (void)host;
  if (!str_is(portal_user_id, "pat1")) return EHR_STATUS_NOT_FOUND;
  return sink_outcome(sink(ctx, str("p1")));
}

static ehr_organization_info organization(const char* location_id, const char* name, uint32_t is_master) {
  ehr_organization_info org;
  memset(&org, 0, sizeof org);
  org.struct_type = EHR_STRUCT_ORGANIZATION_INFO;
  org.struct_size = sizeof org;
  org.location_id = str(location_id);
  org.name = str(name);
  org.address = str("1 Main St");
  org.phone = str("555-0100");
  org.portal_url = str("https://portal.example");
  org.is_master = is_master;
  return org;
}

static ehr_status host_get_company(void* host, void* ctx, ehr_organization_sink_fn sink) {
  ehr_organization_info company = organization("", "Good Health Clinic", 1);
  (void)host;
  return sink_outcome(sink(ctx, &company));
}

static ehr_status host_list_locations(void* host, void* ctx, ehr_organization_sink_fn sink) {
  ehr_organization_info north = organization("north", "North Clinic", 0);
  (void)host;
  return sink_outcome(sink(ctx, &north));
}

#if EHR_ABI_VERSION_MINOR >= 1
/* Since 1.1: the key service. A real host keeps random keys outside the plugin's database (a file
 * of its own, a key manager); this one derives a fixed demo key so the program stays plain C99. */
static ehr_status host_get_key(void* host, ehr_key_purpose purpose, uint32_t key_id, ehr_key* out_key) {
  size_t i;
  (void)host;
  if (out_key == NULL || out_key->struct_type != EHR_STRUCT_KEY || out_key->struct_size < sizeof(ehr_key))
    return EHR_STATUS_INVALID_ARGUMENT;
  if (key_id != 0 && key_id != purpose) return EHR_STATUS_NOT_FOUND;
  out_key->key_id = purpose; /* one key per purpose: id 1 for data, 2 for the audit chain */
  for (i = 0; i < sizeof out_key->bytes; ++i) out_key->bytes[i] = (uint8_t)(i * 7u + purpose);
  return EHR_STATUS_OK;
}
#endif

/* ---- the registrar: prints each registration ---------------------------------------------- */

struct registered {
  const ehr_channel_api* channel_api;
  ehr_channel* channel;
  const ehr_settings_api* settings_api;
  ehr_settings* settings;
  const ehr_hooks_api* hooks_api;
  ehr_hooks* hooks;
  int count;
};

static ehr_status register_settings(void* registrar, const ehr_settings_api* api, ehr_settings* settings,
                                    ehr_error** out_error) {
  struct registered* r = (struct registered*)registrar;
  (void)out_error;
  if (api == NULL || api->struct_type != EHR_STRUCT_SETTINGS_API) return EHR_STATUS_INVALID_ARGUMENT;
  printf("settings: registered (table of %u bytes)\n", (unsigned)api->struct_size);
  r->settings_api = api;
  r->settings = settings;
  ++r->count;
  return EHR_STATUS_OK;
}

static ehr_status register_roles_section(void* registrar, const ehr_roles_section* section,
                                         ehr_error** out_error) {
  struct registered* r = (struct registered*)registrar;
  size_t i;
  const unsigned char* cursor; /* elements are stepped by their own struct_size */
  (void)out_error;
  if (section == NULL || section->struct_type != EHR_STRUCT_ROLES_SECTION) return EHR_STATUS_INVALID_ARGUMENT;
  printf("roles section: %.*s (%.*s)\n", (int)section->title.size, section->title.data,
         (int)section->section_id.size, section->section_id.data);
  cursor = (const unsigned char*)section->roles;
  for (i = 0; i < section->role_count; ++i) {
    const ehr_role_descriptor* role = (const ehr_role_descriptor*)(const void*)cursor;
    printf("  role: %.*s \"%.*s\"\n", (int)role->id.size, role->id.data, (int)role->label.size,
           role->label.data);
    cursor += role->struct_size;
  }
  ++r->count;
  return EHR_STATUS_OK;
}

static ehr_status register_channel(void* registrar, ehr_str channel_id, const ehr_channel_api* api,
                                   ehr_channel* channel, ehr_error** out_error) {
  struct registered* r = (struct registered*)registrar;
  (void)out_error;
  if (api == NULL || api->struct_type != EHR_STRUCT_CHANNEL_API) return EHR_STATUS_INVALID_ARGUMENT;
  printf("channel: %.*s\n", (int)channel_id.size, channel_id.data);
  r->channel_api = api;
  r->channel = channel;
  ++r->count;
  return EHR_STATUS_OK;
}

static ehr_status register_hooks(void* registrar, const ehr_hooks_api* api, ehr_hooks* hooks,
                                 ehr_error** out_error) {
  struct registered* r = (struct registered*)registrar;
  (void)out_error;
  if (api == NULL || api->struct_type != EHR_STRUCT_HOOKS_API) return EHR_STATUS_INVALID_ARGUMENT;
  r->hooks_api = api;
  r->hooks = hooks;
  ++r->count;
  return EHR_STATUS_OK;
}

static ehr_status register_audit(void* registrar, const ehr_audit_api* api, ehr_audit* audit,
                                 ehr_error** out_error) {
  struct registered* r = (struct registered*)registrar;
  (void)audit;
  (void)out_error;
  if (api == NULL || api->struct_type != EHR_STRUCT_AUDIT_API) return EHR_STATUS_INVALID_ARGUMENT;
  printf("audit: registered\n");
  ++r->count;
  return EHR_STATUS_OK;
}

static ehr_status print_hook_point(void* ctx, const ehr_hook_point_info* info) {
  (void)ctx;
  printf("hook point: %.*s%s\n", (int)info->name.size, info->name.data,
         info->can_reject ? " (may reject)" : "");
  return EHR_STATUS_OK;
}

static ehr_status print_page(void* ctx, const ehr_page_info* page) {
  (void)ctx;
  printf("settings page: %.*s (%u fields)\n", (int)page->title.size, page->title.data,
         (unsigned)page->field_count);
  return EHR_STATUS_OK;
}

static ehr_status print_field(void* ctx, const ehr_field_info* field) {
  (void)ctx;
  printf("  field: %.*s = %.*s\n", (int)field->key.size, field->key.data, (int)field->value.size,
         field->value.data);
  return EHR_STATUS_OK;
}

/* Asks the channel for a staff user's badge and prints the answer's status, after `when`. */
static void print_unread(const struct registered* r, const char* when) {
  ehr_principal reader;
  uint64_t unread = 0;
  ehr_error* error = NULL;
  ehr_status status;
  memset(&reader, 0, sizeof reader);
  reader.struct_type = EHR_STRUCT_PRINCIPAL;
  reader.struct_size = sizeof reader;
  reader.kind = EHR_PRINCIPAL_STAFF;
  reader.id = str("drlee");
  status = r->channel_api->unread_total(r->channel, &reader, &unread, &error);
  printf("%s: unread_total %s\n", when, ehr_status_name(status));
  ehr_error_free(error);
}

static int fail(const char* what, ehr_status status, ehr_error* error) {
  fprintf(stderr, "c_host: %s: %s", what, ehr_status_name(status));
  if (error != NULL) fprintf(stderr, ": %.*s", (int)error->message.size, error->message.data);
  fprintf(stderr, "\n");
  ehr_error_free(error);
  return 1;
}

int main(int argc, char** argv) {
  void* library;
  ehr_plugin_negotiate_fn negotiate;
  ehr_negotiation negotiation;
  const ehr_plugin_api* api;
  ehr_host_services services;
  ehr_init_params params;
  ehr_registrar registrar;
  struct registered registered;
  ehr_plugin* plugin = NULL;
  ehr_error* error = NULL;
  ehr_status status;

  if (argc < 3) {
    fprintf(stderr, "usage: c_host PLUGIN.so DATA_DIR [SETTINGS_SCHEMA [MANIFEST_DIR]]\n");
    return 2;
  }
  if (mkdir(argv[2], 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "c_host: cannot create %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "c_host: dlopen: %s\n", dlerror());
    return 1;
  }
  /* ISO C forbids converting void* to a function pointer; copying the bytes is the POSIX way. */
  {
    void* symbol = dlsym(library, EHR_PLUGIN_ENTRY_POINT);
    if (symbol == NULL) {
      fprintf(stderr, "c_host: no %s in %s\n", EHR_PLUGIN_ENTRY_POINT, argv[1]);
      return 1;
    }
    memcpy(&negotiate, &symbol, sizeof negotiate);
  }

  memset(&negotiation, 0, sizeof negotiation);
  negotiation.struct_type = EHR_STRUCT_NEGOTIATION;
  negotiation.struct_size = sizeof negotiation;
  negotiation.host_min_version = EHR_MAKE_VERSION(EHR_ABI_VERSION_MAJOR, 0);
  negotiation.host_max_version = EHR_ABI_VERSION;
  status = negotiate(&negotiation, &error);
  if (status != EHR_STATUS_OK) return fail("negotiation", status, error);
  if (EHR_VERSION_MAJOR(negotiation.chosen_version) != EHR_ABI_VERSION_MAJOR ||
      negotiation.chosen_version > EHR_ABI_VERSION) {
    fprintf(stderr, "c_host: the plugin chose an ABI version this host does not speak\n");
    return 1;
  }
  api = negotiation.plugin_api;
  if (api == NULL || api->struct_type != EHR_STRUCT_PLUGIN_API || api->on_init == NULL ||
      api->on_shutdown == NULL) {
    fprintf(stderr, "c_host: the plugin answered without a usable ehr_plugin_api\n");
    return 1;
  }
  printf("plugin: %.*s %.*s, ABI %u.%u\n", (int)api->plugin_id.size, api->plugin_id.data,
         (int)api->plugin_version.size, api->plugin_version.data,
         (unsigned)EHR_VERSION_MAJOR(negotiation.chosen_version),
         (unsigned)EHR_VERSION_MINOR(negotiation.chosen_version));

  memset(&services, 0, sizeof services);
  services.struct_type = EHR_STRUCT_HOST_SERVICES;
  services.struct_size = sizeof services;
  services.host = NULL;
  services.log = host_log;
  services.now = host_now;
  services.get_user = host_get_user;
  services.user_has_role = host_user_has_role;
  services.list_users_with_role = host_list_users_with_role;
  services.get_patient = host_get_patient;
  services.list_care_team = host_list_care_team;
  services.get_portal_user = host_get_portal_user;
  services.list_patient_contacts = host_list_patient_contacts;
  services.list_contact_charts = host_list_contact_charts;
  services.get_company = host_get_company;
  services.list_locations = host_list_locations;
  /* notify and audit are optional: this host offers neither. */
#if EHR_ABI_VERSION_MINOR >= 1
  services.get_key = host_get_key;
#endif

  memset(&params, 0, sizeof params);
  params.struct_type = EHR_STRUCT_INIT_PARAMS;
  params.struct_size = sizeof params;
  params.host = &services;
  params.data_directory = str(argv[2]);
  params.settings_schema_path = str(argc > 3 ? argv[3] : "");
  params.manifest_directory = str(argc > 4 ? argv[4] : "");

  memset(&registered, 0, sizeof registered);
  memset(&registrar, 0, sizeof registrar);
  registrar.struct_type = EHR_STRUCT_REGISTRAR;
  registrar.struct_size = sizeof registrar;
  registrar.registrar = &registered;
  registrar.register_settings = register_settings;
  registrar.register_roles_section = register_roles_section;
  registrar.register_channel = register_channel;
  registrar.register_hooks = register_hooks;
  registrar.register_audit = register_audit;

  status = api->on_init(&params, &registrar, &plugin, &error);
  if (status != EHR_STATUS_OK) return fail("on_init", status, error);

  if (registered.hooks_api != NULL) {
    status = registered.hooks_api->list_points(registered.hooks, NULL, print_hook_point, &error);
    if (status != EHR_STATUS_OK) return fail("list_points", status, error);
  }
  if (registered.settings_api != NULL) {
    ehr_page_sink sink;
    memset(&sink, 0, sizeof sink);
    sink.struct_type = EHR_STRUCT_PAGE_SINK;
    sink.struct_size = sizeof sink;
    sink.on_page = print_page;
    sink.on_field = print_field;
    status = registered.settings_api->describe_page(registered.settings, str("admin"), str(""), NULL, &sink,
                                                    &error);
    if (status != EHR_STATUS_OK) return fail("describe_page", status, error);
  }
  printf("registrations: %d\n", registered.count);
  if (registered.channel_api != NULL) {
    print_unread(&registered, "after on_init");
    if (api->on_disable != NULL && api->on_enable != NULL) {
      status = api->on_disable(plugin, &error);
      if (status != EHR_STATUS_OK) return fail("on_disable", status, error);
      print_unread(&registered, "after on_disable");
      status = api->on_enable(plugin, &error);
      if (status != EHR_STATUS_OK) return fail("on_enable", status, error);
      print_unread(&registered, "after on_enable");
    }
  }
  api->on_shutdown(plugin);
  printf("shut down cleanly\n");
  /* The library stays mapped until exit: nothing of the plugin may outlive its code. */
  return 0;
}
