#include "messaging/message_text.hpp"

#include <optional>
#include <string>

#include "common/error.hpp"
#include "ehr/abi_support/text.hpp"

namespace ehr::portal {
namespace {

[[noreturn]] void refuse(std::string_view field, const std::string& why) {
  throw Error(EHR_STATUS_INVALID_ARGUMENT, std::string(field) + " " + why, std::string(field));
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::size_t count_characters(std::string_view text, std::string_view field) {
  const std::optional<std::size_t> characters = ehr::abi_support::utf8_length(text);
  if (!characters) refuse(field, "is not valid UTF-8 text");
  // In valid UTF-8 every byte below 0x80 is a character of its own, so bytes are enough here.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      refuse(field,
             "holds a control character at byte " + std::to_string(i) + "; only plain text is allowed");
    }
  }
  return *characters;
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

}  // namespace ehr::portal
