// ABI layout baseline: the size and offset of every member of every struct in the C ABI headers
// (LP64: Linux x86-64 and AArch64), and that no struct has implicit padding (DESIGN rule 3).
// Generated once from the headers by compiling a program that printed offsetof() for each
// member; kept literal on purpose, so moving, resizing or inserting a member fails the build.
// Appending a member to a struct changes only its size line: update that line in the same change.
#include <cstddef>

#include "ehr/plugin.h"

#if !defined(__LP64__)
#error "the layout baseline is for LP64 targets"
#endif

#define EHR_MEMBER_SIZE(T, m) sizeof(static_cast<T*>(nullptr)->m)
#define EHR_NO_PADDING_BETWEEN(T, a, b)                                   \
  static_assert(offsetof(T, b) == offsetof(T, a) + EHR_MEMBER_SIZE(T, a), \
                #T ": implicit padding between " #a " and " #b)
#define EHR_NO_PADDING_AFTER(T, last)                                      \
  static_assert(sizeof(T) == offsetof(T, last) + EHR_MEMBER_SIZE(T, last), \
                #T ": implicit padding after " #last)

// ehr_str (common.h)
static_assert(sizeof(ehr_str) == 16, "ehr_str: size");
static_assert(offsetof(ehr_str, data) == 0, "ehr_str.data moved");
static_assert(offsetof(ehr_str, size) == 8, "ehr_str.size moved");
EHR_NO_PADDING_BETWEEN(ehr_str, data, size);
EHR_NO_PADDING_AFTER(ehr_str, size);

// ehr_error (common.h)
static_assert(sizeof(ehr_error) == 56, "ehr_error: size");
static_assert(offsetof(ehr_error, struct_type) == 0, "ehr_error.struct_type moved");
static_assert(offsetof(ehr_error, struct_size) == 4, "ehr_error.struct_size moved");
static_assert(offsetof(ehr_error, code) == 8, "ehr_error.code moved");
static_assert(offsetof(ehr_error, reason) == 12, "ehr_error.reason moved");
static_assert(offsetof(ehr_error, message) == 16, "ehr_error.message moved");
static_assert(offsetof(ehr_error, field) == 32, "ehr_error.field moved");
static_assert(offsetof(ehr_error, release) == 48, "ehr_error.release moved");
EHR_NO_PADDING_BETWEEN(ehr_error, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_error, struct_size, code);
EHR_NO_PADDING_BETWEEN(ehr_error, code, reason);
EHR_NO_PADDING_BETWEEN(ehr_error, reason, message);
EHR_NO_PADDING_BETWEEN(ehr_error, message, field);
EHR_NO_PADDING_BETWEEN(ehr_error, field, release);
EHR_NO_PADDING_AFTER(ehr_error, release);

// ehr_principal (common.h)
static_assert(sizeof(ehr_principal) == 32, "ehr_principal: size");
static_assert(offsetof(ehr_principal, struct_type) == 0, "ehr_principal.struct_type moved");
static_assert(offsetof(ehr_principal, struct_size) == 4, "ehr_principal.struct_size moved");
static_assert(offsetof(ehr_principal, kind) == 8, "ehr_principal.kind moved");
static_assert(offsetof(ehr_principal, reserved) == 12, "ehr_principal.reserved moved");
static_assert(offsetof(ehr_principal, id) == 16, "ehr_principal.id moved");
EHR_NO_PADDING_BETWEEN(ehr_principal, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_principal, struct_size, kind);
EHR_NO_PADDING_BETWEEN(ehr_principal, kind, reserved);
EHR_NO_PADDING_BETWEEN(ehr_principal, reserved, id);
EHR_NO_PADDING_AFTER(ehr_principal, id);

// ehr_user_info (host_services.h)
static_assert(sizeof(ehr_user_info) == 48, "ehr_user_info: size");
static_assert(offsetof(ehr_user_info, struct_type) == 0, "ehr_user_info.struct_type moved");
static_assert(offsetof(ehr_user_info, struct_size) == 4, "ehr_user_info.struct_size moved");
static_assert(offsetof(ehr_user_info, id) == 8, "ehr_user_info.id moved");
static_assert(offsetof(ehr_user_info, display_name) == 24, "ehr_user_info.display_name moved");
static_assert(offsetof(ehr_user_info, active) == 40, "ehr_user_info.active moved");
static_assert(offsetof(ehr_user_info, reserved) == 44, "ehr_user_info.reserved moved");
EHR_NO_PADDING_BETWEEN(ehr_user_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_user_info, struct_size, id);
EHR_NO_PADDING_BETWEEN(ehr_user_info, id, display_name);
EHR_NO_PADDING_BETWEEN(ehr_user_info, display_name, active);
EHR_NO_PADDING_BETWEEN(ehr_user_info, active, reserved);
EHR_NO_PADDING_AFTER(ehr_user_info, reserved);

// ehr_patient_info (host_services.h)
static_assert(sizeof(ehr_patient_info) == 56, "ehr_patient_info: size");
static_assert(offsetof(ehr_patient_info, struct_type) == 0, "ehr_patient_info.struct_type moved");
static_assert(offsetof(ehr_patient_info, struct_size) == 4, "ehr_patient_info.struct_size moved");
static_assert(offsetof(ehr_patient_info, id) == 8, "ehr_patient_info.id moved");
static_assert(offsetof(ehr_patient_info, display_name) == 24, "ehr_patient_info.display_name moved");
static_assert(offsetof(ehr_patient_info, location_id) == 40, "ehr_patient_info.location_id moved");
EHR_NO_PADDING_BETWEEN(ehr_patient_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_patient_info, struct_size, id);
EHR_NO_PADDING_BETWEEN(ehr_patient_info, id, display_name);
EHR_NO_PADDING_BETWEEN(ehr_patient_info, display_name, location_id);
EHR_NO_PADDING_AFTER(ehr_patient_info, location_id);

// ehr_portal_user_info (host_services.h)
static_assert(sizeof(ehr_portal_user_info) == 64, "ehr_portal_user_info: size");
static_assert(offsetof(ehr_portal_user_info, struct_type) == 0, "ehr_portal_user_info.struct_type moved");
static_assert(offsetof(ehr_portal_user_info, struct_size) == 4, "ehr_portal_user_info.struct_size moved");
static_assert(offsetof(ehr_portal_user_info, id) == 8, "ehr_portal_user_info.id moved");
static_assert(offsetof(ehr_portal_user_info, display_name) == 24, "ehr_portal_user_info.display_name moved");
static_assert(offsetof(ehr_portal_user_info, first_name) == 40, "ehr_portal_user_info.first_name moved");
static_assert(offsetof(ehr_portal_user_info, kind) == 56, "ehr_portal_user_info.kind moved");
static_assert(offsetof(ehr_portal_user_info, active) == 60, "ehr_portal_user_info.active moved");
EHR_NO_PADDING_BETWEEN(ehr_portal_user_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_portal_user_info, struct_size, id);
EHR_NO_PADDING_BETWEEN(ehr_portal_user_info, id, display_name);
EHR_NO_PADDING_BETWEEN(ehr_portal_user_info, display_name, first_name);
EHR_NO_PADDING_BETWEEN(ehr_portal_user_info, first_name, kind);
EHR_NO_PADDING_BETWEEN(ehr_portal_user_info, kind, active);
EHR_NO_PADDING_AFTER(ehr_portal_user_info, active);

// ehr_organization_info (host_services.h)
static_assert(sizeof(ehr_organization_info) == 112, "ehr_organization_info: size");
static_assert(offsetof(ehr_organization_info, struct_type) == 0, "ehr_organization_info.struct_type moved");
static_assert(offsetof(ehr_organization_info, struct_size) == 4, "ehr_organization_info.struct_size moved");
static_assert(offsetof(ehr_organization_info, location_id) == 8, "ehr_organization_info.location_id moved");
static_assert(offsetof(ehr_organization_info, name) == 24, "ehr_organization_info.name moved");
static_assert(offsetof(ehr_organization_info, alias) == 40, "ehr_organization_info.alias moved");
static_assert(offsetof(ehr_organization_info, address) == 56, "ehr_organization_info.address moved");
static_assert(offsetof(ehr_organization_info, phone) == 72, "ehr_organization_info.phone moved");
static_assert(offsetof(ehr_organization_info, portal_url) == 88, "ehr_organization_info.portal_url moved");
static_assert(offsetof(ehr_organization_info, is_master) == 104, "ehr_organization_info.is_master moved");
static_assert(offsetof(ehr_organization_info, reserved) == 108, "ehr_organization_info.reserved moved");
EHR_NO_PADDING_BETWEEN(ehr_organization_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, struct_size, location_id);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, location_id, name);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, name, alias);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, alias, address);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, address, phone);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, phone, portal_url);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, portal_url, is_master);
EHR_NO_PADDING_BETWEEN(ehr_organization_info, is_master, reserved);
EHR_NO_PADDING_AFTER(ehr_organization_info, reserved);

