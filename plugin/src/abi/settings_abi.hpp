#pragma once

#include "ehr/plugin.h"

namespace ehr::portal {
class SettingsService;
}

// The handle the host passes back to every settings call. OWNERSHIP: the plugin's, until on_shutdown.
struct ehr_settings {
  ehr::portal::SettingsService* service;
};

namespace ehr::portal::abi {

// The Portal Settings pages as the C table of ehr/settings.h.
[[nodiscard]] const ehr_settings_api& settings_api() noexcept;
// Throws Error when the host lacks settings pages or refuses them.
void register_settings(const ehr_registrar& registrar, ehr_settings* handle);

}  // namespace ehr::portal::abi
