#include "registrar.hpp"

#include <algorithm>
#include <exception>

#include "c_abi.hpp"

namespace ehr::host::detail {

Registrar::Registrar(std::shared_ptr<PluginInstance> instance, const Manifest& manifest,
                     const Registry& registry)
    : instance_(std::move(instance)),
      manifest_(manifest),
      registry_(registry),
      registrations_(std::make_shared<PluginRegistrations>()) {
  registrations_->plugin_id = instance_->plugin_id;
  table_ = make_struct<ehr_registrar>(EHR_STRUCT_REGISTRAR);
  table_.registrar = this;
  table_.register_settings = register_settings;
  table_.register_roles_section = register_roles_section;
  table_.register_channel = register_channel;
  table_.register_hooks = register_hooks;
  table_.register_audit = register_audit;
}

namespace {

// Every registrar entry: closed check, exceptions stay on this side, errors allocated by the SDK.
template <class Body>
ehr_status entry(void* self, bool open, ehr_error** out_error, Body&& body) noexcept {
  if (self == nullptr) return EHR_STATUS_INVALID_ARGUMENT;
  if (!open) return report(Status::unsupported("the registrar is only valid during on_init"), out_error);
  try {
    return report(body(), out_error);
  } catch (const std::exception& error) {
    return report(Status::internal(std::string("registration failed: ") + error.what()), out_error);
  } catch (...) {
    return report(Status::internal("registration failed"), out_error);
  }
}

Status malformed(const char* what) {
  return Status::invalid_argument(what,
                                  std::string("malformed ") + what + ": wrong struct_type or too small");
}

Status missing_function(const char* table, const char* function) {
  return Status::invalid_argument(std::string(table) + "." + function,
                                  std::string(table) + "." + function + " is required but NULL");
}

}  // namespace

ehr_status Registrar::register_settings(void* self, const ehr_settings_api* api, ehr_settings* settings,
                                        ehr_error** out_error) noexcept {
  auto* registrar = static_cast<Registrar*>(self);
  return entry(self, registrar && registrar->open_, out_error,
               [&] { return registrar->add_settings(api, settings); });
}

ehr_status Registrar::register_roles_section(void* self, const ehr_roles_section* section,
                                             ehr_error** out_error) noexcept {
  auto* registrar = static_cast<Registrar*>(self);
  return entry(self, registrar && registrar->open_, out_error,
               [&] { return registrar->add_roles_section(section); });
}

ehr_status Registrar::register_channel(void* self, ehr_str channel_id, const ehr_channel_api* api,
                                       ehr_channel* channel, ehr_error** out_error) noexcept {
  auto* registrar = static_cast<Registrar*>(self);
  return entry(self, registrar && registrar->open_, out_error,
               [&] { return registrar->add_channel(channel_id, api, channel); });
}

ehr_status Registrar::register_hooks(void* self, const ehr_hooks_api* api, ehr_hooks* hooks,
                                     ehr_error** out_error) noexcept {
  auto* registrar = static_cast<Registrar*>(self);
  return entry(self, registrar && registrar->open_, out_error,
               [&] { return registrar->add_hooks(api, hooks); });
}

ehr_status Registrar::register_audit(void* self, const ehr_audit_api* api, ehr_audit* audit,
                                     ehr_error** out_error) noexcept {
  auto* registrar = static_cast<Registrar*>(self);
  return entry(self, registrar && registrar->open_, out_error,
               [&] { return registrar->add_audit(api, audit); });
}

Status Registrar::add_settings(const ehr_settings_api* api, ehr_settings* settings) {
  if (registrations_->settings)
    return Status::conflict("settings pages are already registered by this plugin");
  ehr_settings_api copy_of;
  if (!read_struct(api, EHR_STRUCT_SETTINGS_API, EHR_SIZE_THROUGH(ehr_settings_api, effective), copy_of))
    return malformed("ehr_settings_api");
  if (copy_of.describe_page == nullptr) return missing_function("ehr_settings_api", "describe_page");
  if (copy_of.save_page == nullptr) return missing_function("ehr_settings_api", "save_page");
  if (copy_of.reset_location == nullptr) return missing_function("ehr_settings_api", "reset_location");
  if (copy_of.effective == nullptr) return missing_function("ehr_settings_api", "effective");
  registrations_->settings =
      std::make_shared<const SettingsBinding>(SettingsBinding{instance_, copy_of, settings});
  return Status();
}

Status Registrar::add_roles_section(const ehr_roles_section* section) {
  ehr_roles_section copy_of;
  if (!read_struct(section, EHR_STRUCT_ROLES_SECTION, EHR_SIZE_THROUGH(ehr_roles_section, role_count),
                   copy_of))
    return malformed("ehr_roles_section");
  RolesSection out;
  out.plugin_id = instance_->plugin_id;
  out.section_id = copy(copy_of.section_id);
  out.title = copy(copy_of.title);
  if (out.section_id.empty()) return Status::invalid_argument("section_id", "a roles section needs an id");
  for (const RolesSection& other : registrations_->roles_sections)
    if (other.section_id == out.section_id)
      return Status::conflict("roles section " + out.section_id + " is already registered");
  if (copy_of.role_count > 0 && copy_of.roles == nullptr) return malformed("ehr_roles_section.roles");
  std::vector<ehr_role_descriptor> roles;
  std::size_t bad = 0;
  if (!detail::read_array(copy_of.roles, copy_of.role_count, EHR_STRUCT_ROLE_DESCRIPTOR,
                          EHR_SIZE_THROUGH(ehr_role_descriptor, description), roles, bad))
    return malformed(("ehr_roles_section.roles[" + std::to_string(bad) + "]").c_str());
  for (const ehr_role_descriptor& role : roles) {
    RoleDescriptor descriptor{copy(role.id), copy(role.label), copy(role.description)};
    // The manifest describes the plugin before it is loaded: a role it does not declare is a bug.
    const bool declared = std::any_of(manifest_.roles.begin(), manifest_.roles.end(),
                                      [&](const RoleDescriptor& r) { return r.id == descriptor.id; });
    if (!declared)
      return Status::invalid_argument(
          "roles/role/@id",
          "role " + descriptor.id + " is not declared in the manifest " + manifest_.path.filename().string());
    out.roles.push_back(std::move(descriptor));
  }
  registrations_->roles_sections.push_back(std::move(out));
  return Status();
}

Status Registrar::add_channel(ehr_str channel_id, const ehr_channel_api* api, ehr_channel* channel) {
  const std::string id = copy(channel_id);
  if (id.empty()) return Status::invalid_argument("channel_id", "a messaging channel needs an id");
  for (const auto& mine : registrations_->channels)
    if (mine->channel_id == id)
      return Status::conflict("channel " + id + " is already registered by this plugin");
  auto taken = registry_.channel(id);
  if (taken)
    return Status::conflict("channel " + id + " is already registered by plugin " + taken->plugin_id());
  ehr_channel_api copy_of;
  if (!read_struct(api, EHR_STRUCT_CHANNEL_API, EHR_SIZE_THROUGH(ehr_channel_api, set_archived), copy_of))
    return malformed("ehr_channel_api");
  if (copy_of.explain == nullptr) return missing_function("ehr_channel_api", "explain");
  if (copy_of.list_recipients == nullptr) return missing_function("ehr_channel_api", "list_recipients");
  if (copy_of.start_thread == nullptr) return missing_function("ehr_channel_api", "start_thread");
  if (copy_of.reply == nullptr) return missing_function("ehr_channel_api", "reply");
  if (copy_of.list_threads == nullptr) return missing_function("ehr_channel_api", "list_threads");
  if (copy_of.unread_total == nullptr) return missing_function("ehr_channel_api", "unread_total");
  if (copy_of.read_thread == nullptr) return missing_function("ehr_channel_api", "read_thread");
  if (copy_of.set_archived == nullptr) return missing_function("ehr_channel_api", "set_archived");
  registrations_->channels.push_back(
      std::make_shared<const ChannelBinding>(ChannelBinding{instance_, id, copy_of, channel}));
  return Status();
}

Status Registrar::add_hooks(const ehr_hooks_api* api, ehr_hooks* hooks) {
  if (registrations_->hooks) return Status::conflict("hook points are already registered by this plugin");
  ehr_hooks_api copy_of;
  if (!read_struct(api, EHR_STRUCT_HOOKS_API, EHR_SIZE_THROUGH(ehr_hooks_api, remove_hook), copy_of))
    return malformed("ehr_hooks_api");
  if (copy_of.list_points == nullptr) return missing_function("ehr_hooks_api", "list_points");
  if (copy_of.add_hook == nullptr) return missing_function("ehr_hooks_api", "add_hook");
  if (copy_of.remove_hook == nullptr) return missing_function("ehr_hooks_api", "remove_hook");
  registrations_->hooks = std::make_shared<const HooksBinding>(HooksBinding{instance_, copy_of, hooks});
  return Status();
}

Status Registrar::add_audit(const ehr_audit_api* api, ehr_audit* audit) {
  if (registrations_->audit) return Status::conflict("an audit log is already registered by this plugin");
  ehr_audit_api copy_of;
  if (!read_struct(api, EHR_STRUCT_AUDIT_API, EHR_SIZE_THROUGH(ehr_audit_api, list), copy_of))
    return malformed("ehr_audit_api");
  if (copy_of.verify == nullptr) return missing_function("ehr_audit_api", "verify");
  if (copy_of.list == nullptr) return missing_function("ehr_audit_api", "list");
  registrations_->audit = std::make_shared<const AuditBinding>(AuditBinding{instance_, copy_of, audit});
  return Status();
}

}  // namespace ehr::host::detail
