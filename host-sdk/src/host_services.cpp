// The C table built from a vendor's HostServices. Every entry catches every exception: the
// plugin only ever sees a status code.
#include "ehr/host/host_services.hpp"

#include <chrono>
#include <cstring>
#include <exception>
#include <optional>
#include <string>

#include "c_abi.hpp"
#include "checkpoint_store.hpp"

namespace ehr::host {

std::int64_t HostServices::now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status HostServices::notify(const Notification&) {
  return Status::unsupported("this host does not deliver notifications");
}

Status HostServices::audit(const AuditEvent&) {
  return Status::unsupported("this host does not keep a copy of plugin audit records");
}

Result<Key> HostServices::get_key(KeyPurpose, std::uint32_t) {
  return Status::unsupported("this host keeps no keys for its plugins");
}

namespace {

using detail::as_view;
using detail::copy;
using detail::make_struct;
using detail::view;

// The table's `host` is the HostServicesTable: the vendor's services plus what the SDK keeps.
HostServices& services_of(void* host) {
  return static_cast<HostServicesTable*>(host)->services();
}

// The reason for the last failed call on this thread, handed over by take_error (host_services.h:
// one error per thread, dropped at the thread's next call).
struct LastFailure {
  const void* host = nullptr;
  std::optional<Status> status;
};
thread_local LastFailure last_failure;

// Keeps a failed status's reason for take_error; answers its code.
ehr_status failed(const void* host, Status status) {
  const ehr_status code = status.code();
  if (code != EHR_STATUS_OK) last_failure = {host, std::move(status)};
  return code;
}

// Runs `body` (which returns an ehr_status) and turns any exception into INTERNAL, logging the
// cause without passing anything the plugin sent.
template <class Body>
ehr_status guarded(void* host, const char* function, Body&& body) noexcept {
  if (host == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
  last_failure.status.reset();
  try {
    return body(services_of(host));
  } catch (const std::exception& error) {
    try {
      services_of(host).log(LogLevel::error,
                            std::string("host services: ") + function + " threw: " + error.what());
    } catch (...) {
    }
  } catch (...) {
    try {
      services_of(host).log(LogLevel::error, std::string("host services: ") + function + " threw");
    } catch (...) {
    }
  }
  try {
    return failed(host, Status::internal(std::string("the host's ") + function + " failed unexpectedly"));
  } catch (...) {
    return EHR_STATUS_INTERNAL;
  }
}

// A sink answering EHR_STATUS_STOP ends the enumeration successfully.
ehr_status sink_outcome(ehr_status status) {
  return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
}

ehr_user_info to_c(const User& user) {
  auto out = make_struct<ehr_user_info>(EHR_STRUCT_USER_INFO);
  out.id = view(user.id);
  out.display_name = view(user.display_name);
  out.active = user.active ? 1u : 0u;
  return out;
}

ehr_portal_user_info to_c(const PortalUser& user) {
  auto out = make_struct<ehr_portal_user_info>(EHR_STRUCT_PORTAL_USER_INFO);
  out.id = view(user.id);
  out.display_name = view(user.display_name);
  out.first_name = view(user.first_name);
  out.kind = static_cast<ehr_portal_user_kind>(user.kind);
  out.active = user.active ? 1u : 0u;
  return out;
}

ehr_organization_info to_c(const Organization& org) {
  auto out = make_struct<ehr_organization_info>(EHR_STRUCT_ORGANIZATION_INFO);
  out.location_id = view(org.location_id);
  out.name = view(org.name);
  out.alias = view(org.alias);
  out.address = view(org.address);
  out.phone = view(org.phone);
  out.portal_url = view(org.portal_url);
  out.is_master = org.is_master ? 1u : 0u;
  return out;
}

ehr_status cb_log(void* host, ehr_log_level level, ehr_str message) {
  return guarded(host, "log", [&](HostServices& s) -> ehr_status {
    const LogLevel mapped = level > EHR_LOG_ERROR ? LogLevel::error : static_cast<LogLevel>(level);
    s.log(mapped, as_view(message));
    return EHR_STATUS_OK;
  });
}

ehr_status cb_now(void* host, int64_t* out_unix_ms) {
  return guarded(host, "now", [&](HostServices& s) -> ehr_status {
    if (out_unix_ms == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    *out_unix_ms = s.now_unix_ms();
    return EHR_STATUS_OK;
  });
}

ehr_status cb_get_user(void* host, ehr_str user_id, void* ctx, ehr_user_sink_fn sink) {
  return guarded(host, "get_user", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto user = s.get_user(as_view(user_id));
    if (!user) return failed(host, user.status());
    const auto info = to_c(*user);
    return sink_outcome(sink(ctx, &info));
  });
}

ehr_status cb_user_has_role(void* host, ehr_str user_id, ehr_str role_id, bool* out_has_role) {
  return guarded(host, "user_has_role", [&](HostServices& s) -> ehr_status {
    if (out_has_role == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto has = s.user_has_role(as_view(user_id), as_view(role_id));
    if (!has) return failed(host, has.status());
    *out_has_role = *has;
    return EHR_STATUS_OK;
  });
}

ehr_status cb_list_users_with_role(void* host, ehr_str role_id, void* ctx, ehr_user_sink_fn sink) {
  return guarded(host, "list_users_with_role", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto users = s.list_users_with_role(as_view(role_id));
    if (!users) return failed(host, users.status());
    for (const User& user : *users) {
      const auto info = to_c(user);
      const ehr_status status = sink(ctx, &info);
      if (status != EHR_STATUS_OK) return sink_outcome(status);
    }
    return EHR_STATUS_OK;
  });
}

ehr_status cb_get_patient(void* host, ehr_str patient_id, void* ctx, ehr_patient_sink_fn sink) {
  return guarded(host, "get_patient", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto patient = s.get_patient(as_view(patient_id));
    if (!patient) return failed(host, patient.status());
    auto info = make_struct<ehr_patient_info>(EHR_STRUCT_PATIENT_INFO);
    info.id = view(patient->id);
    info.display_name = view(patient->display_name);
    info.location_id = view(patient->location_id);
    return sink_outcome(sink(ctx, &info));
  });
}

ehr_status send_ids(const void* host, const Result<std::vector<std::string>>& ids, void* ctx,
                    ehr_id_sink_fn sink) {
  if (!ids) return failed(host, ids.status());
  for (const std::string& id : *ids) {
    const ehr_status status = sink(ctx, view(id));
    if (status != EHR_STATUS_OK) return sink_outcome(status);
  }
  return EHR_STATUS_OK;
}

ehr_status cb_list_care_team(void* host, ehr_str patient_id, void* ctx, ehr_id_sink_fn sink) {
  return guarded(host, "list_care_team", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    return send_ids(host, s.list_care_team(as_view(patient_id)), ctx, sink);
  });
}

ehr_status cb_get_portal_user(void* host, ehr_str portal_user_id, void* ctx, ehr_portal_user_sink_fn sink) {
  return guarded(host, "get_portal_user", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto user = s.get_portal_user(as_view(portal_user_id));
    if (!user) return failed(host, user.status());
    const auto info = to_c(*user);
    return sink_outcome(sink(ctx, &info));
  });
}

