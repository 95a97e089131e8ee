"""ehr_host: host EHR plugins (such as Patient Portal My Messages) from Python.

Pure Python over the host C API (libehr_host.so, ehr/host_api.h) through ctypes. A host:

    class Practice(ehr_host.HostServices): ...           # answers what only the host knows
    with ehr_host.PluginManager(plugins_dir, data_dir, Practice()) as manager:
        manager.discover()
        manager.enable("portal-messaging")
        channel = manager.channel("portal-messaging")
        sent = channel.start(Principal.staff("drlee"), "p01", "Your results are in",
                             recipients=[Principal.portal("maria")])

Every failure raises EhrError (or a subclass per status) carrying .status, .message, .field and,
for messaging refusals, .reason (e.g. "not_on_care_team").

THREADING: host services and hooks are called back from the plugin's own threads too (ctypes
takes the GIL for them; the library releases it during every call), so make them thread-safe.
"""
from __future__ import annotations

import ctypes
import enum
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from . import _capi as c

__all__ = [
    "AuditEvent", "AuditLog", "AuditVerification", "Brand", "Channel", "Choice", "Conflict", "Decision", "Disabled",
    "EffectiveSetting", "EhrError", "Field", "Forbidden", "HookEvent", "HookPoint", "Hooks", "HostServices",
    "InvalidArgument", "Message", "NotFound", "Notification", "Organization", "Page", "Patient", "PluginInfo",
    "PluginManager", "PortalUser", "Principal", "Recipient", "Rejected", "RoleChange", "RoleStore", "Sent",
    "SettingsPages", "Storage", "ThreadList", "ThreadSummary", "Unsupported", "User", "Verification",
    "PluginState", "PortalUserKind", "api_version",
]

# ---- Errors -----------------------------------------------------------------------------------------


class EhrError(Exception):
    """A failed call: .status (int), .status_name, .message (never PHI), .field (the setting key,
    manifest field or argument at fault) and .reason (a deny reason word, "" when none)."""

    status_code = 8

    def __init__(self, message: str, *, status: int | None = None, field: str = "", reason: int = 0):
        super().__init__(message)
        self.status = self.status_code if status is None else status
        self.message = message
        self.field = field
        self.reason_code = reason
        self.reason = c.lib().ehr_host_deny_reason_name(reason).decode() if reason else ""

    @property
    def status_name(self) -> str:
        return c.lib().ehr_host_status_name(self.status).decode()

    def __str__(self) -> str:
        text = f"{self.status_name}: {self.message}"
        if self.field:
            text += f" [field: {self.field}]"
        if self.reason:
            text += f" [reason: {self.reason}]"
        return text


class InvalidArgument(EhrError):
    status_code = 1


class Forbidden(EhrError):
    status_code = 2


class NotFound(EhrError):
    status_code = 3


class Conflict(EhrError):
    status_code = 4


class Unsupported(EhrError):
    status_code = 5


class Storage(EhrError):
    status_code = 7


class Rejected(EhrError):
    """Raise it from a before_store hook to reject the message; the sender gets it back."""

    status_code = 9


class Disabled(EhrError):
    status_code = 10


_BY_STATUS = {cls.status_code: cls for cls in (InvalidArgument, Forbidden, NotFound, Conflict, Unsupported, Storage,
                                               Rejected, Disabled)}


def _error(status: int, message: str, field: str = "", reason: int = 0) -> EhrError:
    return _BY_STATUS.get(status, EhrError)(message, status=status, field=field, reason=reason)


def _call(function, *args) -> None:
    """Calls an ehr_host_* function with a trailing error out-parameter; raises on failure."""
    error = ctypes.POINTER(c.Error)()
    status = function(*args, ctypes.byref(error))
    if status == c.OK:
        return
    if error:
        e = error.contents
        raised = _error(status, c.text(e.message) or "failed", c.text(e.field), e.reason)
        c.lib().ehr_host_error_free(error)
    else:
        raised = _error(status, c.lib().ehr_host_status_name(status).decode())
    raise raised


def api_version() -> tuple[int, int]:
    version = c.lib().ehr_host_api_version()
    return version >> 16, version & 0xFFFF


# ---- Values -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who acts or receives: a staff user or a portal user (patient, guardian, guarantor)."""

    kind: str  # "staff" or "portal"
    id: str

    @staticmethod
    def staff(user_id: str) -> "Principal":
        return Principal("staff", user_id)

    @staticmethod
    def portal(portal_user_id: str) -> "Principal":
        return Principal("portal", portal_user_id)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    def _c(self) -> c.Principal:
        out = c.tagged(c.Principal, "PRINCIPAL")
        out.kind = c.PRINCIPAL_PORTAL_USER if self.kind == "portal" else c.PRINCIPAL_STAFF
        out.id = c.make_str(self.id)
        return out

    @staticmethod
    def _from(p: c.Principal) -> "Principal":
        return Principal("portal" if p.kind == c.PRINCIPAL_PORTAL_USER else "staff", c.text(p.id))


def _principal(who: Principal | str) -> Principal:
    """A Principal, or text: "portal:maria" for a portal user, anything else a staff user id."""
    if isinstance(who, Principal):
        return who
    if who.startswith("portal:"):
        return Principal.portal(who[len("portal:"):])
    return Principal.staff(who[len("staff:"):] if who.startswith("staff:") else who)


