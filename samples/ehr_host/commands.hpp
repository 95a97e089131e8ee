// The command groups of ehr-host, one file each (plugins_commands.cpp, settings_commands.cpp, ...).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "command_line.hpp"
#include "output.hpp"
#include "sample_host.hpp"

namespace ehr::sample::cli {

// What every command gets: the output mode, and the host, started on first use.
class Context {
 public:
  Context(HostPaths paths, bool json, ehr::host::LogLevel log_threshold)
      : paths_(std::move(paths)), out_(json), log_threshold_(log_threshold) {}

  [[nodiscard]] const Output& out() const { return out_; }
  SampleHost& host() {
    if (!host_) host_ = std::make_unique<SampleHost>(paths_, log_threshold_);
    return *host_;
  }

 private:
  HostPaths paths_;
  Output out_;
  ehr::host::LogLevel log_threshold_;
  std::unique_ptr<SampleHost> host_;
};

struct Command {
  std::string_view name;
  std::string_view usage;  // after "ehr-host ", e.g. "plugins info ID"
  std::string_view summary;
  void (*run)(Context& context, CommandLine& args);  // returns on success, else throws CommandError
};

struct CommandGroup {
  std::string_view name;
  std::string_view summary;
  std::vector<Command> commands;
};

const CommandGroup& plugins_commands();
const CommandGroup& settings_commands();
const CommandGroup& users_commands();
const CommandGroup& roles_commands();
const CommandGroup& messages_commands();
const CommandGroup& audit_commands();
const CommandGroup& portal_commands();
const CommandGroup& notifications_commands();
// fhir_commands.cpp: export and import of a chart's conversations as FHIR R4.
const CommandGroup& fhir_commands();
const CommandGroup& webhooks_commands();
const CommandGroup& keys_commands();
// practice_commands.cpp: the ids other commands take.
const CommandGroup& patients_commands();
const CommandGroup& portal_users_commands();
const CommandGroup& locations_commands();
// web/serve_command.cpp: `ehr-host serve` (a group of one command, run as `ehr-host serve ...`),
// and `users set-password`.
const CommandGroup& serve_commands();
Command set_password_command();

}  // namespace ehr::sample::cli