// ehr_notification (host_services.h)
static_assert(sizeof(ehr_notification) == 112, "ehr_notification: size");
static_assert(offsetof(ehr_notification, struct_type) == 0, "ehr_notification.struct_type moved");
static_assert(offsetof(ehr_notification, struct_size) == 4, "ehr_notification.struct_size moved");
static_assert(offsetof(ehr_notification, kind) == 8, "ehr_notification.kind moved");
static_assert(offsetof(ehr_notification, delivery) == 12, "ehr_notification.delivery moved");
static_assert(offsetof(ehr_notification, recipient) == 16, "ehr_notification.recipient moved");
static_assert(offsetof(ehr_notification, subject) == 48, "ehr_notification.subject moved");
static_assert(offsetof(ehr_notification, text) == 64, "ehr_notification.text moved");
static_assert(offsetof(ehr_notification, html) == 80, "ehr_notification.html moved");
static_assert(offsetof(ehr_notification, brand_name) == 96, "ehr_notification.brand_name moved");
EHR_NO_PADDING_BETWEEN(ehr_notification, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_notification, struct_size, kind);
EHR_NO_PADDING_BETWEEN(ehr_notification, kind, delivery);
EHR_NO_PADDING_BETWEEN(ehr_notification, delivery, recipient);
EHR_NO_PADDING_BETWEEN(ehr_notification, recipient, subject);
EHR_NO_PADDING_BETWEEN(ehr_notification, subject, text);
EHR_NO_PADDING_BETWEEN(ehr_notification, text, html);
EHR_NO_PADDING_BETWEEN(ehr_notification, html, brand_name);
EHR_NO_PADDING_AFTER(ehr_notification, brand_name);

// ehr_audit_event (host_services.h)
static_assert(sizeof(ehr_audit_event) == 152, "ehr_audit_event: size");
static_assert(offsetof(ehr_audit_event, struct_type) == 0, "ehr_audit_event.struct_type moved");
static_assert(offsetof(ehr_audit_event, struct_size) == 4, "ehr_audit_event.struct_size moved");
static_assert(offsetof(ehr_audit_event, sequence) == 8, "ehr_audit_event.sequence moved");
static_assert(offsetof(ehr_audit_event, at_unix_ms) == 16, "ehr_audit_event.at_unix_ms moved");
static_assert(offsetof(ehr_audit_event, actor) == 24, "ehr_audit_event.actor moved");
static_assert(offsetof(ehr_audit_event, action) == 56, "ehr_audit_event.action moved");
static_assert(offsetof(ehr_audit_event, patient_id) == 72, "ehr_audit_event.patient_id moved");
static_assert(offsetof(ehr_audit_event, target) == 88, "ehr_audit_event.target moved");
static_assert(offsetof(ehr_audit_event, outcome) == 104, "ehr_audit_event.outcome moved");
static_assert(offsetof(ehr_audit_event, detail) == 120, "ehr_audit_event.detail moved");
static_assert(offsetof(ehr_audit_event, hash) == 136, "ehr_audit_event.hash moved");
EHR_NO_PADDING_BETWEEN(ehr_audit_event, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, struct_size, sequence);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, sequence, at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, at_unix_ms, actor);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, actor, action);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, action, patient_id);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, patient_id, target);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, target, outcome);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, outcome, detail);
EHR_NO_PADDING_BETWEEN(ehr_audit_event, detail, hash);
EHR_NO_PADDING_AFTER(ehr_audit_event, hash);

// ehr_host_services (host_services.h)
static_assert(sizeof(ehr_host_services) == 160, "ehr_host_services: size (1.0: 128)");
static_assert(offsetof(ehr_host_services, struct_type) == 0, "ehr_host_services.struct_type moved");
static_assert(offsetof(ehr_host_services, struct_size) == 4, "ehr_host_services.struct_size moved");
static_assert(offsetof(ehr_host_services, host) == 8, "ehr_host_services.host moved");
static_assert(offsetof(ehr_host_services, log) == 16, "ehr_host_services.log moved");
static_assert(offsetof(ehr_host_services, now) == 24, "ehr_host_services.now moved");
static_assert(offsetof(ehr_host_services, get_user) == 32, "ehr_host_services.get_user moved");
static_assert(offsetof(ehr_host_services, user_has_role) == 40, "ehr_host_services.user_has_role moved");
static_assert(offsetof(ehr_host_services, list_users_with_role) == 48,
              "ehr_host_services.list_users_with_role moved");
static_assert(offsetof(ehr_host_services, get_patient) == 56, "ehr_host_services.get_patient moved");
static_assert(offsetof(ehr_host_services, list_care_team) == 64, "ehr_host_services.list_care_team moved");
static_assert(offsetof(ehr_host_services, get_portal_user) == 72, "ehr_host_services.get_portal_user moved");
static_assert(offsetof(ehr_host_services, list_patient_contacts) == 80,
              "ehr_host_services.list_patient_contacts moved");
static_assert(offsetof(ehr_host_services, list_contact_charts) == 88,
              "ehr_host_services.list_contact_charts moved");
static_assert(offsetof(ehr_host_services, get_company) == 96, "ehr_host_services.get_company moved");
static_assert(offsetof(ehr_host_services, list_locations) == 104, "ehr_host_services.list_locations moved");
static_assert(offsetof(ehr_host_services, notify) == 112, "ehr_host_services.notify moved");
static_assert(offsetof(ehr_host_services, audit) == 120, "ehr_host_services.audit moved");
// Since 1.1.
static_assert(offsetof(ehr_host_services, take_error) == 128, "ehr_host_services.take_error moved");
static_assert(offsetof(ehr_host_services, get_key) == 136, "ehr_host_services.get_key moved");
static_assert(offsetof(ehr_host_services, save_audit_checkpoint) == 144,
              "ehr_host_services.save_audit_checkpoint moved");
static_assert(offsetof(ehr_host_services, list_audit_checkpoints) == 152,
              "ehr_host_services.list_audit_checkpoints moved");
EHR_NO_PADDING_BETWEEN(ehr_host_services, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_host_services, struct_size, host);
EHR_NO_PADDING_BETWEEN(ehr_host_services, host, log);
EHR_NO_PADDING_BETWEEN(ehr_host_services, log, now);
EHR_NO_PADDING_BETWEEN(ehr_host_services, now, get_user);
EHR_NO_PADDING_BETWEEN(ehr_host_services, get_user, user_has_role);
EHR_NO_PADDING_BETWEEN(ehr_host_services, user_has_role, list_users_with_role);
EHR_NO_PADDING_BETWEEN(ehr_host_services, list_users_with_role, get_patient);
EHR_NO_PADDING_BETWEEN(ehr_host_services, get_patient, list_care_team);
EHR_NO_PADDING_BETWEEN(ehr_host_services, list_care_team, get_portal_user);
EHR_NO_PADDING_BETWEEN(ehr_host_services, get_portal_user, list_patient_contacts);
EHR_NO_PADDING_BETWEEN(ehr_host_services, list_patient_contacts, list_contact_charts);
EHR_NO_PADDING_BETWEEN(ehr_host_services, list_contact_charts, get_company);
EHR_NO_PADDING_BETWEEN(ehr_host_services, get_company, list_locations);
EHR_NO_PADDING_BETWEEN(ehr_host_services, list_locations, notify);
EHR_NO_PADDING_BETWEEN(ehr_host_services, notify, audit);
EHR_NO_PADDING_BETWEEN(ehr_host_services, audit, take_error);
EHR_NO_PADDING_BETWEEN(ehr_host_services, take_error, get_key);
EHR_NO_PADDING_BETWEEN(ehr_host_services, get_key, save_audit_checkpoint);
EHR_NO_PADDING_BETWEEN(ehr_host_services, save_audit_checkpoint, list_audit_checkpoints);
EHR_NO_PADDING_AFTER(ehr_host_services, list_audit_checkpoints);

// ehr_key (host_services.h, since 1.1)
static_assert(sizeof(ehr_key) == 48, "ehr_key: size");
static_assert(offsetof(ehr_key, struct_type) == 0, "ehr_key.struct_type moved");
static_assert(offsetof(ehr_key, struct_size) == 4, "ehr_key.struct_size moved");
static_assert(offsetof(ehr_key, key_id) == 8, "ehr_key.key_id moved");
static_assert(offsetof(ehr_key, reserved) == 12, "ehr_key.reserved moved");
static_assert(offsetof(ehr_key, bytes) == 16, "ehr_key.bytes moved");
EHR_NO_PADDING_BETWEEN(ehr_key, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_key, struct_size, key_id);
EHR_NO_PADDING_BETWEEN(ehr_key, key_id, reserved);
EHR_NO_PADDING_BETWEEN(ehr_key, reserved, bytes);
EHR_NO_PADDING_AFTER(ehr_key, bytes);

