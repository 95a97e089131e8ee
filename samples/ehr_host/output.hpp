// How a command answers: for a person (text), or for a machine (--json, one JSON document on
// stdout). Reasons for failures always go to stderr; see main.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ehr::sample::cli {

class Output {
 public:
  explicit Output(bool json) : json_(json) {}
  [[nodiscard]] bool json() const { return json_; }

  // With --json prints `data`; otherwise calls `text` to write what a person reads.
  void emit(const nlohmann::ordered_json& data, const std::function<void(std::ostream&)>& text) const;

 private:
  bool json_;
};

// "on"/"off" check boxes and toggles as a person sees them on a page.
[[nodiscard]] const char* check_box(bool checked);
[[nodiscard]] const char* toggle(bool on);
// Writes each line of `text` after `prefix` (bodies and notification texts are multi-line).
void print_indented(std::ostream& out, std::string_view text, std::string_view prefix);
// The candidates nearest to a mistyped `word` by edit distance (Levenshtein), when near enough to
// be what was meant; in the candidates' order. Empty when none is.
[[nodiscard]] std::vector<std::string> nearest(std::string_view word,
                                               const std::vector<std::string>& candidates);
// "; did you mean 'a' or 'b'?" for nearest(), else "; the choices are a, b, c" (empty if none).
[[nodiscard]] std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);
// ISO 8601 UTC, e.g. 2026-11-25T15:04:05Z.
[[nodiscard]] std::string format_time(std::int64_t unix_ms);

}  // namespace ehr::sample::cli