ehr_status cb_list_patient_contacts(void* host, ehr_str patient_id, void* ctx, ehr_portal_user_sink_fn sink) {
  return guarded(host, "list_patient_contacts", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto contacts = s.list_patient_contacts(as_view(patient_id));
    if (!contacts) return failed(host, contacts.status());
    for (const PortalUser& contact : *contacts) {
      const auto info = to_c(contact);
      const ehr_status status = sink(ctx, &info);
      if (status != EHR_STATUS_OK) return sink_outcome(status);
    }
    return EHR_STATUS_OK;
  });
}

ehr_status cb_list_contact_charts(void* host, ehr_str portal_user_id, void* ctx, ehr_id_sink_fn sink) {
  return guarded(host, "list_contact_charts", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    return send_ids(host, s.list_contact_charts(as_view(portal_user_id)), ctx, sink);
  });
}

ehr_status cb_get_company(void* host, void* ctx, ehr_organization_sink_fn sink) {
  return guarded(host, "get_company", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto company = s.get_company();
    if (!company) return failed(host, company.status());
    const auto info = to_c(*company);
    return sink_outcome(sink(ctx, &info));
  });
}

ehr_status cb_list_locations(void* host, void* ctx, ehr_organization_sink_fn sink) {
  return guarded(host, "list_locations", [&](HostServices& s) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto locations = s.list_locations();
    if (!locations) return failed(host, locations.status());
    for (const Organization& location : *locations) {
      const auto info = to_c(location);
      const ehr_status status = sink(ctx, &info);
      if (status != EHR_STATUS_OK) return sink_outcome(status);
    }
    return EHR_STATUS_OK;
  });
}

ehr_status cb_notify(void* host, const ehr_notification* notification) {
  return guarded(host, "notify", [&](HostServices& s) -> ehr_status {
    ehr_notification in;
    if (!detail::read_struct(notification, EHR_STRUCT_NOTIFICATION,
                             EHR_SIZE_THROUGH(ehr_notification, brand_name), in))
      return EHR_STATUS_INVALID_ARGUMENT;
    Notification out;
    out.kind = static_cast<NotificationKind>(in.kind);
    out.delivery = static_cast<Delivery>(in.delivery);
    out.recipient = detail::from_c(in.recipient);
    out.subject = copy(in.subject);
    out.text = copy(in.text);
    out.html = copy(in.html);
    out.brand_name = copy(in.brand_name);
    return failed(host, s.notify(out));
  });
}

ehr_status cb_audit(void* host, const ehr_audit_event* event) {
  return guarded(host, "audit", [&](HostServices& s) -> ehr_status {
    ehr_audit_event in;
    if (!detail::read_struct(event, EHR_STRUCT_AUDIT_EVENT, EHR_SIZE_THROUGH(ehr_audit_event, hash), in))
      return EHR_STATUS_INVALID_ARGUMENT;
    return failed(host, s.audit(detail::from_c(in)));
  });
}

