// Helpers for reading and writing the C ABI's structs safely (DESIGN rule 3: zero-fill, copy
// min(size, sizeof), check the required members fit) and for SDK-allocated ehr_error objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/abi_support/error.hpp"
#include "ehr/abi_support/principal.hpp"
#include "ehr/abi_support/struct_io.hpp"
#include "ehr/abi_support/text.hpp"
#include "ehr/common.h"
#include "ehr/host/host_types.hpp"
#include "ehr/host/principal.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host::detail {

using abi_support::as_view;
using abi_support::make_struct;
using abi_support::read_array;
using abi_support::read_struct;
using abi_support::view;

inline std::string copy(ehr_str text) {
  return abi_support::to_string(text);
}

// An ehr_error allocated by the SDK; its release frees it. NULL if allocation fails.
inline ehr_error* make_error(const Status& status) {
  return abi_support::make_error(status.code(), status.message(), status.field(), status.deny_reason());
}

// Writes a failure into an optional out-parameter and returns its code.
inline ehr_status report(const Status& status, ehr_error** out_error) {
  if (out_error != nullptr && !status.is_ok()) *out_error = make_error(status);
  return status.code();
}

inline ehr_principal to_c(const Principal& principal) {
  return abi_support::make_principal(static_cast<ehr_principal_kind>(principal.kind), principal.id);
}

// Reads a principal the plugin wrote (a member of a bigger struct, so sized on its own).
Principal from_c(const ehr_principal& principal);

// An audit record as the ABI carries it; its views point into `event`.
inline ehr_audit_event to_c(const AuditEvent& event) {
  auto out = make_struct<ehr_audit_event>(EHR_STRUCT_AUDIT_EVENT);
  out.sequence = event.sequence;
  out.at_unix_ms = event.at_unix_ms;
  out.actor = to_c(event.actor);
  out.action = view(event.action);
  out.patient_id = view(event.patient_id);
  out.target = view(event.target);
  out.outcome = view(event.outcome);
  out.detail = view(event.detail);
  out.hash = view(event.hash);
  return out;
}

// Reads an audit record the plugin wrote (already size-checked by the caller).
AuditEvent from_c(const ehr_audit_event& event);

// Releases an error out-parameter when it leaves scope, unless taken.
class ErrorSlot {
 public:
  ErrorSlot() = default;
  ErrorSlot(const ErrorSlot&) = delete;
  ErrorSlot& operator=(const ErrorSlot&) = delete;
  ~ErrorSlot() { ehr_error_free(error_); }
  ehr_error** out() { return &error_; }
  // The status for `code`, taking the error.
  Status status(ehr_status code) {
    ehr_error* error = error_;
    error_ = nullptr;
    return Status::from_c(code, error);
  }

 private:
  ehr_error* error_ = nullptr;
};

}  // namespace ehr::host::detail
