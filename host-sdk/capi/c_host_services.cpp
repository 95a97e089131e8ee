#include "c_host_services.hpp"

#include <sodium.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <string>

#include "../src/c_abi.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "ehr/abi_support/text.hpp"

namespace ehr::host::capi {

using abi_support::as_view;
using abi_support::make_struct;
using abi_support::read_struct;
using abi_support::to_string;
using abi_support::view;

// ---- CallbackDispatcher ------------------------------------------------------------------------

ehr_status CallbackDispatcher::call(const std::function<ehr_status()>& body, ehr_error** out_error) {
  if (!calling_thread_) return body();
  {
    std::lock_guard lock(mutex_);
    if (active_ && caller_ == std::this_thread::get_id())
      return abi_support::report(out_error, EHR_STATUS_CONFLICT,
                                 "a callback of a host created with EHR_HOST_CALLBACKS_CALLING_THREAD called "
                                 "back into the same host; return from the callback first");
  }
  std::lock_guard serial(call_mutex_);
  {
    std::lock_guard lock(mutex_);
    active_ = true;
    caller_ = std::this_thread::get_id();
  }
  ehr_status result = EHR_STATUS_INTERNAL;
  bool finished = false;
  std::thread worker([&] {
    result = body();
    std::lock_guard lock(mutex_);
    finished = true;
    changed_.notify_all();
  });
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return finished || !pending_.empty(); });
      if (pending_.empty()) break;
      Pending* next = pending_.front();
      pending_.pop_front();
      lock.unlock();
      try {
        (*next->function)();
      } catch (...) {
        // Each callback catches its own failures; nothing may stop this loop.
      }
      lock.lock();
      next->done = true;
      changed_.notify_all();
    }
    active_ = false;
  }
  worker.join();
  return result;
}

void CallbackDispatcher::callback(const std::function<void()>& function) {
  std::unique_lock lock(mutex_);
  if (!calling_thread_ || !active_ || caller_ == std::this_thread::get_id()) {
    // No call is waiting to run it (any-thread mode, or a plugin thread outside every API call,
    // which the messaging plugin does not do): answer here.
    lock.unlock();
    function();
    return;
  }
  Pending pending{&function};
  pending_.push_back(&pending);
  changed_.notify_all();
  changed_.wait(lock, [&] { return pending.done; });
}

// ---- Services table ----------------------------------------------------------------------------

Status check_services_table(const ehr_host_services* table, ehr_host_services& out) {
  if (!read_struct(table, EHR_STRUCT_HOST_SERVICES, EHR_SIZE_THROUGH(ehr_host_services, audit), out))
    return Status::invalid_argument("services",
                                    "the host services table is missing, has another struct_type "
                                    "than EHR_STRUCT_HOST_SERVICES, or a struct_size smaller than "
                                    "the ABI 1.0 table");
  const std::pair<const char*, bool> required[] = {
      {"log", out.log != nullptr},
      {"now", out.now != nullptr},
      {"get_user", out.get_user != nullptr},
      {"user_has_role", out.user_has_role != nullptr},
      {"list_users_with_role", out.list_users_with_role != nullptr},
      {"get_patient", out.get_patient != nullptr},
      {"list_care_team", out.list_care_team != nullptr},
      {"get_portal_user", out.get_portal_user != nullptr},
      {"list_patient_contacts", out.list_patient_contacts != nullptr},
      {"list_contact_charts", out.list_contact_charts != nullptr},
      {"get_company", out.get_company != nullptr},
      {"list_locations", out.list_locations != nullptr},
  };
  for (const auto& [name, present] : required)
    if (!present)
      return Status::invalid_argument(std::string("services.") + name,
                                      std::string("the host services table has no ") + name +
                                          " function; it is required (only notify and audit may be NULL)");
  return Status();
}

