#include "visible_text.hpp"

#include <cstdio>
#include <optional>

namespace ehr::sample {
namespace {

struct CodePoint {
  char32_t code = 0;
  std::size_t bytes = 0;
};

// The UTF-8 code point at text[i], or nullopt for bytes that are not one.
std::optional<CodePoint> decode_at(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return CodePoint{lead, 1};
  std::size_t extra = 0;
  char32_t code = 0;
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
    return std::nullopt;
  }
  if (i + extra >= text.size()) return std::nullopt;
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (next & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
  return CodePoint{code, extra + 1};
}

std::string escape(const char* format, unsigned value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

bool is_control_character(char32_t code) {
  return code < 0x20 || (code >= 0x7F && code <= 0x9F) || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069);
}

std::string visible_controls(std::string_view text) {
  std::string shown;
  shown.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::optional<CodePoint> point = decode_at(text, i);
    if (!point) {
      shown += escape("\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const char32_t code = point->code;
    if (code == '\n' || code == '\t' || !is_control_character(code)) {
      shown.append(text.substr(i, point->bytes));
    } else if (code == '\r') {
      shown += "\\r";
    } else if (code < 0x80) {
      shown += escape("\\x%02x", static_cast<unsigned>(code));
    } else {
      shown += escape("\\u%04x", static_cast<unsigned>(code));
    }
    i += point->bytes;
  }
  return shown;
}

std::string json_without_raw_controls(std::string_view json) {
  std::string safe;
  safe.reserve(json.size());
  for (std::size_t i = 0; i < json.size();) {
    const std::optional<CodePoint> point = decode_at(json, i);
    const std::size_t bytes = point ? point->bytes : 1;
    // Outside strings JSON holds only ASCII punctuation and whitespace, so any control found here
    // is inside a string, where \uNNNN means the same character.
    if (point && point->code >= 0x7F && is_control_character(point->code)) {
      safe += escape("\\u%04x", static_cast<unsigned>(point->code));
    } else {
      safe.append(json.substr(i, bytes));
    }
    i += bytes;
  }
  return safe;
}

std::size_t first_control(std::string_view single_line) {
  for (std::size_t i = 0; i < single_line.size();) {
    const std::optional<CodePoint> point = decode_at(single_line, i);
    if (!point || is_control_character(point->code)) return i;
    i += point->bytes;
  }
  return std::string_view::npos;
}

}  // namespace ehr::sample