ehr_status cb_get_key(void* host, ehr_key_purpose purpose, uint32_t key_id, ehr_key* out_key) {
  return guarded(host, "get_key", [&](HostServices& s) -> ehr_status {
    if (out_key == nullptr || out_key->struct_type != EHR_STRUCT_KEY ||
        out_key->struct_size < EHR_SIZE_THROUGH(ehr_key, bytes))
      return failed(host, Status::invalid_argument("out_key", "get_key needs an ehr_key to fill"));
    if (purpose != EHR_KEY_DATA && purpose != EHR_KEY_AUDIT)
      return failed(host, Status::not_found("no key purpose " + std::to_string(purpose), "purpose"));
    auto key = s.get_key(static_cast<KeyPurpose>(purpose), key_id);
    if (!key) return failed(host, key.status());
    if (key->id == 0 || key->purpose != static_cast<KeyPurpose>(purpose) ||
        (key_id != 0 && key->id != key_id))
      return failed(host, Status::internal("the host's get_key answered another key than asked for"));
    out_key->key_id = key->id;
    out_key->reserved = 0;
    static_assert(sizeof out_key->bytes == sizeof key->bytes);
    std::memcpy(out_key->bytes, key->bytes.data(), sizeof out_key->bytes);
    return EHR_STATUS_OK;
  });
}

// Set only on a table made with a host data directory.
const detail::CheckpointStore& checkpoints_of(void* host) {
  return *static_cast<HostServicesTable*>(host)->checkpoint_store();
}

ehr_status cb_save_audit_checkpoint(void* host, ehr_str plugin_id, const ehr_audit_checkpoint* checkpoint) {
  return guarded(host, "save_audit_checkpoint", [&](HostServices&) -> ehr_status {
    ehr_audit_checkpoint in;
    if (!detail::read_struct(checkpoint, EHR_STRUCT_AUDIT_CHECKPOINT,
                             EHR_SIZE_THROUGH(ehr_audit_checkpoint, mac), in))
      return failed(host, Status::invalid_argument("checkpoint", "not a valid ehr_audit_checkpoint"));
    return failed(host, checkpoints_of(host).save(as_view(plugin_id), {in.sequence, in.at_unix_ms, in.key_id,
                                                                       copy(in.hash), copy(in.mac)}));
  });
}

ehr_status cb_list_audit_checkpoints(void* host, ehr_str plugin_id, void* ctx,
                                     ehr_audit_checkpoint_sink_fn sink) {
  return guarded(host, "list_audit_checkpoints", [&](HostServices&) -> ehr_status {
    if (sink == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
    auto saved = checkpoints_of(host).list(as_view(plugin_id));
    if (!saved) return failed(host, saved.status());
    for (const detail::AuditCheckpoint& checkpoint : *saved) {
      auto out = make_struct<ehr_audit_checkpoint>(EHR_STRUCT_AUDIT_CHECKPOINT);
      out.sequence = checkpoint.sequence;
      out.at_unix_ms = checkpoint.at_unix_ms;
      out.hash = view(checkpoint.hash);
      out.key_id = checkpoint.key_id;
      out.mac = view(checkpoint.mac);
      const ehr_status status = sink(ctx, &out);
      if (status != EHR_STATUS_OK) return sink_outcome(status);
    }
    return EHR_STATUS_OK;
  });
}

ehr_status cb_take_error(void* host, ehr_error** out_error) {
  if (out_error == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
  *out_error = nullptr;
  if (last_failure.status && last_failure.host == host) *out_error = detail::make_error(*last_failure.status);
  last_failure.status.reset();
  return EHR_STATUS_OK;
}

}  // namespace

HostServicesTable::HostServicesTable(HostServices& services, const std::filesystem::path& host_data_directory)
    : services_(services) {
  if (!host_data_directory.empty())
    checkpoints_ = std::make_unique<detail::CheckpointStore>(host_data_directory / "plugins");
  table_ = make_struct<ehr_host_services>(EHR_STRUCT_HOST_SERVICES);
  table_.host = this;
  table_.log = cb_log;
  table_.now = cb_now;
  table_.get_user = cb_get_user;
  table_.user_has_role = cb_user_has_role;
  table_.list_users_with_role = cb_list_users_with_role;
  table_.get_patient = cb_get_patient;
  table_.list_care_team = cb_list_care_team;
  table_.get_portal_user = cb_get_portal_user;
  table_.list_patient_contacts = cb_list_patient_contacts;
  table_.list_contact_charts = cb_list_contact_charts;
  table_.get_company = cb_get_company;
  table_.list_locations = cb_list_locations;
  const OptionalServices optional = services.optional_services();
  table_.notify = optional.notify ? cb_notify : nullptr;
  table_.audit = optional.audit ? cb_audit : nullptr;
  table_.take_error = cb_take_error;
  table_.get_key = optional.keys ? cb_get_key : nullptr;
  table_.save_audit_checkpoint = checkpoints_ ? cb_save_audit_checkpoint : nullptr;
  table_.list_audit_checkpoints = checkpoints_ ? cb_list_audit_checkpoints : nullptr;
}

HostServicesTable::~HostServicesTable() = default;

}  // namespace ehr::host