// ehr_audit_checkpoint (host_services.h, since 1.1)
static_assert(sizeof(ehr_audit_checkpoint) == 64, "ehr_audit_checkpoint: size");
static_assert(offsetof(ehr_audit_checkpoint, struct_type) == 0, "ehr_audit_checkpoint.struct_type moved");
static_assert(offsetof(ehr_audit_checkpoint, struct_size) == 4, "ehr_audit_checkpoint.struct_size moved");
static_assert(offsetof(ehr_audit_checkpoint, sequence) == 8, "ehr_audit_checkpoint.sequence moved");
static_assert(offsetof(ehr_audit_checkpoint, at_unix_ms) == 16, "ehr_audit_checkpoint.at_unix_ms moved");
static_assert(offsetof(ehr_audit_checkpoint, key_id) == 24, "ehr_audit_checkpoint.key_id moved");
static_assert(offsetof(ehr_audit_checkpoint, reserved) == 28, "ehr_audit_checkpoint.reserved moved");
static_assert(offsetof(ehr_audit_checkpoint, hash) == 32, "ehr_audit_checkpoint.hash moved");
static_assert(offsetof(ehr_audit_checkpoint, mac) == 48, "ehr_audit_checkpoint.mac moved");
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, struct_size, sequence);
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, sequence, at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, at_unix_ms, key_id);
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, key_id, reserved);
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, reserved, hash);
EHR_NO_PADDING_BETWEEN(ehr_audit_checkpoint, hash, mac);
EHR_NO_PADDING_AFTER(ehr_audit_checkpoint, mac);

// ehr_choice (settings.h)
static_assert(sizeof(ehr_choice) == 40, "ehr_choice: size");
static_assert(offsetof(ehr_choice, struct_type) == 0, "ehr_choice.struct_type moved");
static_assert(offsetof(ehr_choice, struct_size) == 4, "ehr_choice.struct_size moved");
static_assert(offsetof(ehr_choice, value) == 8, "ehr_choice.value moved");
static_assert(offsetof(ehr_choice, label) == 24, "ehr_choice.label moved");
EHR_NO_PADDING_BETWEEN(ehr_choice, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_choice, struct_size, value);
EHR_NO_PADDING_BETWEEN(ehr_choice, value, label);
EHR_NO_PADDING_AFTER(ehr_choice, label);

// ehr_page_info (settings.h)
static_assert(sizeof(ehr_page_info) == 80, "ehr_page_info: size");
static_assert(offsetof(ehr_page_info, struct_type) == 0, "ehr_page_info.struct_type moved");
static_assert(offsetof(ehr_page_info, struct_size) == 4, "ehr_page_info.struct_size moved");
static_assert(offsetof(ehr_page_info, page_id) == 8, "ehr_page_info.page_id moved");
static_assert(offsetof(ehr_page_info, title) == 24, "ehr_page_info.title moved");
static_assert(offsetof(ehr_page_info, location_id) == 40, "ehr_page_info.location_id moved");
static_assert(offsetof(ehr_page_info, required_role) == 56, "ehr_page_info.required_role moved");
static_assert(offsetof(ehr_page_info, follows_general) == 72, "ehr_page_info.follows_general moved");
static_assert(offsetof(ehr_page_info, field_count) == 76, "ehr_page_info.field_count moved");
EHR_NO_PADDING_BETWEEN(ehr_page_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_page_info, struct_size, page_id);
EHR_NO_PADDING_BETWEEN(ehr_page_info, page_id, title);
EHR_NO_PADDING_BETWEEN(ehr_page_info, title, location_id);
EHR_NO_PADDING_BETWEEN(ehr_page_info, location_id, required_role);
EHR_NO_PADDING_BETWEEN(ehr_page_info, required_role, follows_general);
EHR_NO_PADDING_BETWEEN(ehr_page_info, follows_general, field_count);
EHR_NO_PADDING_AFTER(ehr_page_info, field_count);

// ehr_field_info (settings.h)
static_assert(sizeof(ehr_field_info) == 152, "ehr_field_info: size");
static_assert(offsetof(ehr_field_info, struct_type) == 0, "ehr_field_info.struct_type moved");
static_assert(offsetof(ehr_field_info, struct_size) == 4, "ehr_field_info.struct_size moved");
static_assert(offsetof(ehr_field_info, section_id) == 8, "ehr_field_info.section_id moved");
static_assert(offsetof(ehr_field_info, section_title) == 24, "ehr_field_info.section_title moved");
static_assert(offsetof(ehr_field_info, key) == 40, "ehr_field_info.key moved");
static_assert(offsetof(ehr_field_info, label) == 56, "ehr_field_info.label moved");
static_assert(offsetof(ehr_field_info, help) == 72, "ehr_field_info.help moved");
static_assert(offsetof(ehr_field_info, type) == 88, "ehr_field_info.type moved");
static_assert(offsetof(ehr_field_info, choice_count) == 92, "ehr_field_info.choice_count moved");
static_assert(offsetof(ehr_field_info, choices) == 96, "ehr_field_info.choices moved");
static_assert(offsetof(ehr_field_info, default_value) == 104, "ehr_field_info.default_value moved");
static_assert(offsetof(ehr_field_info, value) == 120, "ehr_field_info.value moved");
static_assert(offsetof(ehr_field_info, min_value) == 136, "ehr_field_info.min_value moved");
static_assert(offsetof(ehr_field_info, max_value) == 144, "ehr_field_info.max_value moved");
EHR_NO_PADDING_BETWEEN(ehr_field_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_field_info, struct_size, section_id);
EHR_NO_PADDING_BETWEEN(ehr_field_info, section_id, section_title);
EHR_NO_PADDING_BETWEEN(ehr_field_info, section_title, key);
EHR_NO_PADDING_BETWEEN(ehr_field_info, key, label);
EHR_NO_PADDING_BETWEEN(ehr_field_info, label, help);
EHR_NO_PADDING_BETWEEN(ehr_field_info, help, type);
EHR_NO_PADDING_BETWEEN(ehr_field_info, type, choice_count);
EHR_NO_PADDING_BETWEEN(ehr_field_info, choice_count, choices);
EHR_NO_PADDING_BETWEEN(ehr_field_info, choices, default_value);
EHR_NO_PADDING_BETWEEN(ehr_field_info, default_value, value);
EHR_NO_PADDING_BETWEEN(ehr_field_info, value, min_value);
EHR_NO_PADDING_BETWEEN(ehr_field_info, min_value, max_value);
EHR_NO_PADDING_AFTER(ehr_field_info, max_value);

// ehr_page_sink (settings.h)
static_assert(sizeof(ehr_page_sink) == 24, "ehr_page_sink: size");
static_assert(offsetof(ehr_page_sink, struct_type) == 0, "ehr_page_sink.struct_type moved");
static_assert(offsetof(ehr_page_sink, struct_size) == 4, "ehr_page_sink.struct_size moved");
static_assert(offsetof(ehr_page_sink, on_page) == 8, "ehr_page_sink.on_page moved");
static_assert(offsetof(ehr_page_sink, on_field) == 16, "ehr_page_sink.on_field moved");
EHR_NO_PADDING_BETWEEN(ehr_page_sink, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_page_sink, struct_size, on_page);
EHR_NO_PADDING_BETWEEN(ehr_page_sink, on_page, on_field);
EHR_NO_PADDING_AFTER(ehr_page_sink, on_field);

// ehr_setting_value (settings.h)
static_assert(sizeof(ehr_setting_value) == 40, "ehr_setting_value: size");
static_assert(offsetof(ehr_setting_value, struct_type) == 0, "ehr_setting_value.struct_type moved");
static_assert(offsetof(ehr_setting_value, struct_size) == 4, "ehr_setting_value.struct_size moved");
static_assert(offsetof(ehr_setting_value, key) == 8, "ehr_setting_value.key moved");
static_assert(offsetof(ehr_setting_value, value) == 24, "ehr_setting_value.value moved");
EHR_NO_PADDING_BETWEEN(ehr_setting_value, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_setting_value, struct_size, key);
EHR_NO_PADDING_BETWEEN(ehr_setting_value, key, value);
EHR_NO_PADDING_AFTER(ehr_setting_value, value);

// ehr_effective_setting (settings.h)
static_assert(sizeof(ehr_effective_setting) == 64, "ehr_effective_setting: size");
static_assert(offsetof(ehr_effective_setting, struct_type) == 0, "ehr_effective_setting.struct_type moved");
static_assert(offsetof(ehr_effective_setting, struct_size) == 4, "ehr_effective_setting.struct_size moved");
static_assert(offsetof(ehr_effective_setting, key) == 8, "ehr_effective_setting.key moved");
static_assert(offsetof(ehr_effective_setting, value) == 24, "ehr_effective_setting.value moved");
static_assert(offsetof(ehr_effective_setting, source_location_id) == 40,
              "ehr_effective_setting.source_location_id moved");
static_assert(offsetof(ehr_effective_setting, from_default) == 56,
              "ehr_effective_setting.from_default moved");
static_assert(offsetof(ehr_effective_setting, reserved) == 60, "ehr_effective_setting.reserved moved");
EHR_NO_PADDING_BETWEEN(ehr_effective_setting, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_effective_setting, struct_size, key);
EHR_NO_PADDING_BETWEEN(ehr_effective_setting, key, value);
EHR_NO_PADDING_BETWEEN(ehr_effective_setting, value, source_location_id);
EHR_NO_PADDING_BETWEEN(ehr_effective_setting, source_location_id, from_default);
EHR_NO_PADDING_BETWEEN(ehr_effective_setting, from_default, reserved);
EHR_NO_PADDING_AFTER(ehr_effective_setting, reserved);

