#include "ehr/host/plugin_manager.hpp"

namespace ehr::host {

struct PluginManager::Impl {
  Impl(PluginManagerOptions o, HostServices& s) : options(std::move(o)), services(s) {}
  PluginManagerOptions options;
  HostServices& services;
  Registry registry;
};

PluginManager::PluginManager(PluginManagerOptions options, HostServices& services)
    : impl_(std::make_unique<Impl>(std::move(options), services)) {}
PluginManager::~PluginManager() {
  shutdown();
}

Status PluginManager::discover() {
  return Status::unsupported("plugin discovery is not implemented yet");
}
std::vector<PluginInfo> PluginManager::list() const {
  return {};
}
Result<PluginInfo> PluginManager::info(std::string_view plugin_id) const {
  return Status::not_found("no plugin " + std::string(plugin_id), "plugin_id");
}
Result<Verification> PluginManager::verify(std::string_view) const {
  return Status::unsupported("plugin verification is not implemented yet");
}
Status PluginManager::enable(std::string_view) {
  return Status::unsupported("enable is not implemented yet");
}
Status PluginManager::disable(std::string_view) {
  return Status::unsupported("disable is not implemented yet");
}
void PluginManager::shutdown() {}
const Registry& PluginManager::registry() const {
  return impl_->registry;
}
const PluginManagerOptions& PluginManager::options() const {
  return impl_->options;
}

}  // namespace ehr::host
