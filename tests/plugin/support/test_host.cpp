#include "support/test_host.hpp"

#include <sodium.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace ehr::portal::test {

namespace {

std::string text(ehr_str view) {
  return view.data != nullptr ? std::string(view.data, view.size) : std::string();
}
ehr_str view(const std::string& text) {
  return ehr_str{text.data(), text.size()};
}
TestHost& self(void* host) {
  return *static_cast<TestHost*>(host);
}

ehr_user_info to_c(const UserInfo& user) {
  ehr_user_info c{};
  c.struct_type = EHR_STRUCT_USER_INFO;
  c.struct_size = sizeof c;
  c.id = view(user.id);
  c.display_name = view(user.display_name);
  c.active = user.active ? 1 : 0;
  return c;
}

ehr_portal_user_info to_c(const PortalUserInfo& user) {
  ehr_portal_user_info c{};
  c.struct_type = EHR_STRUCT_PORTAL_USER_INFO;
  c.struct_size = sizeof c;
  c.id = view(user.id);
  c.display_name = view(user.display_name);
  c.first_name = view(user.first_name);
  c.kind = static_cast<ehr_portal_user_kind>(user.kind);
  c.active = user.active ? 1 : 0;
  return c;
}

ehr_organization_info to_c(const OrganizationInfo& org) {
  ehr_organization_info c{};
  c.struct_type = EHR_STRUCT_ORGANIZATION_INFO;
  c.struct_size = sizeof c;
  c.location_id = view(org.location_id);
  c.name = view(org.name);
  c.alias = view(org.alias);
  c.address = view(org.address);
  c.phone = view(org.phone);
  c.portal_url = view(org.portal_url);
  c.is_master = org.is_master ? 1 : 0;
  return c;
}

}  // namespace

TestHost::TestHost() {
  table_.struct_type = EHR_STRUCT_HOST_SERVICES;
  table_.struct_size = sizeof table_;
  table_.host = this;
  table_.log = &TestHost::log;
  table_.now = &TestHost::now;
  table_.get_user = &TestHost::get_user;
  table_.user_has_role = &TestHost::user_has_role;
  table_.list_users_with_role = &TestHost::list_users_with_role;
  table_.get_patient = &TestHost::get_patient;
  table_.list_care_team = &TestHost::list_care_team;
  table_.get_portal_user = &TestHost::get_portal_user;
  table_.list_patient_contacts = &TestHost::list_patient_contacts;
  table_.list_contact_charts = &TestHost::list_contact_charts;
  table_.get_company = &TestHost::get_company;
  table_.list_locations = &TestHost::list_locations;
  table_.notify = &TestHost::notify;
  table_.audit = &TestHost::audit;
  table_.get_key = &TestHost::get_key;
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  Key data{EHR_KEY_DATA, {}};
  Key audit{EHR_KEY_AUDIT, {}};
  randombytes_buf(data.bytes.data(), data.bytes.size());
  randombytes_buf(audit.bytes.data(), audit.bytes.size());
  keys_ = {{1, data}, {2, audit}};
  company_ = {"", "Riverside Health", "", "1 Main St", "555-0100", "https://portal.example", false};
}

void TestHost::keep_checkpoints() {
  table_.save_audit_checkpoint = &TestHost::save_audit_checkpoint;
  table_.list_audit_checkpoints = &TestHost::list_audit_checkpoints;
}

std::vector<TestHost::Checkpoint> TestHost::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void TestHost::set_checkpoints(std::vector<Checkpoint> checkpoints) {
  std::lock_guard lock(mutex_);
  checkpoints_ = std::move(checkpoints);
}

ehr_status TestHost::save_audit_checkpoint(void* host, ehr_str plugin_id, const ehr_audit_checkpoint* c) {
  auto& h = self(host);
  std::lock_guard lock(h.mutex_);
  h.checkpoints_.push_back(
      {text(plugin_id), c->sequence, c->at_unix_ms, c->key_id, text(c->hash), text(c->mac)});
  return EHR_STATUS_OK;
}