// ehr_settings_api (settings.h)
static_assert(sizeof(ehr_settings_api) == 40, "ehr_settings_api: size");
static_assert(offsetof(ehr_settings_api, struct_type) == 0, "ehr_settings_api.struct_type moved");
static_assert(offsetof(ehr_settings_api, struct_size) == 4, "ehr_settings_api.struct_size moved");
static_assert(offsetof(ehr_settings_api, describe_page) == 8, "ehr_settings_api.describe_page moved");
static_assert(offsetof(ehr_settings_api, save_page) == 16, "ehr_settings_api.save_page moved");
static_assert(offsetof(ehr_settings_api, reset_location) == 24, "ehr_settings_api.reset_location moved");
static_assert(offsetof(ehr_settings_api, effective) == 32, "ehr_settings_api.effective moved");
EHR_NO_PADDING_BETWEEN(ehr_settings_api, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_settings_api, struct_size, describe_page);
EHR_NO_PADDING_BETWEEN(ehr_settings_api, describe_page, save_page);
EHR_NO_PADDING_BETWEEN(ehr_settings_api, save_page, reset_location);
EHR_NO_PADDING_BETWEEN(ehr_settings_api, reset_location, effective);
EHR_NO_PADDING_AFTER(ehr_settings_api, effective);

// ehr_role_descriptor (roles.h)
static_assert(sizeof(ehr_role_descriptor) == 56, "ehr_role_descriptor: size");
static_assert(offsetof(ehr_role_descriptor, struct_type) == 0, "ehr_role_descriptor.struct_type moved");
static_assert(offsetof(ehr_role_descriptor, struct_size) == 4, "ehr_role_descriptor.struct_size moved");
static_assert(offsetof(ehr_role_descriptor, id) == 8, "ehr_role_descriptor.id moved");
static_assert(offsetof(ehr_role_descriptor, label) == 24, "ehr_role_descriptor.label moved");
static_assert(offsetof(ehr_role_descriptor, description) == 40, "ehr_role_descriptor.description moved");
EHR_NO_PADDING_BETWEEN(ehr_role_descriptor, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_role_descriptor, struct_size, id);
EHR_NO_PADDING_BETWEEN(ehr_role_descriptor, id, label);
EHR_NO_PADDING_BETWEEN(ehr_role_descriptor, label, description);
EHR_NO_PADDING_AFTER(ehr_role_descriptor, description);

// ehr_roles_section (roles.h)
static_assert(sizeof(ehr_roles_section) == 56, "ehr_roles_section: size");
static_assert(offsetof(ehr_roles_section, struct_type) == 0, "ehr_roles_section.struct_type moved");
static_assert(offsetof(ehr_roles_section, struct_size) == 4, "ehr_roles_section.struct_size moved");
static_assert(offsetof(ehr_roles_section, section_id) == 8, "ehr_roles_section.section_id moved");
static_assert(offsetof(ehr_roles_section, title) == 24, "ehr_roles_section.title moved");
static_assert(offsetof(ehr_roles_section, roles) == 40, "ehr_roles_section.roles moved");
static_assert(offsetof(ehr_roles_section, role_count) == 48, "ehr_roles_section.role_count moved");
EHR_NO_PADDING_BETWEEN(ehr_roles_section, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_roles_section, struct_size, section_id);
EHR_NO_PADDING_BETWEEN(ehr_roles_section, section_id, title);
EHR_NO_PADDING_BETWEEN(ehr_roles_section, title, roles);
EHR_NO_PADDING_BETWEEN(ehr_roles_section, roles, role_count);
EHR_NO_PADDING_AFTER(ehr_roles_section, role_count);

// ehr_decision (channel.h)
static_assert(sizeof(ehr_decision) == 32, "ehr_decision: size");
static_assert(offsetof(ehr_decision, struct_type) == 0, "ehr_decision.struct_type moved");
static_assert(offsetof(ehr_decision, struct_size) == 4, "ehr_decision.struct_size moved");
static_assert(offsetof(ehr_decision, allowed) == 8, "ehr_decision.allowed moved");
static_assert(offsetof(ehr_decision, reason) == 12, "ehr_decision.reason moved");
static_assert(offsetof(ehr_decision, explanation) == 16, "ehr_decision.explanation moved");
EHR_NO_PADDING_BETWEEN(ehr_decision, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_decision, struct_size, allowed);
EHR_NO_PADDING_BETWEEN(ehr_decision, allowed, reason);
EHR_NO_PADDING_BETWEEN(ehr_decision, reason, explanation);
EHR_NO_PADDING_AFTER(ehr_decision, explanation);

// ehr_explain_request (channel.h)
static_assert(sizeof(ehr_explain_request) == 56, "ehr_explain_request: size");
static_assert(offsetof(ehr_explain_request, struct_type) == 0, "ehr_explain_request.struct_type moved");
static_assert(offsetof(ehr_explain_request, struct_size) == 4, "ehr_explain_request.struct_size moved");
static_assert(offsetof(ehr_explain_request, staff_user_id) == 8, "ehr_explain_request.staff_user_id moved");
static_assert(offsetof(ehr_explain_request, portal_user_id) == 24,
              "ehr_explain_request.portal_user_id moved");
static_assert(offsetof(ehr_explain_request, patient_id) == 40, "ehr_explain_request.patient_id moved");
EHR_NO_PADDING_BETWEEN(ehr_explain_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_explain_request, struct_size, staff_user_id);
EHR_NO_PADDING_BETWEEN(ehr_explain_request, staff_user_id, portal_user_id);
EHR_NO_PADDING_BETWEEN(ehr_explain_request, portal_user_id, patient_id);
EHR_NO_PADDING_AFTER(ehr_explain_request, patient_id);

// ehr_recipient (channel.h)
static_assert(sizeof(ehr_recipient) == 56, "ehr_recipient: size");
static_assert(offsetof(ehr_recipient, struct_type) == 0, "ehr_recipient.struct_type moved");
static_assert(offsetof(ehr_recipient, struct_size) == 4, "ehr_recipient.struct_size moved");
static_assert(offsetof(ehr_recipient, principal) == 8, "ehr_recipient.principal moved");
static_assert(offsetof(ehr_recipient, display_name) == 40, "ehr_recipient.display_name moved");
EHR_NO_PADDING_BETWEEN(ehr_recipient, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_recipient, struct_size, principal);
EHR_NO_PADDING_BETWEEN(ehr_recipient, principal, display_name);
EHR_NO_PADDING_AFTER(ehr_recipient, display_name);

// ehr_start_request (channel.h)
static_assert(sizeof(ehr_start_request) == 104, "ehr_start_request: size");
static_assert(offsetof(ehr_start_request, struct_type) == 0, "ehr_start_request.struct_type moved");
static_assert(offsetof(ehr_start_request, struct_size) == 4, "ehr_start_request.struct_size moved");
static_assert(offsetof(ehr_start_request, sender) == 8, "ehr_start_request.sender moved");
static_assert(offsetof(ehr_start_request, patient_id) == 40, "ehr_start_request.patient_id moved");
static_assert(offsetof(ehr_start_request, recipients) == 56, "ehr_start_request.recipients moved");
static_assert(offsetof(ehr_start_request, recipient_count) == 64, "ehr_start_request.recipient_count moved");
static_assert(offsetof(ehr_start_request, subject) == 72, "ehr_start_request.subject moved");
static_assert(offsetof(ehr_start_request, body) == 88, "ehr_start_request.body moved");
EHR_NO_PADDING_BETWEEN(ehr_start_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_start_request, struct_size, sender);
EHR_NO_PADDING_BETWEEN(ehr_start_request, sender, patient_id);
EHR_NO_PADDING_BETWEEN(ehr_start_request, patient_id, recipients);
EHR_NO_PADDING_BETWEEN(ehr_start_request, recipients, recipient_count);
EHR_NO_PADDING_BETWEEN(ehr_start_request, recipient_count, subject);
EHR_NO_PADDING_BETWEEN(ehr_start_request, subject, body);
EHR_NO_PADDING_AFTER(ehr_start_request, body);

// ehr_reply_request (channel.h)
static_assert(sizeof(ehr_reply_request) == 64, "ehr_reply_request: size");
static_assert(offsetof(ehr_reply_request, struct_type) == 0, "ehr_reply_request.struct_type moved");
static_assert(offsetof(ehr_reply_request, struct_size) == 4, "ehr_reply_request.struct_size moved");
static_assert(offsetof(ehr_reply_request, sender) == 8, "ehr_reply_request.sender moved");
static_assert(offsetof(ehr_reply_request, thread_id) == 40, "ehr_reply_request.thread_id moved");
static_assert(offsetof(ehr_reply_request, body) == 48, "ehr_reply_request.body moved");
EHR_NO_PADDING_BETWEEN(ehr_reply_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_reply_request, struct_size, sender);
EHR_NO_PADDING_BETWEEN(ehr_reply_request, sender, thread_id);
EHR_NO_PADDING_BETWEEN(ehr_reply_request, thread_id, body);
EHR_NO_PADDING_AFTER(ehr_reply_request, body);

