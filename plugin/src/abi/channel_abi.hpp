#pragma once

#include "ehr/plugin.h"

namespace ehr::portal {
class Portal;
}

// The handle the host passes back to every channel call. OWNERSHIP: the plugin's, until on_shutdown.
struct ehr_channel {
  ehr::portal::Portal* portal;
};

namespace ehr::portal::abi {

inline constexpr const char* kChannelId = "portal-messaging";

// The conversation service as the C table of ehr/channel.h.
[[nodiscard]] const ehr_channel_api& channel_api() noexcept;
// Skipped when the host takes no channel (register_channel missing); throws Error when it refuses it.
void register_channel(const ehr_registrar& registrar, ehr_channel* handle);

}  // namespace ehr::portal::abi
