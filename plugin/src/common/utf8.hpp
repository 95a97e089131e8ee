#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ehr/abi_support/text.hpp"

namespace ehr::portal {

// UTF-8 itself is decoded in one place for every side of the ABI (ehr/abi_support/text.hpp).
using abi_support::utf8_length;

// R-SEC-1, the one rule for what text crossing the ABI may hold, so that it stays inert wherever
// it is shown. Multi-line text (bodies, template texts) may hold LF and TAB; single-line text
// (subjects, names, single-line template fields) no control character at all. Neither may hold
// CR (it forges lines on a terminal), other C0 controls, DEL, C1 controls (U+0080-U+009F, e.g.
// U+009B CSI) or the bidi embedding, override and isolate characters (U+202A-U+202E,
// U+2066-U+2069), which reorder what a reader sees.
enum class TextLines { single, multi };

struct TextFault {
  std::size_t byte = 0;  // where the offending character starts
  std::string what;      // e.g. "is not valid UTF-8 text", "holds the control character U+001B"
};

// The first place `text` breaks the rule, or nullopt when it is inert.
[[nodiscard]] std::optional<TextFault> find_text_fault(std::string_view text, TextLines lines);

}  // namespace ehr::portal
