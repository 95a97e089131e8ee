#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "ehr/abi_support/struct_io.hpp"
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

// An array the host passed, copied element by element (common.h: each stepped by its own
// struct_size); throws Error(EHR_STATUS_INVALID_ARGUMENT) naming the first element that is not a
// valid `type_name` (wrong type, too small for `required_size`, or a size not a multiple of 8).
template <typename T>
[[nodiscard]] std::vector<T> copy_host_array(const T* first, size_t count, uint32_t struct_type,
                                             size_t required_size, const char* type_name, const char* field) {
  size_t bad = 0;
  auto copies = abi_support::copy_array(first, count, struct_type, required_size, &bad);
  if (!copies) {
    throw Error(
        EHR_STATUS_INVALID_ARGUMENT,
        std::string(field) + "[" + std::to_string(bad) + "] is not a valid " + type_name +
            " (wrong struct_type, a struct_size too small for the members read, or not a multiple of 8)",
        field);
  }
  return std::move(*copies);
}

using abi_support::to_string;
using abi_support::view;

}  // namespace ehr::portal::abi