@dataclass
class User:
    id: str
    display_name: str
    active: bool = True


@dataclass
class Patient:
    id: str
    display_name: str  # PHI: never logged
    location_id: str = ""  # empty in a single instance


class PortalUserKind(enum.IntEnum):
    PATIENT = 1
    GUARDIAN = 2
    GUARANTOR = 3


@dataclass
class PortalUser:
    id: str
    display_name: str
    first_name: str = ""
    kind: PortalUserKind = PortalUserKind.PATIENT
    active: bool = True


@dataclass
class Organization:
    """The company (location_id "") or one of its locations, as in the host's Company tab."""

    location_id: str
    name: str
    alias: str = ""
    address: str = ""
    phone: str = ""
    portal_url: str = ""
    is_master: bool = False


@dataclass
class Notification:
    kind: str  # "portal_invitation" or "new_message"
    delivery: str  # "portal_contact" or "in_app"
    recipient: Principal
    subject: str
    text: str
    html: str
    brand_name: str


@dataclass
class AuditEvent:
    sequence: int
    at_unix_ms: int
    actor: Principal
    action: str
    patient_id: str
    target: str
    outcome: str
    detail: str
    hash: str

    @staticmethod
    def _from(e: c.AuditEvent) -> "AuditEvent":
        return AuditEvent(e.sequence, e.at_unix_ms, Principal._from(e.actor), c.text(e.action), c.text(e.patient_id),
                          c.text(e.target), c.text(e.outcome), c.text(e.detail), c.text(e.hash))


# ---- Host services ------------------------------------------------------------------------------------


class HostServices:
    """What only the host knows. Subclass it and override the lookups; notify() and audit() are
    offered to plugins only when overridden. Return None from a get_* method for an unknown id
    (or raise NotFound). An exception is logged and reported to the plugin as an internal error.

    THREADING: methods are called from several threads at once, including the plugin's own."""

    def log(self, level: int, message: str) -> None:  # level: 0 debug .. 3 error; never PHI
        pass

    def now_unix_ms(self) -> int:
        return int(time.time() * 1000)

    def get_user(self, user_id: str) -> User | None:
        raise NotImplementedError

    def user_has_role(self, user_id: str, role_id: str) -> bool:
        raise NotImplementedError

    def list_users_with_role(self, role_id: str) -> Iterable[User]:
        raise NotImplementedError

    def get_patient(self, patient_id: str) -> Patient | None:
        raise NotImplementedError

    def list_care_team(self, patient_id: str) -> Iterable[str]:
        raise NotImplementedError

    def get_portal_user(self, portal_user_id: str) -> PortalUser | None:
        raise NotImplementedError

    def list_patient_contacts(self, patient_id: str) -> Iterable[PortalUser]:
        raise NotImplementedError

    def list_contact_charts(self, portal_user_id: str) -> Iterable[str]:
        raise NotImplementedError

    def get_company(self) -> Organization:
        raise NotImplementedError

    def list_locations(self) -> Iterable[Organization]:
        raise NotImplementedError

    def notify(self, notification: Notification) -> None:
        raise NotImplementedError

    def audit(self, event: AuditEvent) -> None:
        raise NotImplementedError


def _user_c(user: User) -> c.UserInfo:
    out = c.tagged(c.UserInfo, "USER_INFO")
    out.id, out.display_name, out.active = c.make_str(user.id), c.make_str(user.display_name), int(user.active)
    return out


def _portal_user_c(user: PortalUser) -> c.PortalUserInfo:
    out = c.tagged(c.PortalUserInfo, "PORTAL_USER_INFO")
    out.id, out.display_name, out.first_name = (c.make_str(user.id), c.make_str(user.display_name),
                                                c.make_str(user.first_name))
    out.kind, out.active = int(user.kind), int(user.active)
    return out


def _organization_c(org: Organization) -> c.OrganizationInfo:
    out = c.tagged(c.OrganizationInfo, "ORGANIZATION_INFO")
    for name in ("location_id", "name", "alias", "address", "phone", "portal_url"):
        setattr(out, name, c.make_str(getattr(org, name)))
    out.is_master = int(org.is_master)
    return out


def _each(sink, ctx, items, convert) -> int:
    for item in items:
        value = convert(item)
        status = sink(ctx, ctypes.byref(value)) if not isinstance(value, c.Str) else sink(ctx, value)
        if status != c.OK:
            return c.OK if status == c.STOP else status
    return c.OK


