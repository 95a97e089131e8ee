#include "host/host_client.hpp"

#include <sodium.h>

#include <cstring>

#include <exception>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "ehr/abi_support/text.hpp"

namespace ehr::portal {

namespace {

std::string text(ehr_str view) {
  return view.data != nullptr ? std::string(view.data, view.size) : std::string();
}
ehr_str view(std::string_view text) {
  return ehr_str{text.data(), text.size()};
}

UserInfo to_user(const ehr_user_info& c) {
  return {text(c.id), text(c.display_name), c.active != 0};
}
PatientInfo to_patient(const ehr_patient_info& c) {
  return {text(c.id), text(c.display_name), text(c.location_id)};
}
PortalUserInfo to_portal_user(const ehr_portal_user_info& c) {
  return {text(c.id), text(c.display_name), text(c.first_name), static_cast<PortalUserKind>(c.kind),
          c.active != 0};
}
OrganizationInfo to_organization(const ehr_organization_info& c) {
  return {text(c.location_id), text(c.name),       text(c.alias),   text(c.address),
          text(c.phone),       text(c.portal_url), c.is_master != 0};
}

// The answer a sink of ours gives the host when it cannot take an item: a failure status, never
// EHR_STATUS_STOP, which would tell the host the enumeration ended well.
ehr_status sink_failure(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return e.code();
  } catch (...) {
    return EHR_STATUS_INTERNAL;
  }
}

// Collects what the host hands to a sink. Whatever goes wrong inside the callback is kept and
// rethrown after the host returns, so no exception ever unwinds through the host's C frames.
template <typename CStruct, typename Value>
struct Collector {
  uint32_t struct_type;
  size_t required_size;
  Value (*convert)(const CStruct&);
  std::vector<Value> values;
  std::exception_ptr failure;

  static ehr_status sink(void* context, const CStruct* item) {
    auto* self = static_cast<Collector*>(context);
    try {
      auto copy = ehr::abi_support::copy_struct(item, self->struct_type, self->required_size);
      if (!copy) throw Error(EHR_STATUS_INVALID_ARGUMENT, "the host passed a malformed record to the plugin");
      self->values.push_back(self->convert(*copy));
      return EHR_STATUS_OK;
    } catch (...) {
      self->failure = std::current_exception();
      return sink_failure(self->failure);
    }
  }

  void rethrow() const {
    if (failure) std::rethrow_exception(failure);
  }
};

using UserCollector = Collector<ehr_user_info, UserInfo>;
using PatientCollector = Collector<ehr_patient_info, PatientInfo>;
using PortalUserCollector = Collector<ehr_portal_user_info, PortalUserInfo>;
using OrganizationCollector = Collector<ehr_organization_info, OrganizationInfo>;

UserCollector users() {
  return {EHR_STRUCT_USER_INFO, EHR_SIZE_THROUGH(ehr_user_info, active), &to_user, {}, {}};
}
PatientCollector patients() {
  return {EHR_STRUCT_PATIENT_INFO, EHR_SIZE_THROUGH(ehr_patient_info, location_id), &to_patient, {}, {}};
}
PortalUserCollector portal_users() {
  return {
      EHR_STRUCT_PORTAL_USER_INFO, EHR_SIZE_THROUGH(ehr_portal_user_info, active), &to_portal_user, {}, {}};
}
OrganizationCollector organizations() {
  return {EHR_STRUCT_ORGANIZATION_INFO,
          EHR_SIZE_THROUGH(ehr_organization_info, is_master),
          &to_organization,
          {},
          {}};
}

struct IdCollector {
  std::vector<std::string> values;
  std::exception_ptr failure;