namespace {

User user_from_c(const ehr_user_info& in) {
  return User{to_string(in.id), to_string(in.display_name), in.active != 0};
}

PortalUser portal_user_from_c(const ehr_portal_user_info& in) {
  PortalUser out;
  out.id = to_string(in.id);
  out.display_name = to_string(in.display_name);
  out.first_name = to_string(in.first_name);
  out.kind = static_cast<PortalUserKind>(in.kind);
  out.active = in.active != 0;
  return out;
}

Organization organization_from_c(const ehr_organization_info& in) {
  Organization out;
  out.location_id = to_string(in.location_id);
  out.name = to_string(in.name);
  out.alias = to_string(in.alias);
  out.address = to_string(in.address);
  out.phone = to_string(in.phone);
  out.portal_url = to_string(in.portal_url);
  out.is_master = in.is_master != 0;
  return out;
}

// Collects what a host's sink-style function hands over. A record of the wrong type or size
// stops the enumeration and fails the call, naming the struct.
template <class CStruct, class Value>
struct Collector {
  std::uint32_t type;
  std::size_t required;
  Value (*convert)(const CStruct&);
  const char* struct_name;
  std::vector<Value> values;
  bool malformed = false;

  static ehr_status sink(void* ctx, const CStruct* in) {
    auto& self = *static_cast<Collector*>(ctx);
    CStruct copy;
    if (!read_struct(in, self.type, self.required, copy)) {
      self.malformed = true;
      return EHR_STATUS_INVALID_ARGUMENT;
    }
    self.values.push_back(self.convert(copy));
    return EHR_STATUS_OK;
  }
};

using UserCollector = Collector<ehr_user_info, User>;
using PortalUserCollector = Collector<ehr_portal_user_info, PortalUser>;
using OrganizationCollector = Collector<ehr_organization_info, Organization>;

UserCollector users() {
  return {EHR_STRUCT_USER_INFO, EHR_SIZE_THROUGH(ehr_user_info, active), &user_from_c, "ehr_user_info", {}};
}
PortalUserCollector portal_users() {
  return {EHR_STRUCT_PORTAL_USER_INFO,
          EHR_SIZE_THROUGH(ehr_portal_user_info, active),
          &portal_user_from_c,
          "ehr_portal_user_info",
          {}};
}
OrganizationCollector organizations() {
  return {EHR_STRUCT_ORGANIZATION_INFO,
          EHR_SIZE_THROUGH(ehr_organization_info, is_master),
          &organization_from_c,
          "ehr_organization_info",
          {}};
}

ehr_status collect_id(void* ctx, ehr_str id) {
  static_cast<std::vector<std::string>*>(ctx)->push_back(to_string(id));
  return EHR_STATUS_OK;
}

template <class C>
Status malformed(const C& collector, const char* function) {
  return Status::invalid_argument(function, std::string("the host's ") + function + " handed over an " +
                                                collector.struct_name + " with a wrong struct_type or size");
}

template <class T>
Result<T> exactly_one(std::vector<T>& values, const char* function, std::string_view id) {
  if (values.empty())
    return Status::not_found(std::string("the host's ") + function + " found nothing for " + std::string(id));
  return std::move(values.front());
}

}  // namespace

// ---- CHostServices -----------------------------------------------------------------------------

CHostServices::CHostServices(const ehr_host_services& table, CallbackDispatcher& dispatcher,
                             std::unique_ptr<KeyStore> fallback_keys)
    : table_(table), dispatcher_(dispatcher), fallback_keys_(std::move(fallback_keys)) {}

Status CHostServices::invoke(const char* function, const std::function<ehr_status()>& call) {
  ehr_status code = EHR_STATUS_INTERNAL;
  dispatcher_.callback([&] { code = call(); });
  if (code == EHR_STATUS_OK || code == EHR_STATUS_STOP) return Status();
  return Status(code, std::string("the host's ") + function + " answered " + ehr_status_name(code));
}

