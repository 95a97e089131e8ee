#include "common/utf8.hpp"

#include <cstdio>

#include "ehr/abi_support/text.hpp"

namespace ehr::portal {
namespace {

bool is_inert(char32_t code, TextLines lines) {
  if (code == '\n' || code == '\t') return lines == TextLines::multi;
  if (code < 0x20 || (code >= 0x7F && code <= 0x9F)) return false;
  if (code >= 0x202A && code <= 0x202E) return false;
  if (code >= 0x2066 && code <= 0x2069) return false;
  return true;
}

std::string code_point_name(char32_t code) {
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(code));
  return name;
}

}  // namespace

std::optional<TextFault> find_text_fault(std::string_view text, TextLines lines) {
  for (std::size_t i = 0; i < text.size();) {
    const abi_support::Utf8CodePoint point = abi_support::decode_utf8_at(text, i);
    if (point.bytes == 0) return TextFault{i, "is not valid UTF-8 text"};
    if (!is_inert(point.code, lines)) {
      const bool bidi = point.code >= 0x2000;
      return TextFault{
          i,
          std::string(bidi ? "holds the bidirectional control character " : "holds the control character ") +
              code_point_name(point.code) + " at byte " + std::to_string(i) +
              (lines == TextLines::single ? "; a single line of plain text is expected"
                                          : "; only plain text, line breaks (LF) and tabs are allowed")};
    }
    i += point.bytes;
  }
  return std::nullopt;
}

}  // namespace ehr::portal
