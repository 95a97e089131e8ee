// A sample integrator hook (R-HOOK-1): refuses, before it is stored, a portal message whose body
// or subject carries something that looks like a payment card number. Portal messaging is not
// PCI-compliant storage, so the sender is told to call the office instead. ehr-host installs it
// on every plugin that offers a before_store hook point; docs/integrators.md explains hooks.
#pragma once

#include <string_view>

#include "ehr/host/hooks.hpp"
#include "ehr/host/status.hpp"

namespace ehr::sample {

// True when `text` holds a number of 13 to 19 digits (single spaces or dashes between digits
// allowed) that passes the Luhn check, as every payment card number does.
[[nodiscard]] bool contains_card_number(std::string_view text);

// The before_store hook: ok, or a refusal whose message the sender sees.
[[nodiscard]] ehr::host::Status card_number_guard(const ehr::host::HookEvent& event);

}  // namespace ehr::sample
