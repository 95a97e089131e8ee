#include "command_line.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ehr::sample::cli {

void usage_error(const std::string& message) {
  throw CommandError(kExitUsage, message, "usage");
}

std::int64_t positive_id(const std::string& text, std::string_view what, std::string_view kind) {
  std::size_t used = 0;
  long long id = 0;
  try {
    id = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || id <= 0) {
    usage_error(std::string(what) + " must be " + std::string(kind) + ", not '" + text + "'");
  }
  return id;
}

CommandLine::CommandLine(std::string usage, std::vector<std::string> args)
    : usage_(std::move(usage)), args_(std::move(args)) {}

std::optional<std::string> CommandLine::option(std::string_view name) {
  std::vector<std::string> values = options(name);
  if (values.empty()) return std::nullopt;
  return values.back();
}

std::vector<std::string> CommandLine::options(std::string_view name) {
  std::vector<std::string> values;
  const std::string prefix = std::string(name) + "=";
  for (std::size_t i = 0; i < args_.size();) {
    if (args_[i] == name) {
      if (i + 1 >= args_.size()) usage_error(std::string(name) + " needs a value\nusage: " + usage_);
      values.push_back(args_[i + 1]);
      args_.erase(args_.begin() + static_cast<std::ptrdiff_t>(i),
                  args_.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (args_[i].starts_with(prefix)) {
      values.push_back(args_[i].substr(prefix.size()));
      args_.erase(args_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return values;
}

std::string CommandLine::required_option(std::string_view name) {
  std::optional<std::string> value = option(name);
  if (!value || value->empty()) usage_error(std::string(name) + " is required\nusage: " + usage_);
  return *value;
}

bool CommandLine::flag(std::string_view name) {
  const auto end = std::remove(args_.begin(), args_.end(), name);
  const bool found = end != args_.end();
  args_.erase(end, args_.end());
  return found;
}

std::vector<std::string> CommandLine::positionals() {
  for (const std::string& arg : args_) {
    if (arg.starts_with("--")) usage_error("unknown option " + arg + "\nusage: " + usage_);
  }
  return std::exchange(args_, {});
}

std::string CommandLine::single_positional(std::string_view what) {
  std::vector<std::string> rest = positionals();
  if (rest.empty()) usage_error("missing " + std::string(what) + "\nusage: " + usage_);
  if (rest.size() > 1) usage_error("unexpected argument '" + rest[1] + "'\nusage: " + usage_);
  return rest.front();
}

void CommandLine::no_positionals() {
  std::vector<std::string> rest = positionals();
  if (!rest.empty()) usage_error("unexpected argument '" + rest.front() + "'\nusage: " + usage_);
}

std::vector<std::string> CommandLine::remaining() {
  return std::exchange(args_, {});
}

}  // namespace ehr::sample::cli
