#pragma once

#include "ehr/plugin.h"

namespace ehr::portal::abi {

// Registers the "Patient Portal roles" section (R-ROLE-1). Throws Error when the host lacks roles
// sections or refuses this one.
void register_roles_section(const ehr_registrar& registrar);

}  // namespace ehr::portal::abi
