#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ehr::portal {

// The number of characters (code points) in UTF-8 text, or nullopt when the text is not valid
// UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid).
[[nodiscard]] std::optional<size_t> utf8_length(std::string_view text);

}  // namespace ehr::portal
