/* The part of ehr/host_api.h (and the plugin ABI structs it uses) that the PHP host binds, as
 * PHP's FFI::cdef reads it: plain declarations, no preprocessor, no inline functions. Layouts are
 * the C headers' (host-sdk/include/ehr/); abi/ehr_host_api.abi pins them, so they never change. */
typedef int32_t ehr_status;
typedef struct ehr_str {
  const char* data;
  size_t size;
} ehr_str;
typedef struct ehr_error {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_status code;
  uint32_t reason;
  ehr_str message;
  ehr_str field;
  void (*release)(struct ehr_error* error);
} ehr_error;
typedef struct ehr_principal {
  uint32_t struct_type;
  uint32_t struct_size;
  uint32_t kind;
  uint32_t reserved;
  ehr_str id;
} ehr_principal;
typedef struct ehr_user_info {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str id;
  ehr_str display_name;
  uint32_t active;
  uint32_t reserved;
} ehr_user_info;
typedef struct ehr_patient_info {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str id;
  ehr_str display_name;
  ehr_str location_id;
} ehr_patient_info;
typedef struct ehr_portal_user_info {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str id;
  ehr_str display_name;
  ehr_str first_name;
  uint32_t kind;
  uint32_t active;
} ehr_portal_user_info;
typedef struct ehr_organization_info {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str location_id;
  ehr_str name;
  ehr_str alias;
  ehr_str address;
  ehr_str phone;
  ehr_str portal_url;
  uint32_t is_master;
  uint32_t reserved;
} ehr_organization_info;
typedef struct ehr_notification {
  uint32_t struct_type;
  uint32_t struct_size;
  uint32_t kind;
  uint32_t delivery;
  ehr_principal recipient;
  ehr_str subject;
  ehr_str text;
  ehr_str html;
  ehr_str brand_name;
} ehr_notification;
typedef struct ehr_audit_event {
  uint32_t struct_type;
  uint32_t struct_size;
  int64_t sequence;
  int64_t at_unix_ms;
  ehr_principal actor;
  ehr_str action;
  ehr_str patient_id;
  ehr_str target;
  ehr_str outcome;
  ehr_str detail;
  ehr_str hash;
} ehr_audit_event;
typedef ehr_status (*ehr_user_sink_fn)(void* sink_ctx, const ehr_user_info* user);
typedef ehr_status (*ehr_patient_sink_fn)(void* sink_ctx, const ehr_patient_info* patient);
typedef ehr_status (*ehr_portal_user_sink_fn)(void* sink_ctx, const ehr_portal_user_info* portal_user);
typedef ehr_status (*ehr_organization_sink_fn)(void* sink_ctx, const ehr_organization_info* org);
typedef ehr_status (*ehr_id_sink_fn)(void* sink_ctx, ehr_str id);
typedef struct ehr_host_services {
  uint32_t struct_type;
  uint32_t struct_size;
  void* host;
  ehr_status (*log)(void* host, uint32_t level, ehr_str message);
  ehr_status (*now)(void* host, int64_t* out_unix_ms);
  ehr_status (*get_user)(void* host, ehr_str user_id, void* sink_ctx, ehr_user_sink_fn sink);
  ehr_status (*user_has_role)(void* host, ehr_str user_id, ehr_str role_id, bool* out_has_role);
  ehr_status (*list_users_with_role)(void* host, ehr_str role_id, void* sink_ctx, ehr_user_sink_fn sink);
  ehr_status (*get_patient)(void* host, ehr_str patient_id, void* sink_ctx, ehr_patient_sink_fn sink);
  ehr_status (*list_care_team)(void* host, ehr_str patient_id, void* sink_ctx, ehr_id_sink_fn sink);
  ehr_status (*get_portal_user)(void* host, ehr_str portal_user_id, void* sink_ctx,
                                ehr_portal_user_sink_fn sink);
  ehr_status (*list_patient_contacts)(void* host, ehr_str patient_id, void* sink_ctx,
                                      ehr_portal_user_sink_fn sink);
  ehr_status (*list_contact_charts)(void* host, ehr_str portal_user_id, void* sink_ctx, ehr_id_sink_fn sink);
  ehr_status (*get_company)(void* host, void* sink_ctx, ehr_organization_sink_fn sink);
  ehr_status (*list_locations)(void* host, void* sink_ctx, ehr_organization_sink_fn sink);
  ehr_status (*notify)(void* host, const ehr_notification* notification);
  ehr_status (*audit)(void* host, const ehr_audit_event* event);
} ehr_host_services;
typedef struct ehr_setting_value {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str key;
  ehr_str value;
} ehr_setting_value;
typedef struct ehr_start_request {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_principal sender;
  ehr_str patient_id;
  const ehr_principal* recipients;
  size_t recipient_count;
  ehr_str subject;
  ehr_str body;
} ehr_start_request;
typedef struct ehr_sent {
  uint32_t struct_type;
  uint32_t struct_size;
  int64_t thread_id;
  int64_t message_id;
  int64_t sent_at_unix_ms;
} ehr_sent;
typedef struct ehr_message_view {
  uint32_t struct_type;
  uint32_t struct_size;
  int64_t message_id;
  int64_t thread_id;
  ehr_principal sender;
  ehr_str sender_display_name;
  ehr_str body;
  int64_t sent_at_unix_ms;
} ehr_message_view;
typedef ehr_status (*ehr_message_sink_fn)(void* sink_ctx, const ehr_message_view* message);
typedef struct ehr_audit_verify_result {
  uint32_t struct_type;
  uint32_t struct_size;
  uint64_t records_checked;
  int64_t first_bad_sequence;
  uint32_t ok;
  uint32_t reserved;
} ehr_audit_verify_result;
typedef struct ehr_host ehr_host;
typedef struct ehr_host_role_store ehr_host_role_store;
typedef struct ehr_host_trusted_key {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str key_id;
  ehr_str public_key_base64;
} ehr_host_trusted_key;
typedef struct ehr_host_options {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str plugins_directory;
  ehr_str host_data_directory;
  const ehr_host_trusted_key* trusted_keys;
  size_t trusted_key_count;
  uint32_t require_signatures;
  uint32_t start_new_disabled;
  uint32_t abi_min_version;
  uint32_t abi_max_version;
  uint32_t callbacks;
  uint32_t reserved;
} ehr_host_options;
typedef struct ehr_host_plugin_info {
  uint32_t struct_type;
  uint32_t struct_size;
  ehr_str id;
  ehr_str name;
  ehr_str version;
  ehr_str vendor;
  ehr_str manifest_path;
  ehr_str data_directory;
  ehr_str plugin_version;
  uint32_t state;
  uint32_t enabled_preference;
  uint32_t negotiated_version;
  ehr_status failure_code;
  ehr_str failure_cause;
  ehr_str failure_message;
  ehr_str failure_field;
} ehr_host_plugin_info;
typedef ehr_status (*ehr_host_plugin_sink_fn)(void* sink_ctx, const ehr_host_plugin_info* info);
typedef struct ehr_host_user_directory {
  uint32_t struct_type;
  uint32_t struct_size;
  void* context;
  ehr_status (*list_users)(void* context, void* sink_ctx, ehr_user_sink_fn sink);
} ehr_host_user_directory;

