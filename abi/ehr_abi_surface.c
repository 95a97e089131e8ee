/* The ABI surface of the public C headers (host-sdk/include/ehr/) as libabigail sees it: a
 * shared object compiled from those headers alone, exporting one function per exchanged struct
 * or table, so `abidw` records exactly the declared layouts (sizes, offsets, member types,
 * function-pointer signatures) and nothing of any implementation. scripts/abi-check diffs it
 * against the ABI 1.0 baseline abi/ehr_abi.abi. When a header gains a struct, add its line here. */
#include "ehr/plugin.h"

#define EHR_ABI_SURFACE(type)                                        \
  EHR_PLUGIN_EXPORT void ehr_abi_surface_##type(const type* value) { \
    (void)value;                                                     \
  }

EHR_ABI_SURFACE(ehr_str)
EHR_ABI_SURFACE(ehr_error)
EHR_ABI_SURFACE(ehr_principal)
EHR_ABI_SURFACE(ehr_negotiation)
EHR_ABI_SURFACE(ehr_plugin_api)
EHR_ABI_SURFACE(ehr_config_entry)
EHR_ABI_SURFACE(ehr_init_params)
EHR_ABI_SURFACE(ehr_registrar)
EHR_ABI_SURFACE(ehr_host_services)
EHR_ABI_SURFACE(ehr_user_info)
EHR_ABI_SURFACE(ehr_patient_info)
EHR_ABI_SURFACE(ehr_portal_user_info)
EHR_ABI_SURFACE(ehr_organization_info)
EHR_ABI_SURFACE(ehr_notification)
EHR_ABI_SURFACE(ehr_audit_event)
EHR_ABI_SURFACE(ehr_key)
EHR_ABI_SURFACE(ehr_audit_checkpoint)
EHR_ABI_SURFACE(ehr_role_descriptor)
EHR_ABI_SURFACE(ehr_roles_section)
EHR_ABI_SURFACE(ehr_choice)
EHR_ABI_SURFACE(ehr_page_info)
EHR_ABI_SURFACE(ehr_field_info)
EHR_ABI_SURFACE(ehr_page_sink)
EHR_ABI_SURFACE(ehr_setting_value)
EHR_ABI_SURFACE(ehr_effective_setting)
EHR_ABI_SURFACE(ehr_settings_api)
EHR_ABI_SURFACE(ehr_decision)
EHR_ABI_SURFACE(ehr_explain_request)
EHR_ABI_SURFACE(ehr_recipient)
EHR_ABI_SURFACE(ehr_brand)
EHR_ABI_SURFACE(ehr_start_request)
EHR_ABI_SURFACE(ehr_reply_request)
EHR_ABI_SURFACE(ehr_sent)
EHR_ABI_SURFACE(ehr_list_request)
EHR_ABI_SURFACE(ehr_thread_summary)
EHR_ABI_SURFACE(ehr_inbox_totals)
EHR_ABI_SURFACE(ehr_message_view)
EHR_ABI_SURFACE(ehr_invite_request)
EHR_ABI_SURFACE(ehr_message_record)
EHR_ABI_SURFACE(ehr_thread_record)
EHR_ABI_SURFACE(ehr_export_request)
EHR_ABI_SURFACE(ehr_import_request)
EHR_ABI_SURFACE(ehr_webhook_delivery)
EHR_ABI_SURFACE(ehr_channel_api)
EHR_ABI_SURFACE(ehr_hook_point_info)
EHR_ABI_SURFACE(ehr_hook_event)
EHR_ABI_SURFACE(ehr_hooks_api)
EHR_ABI_SURFACE(ehr_audit_verify_result)
EHR_ABI_SURFACE(ehr_audit_api)

/* The one symbol a plugin exports, by its type. */
EHR_PLUGIN_EXPORT void ehr_abi_surface_entry_point(ehr_plugin_negotiate_fn entry) {
  (void)entry;
}
