#include "messaging/message_text.hpp"

#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/utf8.hpp"
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

std::size_t count_characters(std::string_view text, std::string_view field, TextLines lines) {
  if (const std::optional<TextFault> fault = find_text_fault(text, lines)) refuse(field, fault->what);
  return *utf8_length(text);
}

void validate_body(std::string_view body, std::size_t max_characters) {
  const std::size_t characters = count_characters(body, "body", TextLines::multi);
  if (is_blank(body)) refuse("body", "is empty; write a message");
  if (characters > max_characters) {
    refuse("body", "is " + std::to_string(characters) + " characters long; the limit is " +
                       std::to_string(max_characters) + " characters");
  }
}

void validate_subject(std::string_view subject) {
  const std::size_t characters = count_characters(subject, "subject", TextLines::single);
  if (characters > kMaxSubjectCharacters) {
    refuse("subject", "is " + std::to_string(characters) + " characters long; the limit is " +
                          std::to_string(kMaxSubjectCharacters) + " characters");
  }
}

}  // namespace ehr::portal