uint32_t ehr_host_api_version(void);
void ehr_host_error_free(ehr_error* error);
const char* ehr_host_status_name(ehr_status status);
const char* ehr_host_deny_reason_name(uint32_t reason);
ehr_status ehr_host_create(const ehr_host_options* options, const ehr_host_services* services,
                           ehr_host** out_host, ehr_error** out_error);
void ehr_host_destroy(ehr_host* host);
ehr_status ehr_host_discover(ehr_host* host, ehr_error** out_error);
ehr_status ehr_host_plugin_info_get(ehr_host* host, ehr_str plugin_id, void* sink_ctx,
                                    ehr_host_plugin_sink_fn sink, ehr_error** out_error);
ehr_status ehr_host_enable_plugin(ehr_host* host, ehr_str plugin_id, ehr_error** out_error);
ehr_status ehr_host_disable_plugin(ehr_host* host, ehr_str plugin_id, ehr_error** out_error);
ehr_status ehr_host_shutdown(ehr_host* host, ehr_error** out_error);
ehr_status ehr_host_settings_save(ehr_host* host, ehr_str plugin_id, ehr_str actor_user_id,
                                  ehr_str location_id, const ehr_setting_value* values, size_t value_count,
                                  ehr_error** out_error);
ehr_status ehr_host_role_store_open(ehr_str host_data_directory, const ehr_host_user_directory* users,
                                    ehr_host_role_store** out_store, ehr_error** out_error);
void ehr_host_role_store_close(ehr_host_role_store* store);
ehr_status ehr_host_role_store_declare_plugin_roles(ehr_host_role_store* store, ehr_host* host,
                                                    ehr_error** out_error);
ehr_status ehr_host_role_store_has_role(ehr_host_role_store* store, ehr_str user_id, ehr_str role_id,
                                        bool* out_has_role, ehr_error** out_error);
ehr_status ehr_host_role_store_set(ehr_host_role_store* store, ehr_str actor_user_id, ehr_str user_id,
                                   ehr_str role_id, uint32_t assigned, size_t* out_changed,
                                   ehr_error** out_error);
ehr_status ehr_host_role_store_seed(ehr_host_role_store* store, const ehr_str* user_ids,
                                    const ehr_str* role_ids, size_t count, bool* out_applied,
                                    ehr_error** out_error);
ehr_status ehr_host_channel_start(ehr_host* host, ehr_str channel_id, const ehr_start_request* request,
                                  ehr_sent* out_sent, ehr_error** out_error);
ehr_status ehr_host_channel_unread(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                   uint64_t* out_unread, ehr_error** out_error);
ehr_status ehr_host_channel_read(ehr_host* host, ehr_str channel_id, const ehr_principal* reader,
                                 int64_t thread_id, void* sink_ctx, ehr_message_sink_fn sink,
                                 ehr_error** out_error);
ehr_status ehr_host_audit_verify(ehr_host* host, ehr_str plugin_id, ehr_audit_verify_result* out_result,
                                 ehr_error** out_error);
