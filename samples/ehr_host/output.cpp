#include "output.hpp"

#include <ctime>
#include <iostream>
#include <sstream>

#include "visible_text.hpp"

namespace ehr::sample::cli {

void Output::emit(const nlohmann::ordered_json& data, const std::function<void(std::ostream&)>& text) const {
  // Every answer carries untrusted text (subjects, bodies, names, ids someone typed): it reaches
  // the terminal only through visible_text.hpp.
  if (json_) {
    std::cout << json_without_raw_controls(data.dump(2)) << '\n';
  } else {
    std::ostringstream answer;
    text(answer);
    std::cout << visible_controls(answer.str());
  }
  std::cout.flush();
}

const char* check_box(bool checked) {
  return checked ? "[x]" : "[ ]";
}

const char* toggle(bool on) {
  return on ? "(on )" : "(off)";
}

void print_indented(std::ostream& out, std::string_view text, std::string_view prefix) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    out << prefix << text.substr(0, end) << '\n';
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

std::string format_time(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace ehr::sample::cli
