#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ehr/abi_support/text.hpp"
#include "ehr/common.h"

namespace ehr::portal::abi {

// Allocates an ehr_error the host frees through its own `release` (which is ours).
[[nodiscard]] ehr_error* make_error(ehr_status code, std::string_view message, std::string_view field = {},
                                    uint32_t reason = 0) noexcept;

// Reports a failure: sets *out_error when the caller asked for details, returns the status.
ehr_status fail(ehr_error** out_error, ehr_status code, std::string_view message, std::string_view field = {},
                uint32_t reason = 0) noexcept;

// Translates the exception in flight (call only from a catch block) into a status and error.
ehr_status fail_current(ehr_error** out_error) noexcept;

// Runs `body` (returning void) at an ABI entry: every exception stops here as a status.
template <typename Body>
ehr_status guarded(ehr_error** out_error, Body&& body) noexcept {
  if (out_error != nullptr) *out_error = nullptr;
  try {
    body();
    return EHR_STATUS_OK;
  } catch (...) {
    return fail_current(out_error);
  }
}

// A host sink's answer: true to go on, false when it asked to stop (EHR_STATUS_STOP); any other
// status throws Error naming the sink.
[[nodiscard]] bool sink_continues(ehr_status status, const char* sink);

using abi_support::to_string;
using abi_support::view;

}  // namespace ehr::portal::abi
