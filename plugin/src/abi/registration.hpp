#pragma once

#include <string_view>

#include "ehr/common.h"

namespace ehr::portal::abi {

// Turns the host's answer to one registration into an Error (with the host's own words) and
// releases the host's error object through the host's release function.
void check_registration(ehr_status status, ehr_error* host_error, std::string_view what);

}  // namespace ehr::portal::abi