ehr_status TestHost::list_audit_checkpoints(void* host, ehr_str plugin_id, void* ctx,
                                            ehr_audit_checkpoint_sink_fn sink) {
  auto& h = self(host);
  std::vector<Checkpoint> saved;
  {
    std::lock_guard lock(h.mutex_);
    for (const Checkpoint& c : h.checkpoints_)
      if (c.plugin_id == text(plugin_id)) saved.push_back(c);
  }
  for (const Checkpoint& c : saved) {
    ehr_audit_checkpoint out{};
    out.struct_type = EHR_STRUCT_AUDIT_CHECKPOINT;
    out.struct_size = sizeof out;
    out.sequence = c.sequence;
    out.at_unix_ms = c.at_unix_ms;
    out.hash = {c.hash.data(), c.hash.size()};
    out.key_id = c.key_id;
    out.mac = {c.mac.data(), c.mac.size()};
    if (const ehr_status status = sink(ctx, &out); status != EHR_STATUS_OK)
      return status == EHR_STATUS_STOP ? EHR_STATUS_OK : status;
  }
  return EHR_STATUS_OK;
}

void TestHost::drop_optional_services() {
  table_.struct_size = static_cast<uint32_t>(offsetof(ehr_host_services, notify));
}

void TestHost::drop_key_service() {
  table_.get_key = nullptr;
}

uint32_t TestHost::rotate_data_key() {
  std::lock_guard lock(mutex_);
  Key fresh{EHR_KEY_DATA, {}};
  randombytes_buf(fresh.bytes.data(), fresh.bytes.size());
  const uint32_t id = keys_.empty() ? 1 : keys_.rbegin()->first + 1;
  keys_[id] = fresh;
  return id;
}

void TestHost::forget_key(uint32_t key_id) {
  std::lock_guard lock(mutex_);
  keys_.erase(key_id);
}

int TestHost::key_requests() const {
  std::lock_guard lock(mutex_);
  return key_requests_;
}

ehr_status TestHost::get_key(void* host, ehr_key_purpose purpose, uint32_t key_id, ehr_key* out) {
  TestHost& h = self(host);
  if (out == nullptr || out->struct_type != EHR_STRUCT_KEY || out->struct_size < sizeof(ehr_key))
    return EHR_STATUS_INVALID_ARGUMENT;
  std::lock_guard lock(h.mutex_);
  ++h.key_requests_;
  const std::pair<const uint32_t, Key>* found = nullptr;
  for (const auto& entry : h.keys_) {
    if (entry.second.purpose != purpose) continue;
    if (key_id == 0 || entry.first == key_id) found = &entry;  // key_id 0: the highest id
  }
  if (found == nullptr) return EHR_STATUS_NOT_FOUND;
  out->key_id = found->first;
  std::memcpy(out->bytes, found->second.bytes.data(), sizeof out->bytes);
  return EHR_STATUS_OK;
}

void TestHost::add_user(const std::string& id, const std::string& name, bool active,
                        std::set<std::string> roles) {
  std::lock_guard lock(mutex_);
  users_[id] = User{{id, name, active}, std::move(roles)};
}

void TestHost::set_role(const std::string& user_id, const std::string& role_id, bool held) {
  std::lock_guard lock(mutex_);
  auto& roles = users_.at(user_id).roles;
  if (held) {
    roles.insert(role_id);
  } else {
    roles.erase(role_id);
  }
}

void TestHost::set_active(const std::string& user_id, bool active) {
  std::lock_guard lock(mutex_);
  users_.at(user_id).info.active = active;
}

void TestHost::add_patient(const std::string& id, const std::string& name, const std::string& location_id,
                           std::vector<std::string> care_team) {
  std::lock_guard lock(mutex_);
  patients_[id] = Patient{{id, name, location_id}, std::move(care_team)};
}

void TestHost::set_care_team(const std::string& patient_id, std::vector<std::string> care_team) {
  std::lock_guard lock(mutex_);
  patients_.at(patient_id).care_team = std::move(care_team);
}

void TestHost::add_portal_user(const PortalUserInfo& user, std::vector<std::string> contact_charts) {
  std::lock_guard lock(mutex_);
  portal_users_[user.id] = PortalUser{user, std::move(contact_charts)};
}

