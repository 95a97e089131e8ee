/* ehr/plugin.h: how a host loads a plugin. The plugin library exports exactly one symbol,
 * ehr_plugin_negotiate; everything else travels as function tables.
 *
 * Lifecycle (THREADING: one host thread at a time for all of these):
 *   negotiate -> on_init (plugin registers through the registrar) -> on_enable / on_disable
 *   (repeatable) -> on_shutdown (releases everything; no table or handle is used afterwards).
 * STATE AFTER on_init: the plugin is enabled. A host that never calls on_enable or on_disable gets
 * a working plugin. A host that keeps a plugin disabled calls on_disable after on_init returns and
 * before it lets anyone use the registered tables. (A plugin built for 1.0 may start disabled and
 * wait for on_enable: a host that wants it enabled calls on_enable, which is harmless on a plugin
 * that already is.)
 * The host keeps the library mapped until process exit unless it knows nothing of it is alive. */
#ifndef EHR_PLUGIN_H
#define EHR_PLUGIN_H

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

#if defined(_WIN32)
#define EHR_PLUGIN_EXPORT __declspec(dllexport)
#else
#define EHR_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#define EHR_PLUGIN_ENTRY_POINT "ehr_plugin_negotiate"

typedef struct ehr_plugin ehr_plugin; /* opaque plugin instance, from on_init to on_shutdown */

/* Since 1.1. One key and its value of the plugin's configuration (ehr_init_params.config). */
typedef struct ehr_config_entry {
  uint32_t struct_type; /* EHR_STRUCT_CONFIG_ENTRY */
  uint32_t struct_size;
  ehr_str key;
  ehr_str value; /* may be a secret: a plugin never logs it nor puts it in an error */
} ehr_config_entry;

typedef struct ehr_init_params {
  uint32_t struct_type; /* EHR_STRUCT_INIT_PARAMS */
  uint32_t struct_size;
  /* OWNERSHIP: the host keeps the table valid until on_shutdown returns. */
  const ehr_host_services* host;
  ehr_str data_directory;       /* the plugin's own writable directory, created by the host */
  ehr_str settings_schema_path; /* the schema file named in the manifest, resolved */
  ehr_str manifest_directory;   /* where the manifest and the plugin's resources live */
  /* Since 1.1. The host admin's configuration of this plugin (connection strings, endpoints,
   * secrets): what only the admin sets, unlike settings, which staff change on pages. Each key at
   * most once, in the admin's order; an array stepped by each element's struct_size. None (NULL,
   * 0) means every key takes its default. A plugin refuses a key it does not know: on_init fails
   * with EHR_STATUS_INVALID_ARGUMENT naming the key, field "config". The SDK reads these from the
   * file <host data directory>/plugins/<plugin id>.conf. OWNERSHIP: the host's, valid during
   * on_init only: a plugin copies what it keeps. */
  const ehr_config_entry* config;
  size_t config_count;
} ehr_init_params;

/* Offered by the host during on_init only. Tables and handles registered here must stay valid
 * until on_shutdown returns; descriptor strings are copied by the host during the call. */
typedef struct ehr_registrar {
  uint32_t struct_type; /* EHR_STRUCT_REGISTRAR */
  uint32_t struct_size;
  void* registrar; /* passed back as the first argument */
  ehr_status (*register_settings)(void* registrar, const ehr_settings_api* api, ehr_settings* settings,
                                  ehr_error** out_error);
  ehr_status (*register_roles_section)(void* registrar, const ehr_roles_section* section,
                                       ehr_error** out_error);
  ehr_status (*register_channel)(void* registrar, ehr_str channel_id, const ehr_channel_api* api,
                                 ehr_channel* channel, ehr_error** out_error);
  ehr_status (*register_hooks)(void* registrar, const ehr_hooks_api* api, ehr_hooks* hooks,
                               ehr_error** out_error);
  ehr_status (*register_audit)(void* registrar, const ehr_audit_api* api, ehr_audit* audit,
                               ehr_error** out_error);
} ehr_registrar;

/* The plugin's lifecycle table. OWNERSHIP: static in the plugin; valid while it is mapped. */
typedef struct ehr_plugin_api {
  uint32_t struct_type; /* EHR_STRUCT_PLUGIN_API */
  uint32_t struct_size;
  ehr_str plugin_id; /* must equal the manifest's id */
  ehr_str plugin_version;
  /* Required. */
  ehr_status (*on_init)(const ehr_init_params* params, const ehr_registrar* registrar,
                        ehr_plugin** out_plugin, ehr_error** out_error);
  /* Optional; idempotent. A disabled plugin keeps its data and registrations but answers every
   * channel call with EHR_STATUS_DISABLED. */
  ehr_status (*on_enable)(ehr_plugin* plugin, ehr_error** out_error);
  ehr_status (*on_disable)(ehr_plugin* plugin, ehr_error** out_error);
  /* Required. Accepts NULL. */
  void (*on_shutdown)(ehr_plugin* plugin);
} ehr_plugin_api;

/* The host proposes the range of ABI versions it speaks; the plugin picks one or refuses.
 * Major must match. A plugin that needs a newer minor than host_max_version offers refuses with
 * EHR_STATUS_VERSION_MISMATCH and says which version it needs. */
typedef struct ehr_negotiation {
  uint32_t struct_type; /* EHR_STRUCT_NEGOTIATION */
  uint32_t struct_size;
  uint32_t host_min_version; /* in */
  uint32_t host_max_version; /* in */
  uint32_t chosen_version;   /* out */
  uint32_t reserved;
  const ehr_plugin_api* plugin_api; /* out */
} ehr_negotiation;

typedef ehr_status (*ehr_plugin_negotiate_fn)(ehr_negotiation* negotiation, ehr_error** out_error);

/* The one exported symbol. */
EHR_PLUGIN_EXPORT ehr_status ehr_plugin_negotiate(ehr_negotiation* negotiation, ehr_error** out_error);

#ifdef __cplusplus
}
#endif

#endif /* EHR_PLUGIN_H */