// ehr_sent (channel.h)
static_assert(sizeof(ehr_sent) == 32, "ehr_sent: size");
static_assert(offsetof(ehr_sent, struct_type) == 0, "ehr_sent.struct_type moved");
static_assert(offsetof(ehr_sent, struct_size) == 4, "ehr_sent.struct_size moved");
static_assert(offsetof(ehr_sent, thread_id) == 8, "ehr_sent.thread_id moved");
static_assert(offsetof(ehr_sent, message_id) == 16, "ehr_sent.message_id moved");
static_assert(offsetof(ehr_sent, sent_at_unix_ms) == 24, "ehr_sent.sent_at_unix_ms moved");
EHR_NO_PADDING_BETWEEN(ehr_sent, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_sent, struct_size, thread_id);
EHR_NO_PADDING_BETWEEN(ehr_sent, thread_id, message_id);
EHR_NO_PADDING_BETWEEN(ehr_sent, message_id, sent_at_unix_ms);
EHR_NO_PADDING_AFTER(ehr_sent, sent_at_unix_ms);

// ehr_list_request (channel.h)
static_assert(sizeof(ehr_list_request) == 56, "ehr_list_request: size");
static_assert(offsetof(ehr_list_request, struct_type) == 0, "ehr_list_request.struct_type moved");
static_assert(offsetof(ehr_list_request, struct_size) == 4, "ehr_list_request.struct_size moved");
static_assert(offsetof(ehr_list_request, reader) == 8, "ehr_list_request.reader moved");
static_assert(offsetof(ehr_list_request, include_archived) == 40, "ehr_list_request.include_archived moved");
static_assert(offsetof(ehr_list_request, limit) == 44, "ehr_list_request.limit moved");
static_assert(offsetof(ehr_list_request, offset) == 48, "ehr_list_request.offset moved");
static_assert(offsetof(ehr_list_request, reserved) == 52, "ehr_list_request.reserved moved");
EHR_NO_PADDING_BETWEEN(ehr_list_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_list_request, struct_size, reader);
EHR_NO_PADDING_BETWEEN(ehr_list_request, reader, include_archived);
EHR_NO_PADDING_BETWEEN(ehr_list_request, include_archived, limit);
EHR_NO_PADDING_BETWEEN(ehr_list_request, limit, offset);
EHR_NO_PADDING_BETWEEN(ehr_list_request, offset, reserved);
EHR_NO_PADDING_AFTER(ehr_list_request, reserved);

// ehr_thread_summary (channel.h)
static_assert(sizeof(ehr_thread_summary) == 136, "ehr_thread_summary: size");
static_assert(offsetof(ehr_thread_summary, struct_type) == 0, "ehr_thread_summary.struct_type moved");
static_assert(offsetof(ehr_thread_summary, struct_size) == 4, "ehr_thread_summary.struct_size moved");
static_assert(offsetof(ehr_thread_summary, thread_id) == 8, "ehr_thread_summary.thread_id moved");
static_assert(offsetof(ehr_thread_summary, patient_id) == 16, "ehr_thread_summary.patient_id moved");
static_assert(offsetof(ehr_thread_summary, subject) == 32, "ehr_thread_summary.subject moved");
static_assert(offsetof(ehr_thread_summary, started_by) == 48, "ehr_thread_summary.started_by moved");
static_assert(offsetof(ehr_thread_summary, last_sender) == 80, "ehr_thread_summary.last_sender moved");
static_assert(offsetof(ehr_thread_summary, last_message_at_unix_ms) == 112,
              "ehr_thread_summary.last_message_at_unix_ms moved");
static_assert(offsetof(ehr_thread_summary, message_count) == 120, "ehr_thread_summary.message_count moved");
static_assert(offsetof(ehr_thread_summary, unread_count) == 124, "ehr_thread_summary.unread_count moved");
static_assert(offsetof(ehr_thread_summary, archived) == 128, "ehr_thread_summary.archived moved");
static_assert(offsetof(ehr_thread_summary, reserved) == 132, "ehr_thread_summary.reserved moved");
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, struct_size, thread_id);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, thread_id, patient_id);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, patient_id, subject);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, subject, started_by);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, started_by, last_sender);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, last_sender, last_message_at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, last_message_at_unix_ms, message_count);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, message_count, unread_count);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, unread_count, archived);
EHR_NO_PADDING_BETWEEN(ehr_thread_summary, archived, reserved);
EHR_NO_PADDING_AFTER(ehr_thread_summary, reserved);

// ehr_inbox_totals (channel.h)
static_assert(sizeof(ehr_inbox_totals) == 24, "ehr_inbox_totals: size");
static_assert(offsetof(ehr_inbox_totals, struct_type) == 0, "ehr_inbox_totals.struct_type moved");
static_assert(offsetof(ehr_inbox_totals, struct_size) == 4, "ehr_inbox_totals.struct_size moved");
static_assert(offsetof(ehr_inbox_totals, thread_count) == 8, "ehr_inbox_totals.thread_count moved");
static_assert(offsetof(ehr_inbox_totals, unread_total) == 16, "ehr_inbox_totals.unread_total moved");
EHR_NO_PADDING_BETWEEN(ehr_inbox_totals, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_inbox_totals, struct_size, thread_count);
EHR_NO_PADDING_BETWEEN(ehr_inbox_totals, thread_count, unread_total);
EHR_NO_PADDING_AFTER(ehr_inbox_totals, unread_total);

// ehr_message_view (channel.h)
static_assert(sizeof(ehr_message_view) == 96, "ehr_message_view: size");
static_assert(offsetof(ehr_message_view, struct_type) == 0, "ehr_message_view.struct_type moved");
static_assert(offsetof(ehr_message_view, struct_size) == 4, "ehr_message_view.struct_size moved");
static_assert(offsetof(ehr_message_view, message_id) == 8, "ehr_message_view.message_id moved");
static_assert(offsetof(ehr_message_view, thread_id) == 16, "ehr_message_view.thread_id moved");
static_assert(offsetof(ehr_message_view, sender) == 24, "ehr_message_view.sender moved");
static_assert(offsetof(ehr_message_view, sender_display_name) == 56,
              "ehr_message_view.sender_display_name moved");
static_assert(offsetof(ehr_message_view, body) == 72, "ehr_message_view.body moved");
static_assert(offsetof(ehr_message_view, sent_at_unix_ms) == 88, "ehr_message_view.sent_at_unix_ms moved");
EHR_NO_PADDING_BETWEEN(ehr_message_view, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_message_view, struct_size, message_id);
EHR_NO_PADDING_BETWEEN(ehr_message_view, message_id, thread_id);
EHR_NO_PADDING_BETWEEN(ehr_message_view, thread_id, sender);
EHR_NO_PADDING_BETWEEN(ehr_message_view, sender, sender_display_name);
EHR_NO_PADDING_BETWEEN(ehr_message_view, sender_display_name, body);
EHR_NO_PADDING_BETWEEN(ehr_message_view, body, sent_at_unix_ms);
EHR_NO_PADDING_AFTER(ehr_message_view, sent_at_unix_ms);

// ehr_invite_request (channel.h)
static_assert(sizeof(ehr_invite_request) == 40, "ehr_invite_request: size");
static_assert(offsetof(ehr_invite_request, struct_type) == 0, "ehr_invite_request.struct_type moved");
static_assert(offsetof(ehr_invite_request, struct_size) == 4, "ehr_invite_request.struct_size moved");
static_assert(offsetof(ehr_invite_request, actor_user_id) == 8, "ehr_invite_request.actor_user_id moved");
static_assert(offsetof(ehr_invite_request, portal_user_id) == 24, "ehr_invite_request.portal_user_id moved");
EHR_NO_PADDING_BETWEEN(ehr_invite_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_invite_request, struct_size, actor_user_id);
EHR_NO_PADDING_BETWEEN(ehr_invite_request, actor_user_id, portal_user_id);
EHR_NO_PADDING_AFTER(ehr_invite_request, portal_user_id);

// ehr_message_record (channel.h, since 1.1)
static_assert(sizeof(ehr_message_record) == 152, "ehr_message_record: size");
static_assert(offsetof(ehr_message_record, struct_type) == 0, "ehr_message_record.struct_type moved");
static_assert(offsetof(ehr_message_record, struct_size) == 4, "ehr_message_record.struct_size moved");
static_assert(offsetof(ehr_message_record, identifier_system) == 8,
              "ehr_message_record.identifier_system moved");
static_assert(offsetof(ehr_message_record, identifier_value) == 24,
              "ehr_message_record.identifier_value moved");
static_assert(offsetof(ehr_message_record, in_response_to_system) == 40,
              "ehr_message_record.in_response_to_system moved");
static_assert(offsetof(ehr_message_record, in_response_to_value) == 56,
              "ehr_message_record.in_response_to_value moved");
static_assert(offsetof(ehr_message_record, sender) == 72, "ehr_message_record.sender moved");
static_assert(offsetof(ehr_message_record, recipients) == 104, "ehr_message_record.recipients moved");
static_assert(offsetof(ehr_message_record, recipient_count) == 112,
              "ehr_message_record.recipient_count moved");
static_assert(offsetof(ehr_message_record, body) == 120, "ehr_message_record.body moved");
static_assert(offsetof(ehr_message_record, sent_at_unix_ms) == 136,
              "ehr_message_record.sent_at_unix_ms moved");