void TestHost::set_company(const OrganizationInfo& company) {
  std::lock_guard lock(mutex_);
  company_ = company;
}

void TestHost::add_location(const OrganizationInfo& location) {
  std::lock_guard lock(mutex_);
  locations_.push_back(location);
  company_.is_master = true;
}

void TestHost::set_now(int64_t unix_ms) {
  std::lock_guard lock(mutex_);
  now_ = unix_ms;
}

std::vector<Notification> TestHost::notifications() const {
  std::lock_guard lock(mutex_);
  return notifications_;
}

std::vector<TestHost::AuditCopy> TestHost::audit_events() const {
  std::lock_guard lock(mutex_);
  return audit_events_;
}

std::vector<std::string> TestHost::log_lines() const {
  std::lock_guard lock(mutex_);
  return log_lines_;
}

int TestHost::role_checks() const {
  std::lock_guard lock(mutex_);
  return role_checks_;
}

// The callbacks copy what they need under the lock, then call the sink outside it, as a host
// must not hold its own locks while the plugin runs.

ehr_status TestHost::log(void* host, ehr_log_level level, ehr_str message) {
  auto& h = self(host);
  std::lock_guard lock(h.mutex_);
  h.log_lines_.push_back(std::to_string(level) + " " + text(message));
  return EHR_STATUS_OK;
}

ehr_status TestHost::now(void* host, int64_t* out) {
  auto& h = self(host);
  std::lock_guard lock(h.mutex_);
  *out = h.now_;
  return EHR_STATUS_OK;
}

ehr_status TestHost::get_user(void* host, ehr_str id, void* ctx, ehr_user_sink_fn sink) {
  auto& h = self(host);
  UserInfo user;
  {
    std::lock_guard lock(h.mutex_);
    auto it = h.users_.find(text(id));
    if (it == h.users_.end()) return EHR_STATUS_NOT_FOUND;
    user = it->second.info;
  }
  const auto c = to_c(user);
  return sink(ctx, &c);
}

ehr_status TestHost::user_has_role(void* host, ehr_str id, ehr_str role, bool* out) {
  auto& h = self(host);
  std::lock_guard lock(h.mutex_);
  ++h.role_checks_;
  auto it = h.users_.find(text(id));
  if (it == h.users_.end()) return EHR_STATUS_NOT_FOUND;
  *out = it->second.roles.count(text(role)) > 0;
  return EHR_STATUS_OK;
}

ehr_status TestHost::list_users_with_role(void* host, ehr_str role, void* ctx, ehr_user_sink_fn sink) {
  auto& h = self(host);
  std::vector<UserInfo> holders;
  {
    std::lock_guard lock(h.mutex_);
    for (const auto& [id, user] : h.users_) {
      if (user.roles.count(text(role)) > 0) holders.push_back(user.info);
    }
  }
  for (const auto& user : holders) {
    const auto c = to_c(user);
    if (ehr_status status = sink(ctx, &c); status != EHR_STATUS_OK) return status;
  }
  return EHR_STATUS_OK;
}

ehr_status TestHost::get_patient(void* host, ehr_str id, void* ctx, ehr_patient_sink_fn sink) {
  auto& h = self(host);
  PatientInfo patient;
  {
    std::lock_guard lock(h.mutex_);
    auto it = h.patients_.find(text(id));
    if (it == h.patients_.end()) return EHR_STATUS_NOT_FOUND;
    patient = it->second.info;
  }
  ehr_patient_info c{};
  c.struct_type = EHR_STRUCT_PATIENT_INFO;
  c.struct_size = sizeof c;
  c.id = view(patient.id);
  c.display_name = view(patient.display_name);
  c.location_id = view(patient.location_id);
  return sink(ctx, &c);
}

ehr_status TestHost::list_care_team(void* host, ehr_str id, void* ctx, ehr_id_sink_fn sink) {
  auto& h = self(host);
  std::vector<std::string> team;
  {
    std::lock_guard lock(h.mutex_);
    auto it = h.patients_.find(text(id));
    if (it == h.patients_.end()) return EHR_STATUS_NOT_FOUND;
    team = it->second.care_team;
  }
  for (const auto& member : team) {
    if (ehr_status status = sink(ctx, view(member)); status != EHR_STATUS_OK) return status;
  }
  return EHR_STATUS_OK;
}