  static ehr_status sink(void* context, ehr_str id) {
    auto* self = static_cast<IdCollector*>(context);
    try {
      self->values.push_back(text(id));
      return EHR_STATUS_OK;
    } catch (...) {
      self->failure = std::current_exception();
      return sink_failure(self->failure);
    }
  }
};

template <typename T>
std::optional<T> single(std::vector<T>& values) {
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

}  // namespace

HostClient::HostClient(const ehr_host_services* table) {
  constexpr size_t kRequired = EHR_SIZE_THROUGH(ehr_host_services, list_locations);
  auto copy = ehr::abi_support::copy_struct(table, EHR_STRUCT_HOST_SERVICES, kRequired);
  if (!copy) {
    throw Error(EHR_STATUS_INVALID_ARGUMENT,
                "the host services table is missing, of the wrong type or too small for ABI 1.0", "host");
  }
  table_ = *copy;
  const std::pair<const void*, const char*> required[] = {
      {reinterpret_cast<const void*>(table_.log), "log"},
      {reinterpret_cast<const void*>(table_.now), "now"},
      {reinterpret_cast<const void*>(table_.get_user), "get_user"},
      {reinterpret_cast<const void*>(table_.user_has_role), "user_has_role"},
      {reinterpret_cast<const void*>(table_.list_users_with_role), "list_users_with_role"},
      {reinterpret_cast<const void*>(table_.get_patient), "get_patient"},
      {reinterpret_cast<const void*>(table_.list_care_team), "list_care_team"},
      {reinterpret_cast<const void*>(table_.get_portal_user), "get_portal_user"},
      {reinterpret_cast<const void*>(table_.list_patient_contacts), "list_patient_contacts"},
      {reinterpret_cast<const void*>(table_.list_contact_charts), "list_contact_charts"},
      {reinterpret_cast<const void*>(table_.get_company), "get_company"},
      {reinterpret_cast<const void*>(table_.list_locations), "list_locations"},
  };
  for (const auto& [function, name] : required) {
    if (function == nullptr) {
      throw Error(EHR_STATUS_INVALID_ARGUMENT,
                  std::string("the host services table lacks the required function ") + name, name);
    }
  }
}

void HostClient::check(ehr_status status, const char* function) const {
  if (status == EHR_STATUS_OK) return;
  std::string reason = ehr_status_name(status);
  std::string field;
  if (ehr_error* details = take_host_error()) {
    if (details->message.size > 0) reason = text(details->message);
    field = text(details->field);
    ehr_error_free(details);
  }
  throw Error(status, std::string("the host service ") + function + " failed: " + reason, field);
}

ehr_error* HostClient::take_host_error() const noexcept {
  // Read only as far as the host's table reaches: a 1.0 host has no take_error (copied as NULL).
  if (table_.take_error == nullptr) return nullptr;
  ehr_error* details = nullptr;
  if (table_.take_error(table_.host, &details) != EHR_STATUS_OK) return nullptr;
  if (details != nullptr && (details->struct_type != EHR_STRUCT_ERROR ||
                             details->struct_size < EHR_SIZE_THROUGH(ehr_error, release))) {
    return nullptr;  // malformed: neither trusted nor freed through a release we cannot find
  }
  return details;
}

void HostClient::log(LogLevel level, std::string_view message) const noexcept {
  table_.log(table_.host, static_cast<ehr_log_level>(level), view(message));
}

int64_t HostClient::now_unix_ms() const {
  int64_t now = 0;
  check(table_.now(table_.host, &now), "now");
  return now;
}

std::optional<UserInfo> HostClient::get_user(std::string_view user_id) const {
  auto collector = users();
  const ehr_status status = table_.get_user(table_.host, view(user_id), &collector, &UserCollector::sink);
  collector.rethrow();
  if (status == EHR_STATUS_NOT_FOUND) return std::nullopt;
  check(status, "get_user");
  return single(collector.values);
}

bool HostClient::user_has_role(std::string_view user_id, std::string_view role_id) const {
  bool has_role = false;
  const ehr_status status = table_.user_has_role(table_.host, view(user_id), view(role_id), &has_role);
  if (status == EHR_STATUS_NOT_FOUND) return false;
  check(status, "user_has_role");
  return has_role;
}

std::vector<UserInfo> HostClient::list_users_with_role(std::string_view role_id) const {
  auto collector = users();
  const ehr_status status =
      table_.list_users_with_role(table_.host, view(role_id), &collector, &UserCollector::sink);
  collector.rethrow();
  if (status != EHR_STATUS_STOP) check(status, "list_users_with_role");
  return std::move(collector.values);
}

std::optional<PatientInfo> HostClient::get_patient(std::string_view patient_id) const {
  auto collector = patients();
  const ehr_status status =
      table_.get_patient(table_.host, view(patient_id), &collector, &PatientCollector::sink);
  collector.rethrow();
  if (status == EHR_STATUS_NOT_FOUND) return std::nullopt;
  check(status, "get_patient");
  return single(collector.values);
}

std::vector<std::string> HostClient::list_care_team(std::string_view patient_id) const {
  IdCollector collector;
  const ehr_status status =
      table_.list_care_team(table_.host, view(patient_id), &collector, &IdCollector::sink);
  if (collector.failure) std::rethrow_exception(collector.failure);
  if (status == EHR_STATUS_NOT_FOUND) {
    throw Error(EHR_STATUS_NOT_FOUND, "unknown patient '" + std::string(patient_id) + "'", "patient_id");
  }
  if (status != EHR_STATUS_STOP) check(status, "list_care_team");
  return std::move(collector.values);
}

std::optional<PortalUserInfo> HostClient::get_portal_user(std::string_view portal_user_id) const {
  auto collector = portal_users();
  const ehr_status status =
      table_.get_portal_user(table_.host, view(portal_user_id), &collector, &PortalUserCollector::sink);
  collector.rethrow();
  if (status == EHR_STATUS_NOT_FOUND) return std::nullopt;
  check(status, "get_portal_user");
  return single(collector.values);
}

std::vector<PortalUserInfo> HostClient::list_patient_contacts(std::string_view patient_id) const {
  auto collector = portal_users();
  const ehr_status status =
      table_.list_patient_contacts(table_.host, view(patient_id), &collector, &PortalUserCollector::sink);
  collector.rethrow();
  if (status == EHR_STATUS_NOT_FOUND) {
    throw Error(EHR_STATUS_NOT_FOUND, "unknown patient '" + std::string(patient_id) + "'", "patient_id");
  }
  if (status != EHR_STATUS_STOP) check(status, "list_patient_contacts");
  return std::move(collector.values);
}

std::vector<std::string> HostClient::list_contact_charts(std::string_view portal_user_id) const {
  IdCollector collector;
  const ehr_status status =
      table_.list_contact_charts(table_.host, view(portal_user_id), &collector, &IdCollector::sink);
  if (collector.failure) std::rethrow_exception(collector.failure);
  if (status == EHR_STATUS_NOT_FOUND) {
    throw Error(EHR_STATUS_NOT_FOUND, "unknown portal user '" + std::string(portal_user_id) + "'",
                "portal_user_id");
  }
  if (status != EHR_STATUS_STOP) check(status, "list_contact_charts");
  return std::move(collector.values);
}

OrganizationInfo HostClient::company() const {
  auto collector = organizations();
  const ehr_status status = table_.get_company(table_.host, &collector, &OrganizationCollector::sink);
  collector.rethrow();
  check(status, "get_company");
  if (collector.values.empty())
    throw Error(EHR_STATUS_INTERNAL, "the host's get_company reported no company");
  return std::move(collector.values.front());
}

std::vector<OrganizationInfo> HostClient::locations() const {
  auto collector = organizations();
  const ehr_status status = table_.list_locations(table_.host, &collector, &OrganizationCollector::sink);
  collector.rethrow();
  if (status != EHR_STATUS_STOP) check(status, "list_locations");
  return std::move(collector.values);
}

std::optional<OrganizationInfo> HostClient::location(std::string_view location_id) const {
  for (auto& location : locations()) {
    if (location.location_id == location_id) return std::move(location);
  }
  return std::nullopt;
}

void HostClient::notify(const Notification& notification) const {
  if (table_.notify == nullptr)
    throw Error(EHR_STATUS_UNSUPPORTED, "the host does not deliver notifications");
  ehr_notification c{};
  c.struct_type = EHR_STRUCT_NOTIFICATION;
  c.struct_size = sizeof c;
  c.kind = static_cast<ehr_notification_kind>(notification.kind);
  c.delivery = static_cast<ehr_delivery>(notification.delivery);
  c.recipient.struct_type = EHR_STRUCT_PRINCIPAL;
  c.recipient.struct_size = sizeof c.recipient;
  c.recipient.kind = static_cast<ehr_principal_kind>(notification.recipient.kind);
  c.recipient.id = view(notification.recipient.id);
  c.subject = view(notification.subject);
  c.text = view(notification.text);
  c.html = view(notification.html);
  c.brand_name = view(notification.brand_name);
  check(table_.notify(table_.host, &c), "notify");
}

void HostClient::audit(const ehr_audit_event& event) const {
  if (table_.audit == nullptr) throw Error(EHR_STATUS_UNSUPPORTED, "the host has no audit sink");
  check(table_.audit(table_.host, &event), "audit");
}

HostKey::~HostKey() {
  sodium_memzero(bytes.data(), bytes.size());
}

HostKey HostClient::get_key(ehr_key_purpose purpose, uint32_t key_id) const {
  if (table_.get_key == nullptr)
    throw Error(EHR_STATUS_UNSUPPORTED, "the host offers no key service (get_key)");
  ehr_key out{};
  out.struct_type = EHR_STRUCT_KEY;
  out.struct_size = sizeof out;
  const ehr_status status = table_.get_key(table_.host, purpose, key_id, &out);
  HostKey key;
  key.id = out.key_id;
  static_assert(sizeof out.bytes == sizeof key.bytes);
  std::memcpy(key.bytes.data(), out.bytes, sizeof out.bytes);
  sodium_memzero(out.bytes, sizeof out.bytes);
  check(status, "get_key");
  if (key.id == 0 || (key_id != 0 && key.id != key_id))
    throw Error(EHR_STATUS_INTERNAL, "the host service get_key answered key id " + std::to_string(key.id) +
                                         " when asked for " + std::to_string(key_id));
  return key;
}

void HostClient::save_audit_checkpoint(std::string_view plugin_id, const Checkpoint& checkpoint) const {
  if (!supports_checkpoints()) throw Error(EHR_STATUS_UNSUPPORTED, "the host keeps no audit checkpoints");
  auto out = ehr::abi_support::make_struct<ehr_audit_checkpoint>(EHR_STRUCT_AUDIT_CHECKPOINT);
  out.sequence = checkpoint.sequence;
  out.at_unix_ms = checkpoint.at_unix_ms;
  out.hash = ehr::abi_support::view(checkpoint.hash);
  out.key_id = checkpoint.key_id;
  out.mac = ehr::abi_support::view(checkpoint.mac);
  check(table_.save_audit_checkpoint(table_.host, ehr::abi_support::view(plugin_id), &out),
        "save_audit_checkpoint");
}

std::vector<HostClient::Checkpoint> HostClient::list_audit_checkpoints(std::string_view plugin_id) const {
  if (!supports_checkpoints()) throw Error(EHR_STATUS_UNSUPPORTED, "the host keeps no audit checkpoints");
  struct Collector {
    std::vector<Checkpoint> saved;
    bool malformed = false;
  } collector;
  auto sink = [](void* ctx, const ehr_audit_checkpoint* checkpoint) -> ehr_status {
    auto& into = *static_cast<Collector*>(ctx);
    try {
      auto in = ehr::abi_support::copy_struct(checkpoint, EHR_STRUCT_AUDIT_CHECKPOINT,
                                              EHR_SIZE_THROUGH(ehr_audit_checkpoint, mac));
      if (!in) {
        into.malformed = true;
        return EHR_STATUS_INVALID_ARGUMENT;
      }
      into.saved.push_back({in->sequence, in->at_unix_ms, in->key_id, ehr::abi_support::to_string(in->hash),
                            ehr::abi_support::to_string(in->mac)});
      return EHR_STATUS_OK;
    } catch (...) {
      return EHR_STATUS_INTERNAL;
    }
  };
  const ehr_status status =
      table_.list_audit_checkpoints(table_.host, ehr::abi_support::view(plugin_id), &collector, sink);
  if (collector.malformed)
    throw Error(EHR_STATUS_INVALID_ARGUMENT, "the host handed over a malformed ehr_audit_checkpoint");
  check(status, "list_audit_checkpoints");
  return std::move(collector.saved);
}

}  // namespace ehr::portal