static_assert(offsetof(ehr_message_record, received_at_unix_ms) == 144,
              "ehr_message_record.received_at_unix_ms moved");
EHR_NO_PADDING_BETWEEN(ehr_message_record, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_message_record, struct_size, identifier_system);
EHR_NO_PADDING_BETWEEN(ehr_message_record, identifier_system, identifier_value);
EHR_NO_PADDING_BETWEEN(ehr_message_record, identifier_value, in_response_to_system);
EHR_NO_PADDING_BETWEEN(ehr_message_record, in_response_to_system, in_response_to_value);
EHR_NO_PADDING_BETWEEN(ehr_message_record, in_response_to_value, sender);
EHR_NO_PADDING_BETWEEN(ehr_message_record, sender, recipients);
EHR_NO_PADDING_BETWEEN(ehr_message_record, recipients, recipient_count);
EHR_NO_PADDING_BETWEEN(ehr_message_record, recipient_count, body);
EHR_NO_PADDING_BETWEEN(ehr_message_record, body, sent_at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_message_record, sent_at_unix_ms, received_at_unix_ms);
EHR_NO_PADDING_AFTER(ehr_message_record, received_at_unix_ms);

// ehr_thread_record (channel.h, since 1.1)
static_assert(sizeof(ehr_thread_record) == 144, "ehr_thread_record: size");
static_assert(offsetof(ehr_thread_record, struct_type) == 0, "ehr_thread_record.struct_type moved");
static_assert(offsetof(ehr_thread_record, struct_size) == 4, "ehr_thread_record.struct_size moved");
static_assert(offsetof(ehr_thread_record, identifier_system) == 8,
              "ehr_thread_record.identifier_system moved");
static_assert(offsetof(ehr_thread_record, identifier_value) == 24,
              "ehr_thread_record.identifier_value moved");
static_assert(offsetof(ehr_thread_record, patient_id) == 40, "ehr_thread_record.patient_id moved");
static_assert(offsetof(ehr_thread_record, subject) == 56, "ehr_thread_record.subject moved");
static_assert(offsetof(ehr_thread_record, started_by) == 72, "ehr_thread_record.started_by moved");
static_assert(offsetof(ehr_thread_record, recipients) == 104, "ehr_thread_record.recipients moved");
static_assert(offsetof(ehr_thread_record, recipient_count) == 112, "ehr_thread_record.recipient_count moved");
static_assert(offsetof(ehr_thread_record, started_at_unix_ms) == 120,
              "ehr_thread_record.started_at_unix_ms moved");
static_assert(offsetof(ehr_thread_record, messages) == 128, "ehr_thread_record.messages moved");
static_assert(offsetof(ehr_thread_record, message_count) == 136, "ehr_thread_record.message_count moved");
EHR_NO_PADDING_BETWEEN(ehr_thread_record, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, struct_size, identifier_system);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, identifier_system, identifier_value);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, identifier_value, patient_id);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, patient_id, subject);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, subject, started_by);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, started_by, recipients);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, recipients, recipient_count);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, recipient_count, started_at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, started_at_unix_ms, messages);
EHR_NO_PADDING_BETWEEN(ehr_thread_record, messages, message_count);
EHR_NO_PADDING_AFTER(ehr_thread_record, message_count);

// ehr_export_request (channel.h, since 1.1)
static_assert(sizeof(ehr_export_request) == 64, "ehr_export_request: size");
static_assert(offsetof(ehr_export_request, struct_type) == 0, "ehr_export_request.struct_type moved");
static_assert(offsetof(ehr_export_request, struct_size) == 4, "ehr_export_request.struct_size moved");
static_assert(offsetof(ehr_export_request, actor) == 8, "ehr_export_request.actor moved");
static_assert(offsetof(ehr_export_request, patient_id) == 40, "ehr_export_request.patient_id moved");
static_assert(offsetof(ehr_export_request, since_unix_ms) == 56, "ehr_export_request.since_unix_ms moved");
EHR_NO_PADDING_BETWEEN(ehr_export_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_export_request, struct_size, actor);
EHR_NO_PADDING_BETWEEN(ehr_export_request, actor, patient_id);
EHR_NO_PADDING_BETWEEN(ehr_export_request, patient_id, since_unix_ms);
EHR_NO_PADDING_AFTER(ehr_export_request, since_unix_ms);

// ehr_import_request (channel.h, since 1.1)
static_assert(sizeof(ehr_import_request) == 56, "ehr_import_request: size");
static_assert(offsetof(ehr_import_request, struct_type) == 0, "ehr_import_request.struct_type moved");
static_assert(offsetof(ehr_import_request, struct_size) == 4, "ehr_import_request.struct_size moved");
static_assert(offsetof(ehr_import_request, actor) == 8, "ehr_import_request.actor moved");
static_assert(offsetof(ehr_import_request, threads) == 40, "ehr_import_request.threads moved");
static_assert(offsetof(ehr_import_request, thread_count) == 48, "ehr_import_request.thread_count moved");
EHR_NO_PADDING_BETWEEN(ehr_import_request, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_import_request, struct_size, actor);
EHR_NO_PADDING_BETWEEN(ehr_import_request, actor, threads);
EHR_NO_PADDING_BETWEEN(ehr_import_request, threads, thread_count);
EHR_NO_PADDING_AFTER(ehr_import_request, thread_count);
// ehr_webhook_delivery (channel.h, since 1.1)
static_assert(sizeof(ehr_webhook_delivery) == 112, "ehr_webhook_delivery: size");
static_assert(offsetof(ehr_webhook_delivery, struct_type) == 0, "ehr_webhook_delivery.struct_type moved");
static_assert(offsetof(ehr_webhook_delivery, struct_size) == 4, "ehr_webhook_delivery.struct_size moved");
static_assert(offsetof(ehr_webhook_delivery, delivery_id) == 8, "ehr_webhook_delivery.delivery_id moved");
static_assert(offsetof(ehr_webhook_delivery, message_id) == 16, "ehr_webhook_delivery.message_id moved");
static_assert(offsetof(ehr_webhook_delivery, thread_id) == 24, "ehr_webhook_delivery.thread_id moved");
static_assert(offsetof(ehr_webhook_delivery, idempotency_key) == 32,
              "ehr_webhook_delivery.idempotency_key moved");
static_assert(offsetof(ehr_webhook_delivery, state) == 48, "ehr_webhook_delivery.state moved");
static_assert(offsetof(ehr_webhook_delivery, attempts) == 64, "ehr_webhook_delivery.attempts moved");
static_assert(offsetof(ehr_webhook_delivery, reserved) == 68, "ehr_webhook_delivery.reserved moved");
static_assert(offsetof(ehr_webhook_delivery, created_at_unix_ms) == 72,
              "ehr_webhook_delivery.created_at_unix_ms moved");
static_assert(offsetof(ehr_webhook_delivery, next_attempt_at_unix_ms) == 80,
              "ehr_webhook_delivery.next_attempt_at_unix_ms moved");
static_assert(offsetof(ehr_webhook_delivery, delivered_at_unix_ms) == 88,
              "ehr_webhook_delivery.delivered_at_unix_ms moved");
static_assert(offsetof(ehr_webhook_delivery, last_error) == 96, "ehr_webhook_delivery.last_error moved");
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, struct_size, delivery_id);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, delivery_id, message_id);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, message_id, thread_id);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, thread_id, idempotency_key);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, idempotency_key, state);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, state, attempts);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, attempts, reserved);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, reserved, created_at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, created_at_unix_ms, next_attempt_at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, next_attempt_at_unix_ms, delivered_at_unix_ms);
EHR_NO_PADDING_BETWEEN(ehr_webhook_delivery, delivered_at_unix_ms, last_error);
EHR_NO_PADDING_AFTER(ehr_webhook_delivery, last_error);

// ehr_channel_api (channel.h)
static_assert(sizeof(ehr_channel_api) == 144, "ehr_channel_api: size (1.0: 80)");
static_assert(offsetof(ehr_channel_api, struct_type) == 0, "ehr_channel_api.struct_type moved");
static_assert(offsetof(ehr_channel_api, struct_size) == 4, "ehr_channel_api.struct_size moved");
static_assert(offsetof(ehr_channel_api, explain) == 8, "ehr_channel_api.explain moved");
static_assert(offsetof(ehr_channel_api, list_recipients) == 16, "ehr_channel_api.list_recipients moved");
static_assert(offsetof(ehr_channel_api, start_thread) == 24, "ehr_channel_api.start_thread moved");
static_assert(offsetof(ehr_channel_api, reply) == 32, "ehr_channel_api.reply moved");
static_assert(offsetof(ehr_channel_api, list_threads) == 40, "ehr_channel_api.list_threads moved");
static_assert(offsetof(ehr_channel_api, unread_total) == 48, "ehr_channel_api.unread_total moved");
static_assert(offsetof(ehr_channel_api, read_thread) == 56, "ehr_channel_api.read_thread moved");
static_assert(offsetof(ehr_channel_api, set_archived) == 64, "ehr_channel_api.set_archived moved");
static_assert(offsetof(ehr_channel_api, invite_portal_user) == 72,
              "ehr_channel_api.invite_portal_user moved");
