// What a message's text must be (R-CONV-1): valid UTF-8 inert text (R-SEC-1), not blank, and within the
// size limit in characters (code points, not bytes). Bad text is refused, never truncated.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/utf8.hpp"

namespace ehr::portal {

inline constexpr std::size_t kMaxSubjectCharacters = 200;

// Characters (Unicode code points) in `text`. Throws Error(EHR_STATUS_INVALID_ARGUMENT) naming
// `field` when the text breaks R-SEC-1 (common/utf8.hpp): not UTF-8, or not inert.
std::size_t count_characters(std::string_view text, std::string_view field, TextLines lines);

// Throws Error(EHR_STATUS_INVALID_ARGUMENT, field "body") when the body is invalid, blank or
// longer than max_characters.
void validate_body(std::string_view body, std::size_t max_characters);

// The subject is optional; when given it follows the body's rules with its own limit.
void validate_subject(std::string_view subject);

}  // namespace ehr::portal
