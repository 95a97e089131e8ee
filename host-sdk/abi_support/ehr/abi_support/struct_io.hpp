// Reading and making the C ABI's size-prefixed structs (DESIGN rule 3), for every C++ side of the
// boundary: the plugin, the host SDK, the host C API and the tests. Header-only and internal: it is
// never installed and promises nothing across a shared-object boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace ehr::abi_support {

// The byte size of `type` up to and including `member`: what a reader requires to be present.
#define EHR_SIZE_THROUGH(type, member) (offsetof(type, member) + sizeof(static_cast<type*>(nullptr)->member))

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
