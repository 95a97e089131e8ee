// Untrusted text on a terminal (R-SEC-1): what the reference host prints passes through here, so
// that text from a portal user, a practice file or a plugin cannot move the cursor, forge a line
// (CR), inject terminal commands (ESC, U+009B CSI) or reorder what is shown (bidi controls).
#pragma once

#include <string>
#include <string_view>

namespace ehr::sample {

// `text` with every character that is not inert made visible as an escape: CR as \r, other C0
// controls and DEL as \xNN, C1 controls and bidi embedding/override/isolate characters as \uNNNN,
// bytes that are not UTF-8 as \xNN. LF and TAB stay (bodies are multi-line).
[[nodiscard]] std::string visible_controls(std::string_view text);

// A JSON document from nlohmann::json::dump with DEL, C1 controls and bidi characters written as
// \uNNNN escapes (dump escapes the C0 controls itself): the same JSON value, safe on a terminal.
[[nodiscard]] std::string json_without_raw_controls(std::string_view json);

// C0 and C1 controls, DEL, bidi embedding/override/isolate characters: what must not reach a
// terminal raw (LF and TAB included: single-line text holds none).
[[nodiscard]] bool is_control_character(char32_t code);

// Where single-line text (a name, an id) holds its first character visible_controls would escape,
// or LF or TAB; npos when none.
[[nodiscard]] std::size_t first_control(std::string_view single_line);

}  // namespace ehr::sample
