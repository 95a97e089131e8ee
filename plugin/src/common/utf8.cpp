#include "common/utf8.hpp"

#include <cstdio>

namespace ehr::portal {
namespace {

// The code point starting at text[i] and its length in bytes, or nullopt when the bytes there
// are not valid UTF-8.
struct CodePoint {
  char32_t code = 0;
  std::size_t bytes = 0;
};

std::optional<CodePoint> decode_at(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t extra = 0;
  char32_t code = 0;
  if (lead < 0x80) {
    code = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    code = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    code = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    code = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (i + extra >= text.size()) return std::nullopt;  // truncated sequence
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (next & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
  return CodePoint{code, extra + 1};
}

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

std::optional<size_t> utf8_length(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    const std::optional<CodePoint> point = decode_at(text, i);
    if (!point) return std::nullopt;
    i += point->bytes;
  }
  return count;
}

std::optional<TextFault> find_text_fault(std::string_view text, TextLines lines) {
  for (std::size_t i = 0; i < text.size();) {
    const std::optional<CodePoint> point = decode_at(text, i);
    if (!point) return TextFault{i, "is not valid UTF-8 text"};
    if (!is_inert(point->code, lines)) {
      const bool bidi = point->code >= 0x2000;
      return TextFault{
          i,
          std::string(bidi ? "holds the bidirectional control character " : "holds the control character ") +
              code_point_name(point->code) + " at byte " + std::to_string(i) +
              (lines == TextLines::single ? "; a single line of plain text is expected"
                                          : "; only plain text, line breaks (LF) and tabs are allowed")};
    }
    i += point->bytes;
  }
  return std::nullopt;
}

}  // namespace ehr::portal