EHR_NO_PADDING_BETWEEN(ehr_channel_api, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, struct_size, explain);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, explain, list_recipients);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, list_recipients, start_thread);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, start_thread, reply);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, reply, list_threads);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, list_threads, unread_total);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, unread_total, read_thread);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, read_thread, set_archived);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, set_archived, invite_portal_user);
static_assert(offsetof(ehr_channel_api, add_participant) == 80, "ehr_channel_api.add_participant moved");
static_assert(offsetof(ehr_channel_api, list_participants) == 88, "ehr_channel_api.list_participants moved");
EHR_NO_PADDING_BETWEEN(ehr_channel_api, invite_portal_user, add_participant);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, add_participant, list_participants);
static_assert(offsetof(ehr_channel_api, chart_brand) == 96, "ehr_channel_api.chart_brand moved");
EHR_NO_PADDING_BETWEEN(ehr_channel_api, list_participants, chart_brand);
static_assert(offsetof(ehr_channel_api, export_records) == 104, "ehr_channel_api.export_records moved");
static_assert(offsetof(ehr_channel_api, import_records) == 112, "ehr_channel_api.import_records moved");
EHR_NO_PADDING_BETWEEN(ehr_channel_api, chart_brand, export_records);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, export_records, import_records);
static_assert(offsetof(ehr_channel_api, list_webhook_deliveries) == 120,
              "ehr_channel_api.list_webhook_deliveries moved");
static_assert(offsetof(ehr_channel_api, retry_webhook_deliveries) == 128,
              "ehr_channel_api.retry_webhook_deliveries moved");
EHR_NO_PADDING_BETWEEN(ehr_channel_api, import_records, list_webhook_deliveries);
EHR_NO_PADDING_BETWEEN(ehr_channel_api, list_webhook_deliveries, retry_webhook_deliveries);
static_assert(offsetof(ehr_channel_api, rekey) == 136, "ehr_channel_api.rekey moved");
EHR_NO_PADDING_BETWEEN(ehr_channel_api, retry_webhook_deliveries, rekey);
EHR_NO_PADDING_AFTER(ehr_channel_api, rekey);

// ehr_brand (channel.h, since 1.1)
static_assert(sizeof(ehr_brand) == 72, "ehr_brand: size");
static_assert(offsetof(ehr_brand, struct_type) == 0, "ehr_brand.struct_type moved");
static_assert(offsetof(ehr_brand, struct_size) == 4, "ehr_brand.struct_size moved");
static_assert(offsetof(ehr_brand, name) == 8, "ehr_brand.name moved");
static_assert(offsetof(ehr_brand, phone) == 24, "ehr_brand.phone moved");
static_assert(offsetof(ehr_brand, address) == 40, "ehr_brand.address moved");
static_assert(offsetof(ehr_brand, location_id) == 56, "ehr_brand.location_id moved");
EHR_NO_PADDING_BETWEEN(ehr_brand, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_brand, struct_size, name);
EHR_NO_PADDING_BETWEEN(ehr_brand, name, phone);
EHR_NO_PADDING_BETWEEN(ehr_brand, phone, address);
EHR_NO_PADDING_BETWEEN(ehr_brand, address, location_id);
EHR_NO_PADDING_AFTER(ehr_brand, location_id);

// ehr_audit_verify_result (audit.h)
static_assert(sizeof(ehr_audit_verify_result) == 56, "ehr_audit_verify_result: size (1.0: 32)");
static_assert(offsetof(ehr_audit_verify_result, struct_type) == 0,
              "ehr_audit_verify_result.struct_type moved");
static_assert(offsetof(ehr_audit_verify_result, struct_size) == 4,
              "ehr_audit_verify_result.struct_size moved");
static_assert(offsetof(ehr_audit_verify_result, records_checked) == 8,
              "ehr_audit_verify_result.records_checked moved");
static_assert(offsetof(ehr_audit_verify_result, first_bad_sequence) == 16,
              "ehr_audit_verify_result.first_bad_sequence moved");
static_assert(offsetof(ehr_audit_verify_result, ok) == 24, "ehr_audit_verify_result.ok moved");
static_assert(offsetof(ehr_audit_verify_result, reserved) == 28, "ehr_audit_verify_result.reserved moved");
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, struct_size, records_checked);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, records_checked, first_bad_sequence);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, first_bad_sequence, ok);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, ok, reserved);
// Since 1.1.
static_assert(offsetof(ehr_audit_verify_result, finding) == 32, "ehr_audit_verify_result.finding moved");
static_assert(offsetof(ehr_audit_verify_result, reserved2) == 36, "ehr_audit_verify_result.reserved2 moved");
static_assert(offsetof(ehr_audit_verify_result, checkpoint_sequence) == 40,
              "ehr_audit_verify_result.checkpoint_sequence moved");
static_assert(offsetof(ehr_audit_verify_result, checkpoints_checked) == 48,
              "ehr_audit_verify_result.checkpoints_checked moved");
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, reserved, finding);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, finding, reserved2);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, reserved2, checkpoint_sequence);
EHR_NO_PADDING_BETWEEN(ehr_audit_verify_result, checkpoint_sequence, checkpoints_checked);
EHR_NO_PADDING_AFTER(ehr_audit_verify_result, checkpoints_checked);

// ehr_audit_api (audit.h)
static_assert(sizeof(ehr_audit_api) == 32, "ehr_audit_api: size");
static_assert(offsetof(ehr_audit_api, struct_type) == 0, "ehr_audit_api.struct_type moved");
static_assert(offsetof(ehr_audit_api, struct_size) == 4, "ehr_audit_api.struct_size moved");
static_assert(offsetof(ehr_audit_api, verify) == 8, "ehr_audit_api.verify moved");
static_assert(offsetof(ehr_audit_api, list) == 16, "ehr_audit_api.list moved");
EHR_NO_PADDING_BETWEEN(ehr_audit_api, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_audit_api, struct_size, verify);
static_assert(offsetof(ehr_audit_api, append_host_records) == 24, "ehr_audit_api.append_host_records moved");
EHR_NO_PADDING_BETWEEN(ehr_audit_api, verify, list);
EHR_NO_PADDING_BETWEEN(ehr_audit_api, list, append_host_records);
EHR_NO_PADDING_AFTER(ehr_audit_api, append_host_records);

// ehr_hook_point_info (hooks.h)
static_assert(sizeof(ehr_hook_point_info) == 48, "ehr_hook_point_info: size");
static_assert(offsetof(ehr_hook_point_info, struct_type) == 0, "ehr_hook_point_info.struct_type moved");
static_assert(offsetof(ehr_hook_point_info, struct_size) == 4, "ehr_hook_point_info.struct_size moved");
static_assert(offsetof(ehr_hook_point_info, point) == 8, "ehr_hook_point_info.point moved");
static_assert(offsetof(ehr_hook_point_info, can_reject) == 12, "ehr_hook_point_info.can_reject moved");
static_assert(offsetof(ehr_hook_point_info, name) == 16, "ehr_hook_point_info.name moved");
static_assert(offsetof(ehr_hook_point_info, description) == 32, "ehr_hook_point_info.description moved");
EHR_NO_PADDING_BETWEEN(ehr_hook_point_info, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_hook_point_info, struct_size, point);
EHR_NO_PADDING_BETWEEN(ehr_hook_point_info, point, can_reject);
EHR_NO_PADDING_BETWEEN(ehr_hook_point_info, can_reject, name);
EHR_NO_PADDING_BETWEEN(ehr_hook_point_info, name, description);
EHR_NO_PADDING_AFTER(ehr_hook_point_info, description);

// ehr_hook_event (hooks.h)
static_assert(sizeof(ehr_hook_event) == 176, "ehr_hook_event: size");
static_assert(offsetof(ehr_hook_event, struct_type) == 0, "ehr_hook_event.struct_type moved");
static_assert(offsetof(ehr_hook_event, struct_size) == 4, "ehr_hook_event.struct_size moved");
static_assert(offsetof(ehr_hook_event, point) == 8, "ehr_hook_event.point moved");
static_assert(offsetof(ehr_hook_event, reserved) == 12, "ehr_hook_event.reserved moved");
static_assert(offsetof(ehr_hook_event, actor) == 16, "ehr_hook_event.actor moved");
static_assert(offsetof(ehr_hook_event, patient_id) == 48, "ehr_hook_event.patient_id moved");
static_assert(offsetof(ehr_hook_event, thread_id) == 64, "ehr_hook_event.thread_id moved");
static_assert(offsetof(ehr_hook_event, message_id) == 72, "ehr_hook_event.message_id moved");
static_assert(offsetof(ehr_hook_event, subject) == 80, "ehr_hook_event.subject moved");
static_assert(offsetof(ehr_hook_event, body) == 96, "ehr_hook_event.body moved");
static_assert(offsetof(ehr_hook_event, location_id) == 112, "ehr_hook_event.location_id moved");
static_assert(offsetof(ehr_hook_event, setting_key) == 128, "ehr_hook_event.setting_key moved");
static_assert(offsetof(ehr_hook_event, old_value) == 144, "ehr_hook_event.old_value moved");
static_assert(offsetof(ehr_hook_event, new_value) == 160, "ehr_hook_event.new_value moved");
EHR_NO_PADDING_BETWEEN(ehr_hook_event, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, struct_size, point);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, point, reserved);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, reserved, actor);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, actor, patient_id);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, patient_id, thread_id);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, thread_id, message_id);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, message_id, subject);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, subject, body);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, body, location_id);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, location_id, setting_key);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, setting_key, old_value);
EHR_NO_PADDING_BETWEEN(ehr_hook_event, old_value, new_value);
EHR_NO_PADDING_AFTER(ehr_hook_event, new_value);

