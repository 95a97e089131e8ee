"""ctypes declarations of the host C API (ehr/host_api.h) and the plugin ABI structs it uses.

Internal: the public, Pythonic API is in ehr_host/__init__.py. Layouts mirror the C headers
field for field (every struct starts with struct_type and struct_size; see ehr/common.h).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_bool, c_char, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from pathlib import Path

status_t = c_int32

# struct_type tags (ehr/common.h, ehr/host_api.h)
STRUCT = dict(ERROR=1, HOST_SERVICES=6, USER_INFO=7, PATIENT_INFO=8, PORTAL_USER_INFO=9, ORGANIZATION_INFO=10,
              NOTIFICATION=11, AUDIT_EVENT=12, PRINCIPAL=13, PAGE_INFO=15, FIELD_INFO=16, CHOICE=17, PAGE_SINK=18,
              SETTING_VALUE=19, EFFECTIVE_SETTING=20, ROLE_DESCRIPTOR=21, ROLES_SECTION=22, START_REQUEST=24,
              REPLY_REQUEST=25, SENT=26, DECISION=27, RECIPIENT=28, LIST_REQUEST=29, THREAD_SUMMARY=30,
              INBOX_TOTALS=31, MESSAGE_VIEW=32, AUDIT_VERIFY_RESULT=34, HOOK_EVENT=36, HOOK_POINT_INFO=37,
              EXPLAIN_REQUEST=38, INVITE_REQUEST=39, BRAND=41, HOST_OPTIONS=1001, HOST_TRUSTED_KEY=1002,
              HOST_PLUGIN_INFO=1003, HOST_VERIFICATION=1004, HOST_USER_DIRECTORY=1005, HOST_ROLE_CHANGE=1006)

OK, NOT_FOUND, INTERNAL, STOP = 0, 3, 8, 11
PRINCIPAL_STAFF, PRINCIPAL_PORTAL_USER = 1, 2


class Str(Structure):
    _fields_ = [("data", POINTER(c_char)), ("size", c_size_t)]


def text(s: Str) -> str:
    if not s.data or s.size == 0:
        return ""
    return ctypes.string_at(s.data, s.size).decode("utf-8")


def make_str(value: str | bytes | None) -> Str:
    """An ehr_str over a copy of value; the Str keeps the copy alive (ctypes _objects)."""
    raw = value.encode("utf-8") if isinstance(value, str) else (value or b"")
    buffer = ctypes.create_string_buffer(raw, len(raw) + 1)
    out = Str(ctypes.cast(buffer, POINTER(c_char)), len(raw))
    out._keep = buffer  # noqa: SLF001 - keeps the bytes alive as long as the view
    return out


def tagged(cls, tag: str):
    value = cls()
    value.struct_type = STRUCT[tag]
    value.struct_size = ctypes.sizeof(cls)
    return value


def header():
    return [("struct_type", c_uint32), ("struct_size", c_uint32)]


class Error(Structure):
    pass


Error._fields_ = header() + [("code", status_t), ("reason", c_uint32), ("message", Str), ("field", Str),
                             ("release", CFUNCTYPE(None, POINTER(Error)))]


class Principal(Structure):
    _fields_ = header() + [("kind", c_uint32), ("reserved", c_uint32), ("id", Str)]


class UserInfo(Structure):
    _fields_ = header() + [("id", Str), ("display_name", Str), ("active", c_uint32), ("reserved", c_uint32)]


class PatientInfo(Structure):
    _fields_ = header() + [("id", Str), ("display_name", Str), ("location_id", Str)]


class PortalUserInfo(Structure):
    _fields_ = header() + [("id", Str), ("display_name", Str), ("first_name", Str), ("kind", c_uint32),
                           ("active", c_uint32)]


class OrganizationInfo(Structure):
    _fields_ = header() + [("location_id", Str), ("name", Str), ("alias", Str), ("address", Str), ("phone", Str),
                           ("portal_url", Str), ("is_master", c_uint32), ("reserved", c_uint32)]


class Notification(Structure):
    _fields_ = header() + [("kind", c_uint32), ("delivery", c_uint32), ("recipient", Principal), ("subject", Str),
                           ("text", Str), ("html", Str), ("brand_name", Str)]


class AuditEvent(Structure):
    _fields_ = header() + [("sequence", c_int64), ("at_unix_ms", c_int64), ("actor", Principal), ("action", Str),
                           ("patient_id", Str), ("target", Str), ("outcome", Str), ("detail", Str), ("hash", Str)]


UserSink = CFUNCTYPE(status_t, c_void_p, POINTER(UserInfo))
PatientSink = CFUNCTYPE(status_t, c_void_p, POINTER(PatientInfo))
PortalUserSink = CFUNCTYPE(status_t, c_void_p, POINTER(PortalUserInfo))
OrganizationSink = CFUNCTYPE(status_t, c_void_p, POINTER(OrganizationInfo))
IdSink = CFUNCTYPE(status_t, c_void_p, Str)


class HostServicesTable(Structure):
    _fields_ = header() + [
        ("host", c_void_p),
        ("log", CFUNCTYPE(status_t, c_void_p, c_uint32, Str)),
        ("now", CFUNCTYPE(status_t, c_void_p, POINTER(c_int64))),
        ("get_user", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, UserSink)),
        ("user_has_role", CFUNCTYPE(status_t, c_void_p, Str, Str, POINTER(c_bool))),
        ("list_users_with_role", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, UserSink)),
        ("get_patient", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, PatientSink)),
        ("list_care_team", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, IdSink)),
        ("get_portal_user", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, PortalUserSink)),
        ("list_patient_contacts", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, PortalUserSink)),
        ("list_contact_charts", CFUNCTYPE(status_t, c_void_p, Str, c_void_p, IdSink)),
        ("get_company", CFUNCTYPE(status_t, c_void_p, c_void_p, OrganizationSink)),
        ("list_locations", CFUNCTYPE(status_t, c_void_p, c_void_p, OrganizationSink)),
        ("notify", CFUNCTYPE(status_t, c_void_p, POINTER(Notification))),
        ("audit", CFUNCTYPE(status_t, c_void_p, POINTER(AuditEvent))),
    ]


class TrustedKey(Structure):
    _fields_ = header() + [("key_id", Str), ("public_key_base64", Str)]


class HostOptions(Structure):
    _fields_ = header() + [("plugins_directory", Str), ("host_data_directory", Str),
                           ("trusted_keys", POINTER(TrustedKey)), ("trusted_key_count", c_size_t),
                           ("require_signatures", c_uint32), ("start_new_disabled", c_uint32),
                           ("abi_min_version", c_uint32), ("abi_max_version", c_uint32), ("callbacks", c_uint32),
                           ("reserved", c_uint32)]


class PluginInfo(Structure):
    _fields_ = header() + [("id", Str), ("name", Str), ("version", Str), ("vendor", Str), ("manifest_path", Str),
                           ("data_directory", Str), ("plugin_version", Str), ("state", c_uint32),
                           ("enabled_preference", c_uint32), ("negotiated_version", c_uint32),
                           ("failure_code", status_t), ("failure_cause", Str), ("failure_message", Str),
                           ("failure_field", Str)]


class Verification(Structure):
    _fields_ = header() + [("plugin_id", Str), ("manifest_path", Str), ("library_path", Str),
                           ("expected_sha256", Str), ("actual_sha256", Str), ("checksum_matches", c_uint32),
                           ("signature", c_uint32), ("signature_key_id", Str), ("status", status_t),
                           ("reserved", c_uint32), ("problem", Str)]


class PageInfo(Structure):
    _fields_ = header() + [("page_id", Str), ("title", Str), ("location_id", Str), ("required_role", Str),
                           ("follows_general", c_uint32), ("field_count", c_uint32)]


class Choice(Structure):
    _fields_ = header() + [("value", Str), ("label", Str)]


class FieldInfo(Structure):
    _fields_ = header() + [("section_id", Str), ("section_title", Str), ("key", Str), ("label", Str), ("help", Str),
                           ("type", c_uint32), ("choice_count", c_uint32), ("choices", POINTER(Choice)),
                           ("default_value", Str), ("value", Str), ("min_value", c_int64), ("max_value", c_int64)]


class PageSink(Structure):
    _fields_ = header() + [("on_page", CFUNCTYPE(status_t, c_void_p, POINTER(PageInfo))),
                           ("on_field", CFUNCTYPE(status_t, c_void_p, POINTER(FieldInfo)))]


class SettingValue(Structure):
    _fields_ = header() + [("key", Str), ("value", Str)]


class EffectiveSetting(Structure):
    _fields_ = header() + [("key", Str), ("value", Str), ("source_location_id", Str), ("from_default", c_uint32),
                           ("reserved", c_uint32)]


class RoleDescriptor(Structure):
    _fields_ = header() + [("id", Str), ("label", Str), ("description", Str)]


class RolesSection(Structure):
    _fields_ = header() + [("section_id", Str), ("title", Str), ("roles", POINTER(RoleDescriptor)),
                           ("role_count", c_size_t)]


class UserDirectory(Structure):
    _fields_ = header() + [("context", c_void_p), ("list_users", CFUNCTYPE(status_t, c_void_p, c_void_p, UserSink))]


class RoleChange(Structure):
    _fields_ = header() + [("sequence", c_int64), ("at_unix_ms", c_int64), ("actor_user_id", Str), ("user_id", Str),
                           ("role_id", Str), ("old_assigned", c_uint32), ("new_assigned", c_uint32)]


class ExplainRequest(Structure):
    _fields_ = header() + [("staff_user_id", Str), ("portal_user_id", Str), ("patient_id", Str)]


class Decision(Structure):
    _fields_ = header() + [("allowed", c_uint32), ("reason", c_uint32), ("explanation", Str)]


class Recipient(Structure):
    _fields_ = header() + [("principal", Principal), ("display_name", Str)]


class StartRequest(Structure):
    _fields_ = header() + [("sender", Principal), ("patient_id", Str), ("recipients", POINTER(Principal)),
                           ("recipient_count", c_size_t), ("subject", Str), ("body", Str)]


class ReplyRequest(Structure):
    _fields_ = header() + [("sender", Principal), ("thread_id", c_int64), ("body", Str)]


class Sent(Structure):
    _fields_ = header() + [("thread_id", c_int64), ("message_id", c_int64), ("sent_at_unix_ms", c_int64)]


class ListRequest(Structure):
    _fields_ = header() + [("reader", Principal), ("include_archived", c_uint32), ("limit", c_uint32),
                           ("offset", c_uint32), ("reserved", c_uint32)]


class ThreadSummary(Structure):
    _fields_ = header() + [("thread_id", c_int64), ("patient_id", Str), ("subject", Str), ("started_by", Principal),
                           ("last_sender", Principal), ("last_message_at_unix_ms", c_int64),
                           ("message_count", c_uint32), ("unread_count", c_uint32), ("archived", c_uint32),
                           ("reserved", c_uint32)]


class InboxTotals(Structure):
    _fields_ = header() + [("thread_count", c_uint64), ("unread_total", c_uint64)]


class MessageView(Structure):
    _fields_ = header() + [("message_id", c_int64), ("thread_id", c_int64), ("sender", Principal),
                           ("sender_display_name", Str), ("body", Str), ("sent_at_unix_ms", c_int64)]


class InviteRequest(Structure):
    _fields_ = header() + [("actor_user_id", Str), ("portal_user_id", Str)]


class Brand(Structure):
    _fields_ = header() + [("name", Str), ("phone", Str), ("address", Str), ("location_id", Str)]


class HookPointInfo(Structure):
    _fields_ = header() + [("point", c_uint32), ("can_reject", c_uint32), ("name", Str), ("description", Str)]


class HookEvent(Structure):
    _fields_ = header() + [("point", c_uint32), ("reserved", c_uint32), ("actor", Principal), ("patient_id", Str),
                           ("thread_id", c_int64), ("message_id", c_int64), ("subject", Str), ("body", Str),
                           ("location_id", Str), ("setting_key", Str), ("old_value", Str), ("new_value", Str)]


class AuditVerifyResult(Structure):
    _fields_ = header() + [("records_checked", c_uint64), ("first_bad_sequence", c_int64), ("ok", c_uint32),
                           ("reserved", c_uint32)]


ErrorOut = POINTER(POINTER(Error))
PluginSink = CFUNCTYPE(status_t, c_void_p, POINTER(PluginInfo))
VerificationSink = CFUNCTYPE(status_t, c_void_p, POINTER(Verification))
EffectiveSink = CFUNCTYPE(status_t, c_void_p, POINTER(EffectiveSetting))
RolesSectionSink = CFUNCTYPE(status_t, c_void_p, Str, POINTER(RolesSection))
RoleChangeSink = CFUNCTYPE(status_t, c_void_p, POINTER(RoleChange))
ChannelSink = CFUNCTYPE(status_t, c_void_p, Str, Str)
DecisionSink = CFUNCTYPE(status_t, c_void_p, POINTER(Decision))
RecipientSink = CFUNCTYPE(status_t, c_void_p, POINTER(Recipient))
ThreadSink = CFUNCTYPE(status_t, c_void_p, POINTER(ThreadSummary))
MessageSink = CFUNCTYPE(status_t, c_void_p, POINTER(MessageView))
BrandSink = CFUNCTYPE(status_t, c_void_p, POINTER(Brand))
HookPointSink = CFUNCTYPE(status_t, c_void_p, POINTER(HookPointInfo))
HookFn = CFUNCTYPE(status_t, c_void_p, POINTER(HookEvent), ErrorOut)
AuditSink = CFUNCTYPE(status_t, c_void_p, POINTER(AuditEvent))

H = c_void_p  # ehr_host*
RS = c_void_p  # ehr_host_role_store*

# name: (restype, argtypes)
PROTOTYPES = {
    "ehr_host_api_version": (c_uint32, []),
    "ehr_host_plugin_abi_version": (c_uint32, []),
    "ehr_host_error_free": (None, [POINTER(Error)]),
    "ehr_host_error_new": (POINTER(Error), [status_t, Str, Str, c_uint32]),
    "ehr_host_status_name": (ctypes.c_char_p, [status_t]),
    "ehr_host_deny_reason_name": (ctypes.c_char_p, [c_uint32]),
    "ehr_host_create": (status_t, [POINTER(HostOptions), POINTER(HostServicesTable), POINTER(H), ErrorOut]),
    "ehr_host_destroy": (None, [H]),
    "ehr_host_discover": (status_t, [H, ErrorOut]),
    "ehr_host_list_plugins": (status_t, [H, c_void_p, PluginSink, ErrorOut]),
    "ehr_host_plugin_info_get": (status_t, [H, Str, c_void_p, PluginSink, ErrorOut]),
    "ehr_host_verify_plugin": (status_t, [H, Str, c_void_p, VerificationSink, ErrorOut]),
    "ehr_host_enable_plugin": (status_t, [H, Str, ErrorOut]),
    "ehr_host_disable_plugin": (status_t, [H, Str, ErrorOut]),
    "ehr_host_shutdown": (status_t, [H, ErrorOut]),
    "ehr_host_list_settings_plugins": (status_t, [H, c_void_p, IdSink, ErrorOut]),
    "ehr_host_settings_describe": (status_t, [H, Str, Str, Str, c_void_p, POINTER(PageSink), ErrorOut]),
    "ehr_host_settings_save": (status_t, [H, Str, Str, Str, POINTER(SettingValue), c_size_t, ErrorOut]),
    "ehr_host_settings_reset": (status_t, [H, Str, Str, Str, ErrorOut]),
    "ehr_host_settings_effective": (status_t, [H, Str, Str, c_void_p, EffectiveSink, ErrorOut]),
    "ehr_host_list_roles_sections": (status_t, [H, c_void_p, RolesSectionSink, ErrorOut]),
    "ehr_host_role_store_open": (status_t, [Str, POINTER(UserDirectory), POINTER(RS), ErrorOut]),
    "ehr_host_role_store_close": (None, [RS]),
    "ehr_host_role_store_declare_role": (status_t, [RS, POINTER(RoleDescriptor), ErrorOut]),
    "ehr_host_role_store_declare_plugin_roles": (status_t, [RS, H, ErrorOut]),
    "ehr_host_role_store_has_role": (status_t, [RS, Str, Str, POINTER(c_bool), ErrorOut]),
    "ehr_host_role_store_members": (status_t, [RS, Str, c_void_p, IdSink, ErrorOut]),
    "ehr_host_role_store_roles_of": (status_t, [RS, Str, c_void_p, IdSink, ErrorOut]),
    "ehr_host_role_store_set": (status_t, [RS, Str, Str, Str, c_uint32, POINTER(c_size_t), ErrorOut]),
    "ehr_host_role_store_assign": (status_t, [RS, Str, Str, POINTER(Str), c_size_t, c_uint32, POINTER(c_size_t),
                                              ErrorOut]),
    "ehr_host_role_store_unassign": (status_t, [RS, Str, Str, POINTER(Str), c_size_t, c_uint32, POINTER(c_size_t),
                                                ErrorOut]),
    "ehr_host_role_store_seed": (status_t, [RS, POINTER(Str), POINTER(Str), c_size_t, POINTER(c_bool), ErrorOut]),
    "ehr_host_role_store_changes": (status_t, [RS, c_void_p, RoleChangeSink, ErrorOut]),
    "ehr_host_list_channels": (status_t, [H, c_void_p, ChannelSink, ErrorOut]),
    "ehr_host_channel_explain": (status_t, [H, Str, POINTER(ExplainRequest), c_void_p, DecisionSink, ErrorOut]),
    "ehr_host_channel_recipients": (status_t, [H, Str, POINTER(Principal), Str, c_void_p, RecipientSink, ErrorOut]),
    "ehr_host_channel_start": (status_t, [H, Str, POINTER(StartRequest), POINTER(Sent), ErrorOut]),
    "ehr_host_channel_reply": (status_t, [H, Str, POINTER(ReplyRequest), POINTER(Sent), ErrorOut]),
    "ehr_host_channel_list": (status_t, [H, Str, POINTER(ListRequest), c_void_p, ThreadSink, POINTER(InboxTotals),
                                         ErrorOut]),
    "ehr_host_channel_unread": (status_t, [H, Str, POINTER(Principal), POINTER(c_uint64), ErrorOut]),
    "ehr_host_channel_read": (status_t, [H, Str, POINTER(Principal), c_int64, c_void_p, MessageSink, ErrorOut]),
    "ehr_host_channel_set_archived": (status_t, [H, Str, POINTER(Principal), c_int64, c_uint32, ErrorOut]),
    "ehr_host_channel_invite": (status_t, [H, Str, POINTER(InviteRequest), ErrorOut]),
    "ehr_host_channel_add_participant": (status_t, [H, Str, POINTER(Principal), c_int64, POINTER(Principal),
                                                    POINTER(c_bool), ErrorOut]),
    "ehr_host_channel_participants": (status_t, [H, Str, POINTER(Principal), c_int64, c_void_p, RecipientSink,
                                                 ErrorOut]),
    "ehr_host_channel_brand": (status_t, [H, Str, POINTER(Principal), Str, c_void_p, BrandSink, ErrorOut]),
    "ehr_host_hook_points": (status_t, [H, Str, c_void_p, HookPointSink, ErrorOut]),
    "ehr_host_hook_add": (status_t, [H, Str, c_uint32, HookFn, c_void_p, POINTER(c_uint64), ErrorOut]),
    "ehr_host_hook_remove": (status_t, [H, c_uint64, ErrorOut]),
    "ehr_host_audit_verify": (status_t, [H, Str, POINTER(AuditVerifyResult), ErrorOut]),
    "ehr_host_audit_list": (status_t, [H, Str, Str, c_void_p, AuditSink, ErrorOut]),
}

API_MAJOR = 1
_library = None


def library_path() -> str:
    """Where libehr_host.so is: $EHR_HOST_LIBRARY, else the dynamic linker's search (an installed
    prefix in ld.so.cache or LD_LIBRARY_PATH)."""
    explicit = os.environ.get("EHR_HOST_LIBRARY")
    if explicit:
        return explicit
    found = ctypes.util.find_library("ehr_host")
    if found:
        return found
    for directory in os.environ.get("LD_LIBRARY_PATH", "").split(":"):
        candidate = Path(directory) / "libehr_host.so"
        if directory and candidate.exists():
            return str(candidate)
    raise OSError("libehr_host.so not found: set EHR_HOST_LIBRARY to its path (build tree: "
                  "build/dev/host-sdk/libehr_host.so; installed: PREFIX/lib/libehr_host.so), or add its "
                  "directory to LD_LIBRARY_PATH")


def lib():
    """The loaded library, its prototypes declared. ctypes.CDLL releases the GIL during each call,
    which the threading contract of ehr/host_api.h requires (PyDLL would deadlock)."""
    global _library
    if _library is None:
        loaded = ctypes.CDLL(library_path())
        for name, (restype, argtypes) in PROTOTYPES.items():
            function = getattr(loaded, name)
            function.restype = restype
            function.argtypes = argtypes
        major = loaded.ehr_host_api_version() >> 16
        if major != API_MAJOR:
            raise OSError(f"{library_path()} speaks host API major {major}; this package needs {API_MAJOR}")
        _library = loaded
    return _library
