// Building the ehr_error a side reports (internal, header-only). The struct and both strings live
// in one allocation, so its release is a single free() of the side that made it (each shared
// object gets its own copy of release_error: whoever allocates provides the free function).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

#include "ehr/abi_support/struct_io.hpp"
#include "ehr/common.h"

namespace ehr::abi_support {

inline void release_error(ehr_error* error) {
  std::free(error);
}

// NULL when memory runs out (the status still reports the failure).
[[nodiscard]] inline ehr_error* make_error(ehr_status code, std::string_view message,
                                           std::string_view field = {}, std::uint32_t reason = 0) noexcept {
  const std::size_t total = sizeof(ehr_error) + message.size() + 1 + field.size() + 1;
  void* memory = std::malloc(total);
  if (memory == nullptr) return nullptr;
  auto* error = new (memory) ehr_error(make_struct<ehr_error>(EHR_STRUCT_ERROR));
  char* message_text = static_cast<char*>(memory) + sizeof(ehr_error);
  if (!message.empty()) std::memcpy(message_text, message.data(), message.size());
  message_text[message.size()] = '\0';
  char* field_text = message_text + message.size() + 1;
  if (!field.empty()) std::memcpy(field_text, field.data(), field.size());
  field_text[field.size()] = '\0';
  error->code = code;
  error->reason = reason;
  error->message = ehr_str{message_text, message.size()};
  error->field = ehr_str{field_text, field.size()};
  error->release = release_error;
  return error;
}

// Sets *out_error (when the caller asked for details and `code` is a failure); returns `code`.
inline ehr_status report(ehr_error** out_error, ehr_status code, std::string_view message,
                         std::string_view field = {}, std::uint32_t reason = 0) noexcept {
  if (out_error != nullptr && code != EHR_STATUS_OK) *out_error = make_error(code, message, field, reason);
  return code;
}

}  // namespace ehr::abi_support
