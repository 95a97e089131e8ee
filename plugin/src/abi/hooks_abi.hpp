#pragma once

#include "ehr/plugin.h"

namespace ehr::portal {
class HookRegistry;
}

// The handle the host passes back to every hooks call. OWNERSHIP: the plugin's, until on_shutdown.
struct ehr_hooks {
  ehr::portal::HookRegistry* registry;
};

namespace ehr::portal::abi {

[[nodiscard]] const ehr_hooks_api& hooks_api() noexcept;
// Skipped when the host takes no hooks (register_hooks missing); throws Error when it refuses them.
void register_hooks(const ehr_registrar& registrar, ehr_hooks* handle);

}  // namespace ehr::portal::abi