void CHostServices::log(LogLevel level, std::string_view message) {
  (void)invoke("log",
               [&] { return table_.log(table_.host, static_cast<ehr_log_level>(level), view(message)); });
}

std::int64_t CHostServices::now_unix_ms() {
  std::int64_t now = 0;
  if (invoke("now", [&] { return table_.now(table_.host, &now); })) return now;
  return HostServices::now_unix_ms();  // the system clock rather than the epoch
}

Result<User> CHostServices::get_user(std::string_view user_id) {
  auto collected = users();
  Status status = invoke("get_user", [&] {
    return table_.get_user(table_.host, view(user_id), &collected, &UserCollector::sink);
  });
  if (collected.malformed) return malformed(collected, "get_user");
  if (!status) return status;
  return exactly_one(collected.values, "get_user", user_id);
}

Result<bool> CHostServices::user_has_role(std::string_view user_id, std::string_view role_id) {
  bool has = false;
  Status status = invoke(
      "user_has_role", [&] { return table_.user_has_role(table_.host, view(user_id), view(role_id), &has); });
  if (!status) return status;
  return has;
}

Result<std::vector<User>> CHostServices::list_users_with_role(std::string_view role_id) {
  auto collected = users();
  Status status = invoke("list_users_with_role", [&] {
    return table_.list_users_with_role(table_.host, view(role_id), &collected, &UserCollector::sink);
  });
  if (collected.malformed) return malformed(collected, "list_users_with_role");
  if (!status) return status;
  return std::move(collected.values);
}

Result<Patient> CHostServices::get_patient(std::string_view patient_id) {
  std::optional<Patient> patient;
  bool malformed_record = false;
  struct Context {
    std::optional<Patient>* patient;
    bool* malformed;
  } context{&patient, &malformed_record};
  Status status = invoke("get_patient", [&] {
    return table_.get_patient(
        table_.host, view(patient_id), &context, [](void* ctx, const ehr_patient_info* in) -> ehr_status {
          auto& c = *static_cast<Context*>(ctx);
          ehr_patient_info copy;
          if (!read_struct(in, EHR_STRUCT_PATIENT_INFO, EHR_SIZE_THROUGH(ehr_patient_info, location_id),
                           copy)) {
            *c.malformed = true;
            return EHR_STATUS_INVALID_ARGUMENT;
          }
          *c.patient = Patient{to_string(copy.id), to_string(copy.display_name), to_string(copy.location_id)};
          return EHR_STATUS_OK;
        });
  });
  if (malformed_record)
    return Status::invalid_argument("get_patient",
                                    "the host's get_patient handed over an ehr_patient_info with a wrong "
                                    "struct_type or size");
  if (!status) return status;
  if (!patient)
    return Status::not_found("the host's get_patient found nothing for " + std::string(patient_id));
  return std::move(*patient);
}

Result<std::vector<std::string>> CHostServices::list_care_team(std::string_view patient_id) {
  std::vector<std::string> ids;
  Status status = invoke("list_care_team", [&] {
    return table_.list_care_team(table_.host, view(patient_id), &ids, &collect_id);
  });
  if (!status) return status;
  return ids;
}

Result<PortalUser> CHostServices::get_portal_user(std::string_view portal_user_id) {
  auto collected = portal_users();
  Status status = invoke("get_portal_user", [&] {
    return table_.get_portal_user(table_.host, view(portal_user_id), &collected, &PortalUserCollector::sink);
  });
  if (collected.malformed) return malformed(collected, "get_portal_user");
  if (!status) return status;
  return exactly_one(collected.values, "get_portal_user", portal_user_id);
}

Result<std::vector<PortalUser>> CHostServices::list_patient_contacts(std::string_view patient_id) {
  auto collected = portal_users();
  Status status = invoke("list_patient_contacts", [&] {
    return table_.list_patient_contacts(table_.host, view(patient_id), &collected,
                                        &PortalUserCollector::sink);
  });
  if (collected.malformed) return malformed(collected, "list_patient_contacts");
  if (!status) return status;
  return std::move(collected.values);
}