class _ServicesTable:
    """The C table over a HostServices; keeps every ctypes callback alive as long as it lives."""

    def __init__(self, services: HostServices):
        self.services = services
        t = c.tagged(c.HostServicesTable, "HOST_SERVICES")
        fields = dict(c.HostServicesTable._fields_)

        def guarded(name, body):
            def callback(*args):
                try:
                    return body(*args)
                except NotFound:
                    return c.NOT_FOUND
                except EhrError as error:
                    return error.status
                except Exception:  # noqa: BLE001 - nothing may unwind into C
                    try:
                        services.log(3, f"host services: {name} raised: {traceback.format_exc(limit=3)}")
                    except Exception:  # noqa: BLE001
                        pass
                    return c.INTERNAL
            return fields[name](callback)

        def one(value, sink, ctx, convert):
            if value is None:
                return c.NOT_FOUND
            status = sink(ctx, ctypes.byref(convert(value)))
            return c.OK if status == c.STOP else status

        def log(_h, level, message):
            services.log(level, c.text(message))
            return c.OK

        def now(_h, out):
            out[0] = int(services.now_unix_ms())
            return c.OK

        def has_role(_h, user, role, out):
            out[0] = bool(services.user_has_role(c.text(user), c.text(role)))
            return c.OK

        def get_patient(_h, patient_id, ctx, sink):
            patient = services.get_patient(c.text(patient_id))
            if patient is None:
                return c.NOT_FOUND
            info = c.tagged(c.PatientInfo, "PATIENT_INFO")
            info.id, info.display_name, info.location_id = (c.make_str(patient.id), c.make_str(patient.display_name),
                                                            c.make_str(patient.location_id))
            status = sink(ctx, ctypes.byref(info))
            return c.OK if status == c.STOP else status

        def notify(_h, n):
            n = n.contents
            services.notify(Notification({1: "portal_invitation", 2: "new_message"}.get(n.kind, "new_message"),
                                         {1: "portal_contact", 2: "in_app"}.get(n.delivery, "portal_contact"),
                                         Principal._from(n.recipient), c.text(n.subject), c.text(n.text),
                                         c.text(n.html), c.text(n.brand_name)))
            return c.OK

        def audit(_h, event):
            services.audit(AuditEvent._from(event.contents))
            return c.OK

        t.log = guarded("log", log)
        t.now = guarded("now", now)
        t.get_user = guarded("get_user", lambda _h, i, ctx, sink: one(services.get_user(c.text(i)), sink, ctx,
                                                                       _user_c))
        t.user_has_role = guarded("user_has_role", has_role)
        t.list_users_with_role = guarded("list_users_with_role", lambda _h, r, ctx, sink: _each(
            sink, ctx, services.list_users_with_role(c.text(r)), _user_c))
        t.get_patient = guarded("get_patient", get_patient)
        t.list_care_team = guarded("list_care_team", lambda _h, p, ctx, sink: _each(
            sink, ctx, services.list_care_team(c.text(p)), c.make_str))
        t.get_portal_user = guarded("get_portal_user", lambda _h, i, ctx, sink: one(
            services.get_portal_user(c.text(i)), sink, ctx, _portal_user_c))
        t.list_patient_contacts = guarded("list_patient_contacts", lambda _h, p, ctx, sink: _each(
            sink, ctx, services.list_patient_contacts(c.text(p)), _portal_user_c))
        t.list_contact_charts = guarded("list_contact_charts", lambda _h, p, ctx, sink: _each(
            sink, ctx, services.list_contact_charts(c.text(p)), c.make_str))
        t.get_company = guarded("get_company", lambda _h, ctx, sink: one(services.get_company(), sink, ctx,
                                                                          _organization_c))
        t.list_locations = guarded("list_locations", lambda _h, ctx, sink: _each(
            sink, ctx, services.list_locations(), _organization_c))
        overridden = lambda name: getattr(type(services), name) is not getattr(HostServices, name)  # noqa: E731
        if overridden("notify"):
            t.notify = guarded("notify", notify)
        if overridden("audit"):
            t.audit = guarded("audit", audit)
        self.table = t


# ---- The plugin manager -------------------------------------------------------------------------------


class PluginState(str, enum.Enum):
    FAILED = "failed"
    ENABLED = "enabled"
    DISABLED = "disabled"
    SHUT_DOWN = "shut_down"


_STATES = [PluginState.FAILED, PluginState.ENABLED, PluginState.DISABLED, PluginState.SHUT_DOWN]


@dataclass
class PluginInfo:
    id: str
    name: str
    version: str
    vendor: str
    state: PluginState
    enabled_preference: bool
    negotiated_version: str
    plugin_version: str
    manifest_path: str
    data_directory: str
    failure_cause: str  # "none", "checksum_mismatch", "abi_minor_too_new", ...
    failure: EhrError | None  # why it failed (or could not be enabled)

    @staticmethod
    def _from(i: c.PluginInfo) -> "PluginInfo":
        failure = None
        if i.failure_code != c.OK:
            failure = _error(i.failure_code, c.text(i.failure_message), c.text(i.failure_field))
        v = i.negotiated_version
        return PluginInfo(c.text(i.id), c.text(i.name), c.text(i.version), c.text(i.vendor), _STATES[i.state],
                          bool(i.enabled_preference), f"{v >> 16}.{v & 0xFFFF}" if v else "", c.text(i.plugin_version),
                          c.text(i.manifest_path), c.text(i.data_directory), c.text(i.failure_cause), failure)


@dataclass
class Verification:
    plugin_id: str
    library_path: str
    expected_sha256: str
    actual_sha256: str
    checksum_matches: bool
    signature: str  # "absent", "valid", "invalid", "untrusted_key"
    signature_key_id: str
    problem: EhrError | None  # None when everything checks out

    @property
    def ok(self) -> bool:
        return self.problem is None


def _collect(function, sink_type, convert, *args) -> list:
    """Calls a sink-style function, collecting convert(record) for each record."""
    out: list = []
    failure: list[BaseException] = []

    def sink(_ctx, *record):
        try:
            out.append(convert(*record))
            return c.OK
        except BaseException as error:  # noqa: BLE001 - re-raised after the call
            failure.append(error)
            return c.INTERNAL

    callback = sink_type(sink)
    try:
        _call(function, *args, None, callback)
    except EhrError:
        if failure:
            raise failure[0] from None
        raise
    return out


