#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

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

// Copies an array of ABI structs the other side wrote, stepping by each element's own struct_size
// (common.h), so elements may be older (smaller) or newer (larger) than ours, even within one
// array. Refuses an element that copy_struct refuses or whose size would misalign the next one,
// and then says which through `bad_index`.
template <typename T>
[[nodiscard]] std::optional<std::vector<T>> copy_array(const T* first, size_t count, uint32_t struct_type,
                                                       size_t required_size, size_t* bad_index = nullptr) {
  std::vector<T> copies;
  if (count > 0 && first == nullptr) {
    if (bad_index != nullptr) *bad_index = 0;
    return std::nullopt;
  }
  copies.reserve(count);
  const auto* cursor = reinterpret_cast<const unsigned char*>(first);
  for (size_t i = 0; i < count; ++i) {
    const auto* element = reinterpret_cast<const T*>(cursor);
    auto copy = copy_struct(element, struct_type, required_size);
    if (!copy || element->struct_size % alignof(T) != 0) {
      if (bad_index != nullptr) *bad_index = i;
      return std::nullopt;
    }
    copies.push_back(*copy);
    cursor += element->struct_size;
  }
  return copies;
}

}  // namespace ehr::portal