ehr_status TestHost::get_portal_user(void* host, ehr_str id, void* ctx, ehr_portal_user_sink_fn sink) {
  auto& h = self(host);
  PortalUserInfo user;
  {
    std::lock_guard lock(h.mutex_);
    auto it = h.portal_users_.find(text(id));
    if (it == h.portal_users_.end()) return EHR_STATUS_NOT_FOUND;
    user = it->second.info;
  }
  const auto c = to_c(user);
  return sink(ctx, &c);
}

ehr_status TestHost::list_patient_contacts(void* host, ehr_str id, void* ctx, ehr_portal_user_sink_fn sink) {
  auto& h = self(host);
  std::vector<PortalUserInfo> contacts;
  {
    std::lock_guard lock(h.mutex_);
    if (h.patients_.count(text(id)) == 0) return EHR_STATUS_NOT_FOUND;
    for (const auto& [portal_id, user] : h.portal_users_) {
      for (const auto& chart : user.charts) {
        if (chart == text(id)) contacts.push_back(user.info);
      }
    }
  }
  for (const auto& user : contacts) {
    const auto c = to_c(user);
    if (ehr_status status = sink(ctx, &c); status != EHR_STATUS_OK) return status;
  }
  return EHR_STATUS_OK;
}

ehr_status TestHost::list_contact_charts(void* host, ehr_str id, void* ctx, ehr_id_sink_fn sink) {
  auto& h = self(host);
  std::vector<std::string> charts;
  {
    std::lock_guard lock(h.mutex_);
    auto it = h.portal_users_.find(text(id));
    if (it == h.portal_users_.end()) return EHR_STATUS_NOT_FOUND;
    charts = it->second.charts;
  }
  for (const auto& chart : charts) {
    if (ehr_status status = sink(ctx, view(chart)); status != EHR_STATUS_OK) return status;
  }
  return EHR_STATUS_OK;
}

ehr_status TestHost::get_company(void* host, void* ctx, ehr_organization_sink_fn sink) {
  auto& h = self(host);
  OrganizationInfo company;
  {
    std::lock_guard lock(h.mutex_);
    company = h.company_;
  }
  const auto c = to_c(company);
  return sink(ctx, &c);
}

ehr_status TestHost::list_locations(void* host, void* ctx, ehr_organization_sink_fn sink) {
  auto& h = self(host);
  std::vector<OrganizationInfo> locations;
  {
    std::lock_guard lock(h.mutex_);
    locations = h.locations_;
  }
  for (const auto& location : locations) {
    const auto c = to_c(location);
    if (ehr_status status = sink(ctx, &c); status != EHR_STATUS_OK) return status;
  }
  return EHR_STATUS_OK;
}

ehr_status TestHost::notify(void* host, const ehr_notification* n) {
  auto& h = self(host);
  Notification copy;
  copy.kind = static_cast<NotificationKind>(n->kind);
  copy.delivery = static_cast<Delivery>(n->delivery);
  copy.recipient = {static_cast<PrincipalKind>(n->recipient.kind), text(n->recipient.id)};
  copy.subject = text(n->subject);
  copy.text = text(n->text);
  copy.html = text(n->html);
  copy.brand_name = text(n->brand_name);
  std::lock_guard lock(h.mutex_);
  h.notifications_.push_back(std::move(copy));
  return EHR_STATUS_OK;
}

ehr_status TestHost::audit(void* host, const ehr_audit_event* e) {
  auto& h = self(host);
  AuditCopy copy{
      e->sequence,      e->at_unix_ms,       {static_cast<PrincipalKind>(e->actor.kind), text(e->actor.id)},
      text(e->action),  text(e->patient_id), text(e->target),
      text(e->outcome), text(e->detail),     text(e->hash)};
  std::lock_guard lock(h.mutex_);
  h.audit_events_.push_back(std::move(copy));
  return EHR_STATUS_OK;
}

}  // namespace ehr::portal::test