class PluginManager:
    """Discovers, verifies, loads, enables and shuts down plugins (the C++ ehr::host::PluginManager).

    A context manager: leaving the block shuts the plugins down and frees the manager.
    `services` must stay alive as long as the manager (it does: the manager holds it)."""

    def __init__(self, plugins_directory: str, data_directory: str, services: HostServices, *,
                 trusted_keys: Mapping[str, str] | None = None, require_signatures: bool = False,
                 start_new_disabled: bool = False, callbacks_on_calling_thread: bool = False):
        self._lib = c.lib()
        self._services = _ServicesTable(services)
        options = c.tagged(c.HostOptions, "HOST_OPTIONS")
        options.plugins_directory = c.make_str(str(plugins_directory))
        options.host_data_directory = c.make_str(str(data_directory))
        keys = list((trusted_keys or {}).items())
        key_array = (c.TrustedKey * max(1, len(keys)))()
        for index, (key_id, public_key) in enumerate(keys):
            key_array[index] = c.tagged(c.TrustedKey, "HOST_TRUSTED_KEY")
            key_array[index].key_id, key_array[index].public_key_base64 = c.make_str(key_id), c.make_str(public_key)
        options.trusted_keys = key_array if keys else None
        options.trusted_key_count = len(keys)
        options.require_signatures = int(require_signatures)
        options.start_new_disabled = int(start_new_disabled)
        options.callbacks = int(callbacks_on_calling_thread)
        handle = ctypes.c_void_p()
        _call(self._lib.ehr_host_create, ctypes.byref(options), ctypes.byref(self._services.table),
              ctypes.byref(handle))
        self._handle = handle
        self._hooks: dict[int, "Hook"] = {}
        self._lock = threading.Lock()

    # Lifecycle
    def __enter__(self) -> "PluginManager":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def close(self) -> None:
        """Shuts the plugins down and frees the manager (idempotent)."""
        with self._lock:
            handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            self._lib.ehr_host_destroy(handle)
            self._hooks.clear()

    @property
    def handle(self) -> ctypes.c_void_p:
        if not self._handle:
            raise Disabled("the plugin manager was closed")
        return self._handle

    def discover(self) -> None:
        _call(self._lib.ehr_host_discover, self.handle)

    def plugins(self) -> list[PluginInfo]:
        return _collect(self._lib.ehr_host_list_plugins, c.PluginSink, lambda i: PluginInfo._from(i.contents),
                        self.handle)

    def info(self, plugin_id: str) -> PluginInfo:
        return _collect(self._lib.ehr_host_plugin_info_get, c.PluginSink, lambda i: PluginInfo._from(i.contents),
                        self.handle, c.make_str(plugin_id))[0]

    def verify(self, plugin_id: str) -> Verification:
        def convert(v):
            v = v.contents
            problem = None if v.status == c.OK else _error(v.status, c.text(v.problem))
            return Verification(c.text(v.plugin_id), c.text(v.library_path), c.text(v.expected_sha256),
                                c.text(v.actual_sha256), bool(v.checksum_matches),
                                ["absent", "valid", "invalid", "untrusted_key"][v.signature],
                                c.text(v.signature_key_id), problem)
        return _collect(self._lib.ehr_host_verify_plugin, c.VerificationSink, convert, self.handle,
                        c.make_str(plugin_id))[0]

    def enable(self, plugin_id: str) -> None:
        _call(self._lib.ehr_host_enable_plugin, self.handle, c.make_str(plugin_id))

    def disable(self, plugin_id: str) -> None:
        _call(self._lib.ehr_host_disable_plugin, self.handle, c.make_str(plugin_id))

    def shutdown(self) -> None:
        _call(self._lib.ehr_host_shutdown, self.handle)

    # Registries
    def settings(self, plugin_id: str) -> "SettingsPages":
        return SettingsPages(self, plugin_id)

    def settings_plugins(self) -> list[str]:
        return _collect(self._lib.ehr_host_list_settings_plugins, c.IdSink, c.text, self.handle)

    def roles_sections(self) -> list["RolesSection"]:
        def convert(plugin_id, section):
            s = section.contents
            roles = [Role(c.text(s.roles[i].id), c.text(s.roles[i].label), c.text(s.roles[i].description))
                     for i in range(s.role_count)]
            return RolesSection(c.text(plugin_id), c.text(s.section_id), c.text(s.title), roles)
        return _collect(self._lib.ehr_host_list_roles_sections, c.RolesSectionSink, convert, self.handle)

    def channels(self) -> list[str]:
        return _collect(self._lib.ehr_host_list_channels, c.ChannelSink, lambda i, _p: c.text(i), self.handle)

    def channel(self, channel_id: str = "portal-messaging") -> "Channel":
        return Channel(self, channel_id)

    def hooks(self, plugin_id: str) -> "Hooks":
        return Hooks(self, plugin_id)

    def audit(self, plugin_id: str) -> "AuditLog":
        return AuditLog(self, plugin_id)


