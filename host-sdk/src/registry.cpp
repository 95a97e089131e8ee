#include "ehr/host/registry.hpp"

#include <mutex>

#include "plugin_instance.hpp"

namespace ehr::host {

struct Registry::Impl {
  mutable std::mutex mutex;
  // In load order, so listings are stable.
  std::vector<std::shared_ptr<const detail::PluginRegistrations>> plugins;

  const detail::PluginRegistrations* find(std::string_view plugin_id) const {
    for (const auto& plugin : plugins)
      if (plugin->plugin_id == plugin_id) return plugin.get();
    return nullptr;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Status Registry::add(std::shared_ptr<const detail::PluginRegistrations> registrations) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->find(registrations->plugin_id) != nullptr)
    return Status::conflict("plugin " + registrations->plugin_id + " is already registered");
  for (const auto& channel : registrations->channels)
    for (const auto& other : impl_->plugins)
      for (const auto& taken : other->channels)
        if (taken->channel_id == channel->channel_id)
          return Status::conflict("channel " + channel->channel_id + " is already registered by plugin " +
                                  other->plugin_id);
  impl_->plugins.push_back(std::move(registrations));
  return Status();
}

void Registry::remove(std::string_view plugin_id) {
  std::lock_guard lock(impl_->mutex);
  std::erase_if(impl_->plugins, [&](const auto& plugin) { return plugin->plugin_id == plugin_id; });
}

std::vector<SettingsPages> Registry::settings_pages() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<SettingsPages> out;
  for (const auto& plugin : impl_->plugins)
    if (plugin->settings) out.emplace_back(plugin->settings);
  return out;
}

Result<SettingsPages> Registry::settings_pages(std::string_view plugin_id) const {
  std::lock_guard lock(impl_->mutex);
  const auto* plugin = impl_->find(plugin_id);
  if (plugin == nullptr) return Status::not_found("no loaded plugin " + std::string(plugin_id), "plugin_id");
  if (!plugin->settings)
    return Status::not_found("plugin " + std::string(plugin_id) + " registered no settings pages",
                             "plugin_id");
  return SettingsPages(plugin->settings);
}

std::vector<RolesSection> Registry::roles_sections() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<RolesSection> out;
  for (const auto& plugin : impl_->plugins) {
    for (RolesSection section : plugin->roles_sections) {
      // Looked up here, not at registration: a plugin may register its audit log after its roles.
      if (plugin->audit) section.audit_log.emplace(plugin->audit);
      out.push_back(std::move(section));
    }
  }
  return out;
}

std::vector<MessagingChannel> Registry::channels() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<MessagingChannel> out;
  for (const auto& plugin : impl_->plugins)
    for (const auto& channel : plugin->channels) out.emplace_back(channel);
  return out;
}

Result<MessagingChannel> Registry::channel(std::string_view channel_id) const {
  std::lock_guard lock(impl_->mutex);
  for (const auto& plugin : impl_->plugins)
    for (const auto& channel : plugin->channels)
      if (channel->channel_id == channel_id) return MessagingChannel(channel);
  return Status::not_found("no messaging channel " + std::string(channel_id) + " is registered",
                           "channel_id");
}

std::vector<Hooks> Registry::hooks() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Hooks> out;
  for (const auto& plugin : impl_->plugins)
    if (plugin->hooks) out.emplace_back(plugin->hooks);
  return out;
}

Result<Hooks> Registry::hooks(std::string_view plugin_id) const {
  std::lock_guard lock(impl_->mutex);
  const auto* plugin = impl_->find(plugin_id);
  if (plugin == nullptr) return Status::not_found("no loaded plugin " + std::string(plugin_id), "plugin_id");
  if (!plugin->hooks)
    return Status::not_found("plugin " + std::string(plugin_id) + " registered no hook points", "plugin_id");
  return Hooks(plugin->hooks);
}

std::vector<AuditLog> Registry::audit_logs() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<AuditLog> out;
  for (const auto& plugin : impl_->plugins)
    if (plugin->audit) out.emplace_back(plugin->audit);
  return out;
}

Result<AuditLog> Registry::audit_log(std::string_view plugin_id) const {
  std::lock_guard lock(impl_->mutex);
  const auto* plugin = impl_->find(plugin_id);
  if (plugin == nullptr) return Status::not_found("no loaded plugin " + std::string(plugin_id), "plugin_id");
  if (!plugin->audit)
    return Status::not_found("plugin " + std::string(plugin_id) + " registered no audit log", "plugin_id");
  return AuditLog(plugin->audit);
}

}  // namespace ehr::host
