// The ehr_registrar a plugin receives during on_init: it checks each table (type, size, required
// functions), copies descriptor strings, and collects everything into PluginRegistrations.
#pragma once

#include <memory>

#include "ehr/host/manifest.hpp"
#include "ehr/host/registry.hpp"
#include "ehr/plugin.h"
#include "plugin_instance.hpp"

namespace ehr::host::detail {

class Registrar {
 public:
  // `registry` is consulted for channel ids other plugins already took.
  Registrar(std::shared_ptr<PluginInstance> instance, const Manifest& manifest, const Registry& registry);
  Registrar(const Registrar&) = delete;
  Registrar& operator=(const Registrar&) = delete;

  const ehr_registrar* table() const { return &table_; }
  // After on_init returns: later calls (a plugin that kept the registrar) are refused.
  void close() { open_ = false; }
  std::shared_ptr<PluginRegistrations> registrations() const { return registrations_; }

 private:
  static ehr_status register_settings(void* self, const ehr_settings_api* api, ehr_settings* settings,
                                      ehr_error** out_error) noexcept;
  static ehr_status register_roles_section(void* self, const ehr_roles_section* section,
                                           ehr_error** out_error) noexcept;
  static ehr_status register_channel(void* self, ehr_str channel_id, const ehr_channel_api* api,
                                     ehr_channel* channel, ehr_error** out_error) noexcept;
  static ehr_status register_hooks(void* self, const ehr_hooks_api* api, ehr_hooks* hooks,
                                   ehr_error** out_error) noexcept;
  static ehr_status register_audit(void* self, const ehr_audit_api* api, ehr_audit* audit,
                                   ehr_error** out_error) noexcept;

  Status add_settings(const ehr_settings_api* api, ehr_settings* settings);
  Status add_roles_section(const ehr_roles_section* section);
  Status add_channel(ehr_str channel_id, const ehr_channel_api* api, ehr_channel* channel);
  Status add_hooks(const ehr_hooks_api* api, ehr_hooks* hooks);
  Status add_audit(const ehr_audit_api* api, ehr_audit* audit);

  std::shared_ptr<PluginInstance> instance_;
  const Manifest& manifest_;
  const Registry& registry_;
  std::shared_ptr<PluginRegistrations> registrations_;
  ehr_registrar table_{};
  bool open_ = true;
};

}  // namespace ehr::host::detail