# ---- Settings -----------------------------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class Field:
    key: str
    label: str
    help: str
    type: str  # "bool", "choice", "string", "int", "text"
    value: str
    default_value: str
    section_id: str
    section_title: str
    choices: list[Choice] = field(default_factory=list)
    min_value: int = 0
    max_value: int = 0


@dataclass
class Page:
    page_id: str
    title: str
    location_id: str  # "" for General
    required_role: str
    follows_general: bool
    fields: list[Field]

    def __getitem__(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def values(self) -> dict[str, str]:
        return {f.key: f.value for f in self.fields}


@dataclass
class EffectiveSetting:
    key: str
    value: str
    source_location_id: str  # "" when from General or the default
    from_default: bool


_FIELD_TYPES = {1: "bool", 2: "choice", 3: "string", 4: "int", 5: "text"}


class SettingsPages:
    """A plugin's settings pages: General (location "") and one per location. Values are text as
    a person writes them ("on", "care_team_only"); the plugin validates them."""

    def __init__(self, manager: PluginManager, plugin_id: str):
        self._manager, self.plugin_id = manager, plugin_id

    def describe(self, actor_user_id: str, location_id: str = "") -> Page:
        """The page with its current values; Forbidden without the page's required role."""
        page: list[Page] = []

        def on_page(_ctx, info):
            i = info.contents
            page.append(Page(c.text(i.page_id), c.text(i.title), c.text(i.location_id), c.text(i.required_role),
                             bool(i.follows_general), []))
            return c.OK

        def on_field(_ctx, info):
            f = info.contents
            choices = [Choice(c.text(f.choices[k].value), c.text(f.choices[k].label)) for k in range(f.choice_count)]
            page[0].fields.append(Field(c.text(f.key), c.text(f.label), c.text(f.help), _FIELD_TYPES.get(f.type, "?"),
                                        c.text(f.value), c.text(f.default_value), c.text(f.section_id),
                                        c.text(f.section_title), choices, f.min_value, f.max_value))
            return c.OK

        sink = c.tagged(c.PageSink, "PAGE_SINK")
        sink.on_page = c.PageSink._fields_[2][1](on_page)
        sink.on_field = c.PageSink._fields_[3][1](on_field)
        m = self._manager
        _call(m._lib.ehr_host_settings_describe, m.handle, c.make_str(self.plugin_id), c.make_str(actor_user_id),
              c.make_str(location_id), None, ctypes.byref(sink))
        return page[0]

    def save(self, actor_user_id: str, values: Mapping[str, str], location_id: str = "") -> None:
        """Saves the page atomically; InvalidArgument with .field naming the first bad key."""
        array = (c.SettingValue * max(1, len(values)))()
        for index, (key, value) in enumerate(values.items()):
            array[index] = c.tagged(c.SettingValue, "SETTING_VALUE")
            array[index].key, array[index].value = c.make_str(key), c.make_str(value)
        m = self._manager
        _call(m._lib.ehr_host_settings_save, m.handle, c.make_str(self.plugin_id), c.make_str(actor_user_id),
              c.make_str(location_id), array, len(values))

    def reset(self, actor_user_id: str, location_id: str) -> None:
        """The location follows General again."""
        m = self._manager
        _call(m._lib.ehr_host_settings_reset, m.handle, c.make_str(self.plugin_id), c.make_str(actor_user_id),
              c.make_str(location_id))

    def effective(self, location_id: str = "") -> dict[str, EffectiveSetting]:
        m = self._manager
        settings = _collect(m._lib.ehr_host_settings_effective, c.EffectiveSink, lambda e: EffectiveSetting(
            c.text(e.contents.key), c.text(e.contents.value), c.text(e.contents.source_location_id),
            bool(e.contents.from_default)), m.handle, c.make_str(self.plugin_id), c.make_str(location_id))
        return {s.key: s for s in settings}


# ---- Roles --------------------------------------------------------------------------------------------


@dataclass
class Role:
    id: str
    label: str
    description: str = ""


@dataclass
class RolesSection:
    plugin_id: str
    section_id: str
    title: str
    roles: list[Role]


@dataclass
class RoleChange:
    sequence: int
    at_unix_ms: int
    actor_user_id: str
    user_id: str
    role_id: str
    old_assigned: bool
    new_assigned: bool


class RoleStore:
    """Role assignments kept by the SDK (roles.sqlite3 in the host data directory), for hosts that
    keep no roles themselves. `list_users` returns every staff user, active or not.

    Wiring (the order matters): open the store first, answer HostServices.user_has_role from it,
    create the PluginManager, discover(), then declare_plugin_roles(manager)."""

    def __init__(self, data_directory: str, list_users: Callable[[], Iterable[User]]):
        self._lib = c.lib()
        self._list_users = list_users

        def users(_ctx, sink_ctx, sink):
            try:
                return _each(sink, sink_ctx, list_users(), _user_c)
            except Exception:  # noqa: BLE001
                return c.INTERNAL

        directory = c.tagged(c.UserDirectory, "HOST_USER_DIRECTORY")
        directory.list_users = c.UserDirectory._fields_[3][1](users)
        self._directory = directory
        handle = ctypes.c_void_p()
        _call(self._lib.ehr_host_role_store_open, c.make_str(str(data_directory)), ctypes.byref(directory),
              ctypes.byref(handle))
        self._handle = handle

    def __enter__(self) -> "RoleStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle:
            self._lib.ehr_host_role_store_close(handle)

    def declare_role(self, role: Role) -> None:
        d = c.tagged(c.RoleDescriptor, "ROLE_DESCRIPTOR")
        d.id, d.label, d.description = c.make_str(role.id), c.make_str(role.label), c.make_str(role.description)
        _call(self._lib.ehr_host_role_store_declare_role, self._handle, ctypes.byref(d))

    def declare_plugin_roles(self, manager: PluginManager) -> None:
        _call(self._lib.ehr_host_role_store_declare_plugin_roles, self._handle, manager.handle)

    def has_role(self, user_id: str, role_id: str) -> bool:
        out = ctypes.c_bool()
        _call(self._lib.ehr_host_role_store_has_role, self._handle, c.make_str(user_id), c.make_str(role_id),
              ctypes.byref(out))
        return out.value

    def members(self, role_id: str) -> list[str]:
        return _collect(self._lib.ehr_host_role_store_members, c.IdSink, c.text, self._handle, c.make_str(role_id))

    def roles_of(self, user_id: str) -> list[str]:
        return _collect(self._lib.ehr_host_role_store_roles_of, c.IdSink, c.text, self._handle, c.make_str(user_id))

    def set(self, actor_user_id: str, user_id: str, role_id: str, assigned: bool) -> int:
        """One user's check box (R-ROLE-2); answers 1 when it changed, 0 when it already was so."""
        changed = ctypes.c_size_t()
        _call(self._lib.ehr_host_role_store_set, self._handle, c.make_str(actor_user_id), c.make_str(user_id),
              c.make_str(role_id), int(assigned), ctypes.byref(changed))
        return changed.value

    def _bulk(self, function, actor_user_id, role_id, user_ids) -> int:
        ids = list(user_ids or [])
        array = (c.Str * max(1, len(ids)))(*[c.make_str(i) for i in ids])
        changed = ctypes.c_size_t()
        _call(function, self._handle, c.make_str(actor_user_id), c.make_str(role_id), array, len(ids),
              int(user_ids is None), ctypes.byref(changed))
        return changed.value

    def assign(self, actor_user_id: str, role_id: str, user_ids: Sequence[str] | None = None) -> int:
        """Assign Selected (or, with user_ids None, Assign All active users); atomic. How many changed."""
        return self._bulk(self._lib.ehr_host_role_store_assign, actor_user_id, role_id, user_ids)

    def unassign(self, actor_user_id: str, role_id: str, user_ids: Sequence[str] | None = None) -> int:
        return self._bulk(self._lib.ehr_host_role_store_unassign, actor_user_id, role_id, user_ids)

    def seed(self, assignments: Iterable[tuple[str, str]]) -> bool:
        """The host's initial (user, role) pairs, applied once when the store is new."""
        pairs = list(assignments)
        users = (c.Str * max(1, len(pairs)))(*[c.make_str(u) for u, _ in pairs])
        roles = (c.Str * max(1, len(pairs)))(*[c.make_str(r) for _, r in pairs])
        applied = ctypes.c_bool()
        _call(self._lib.ehr_host_role_store_seed, self._handle, users, roles, len(pairs), ctypes.byref(applied))
        return applied.value

    def changes(self) -> list[RoleChange]:
        return _collect(self._lib.ehr_host_role_store_changes, c.RoleChangeSink, lambda r: RoleChange(
            r.contents.sequence, r.contents.at_unix_ms, c.text(r.contents.actor_user_id), c.text(r.contents.user_id),
            c.text(r.contents.role_id), bool(r.contents.old_assigned), bool(r.contents.new_assigned)), self._handle)


# ---- Messaging ----------------------------------------------------------------------------------------


@dataclass
class Decision:
    allowed: bool
    reason: str  # "ok" or a deny reason word
    explanation: str


@dataclass
class Recipient:
    principal: Principal
    display_name: str


@dataclass
class Brand:
    """The practice a page about a chart names: the alias (else the name), phone and address, by the
    plugin's brand rules; location_id is empty for the company's brand."""
    name: str
    phone: str
    address: str
    location_id: str


@dataclass
class Sent:
    thread_id: int
    message_id: int
    sent_at_unix_ms: int


@dataclass
class ThreadSummary:
    thread_id: int
    patient_id: str
    subject: str
    started_by: Principal
    last_sender: Principal
    last_message_at_unix_ms: int
    message_count: int
    unread_count: int
    archived: bool


@dataclass
class ThreadList:
    threads: list[ThreadSummary]
    thread_count: int
    unread_total: int


@dataclass
class Message:
    message_id: int
    thread_id: int
    sender: Principal
    sender_display_name: str
    body: str
    sent_at_unix_ms: int


def _sent(raw: c.Sent) -> Sent:
    return Sent(raw.thread_id, raw.message_id, raw.sent_at_unix_ms)


class Channel:
    """A plugin's messaging channel. Every call names the acting principal (a Principal, a staff
    user id, or "portal:ID"); refusals raise Forbidden with .reason."""

    def __init__(self, manager: PluginManager, channel_id: str):
        self._manager, self.id = manager, channel_id

    def _args(self):
        return self._manager._lib, self._manager.handle, c.make_str(self.id)

    def explain(self, staff_user_id: str, patient_id: str, portal_user_id: str = "") -> Decision:
        lib, h, cid = self._args()
        request = c.tagged(c.ExplainRequest, "EXPLAIN_REQUEST")
        request.staff_user_id, request.portal_user_id, request.patient_id = (
            c.make_str(staff_user_id), c.make_str(portal_user_id), c.make_str(patient_id))
        return _collect(lib.ehr_host_channel_explain, c.DecisionSink, lambda d: Decision(
            bool(d.contents.allowed), lib.ehr_host_deny_reason_name(d.contents.reason).decode(),
            c.text(d.contents.explanation)), h, cid, ctypes.byref(request))[0]

    def recipients(self, reader: Principal | str, patient_id: str) -> list[Recipient]:
        lib, h, cid = self._args()
        who = _principal(reader)._c()
        return _collect(lib.ehr_host_channel_recipients, c.RecipientSink, lambda r: Recipient(
            Principal._from(r.contents.principal), c.text(r.contents.display_name)), h, cid, ctypes.byref(who),
            c.make_str(patient_id))

    def start(self, sender: Principal | str, patient_id: str, body: str, *,
              recipients: Sequence[Principal | str] = (), subject: str = "") -> Sent:
        """Starts a thread; answers once it is durably committed."""
        lib, h, cid = self._args()
        request = c.tagged(c.StartRequest, "START_REQUEST")
        request.sender = _principal(sender)._c()
        request.patient_id = c.make_str(patient_id)
        targets = (c.Principal * max(1, len(recipients)))(*[_principal(r)._c() for r in recipients])
        request.recipients = targets if recipients else None
        request.recipient_count = len(recipients)
        request.subject, request.body = c.make_str(subject), c.make_str(body)
        out = c.tagged(c.Sent, "SENT")
        _call(lib.ehr_host_channel_start, h, cid, ctypes.byref(request), ctypes.byref(out))
        return _sent(out)

    def reply(self, sender: Principal | str, thread_id: int, body: str) -> Sent:
        lib, h, cid = self._args()
        request = c.tagged(c.ReplyRequest, "REPLY_REQUEST")
        request.sender, request.thread_id, request.body = _principal(sender)._c(), thread_id, c.make_str(body)
        out = c.tagged(c.Sent, "SENT")
        _call(lib.ehr_host_channel_reply, h, cid, ctypes.byref(request), ctypes.byref(out))
        return _sent(out)

    def list(self, reader: Principal | str, *, archived: bool = False, limit: int = 0, offset: int = 0) -> ThreadList:
        """Newest first, with totals across all pages."""
        lib, h, cid = self._args()
        request = c.tagged(c.ListRequest, "LIST_REQUEST")
        request.reader, request.include_archived = _principal(reader)._c(), int(archived)
        request.limit, request.offset = limit, offset
        totals = c.tagged(c.InboxTotals, "INBOX_TOTALS")

        def convert(t):
            t = t.contents
            return ThreadSummary(t.thread_id, c.text(t.patient_id), c.text(t.subject), Principal._from(t.started_by),
                                 Principal._from(t.last_sender), t.last_message_at_unix_ms, t.message_count,
                                 t.unread_count, bool(t.archived))
        threads: list[ThreadSummary] = []

        def sink(_ctx, t):
            threads.append(convert(t))
            return c.OK
        callback = c.ThreadSink(sink)
        _call(lib.ehr_host_channel_list, h, cid, ctypes.byref(request), None, callback, ctypes.byref(totals))
        return ThreadList(threads, totals.thread_count, totals.unread_total)

    def unread(self, reader: Principal | str) -> int:
        """The badge."""
        lib, h, cid = self._args()
        who, out = _principal(reader)._c(), ctypes.c_uint64()
        _call(lib.ehr_host_channel_unread, h, cid, ctypes.byref(who), ctypes.byref(out))
        return out.value

    def read(self, reader: Principal | str, thread_id: int) -> list[Message]:
        """Oldest first; marks the thread read for this reader."""
        lib, h, cid = self._args()
        who = _principal(reader)._c()
        return _collect(lib.ehr_host_channel_read, c.MessageSink, lambda m: Message(
            m.contents.message_id, m.contents.thread_id, Principal._from(m.contents.sender),
            c.text(m.contents.sender_display_name), c.text(m.contents.body), m.contents.sent_at_unix_ms),
            h, cid, ctypes.byref(who), thread_id)

    def archive(self, reader: Principal | str, thread_id: int, archived: bool = True) -> None:
        lib, h, cid = self._args()
        who = _principal(reader)._c()
        _call(lib.ehr_host_channel_set_archived, h, cid, ctypes.byref(who), thread_id, int(archived))

    def unarchive(self, reader: Principal | str, thread_id: int) -> None:
        self.archive(reader, thread_id, False)

    def add_participant(self, actor: Principal | str, thread_id: int, added: Principal | str) -> bool:
        """A staff participant brings in an eligible staff colleague; False when already on it."""
        lib, h, cid = self._args()
        who, colleague, done = _principal(actor)._c(), _principal(added)._c(), ctypes.c_bool(False)
        _call(lib.ehr_host_channel_add_participant, h, cid, ctypes.byref(who), thread_id, ctypes.byref(colleague),
              ctypes.byref(done))
        return done.value

    def participants(self, reader: Principal | str, thread_id: int) -> list[Recipient]:
        """Everyone on the thread, by display name."""
        lib, h, cid = self._args()
        who = _principal(reader)._c()
        return _collect(lib.ehr_host_channel_participants, c.RecipientSink, lambda r: Recipient(
            Principal._from(r.contents.principal), c.text(r.contents.display_name)), h, cid, ctypes.byref(who),
            thread_id)

    def brand(self, reader: Principal | str, patient_id: str) -> Brand:
        """The practice a page about the chart names, for staff or a contact on the chart."""
        lib, h, cid = self._args()
        who = _principal(reader)._c()
        found = _collect(lib.ehr_host_channel_brand, c.BrandSink, lambda b: Brand(
            c.text(b.contents.name), c.text(b.contents.phone), c.text(b.contents.address),
            c.text(b.contents.location_id)), h, cid, ctypes.byref(who), c.make_str(patient_id))
        return found[0]

    def invite(self, actor_user_id: str, portal_user_id: str) -> None:
        """A branded portal invitation."""
        lib, h, cid = self._args()
        request = c.tagged(c.InviteRequest, "INVITE_REQUEST")
        request.actor_user_id, request.portal_user_id = c.make_str(actor_user_id), c.make_str(portal_user_id)
        _call(lib.ehr_host_channel_invite, h, cid, ctypes.byref(request))


# ---- Hooks --------------------------------------------------------------------------------------------


class HookPoint(enum.IntEnum):
    BEFORE_STORE = 1  # may reject: raise Rejected("why")
    AFTER_STORE = 2
    ON_READ = 3
    SETTINGS_CHANGED = 4


@dataclass
class HookEvent:
    point: HookPoint
    actor: Principal
    patient_id: str
    thread_id: int
    message_id: int
    subject: str
    body: str  # PHI: for the integrator's eyes only
    location_id: str
    setting_key: str
    old_value: str
    new_value: str


class Hook:
    """One added hook; remove() (or leaving its with-block) removes it."""

    def __init__(self, manager: PluginManager, hook_id: int, callback):
        self._manager, self.id, self._callback = manager, hook_id, callback

    def remove(self) -> None:
        if self._callback is not None:
            _call(self._manager._lib.ehr_host_hook_remove, self._manager.handle, self.id)
            self._callback = None
            self._manager._hooks.pop(self.id, None)

    def __enter__(self) -> "Hook":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class Hooks:
    def __init__(self, manager: PluginManager, plugin_id: str):
        self._manager, self.plugin_id = manager, plugin_id

    def points(self) -> list[tuple[HookPoint, str, bool]]:
        m = self._manager
        return _collect(m._lib.ehr_host_hook_points, c.HookPointSink, lambda p: (
            HookPoint(p.contents.point), c.text(p.contents.name), bool(p.contents.can_reject)), m.handle,
            c.make_str(self.plugin_id))

    def add(self, point: HookPoint, function: Callable[[HookEvent], None]) -> Hook:
        """function(event) returns to accept; a before_store hook raises Rejected("why") to refuse
        the message (any other exception refuses it too, as an internal error).
        THREADING: called concurrently, possibly from plugin threads."""
        m = self._manager
        lib = m._lib

        def trampoline(_user_data, event, out_error):
            try:
                e = event.contents
                function(HookEvent(HookPoint(e.point), Principal._from(e.actor), c.text(e.patient_id), e.thread_id,
                                   e.message_id, c.text(e.subject), c.text(e.body), c.text(e.location_id),
                                   c.text(e.setting_key), c.text(e.old_value), c.text(e.new_value)))
                return c.OK
            except EhrError as error:
                status, message, fld = error.status, error.message, error.field
            except Exception as error:  # noqa: BLE001 - nothing may unwind into C
                status, message, fld = c.INTERNAL, f"the hook raised {type(error).__name__}", ""
            if out_error:
                out_error[0] = lib.ehr_host_error_new(status, c.make_str(message), c.make_str(fld), 0)
            return status

        callback = c.HookFn(trampoline)
        hook_id = ctypes.c_uint64()
        _call(lib.ehr_host_hook_add, m.handle, c.make_str(self.plugin_id), int(point), callback, None,
              ctypes.byref(hook_id))
        hook = Hook(m, hook_id.value, callback)
        m._hooks[hook.id] = hook  # the callback must outlive the hook's registration
        return hook


# ---- Audit --------------------------------------------------------------------------------------------


@dataclass
class AuditVerification:
    ok: bool
    records_checked: int
    first_bad_sequence: int  # 0 when the chain verifies


class AuditLog:
    def __init__(self, manager: PluginManager, plugin_id: str):
        self._manager, self.plugin_id = manager, plugin_id

    def verify(self) -> AuditVerification:
        m = self._manager
        out = c.tagged(c.AuditVerifyResult, "AUDIT_VERIFY_RESULT")
        _call(m._lib.ehr_host_audit_verify, m.handle, c.make_str(self.plugin_id), ctypes.byref(out))
        return AuditVerification(bool(out.ok), out.records_checked, out.first_bad_sequence)

    def list(self, patient_id: str = "") -> list[AuditEvent]:
        m = self._manager
        return _collect(m._lib.ehr_host_audit_list, c.AuditSink, lambda e: AuditEvent._from(e.contents), m.handle,
                        c.make_str(self.plugin_id), c.make_str(patient_id))
