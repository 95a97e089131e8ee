// ehr_str conversions and UTF-8 checking, shared by every C++ side of the C ABI (internal,
// header-only). ABI strings are UTF-8 by contract; one decoder decides what that means.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ehr/common.h"

namespace ehr::abi_support {

// A view of `text`, valid while it lives.
[[nodiscard]] inline ehr_str view(std::string_view text) noexcept {
  return ehr_str{text.data(), text.size()};
}

// A view of an ehr_str that may be {NULL, 0}.
[[nodiscard]] inline std::string_view as_view(ehr_str text) noexcept {
  return text.data != nullptr ? std::string_view(text.data, text.size) : std::string_view();
}

// A copy of an ehr_str that may be {NULL, 0}.
[[nodiscard]] inline std::string to_string(ehr_str text) {
  return std::string(as_view(text));
}

// One code point decoded from well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF): its value and its length in bytes; bytes is 0 when text[at] does not
// start such a sequence.
struct Utf8CodePoint {
  char32_t code = 0;
  std::size_t bytes = 0;
};

[[nodiscard]] inline Utf8CodePoint decode_utf8_at(std::string_view text, std::size_t at) noexcept {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t extra = 0;
  char32_t code = 0;
  if (lead < 0x80) return Utf8CodePoint{lead, 1};
  if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    code = lead & 0x07;
  } else {
    return {};
  }
  if (at + extra >= text.size()) return {};  // truncated sequence
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[at + k]);
    if ((next & 0xC0) != 0x80) return {};
    code = (code << 6) | (next & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return Utf8CodePoint{code, extra + 1};
}

// The length in bytes of the well-formed UTF-8 sequence at text[at], or 0 when it is not one.
[[nodiscard]] inline std::size_t utf8_sequence_length(std::string_view text, std::size_t at) noexcept {
  return decode_utf8_at(text, at).bytes;
}

// The offset of the first byte that is not part of well-formed UTF-8, or npos when all is.
[[nodiscard]] inline std::size_t first_invalid_utf8(std::string_view text) noexcept {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

// The number of characters (code points) in UTF-8 text, or nullopt when it is not valid UTF-8.
[[nodiscard]] inline std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (std::size_t at = 0; at < text.size(); ++count) {
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) return std::nullopt;
    at += length;
  }
  return count;
}

}  // namespace ehr::abi_support