Result<std::vector<std::string>> CHostServices::list_contact_charts(std::string_view portal_user_id) {
  std::vector<std::string> ids;
  Status status = invoke("list_contact_charts", [&] {
    return table_.list_contact_charts(table_.host, view(portal_user_id), &ids, &collect_id);
  });
  if (!status) return status;
  return ids;
}

Result<Organization> CHostServices::get_company() {
  auto collected = organizations();
  Status status = invoke("get_company", [&] {
    return table_.get_company(table_.host, &collected, &OrganizationCollector::sink);
  });
  if (collected.malformed) return malformed(collected, "get_company");
  if (!status) return status;
  return exactly_one(collected.values, "get_company", "the company");
}

Result<std::vector<Organization>> CHostServices::list_locations() {
  auto collected = organizations();
  Status status = invoke("list_locations", [&] {
    return table_.list_locations(table_.host, &collected, &OrganizationCollector::sink);
  });
  if (collected.malformed) return malformed(collected, "list_locations");
  if (!status) return status;
  return std::move(collected.values);
}

OptionalServices CHostServices::optional_services() const {
  return OptionalServices{table_.notify != nullptr, table_.audit != nullptr,
                          table_.get_key != nullptr || fallback_keys_ != nullptr};
}

Status CHostServices::notify(const Notification& n) {
  if (table_.notify == nullptr) return HostServices::notify(n);
  auto out = make_struct<ehr_notification>(EHR_STRUCT_NOTIFICATION);
  out.kind = static_cast<ehr_notification_kind>(n.kind);
  out.delivery = static_cast<ehr_delivery>(n.delivery);
  out.recipient = detail::to_c(n.recipient);
  out.subject = view(n.subject);
  out.text = view(n.text);
  out.html = view(n.html);
  out.brand_name = view(n.brand_name);
  return invoke("notify", [&] { return table_.notify(table_.host, &out); });
}

Status CHostServices::audit(const AuditEvent& e) {
  if (table_.audit == nullptr) return HostServices::audit(e);
  const ehr_audit_event out = detail::to_c(e);
  return invoke("audit", [&] { return table_.audit(table_.host, &out); });
}

Result<Key> CHostServices::get_key(KeyPurpose purpose, std::uint32_t key_id) {
  if (table_.get_key == nullptr) {
    if (fallback_keys_ == nullptr) return HostServices::get_key(purpose, key_id);
    return fallback_keys_->get(purpose, key_id);
  }
  auto out = make_struct<ehr_key>(EHR_STRUCT_KEY);
  Status status = invoke("get_key", [&] {
    return table_.get_key(table_.host, static_cast<ehr_key_purpose>(purpose), key_id, &out);
  });
  Key key;
  key.id = out.key_id;
  key.purpose = purpose;
  std::memcpy(key.bytes.data(), out.bytes, key.bytes.size());
  sodium_memzero(out.bytes, sizeof out.bytes);
  if (!status) return status;
  if (key.id == 0 || (key_id != 0 && key.id != key_id))
    return Status::invalid_argument("get_key", "the host's get_key answered key id " +
                                                   std::to_string(key.id) + " when asked for " +
                                                   std::to_string(key_id));
  return key;
}

// ---- CUserDirectory ----------------------------------------------------------------------------

Result<std::vector<User>> CUserDirectory::list_users() {
  auto collected = users();
  const ehr_status code = table_.list_users(table_.context, &collected, &UserCollector::sink);
  if (collected.malformed) return malformed(collected, "list_users");
  if (code != EHR_STATUS_OK && code != EHR_STATUS_STOP)
    return Status(code, std::string("the host's list_users answered ") + ehr_status_name(code));
  return std::move(collected.values);
}

}  // namespace ehr::host::capi
