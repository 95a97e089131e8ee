// Parsing one command's arguments, and the error a command raises to stop with a reason.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ehr::sample::cli {

// Exit codes of ehr-host (docs/admins.md lists them).
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,     // something failed (storage, a plugin that does not load, ...)
  kExitUsage = 2,     // the command line is wrong
  kExitRefused = 3,   // the plugin or the host refused: forbidden, messaging not allowed, bad value
  kExitNotFound = 4,  // an unknown user, patient, location, plugin, thread, role
};

// Stops the command: main prints `message` on stderr (and, with --json, an error object on
// stdout) and exits with `exit_code`.
class CommandError : public std::runtime_error {
 public:
  CommandError(int exit_code, std::string message, std::string status = {}, std::string field = {},
               std::string reason = {})
      : std::runtime_error(std::move(message)),
        exit_code_(exit_code),
        status_(std::move(status)),
        field_(std::move(field)),
        reason_(std::move(reason)) {}
  [[nodiscard]] int exit_code() const { return exit_code_; }
  [[nodiscard]] const std::string& status() const { return status_; }  // e.g. "forbidden"; may be empty
  [[nodiscard]] const std::string& field() const { return field_; }
  // Why messaging was refused (e.g. "not_on_care_team"); empty otherwise.
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  int exit_code_;
  std::string status_;
  std::string field_;
  std::string reason_;
};

[[noreturn]] void usage_error(const std::string& message);

// A thread's, a delivery's, ... number: a whole number above 0, else a usage error saying
// "`what` must be `kind`, not 'TEXT'" (e.g. "THREAD must be a thread number").
[[nodiscard]] std::int64_t positive_id(const std::string& text, std::string_view what, std::string_view kind);

// The arguments after `ehr-host GROUP COMMAND`. Options are taken out by name; what remains must
// be positional, so a misspelt option is an error rather than silently ignored.
class CommandLine {
 public:
  CommandLine(std::string usage, std::vector<std::string> args);

  // `--name VALUE` or `--name=VALUE`; the last one wins.
  std::optional<std::string> option(std::string_view name);
  // Every `--name VALUE` given, in order.
  std::vector<std::string> options(std::string_view name);
  std::string required_option(std::string_view name);
  bool flag(std::string_view name);
  // What is left, in order; refuses any leftover --option.
  std::vector<std::string> positionals();
  // Exactly one positional argument, called `what` in the error.
  std::string single_positional(std::string_view what);
  void no_positionals();
  // Everything not taken yet, options included (for handing on to a sub-command).
  std::vector<std::string> remaining();

  [[nodiscard]] const std::string& usage() const { return usage_; }

 private:
  std::string usage_;
  std::vector<std::string> args_;
};

}  // namespace ehr::sample::cli
