// Message bodies (R-CONV-1): arbitrary bytes are either accepted as valid UTF-8 plain text within
// the limit or refused with INVALID_ARGUMENT naming the field. Checked against an independent
// strict decoder written here, so the validator cannot quietly accept what it should refuse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "common/error.hpp"
#include "ehr/abi_support/text.hpp"
#include "messaging/message_text.hpp"

namespace {

// Code points of strictly valid UTF-8 (RFC 3629), or nullopt.
std::optional<std::size_t> reference_length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b0 < 0x80) {
      n = 1;
      cp = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 2;
      cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      n = 3;
      cp = b0 & 0x0Fu;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      n = 4;
      cp = b0 & 0x07u;
    } else {
      return std::nullopt;
    }
    if (i + n > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0u) != 0x80u) return std::nullopt;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF) return std::nullopt;
    if (cp >= 0xD800 && cp <= 0xDFFF) return std::nullopt;
    i += n;
    ++count;
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks a limit, so both "too long" and "fits" are reached with small inputs.
  const std::size_t limit = 1 + data[0] % 64;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto expected = reference_length(body);
  if (ehr::abi_support::utf8_length(body) != expected) std::abort();

  bool accepted = true;
  try {
    ehr::portal::validate_body(body, limit);
  } catch (const ehr::portal::Error& e) {
    accepted = false;
    if (e.code() != EHR_STATUS_INVALID_ARGUMENT || e.field() != "body") std::abort();
  }
  if (accepted) {
    if (!expected || *expected > limit || *expected == 0) std::abort();
    if (ehr::portal::count_characters(body, "body", ehr::portal::TextLines::multi) != *expected) std::abort();
  } else if (expected && *expected <= limit && *expected > 0) {
    // Refused though valid and within the limit: only blank text or a character R-SEC-1 refuses
    // (C0 but LF and TAB, DEL, C1, bidi embedding/override/isolate) may be.
    bool blank = true;
    bool control = false;
    for (unsigned char c : body) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') blank = false;
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) control = true;
    }
    for (std::size_t i = 0; i + 1 < body.size(); ++i) {
      const auto a = static_cast<unsigned char>(body[i]);
      const auto b = static_cast<unsigned char>(body[i + 1]);
      if (a == 0xC2 && b >= 0x80 && b <= 0x9F) control = true;
      if (i + 2 < body.size() && a == 0xE2) {
        const auto c = static_cast<unsigned char>(body[i + 2]);
        if ((b == 0x80 && c >= 0xAA && c <= 0xAE) || (b == 0x81 && c >= 0xA6 && c <= 0xA9)) control = true;
      }
    }
    if (!blank && !control) std::abort();
  }
  return 0;
}
