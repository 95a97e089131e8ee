#include "output.hpp"

#include <algorithm>
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

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
  // A third of the word may be wrong (at least two letters): "audiance", "my_mesages", "eneble".
  std::size_t best = std::max<std::size_t>(2, word.size() / 3);
  std::vector<std::string> found;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance > best) continue;
    if (distance < best) found.clear();
    best = distance;
    found.push_back(candidate);
  }
  return found;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::vector<std::string> near = nearest(word, candidates);
  const std::vector<std::string>& shown = near.empty() ? candidates : near;
  if (shown.empty()) return "";
  std::string text = near.empty() ? "; the choices are " : "; did you mean ";
  for (std::size_t i = 0; i < shown.size(); ++i) {
    if (i > 0) text += near.empty() ? ", " : (i + 1 == shown.size() ? " or " : ", ");
    text += near.empty() ? shown[i] : "'" + shown[i] + "'";
  }
  return text + (near.empty() ? "" : "?");
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