// ehr_hooks_api (hooks.h)
static_assert(sizeof(ehr_hooks_api) == 32, "ehr_hooks_api: size");
static_assert(offsetof(ehr_hooks_api, struct_type) == 0, "ehr_hooks_api.struct_type moved");
static_assert(offsetof(ehr_hooks_api, struct_size) == 4, "ehr_hooks_api.struct_size moved");
static_assert(offsetof(ehr_hooks_api, list_points) == 8, "ehr_hooks_api.list_points moved");
static_assert(offsetof(ehr_hooks_api, add_hook) == 16, "ehr_hooks_api.add_hook moved");
static_assert(offsetof(ehr_hooks_api, remove_hook) == 24, "ehr_hooks_api.remove_hook moved");
EHR_NO_PADDING_BETWEEN(ehr_hooks_api, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_hooks_api, struct_size, list_points);
EHR_NO_PADDING_BETWEEN(ehr_hooks_api, list_points, add_hook);
EHR_NO_PADDING_BETWEEN(ehr_hooks_api, add_hook, remove_hook);
EHR_NO_PADDING_AFTER(ehr_hooks_api, remove_hook);

// ehr_config_entry (plugin.h, since 1.1)
static_assert(sizeof(ehr_config_entry) == 40, "ehr_config_entry: size");
static_assert(offsetof(ehr_config_entry, struct_type) == 0, "ehr_config_entry.struct_type moved");
static_assert(offsetof(ehr_config_entry, struct_size) == 4, "ehr_config_entry.struct_size moved");
static_assert(offsetof(ehr_config_entry, key) == 8, "ehr_config_entry.key moved");
static_assert(offsetof(ehr_config_entry, value) == 24, "ehr_config_entry.value moved");
EHR_NO_PADDING_BETWEEN(ehr_config_entry, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_config_entry, struct_size, key);
EHR_NO_PADDING_BETWEEN(ehr_config_entry, key, value);
EHR_NO_PADDING_AFTER(ehr_config_entry, value);

// ehr_init_params (plugin.h)
static_assert(sizeof(ehr_init_params) == 80, "ehr_init_params: size (1.0: 64)");
static_assert(offsetof(ehr_init_params, struct_type) == 0, "ehr_init_params.struct_type moved");
static_assert(offsetof(ehr_init_params, struct_size) == 4, "ehr_init_params.struct_size moved");
static_assert(offsetof(ehr_init_params, host) == 8, "ehr_init_params.host moved");
static_assert(offsetof(ehr_init_params, data_directory) == 16, "ehr_init_params.data_directory moved");
static_assert(offsetof(ehr_init_params, settings_schema_path) == 32,
              "ehr_init_params.settings_schema_path moved");
static_assert(offsetof(ehr_init_params, manifest_directory) == 48,
              "ehr_init_params.manifest_directory moved");
EHR_NO_PADDING_BETWEEN(ehr_init_params, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_init_params, struct_size, host);
EHR_NO_PADDING_BETWEEN(ehr_init_params, host, data_directory);
EHR_NO_PADDING_BETWEEN(ehr_init_params, data_directory, settings_schema_path);
static_assert(offsetof(ehr_init_params, config) == 64, "ehr_init_params.config moved");
static_assert(offsetof(ehr_init_params, config_count) == 72, "ehr_init_params.config_count moved");
EHR_NO_PADDING_BETWEEN(ehr_init_params, settings_schema_path, manifest_directory);
EHR_NO_PADDING_BETWEEN(ehr_init_params, manifest_directory, config);
EHR_NO_PADDING_BETWEEN(ehr_init_params, config, config_count);
EHR_NO_PADDING_AFTER(ehr_init_params, config_count);

// ehr_registrar (plugin.h)
static_assert(sizeof(ehr_registrar) == 56, "ehr_registrar: size");
static_assert(offsetof(ehr_registrar, struct_type) == 0, "ehr_registrar.struct_type moved");
static_assert(offsetof(ehr_registrar, struct_size) == 4, "ehr_registrar.struct_size moved");
static_assert(offsetof(ehr_registrar, registrar) == 8, "ehr_registrar.registrar moved");
static_assert(offsetof(ehr_registrar, register_settings) == 16, "ehr_registrar.register_settings moved");
static_assert(offsetof(ehr_registrar, register_roles_section) == 24,
              "ehr_registrar.register_roles_section moved");
static_assert(offsetof(ehr_registrar, register_channel) == 32, "ehr_registrar.register_channel moved");
static_assert(offsetof(ehr_registrar, register_hooks) == 40, "ehr_registrar.register_hooks moved");
static_assert(offsetof(ehr_registrar, register_audit) == 48, "ehr_registrar.register_audit moved");
EHR_NO_PADDING_BETWEEN(ehr_registrar, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_registrar, struct_size, registrar);
EHR_NO_PADDING_BETWEEN(ehr_registrar, registrar, register_settings);
EHR_NO_PADDING_BETWEEN(ehr_registrar, register_settings, register_roles_section);
EHR_NO_PADDING_BETWEEN(ehr_registrar, register_roles_section, register_channel);
EHR_NO_PADDING_BETWEEN(ehr_registrar, register_channel, register_hooks);
EHR_NO_PADDING_BETWEEN(ehr_registrar, register_hooks, register_audit);
EHR_NO_PADDING_AFTER(ehr_registrar, register_audit);

// ehr_plugin_api (plugin.h)
static_assert(sizeof(ehr_plugin_api) == 72, "ehr_plugin_api: size");
static_assert(offsetof(ehr_plugin_api, struct_type) == 0, "ehr_plugin_api.struct_type moved");
static_assert(offsetof(ehr_plugin_api, struct_size) == 4, "ehr_plugin_api.struct_size moved");
static_assert(offsetof(ehr_plugin_api, plugin_id) == 8, "ehr_plugin_api.plugin_id moved");
static_assert(offsetof(ehr_plugin_api, plugin_version) == 24, "ehr_plugin_api.plugin_version moved");
static_assert(offsetof(ehr_plugin_api, on_init) == 40, "ehr_plugin_api.on_init moved");
static_assert(offsetof(ehr_plugin_api, on_enable) == 48, "ehr_plugin_api.on_enable moved");
static_assert(offsetof(ehr_plugin_api, on_disable) == 56, "ehr_plugin_api.on_disable moved");
static_assert(offsetof(ehr_plugin_api, on_shutdown) == 64, "ehr_plugin_api.on_shutdown moved");
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, struct_size, plugin_id);
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, plugin_id, plugin_version);
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, plugin_version, on_init);
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, on_init, on_enable);
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, on_enable, on_disable);
EHR_NO_PADDING_BETWEEN(ehr_plugin_api, on_disable, on_shutdown);
EHR_NO_PADDING_AFTER(ehr_plugin_api, on_shutdown);

// ehr_negotiation (plugin.h)
static_assert(sizeof(ehr_negotiation) == 32, "ehr_negotiation: size");
static_assert(offsetof(ehr_negotiation, struct_type) == 0, "ehr_negotiation.struct_type moved");
static_assert(offsetof(ehr_negotiation, struct_size) == 4, "ehr_negotiation.struct_size moved");
static_assert(offsetof(ehr_negotiation, host_min_version) == 8, "ehr_negotiation.host_min_version moved");
static_assert(offsetof(ehr_negotiation, host_max_version) == 12, "ehr_negotiation.host_max_version moved");
static_assert(offsetof(ehr_negotiation, chosen_version) == 16, "ehr_negotiation.chosen_version moved");
static_assert(offsetof(ehr_negotiation, reserved) == 20, "ehr_negotiation.reserved moved");
static_assert(offsetof(ehr_negotiation, plugin_api) == 24, "ehr_negotiation.plugin_api moved");
EHR_NO_PADDING_BETWEEN(ehr_negotiation, struct_type, struct_size);
EHR_NO_PADDING_BETWEEN(ehr_negotiation, struct_size, host_min_version);
EHR_NO_PADDING_BETWEEN(ehr_negotiation, host_min_version, host_max_version);
EHR_NO_PADDING_BETWEEN(ehr_negotiation, host_max_version, chosen_version);
EHR_NO_PADDING_BETWEEN(ehr_negotiation, chosen_version, reserved);
EHR_NO_PADDING_BETWEEN(ehr_negotiation, reserved, plugin_api);
EHR_NO_PADDING_AFTER(ehr_negotiation, plugin_api);

// Every exchanged struct and table starts with struct_type and struct_size (ehr_str, a plain view,
// is the one exception); the checks above pin them at offsets 0 and 4.
int main() {
  return 0;
}
