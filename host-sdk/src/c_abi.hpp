// Helpers for reading and writing the C ABI's structs safely (DESIGN rule 3: zero-fill, copy
// min(size, sizeof), check the required members fit) and for SDK-allocated ehr_error objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ehr/common.h"
#include "ehr/host/host_types.hpp"
#include "ehr/host/principal.hpp"
#include "ehr/host/status.hpp"

namespace ehr::host::detail {

inline ehr_str view(std::string_view text) {
  return ehr_str{text.data(), text.size()};
}

inline std::string copy(ehr_str text) {
  if (text.data == nullptr || text.size == 0) return {};
  return std::string(text.data, text.size);
}

inline std::string_view as_view(ehr_str text) {
  if (text.data == nullptr) return {};
  return std::string_view(text.data, text.size);
}

// Reads a struct the other side wrote, which may be older (smaller) or newer (larger) than ours.
// False when `in` is NULL, carries another struct_type, or lacks the members we require.
template <class T>
bool read_struct(const T* in, std::uint32_t expected_type, std::size_t required_size, T& out) {
  std::memset(static_cast<void*>(&out), 0, sizeof(T));
  if (in == nullptr) return false;
  if (in->struct_type != expected_type || in->struct_size < required_size) return false;
  std::memcpy(static_cast<void*>(&out), static_cast<const void*>(in),
              in->struct_size < sizeof(T) ? in->struct_size : sizeof(T));
  return true;
}

// Reads an array of structs the other side wrote, stepping by each element's own struct_size
// (common.h), so its elements may be older or newer than ours. False, with the first bad
// element's index, when read_struct refuses one or its size would misalign the next.
template <class T>
bool read_array(const T* first, std::size_t count, std::uint32_t expected_type, std::size_t required_size,
                std::vector<T>& out, std::size_t& bad_index) {
  out.clear();
  const auto* cursor = reinterpret_cast<const unsigned char*>(first);
  for (std::size_t i = 0; i < count; ++i) {
    const auto* element = reinterpret_cast<const T*>(cursor);
    T copy;
    if (!read_struct(element, expected_type, required_size, copy) || element->struct_size % alignof(T) != 0) {
      bad_index = i;
      return false;
    }
    out.push_back(copy);
    cursor += element->struct_size;
  }
  return true;
}

// A struct we hand to the other side: zeroed, tagged, sized.
template <class T>
T make_struct(std::uint32_t type) {
  T value;
  std::memset(static_cast<void*>(&value), 0, sizeof(T));
  value.struct_type = type;
  value.struct_size = static_cast<std::uint32_t>(sizeof(T));
  return value;
}

// An ehr_error allocated by the SDK; its release frees it. NULL if allocation fails.
ehr_error* make_error(const Status& status);

// Writes a failure into an optional out-parameter and returns its code.
inline ehr_status report(const Status& status, ehr_error** out_error) {
  if (out_error != nullptr && !status.is_ok()) *out_error = make_error(status);
  return status.code();
}

inline ehr_principal to_c(const Principal& principal) {
  auto out = make_struct<ehr_principal>(EHR_STRUCT_PRINCIPAL);
  out.kind = static_cast<ehr_principal_kind>(principal.kind);
  out.id = view(principal.id);
  return out;
}

// Reads a principal the plugin wrote (a member of a bigger struct, so sized on its own).
Principal from_c(const ehr_principal& principal);

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
