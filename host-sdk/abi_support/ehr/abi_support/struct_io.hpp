// Reading and making the C ABI's size-prefixed structs (DESIGN rule 3), for every C++ side of the
// boundary: the plugin, the host SDK, the host C API and the tests. Header-only and internal: it is
// never installed and promises nothing across a shared-object boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "ehr/common.h"  // EHR_SIZE_THROUGH: the size a reader requires

namespace ehr::abi_support {

// Reads a struct the other side wrote, which may be older (smaller) or newer (larger) than ours:
// zero-fills `out`, copies min(struct_size, sizeof). False when `in` is NULL, carries another
// struct_type, or lacks the members we require.
template <class T>
[[nodiscard]] bool read_struct(const T* in, std::uint32_t expected_type, std::size_t required_size, T& out) {
  std::memset(static_cast<void*>(&out), 0, sizeof(T));
  if (in == nullptr || in->struct_type != expected_type || in->struct_size < required_size) return false;
  std::memcpy(static_cast<void*>(&out), static_cast<const void*>(in),
              in->struct_size < sizeof(T) ? in->struct_size : sizeof(T));
  return true;
}

// The same, as a value: nullopt where read_struct answers false.
template <class T>
[[nodiscard]] std::optional<T> copy_struct(const T* in, std::uint32_t expected_type,
                                           std::size_t required_size) {
  T out;
  if (!read_struct(in, expected_type, required_size, out)) return std::nullopt;
  return out;
}

// Reads an array of structs the other side wrote, stepping by each element's own struct_size
// (common.h), so its elements may be older or newer than ours. False, with the first bad
// element's index, when read_struct refuses one or its size would misalign the next.
template <class T>
[[nodiscard]] bool read_array(const T* first, std::size_t count, std::uint32_t expected_type,
                              std::size_t required_size, std::vector<T>& out, std::size_t& bad_index) {
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

// read_array as a value: nullopt (and the first bad element's index) where it answers false; a
// NULL array with a count is refused at element 0.
template <class T>
[[nodiscard]] std::optional<std::vector<T>> copy_array(const T* first, std::size_t count,
                                                       std::uint32_t expected_type, std::size_t required_size,
                                                       std::size_t* bad_index = nullptr) {
  std::vector<T> out;
  std::size_t bad = 0;
  if ((count > 0 && first == nullptr) || !read_array(first, count, expected_type, required_size, out, bad)) {
    if (bad_index != nullptr) *bad_index = bad;
    return std::nullopt;
  }
  return out;
}

// A struct we hand to the other side: zeroed, tagged, sized.
template <class T>
[[nodiscard]] T make_struct(std::uint32_t type) {
  T value;
  std::memset(static_cast<void*>(&value), 0, sizeof(T));
  value.struct_type = type;
  value.struct_size = static_cast<std::uint32_t>(sizeof(T));
  return value;
}

}  // namespace ehr::abi_support
