#include "messaging/message_text.hpp"

#include <cstdint>
#include <string>

#include "common/error.hpp"

namespace ehr::portal {
namespace {

[[noreturn]] void refuse(std::string_view field, const std::string& why) {
  throw Error(EHR_STATUS_INVALID_ARGUMENT, std::string(field) + " " + why, std::string(field));
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

std::size_t count_characters(std::string_view text, std::string_view field) {
  std::size_t characters = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      refuse(field, "is not valid UTF-8 (bad byte at offset " + std::to_string(i) + ")");
    }
    if (i + length > text.size()) refuse(field, "is not valid UTF-8 (cut short at the end)");
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        refuse(field, "is not valid UTF-8 (bad byte at offset " + std::to_string(i + k) + ")");
      }
      code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kSmallestOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestOfLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      refuse(field, "is not valid UTF-8 (invalid sequence at offset " + std::to_string(i) + ")");
    }
    if ((code_point < 0x20 && code_point != '\t' && code_point != '\n' && code_point != '\r') ||
        code_point == 0x7F) {
      refuse(field, "holds a control character at offset " + std::to_string(i) + "; only plain text is allowed");
    }
    i += length;
    ++characters;
  }
  return characters;
}

void validate_body(std::string_view body, std::size_t max_characters) {
  const std::size_t characters = count_characters(body, "body");
  if (is_blank(body)) refuse("body", "is empty; write a message");
  if (characters > max_characters) {
    refuse("body", "is " + std::to_string(characters) + " characters long; the limit is " +
                       std::to_string(max_characters) + " characters");
  }
}

void validate_subject(std::string_view subject) {
  const std::size_t characters = count_characters(subject, "subject");
  if (characters > kMaxSubjectCharacters) {
    refuse("subject", "is " + std::to_string(characters) + " characters long; the limit is " +
                          std::to_string(kMaxSubjectCharacters) + " characters");
  }
}

} // namespace ehr::portal
