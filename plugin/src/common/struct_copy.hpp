#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "ehr/common.h"  // EHR_SIZE_THROUGH, for copy_struct's required_size

namespace ehr::portal {

// Reads a size-prefixed ABI struct the other side wrote (DESIGN rule 3): zero-fills our copy,
// copies min(struct_size, sizeof), and refuses one too small to hold the members we require
// (`required_size` is usually offsetof(last required member) + its size) or of the wrong type.
template <typename T>
[[nodiscard]] std::optional<T> copy_struct(const T* source, uint32_t struct_type, size_t required_size) {
  if (source == nullptr || source->struct_type != struct_type || source->struct_size < required_size) {
    return std::nullopt;
  }
  T copy{};
  std::memcpy(&copy, source, std::min<size_t>(source->struct_size, sizeof(T)));
  return copy;
}

}  // namespace ehr::portal
