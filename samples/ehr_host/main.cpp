// ehr-host: the reference EHR host. It plays the part of an EHR for plugins loaded through the
// public host SDK, answering their host-service calls from a practice file.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "visible_text.hpp"

namespace cli = ehr::sample::cli;

namespace {

const std::vector<const cli::CommandGroup*>& groups() {
  static const std::vector<const cli::CommandGroup*> all = {
      &cli::plugins_commands(),      &cli::settings_commands(),      &cli::users_commands(),
      &cli::roles_commands(),        &cli::messages_commands(),      &cli::audit_commands(),
      &cli::portal_commands(),       &cli::notifications_commands(), &cli::patients_commands(),
      &cli::portal_users_commands(), &cli::locations_commands(),     &cli::fhir_commands(),
      &cli::webhooks_commands(),     &cli::keys_commands(),          &cli::serve_commands()};
  return all;
}

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

void print_global_help(std::ostream& out) {
  out << "usage: ehr-host [--data DIR] [--practice FILE] [--plugins DIR] [--trusted-keys FILE]\n"
         "                [--require-signatures] [--json] GROUP COMMAND [ARGS...]\n"
         "\n"
         "The reference EHR host: loads plugins through the host SDK and plays the EHR for them,\n"
         "with the staff, patients and portal users of a practice file.\n"
         "\n"
         "Global options (anywhere on the line):\n"
         "  --data DIR       host data directory, created if missing (env EHR_HOST_DATA;\n"
         "                   default " EHR_HOST_DEFAULT_DATA
         ")\n"
         "  --practice FILE  the practice file (env EHR_HOST_PRACTICE;\n"
         "                   default " EHR_HOST_DEFAULT_PRACTICE
         ")\n"
         "  --plugins DIR    where the *.plugin.xml manifests are (env EHR_HOST_PLUGINS;\n"
         "                   default " EHR_HOST_DEFAULT_PLUGINS
         ")\n"
         "  --trusted-keys FILE  public keys trusted to sign plugins, one \"KEY_ID BASE64\" line each\n"
         "                   (what `ehr-sign keygen` prints); a plugin signed by another key is refused\n"
         "  --require-signatures  refuse plugins without a valid signature by a trusted key\n"
         "  --json           machine-readable output on stdout\n"
         "  --help           this text; `ehr-host GROUP --help` or `ehr-host GROUP COMMAND --help`\n"
         "Env EHR_HOST_LOG=debug|info|warning|error sets which plugin log lines reach stderr (default "
         "warning).\n"
         "\n"
         "Command groups:\n";
  for (const cli::CommandGroup* group : groups()) {
    out << "  " << group->name << std::string(15 - group->name.size(), ' ') << group->summary << '\n';
  }
  out << "\nExit status: 0 ok, 1 error, 2 bad command line, 3 refused (forbidden, not allowed, bad value),\n"
         "4 unknown id. The reason is printed on stderr.\n";
}

void print_group_help(std::ostream& out, const cli::CommandGroup& group) {
  out << "ehr-host " << group.name << ": " << group.summary << "\n\n";
  for (const cli::Command& command : group.commands) {
    out << "  ehr-host " << command.usage << "\n      " << command.summary << '\n';
  }
}

void print_command_help(std::ostream& out, const cli::Command& command) {
  out << "usage: ehr-host " << command.usage << "\n\n" << command.summary << '\n';
}

const cli::CommandGroup* find_group(std::string_view name) {
  for (const cli::CommandGroup* group : groups()) {
    if (group->name == name) return group;
  }
  return nullptr;
}

const cli::Command* find_command(const cli::CommandGroup& group, std::string_view name) {
  for (const cli::Command& command : group.commands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

// `ehr-host help [GROUP [COMMAND]]`, also reached through --help anywhere.
int main_help(const std::vector<std::string>& topic) {
  if (topic.empty()) {
    print_global_help(std::cout);
    return cli::kExitOk;
  }
  const cli::CommandGroup* group = find_group(topic[0]);
  if (group == nullptr)
    cli::usage_error("unknown command group '" + topic[0] + "'; `ehr-host --help` lists them");
  if (topic.size() == 1) {
    print_group_help(std::cout, *group);
    return cli::kExitOk;
  }
  const cli::Command* command = find_command(*group, topic[1]);
  if (command == nullptr) cli::usage_error("unknown command '" + topic[1] + "' in '" + topic[0] + "'");
  print_command_help(std::cout, *command);
  return cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  try {
    cli::CommandLine globals("ehr-host [--data DIR] [--practice FILE] [--plugins DIR] [--json] GROUP COMMAND",
                             std::vector<std::string>(argv + 1, argv + argc));
    cli::HostPaths paths;
    paths.data_directory = globals.option("--data").value_or(env_or("EHR_HOST_DATA", EHR_HOST_DEFAULT_DATA));
    paths.practice_file =
        globals.option("--practice").value_or(env_or("EHR_HOST_PRACTICE", EHR_HOST_DEFAULT_PRACTICE));
    paths.plugins_directory =
        globals.option("--plugins").value_or(env_or("EHR_HOST_PLUGINS", EHR_HOST_DEFAULT_PLUGINS));
    if (const auto keys = globals.option("--trusted-keys")) paths.trusted_keys_file = *keys;
    paths.require_signatures = globals.flag("--require-signatures");
    json = globals.flag("--json");
    const bool help = globals.flag("--help") || globals.flag("-h");
    const std::string level_text = env_or("EHR_HOST_LOG", "warning");
    const auto log_threshold = ehr::sample::parse_log_level(level_text);
    if (!log_threshold) {
      cli::usage_error("EHR_HOST_LOG must be debug, info, warning or error, not '" + level_text + "'");
    }

    std::vector<std::string> rest = globals.remaining();
    if (!rest.empty() && rest.front() == "help") {
      rest.erase(rest.begin());
      return main_help(rest);
    }
    if (rest.empty()) {
      if (help) return main_help(rest);
      cli::usage_error("missing command group; `ehr-host --help` lists them");
    }
    const cli::CommandGroup* group = find_group(rest.front());
    if (group == nullptr) {
      std::vector<std::string> names;
      for (const cli::CommandGroup* each : groups()) names.emplace_back(each->name);
      const std::string near =
          cli::nearest(rest.front(), names).empty() ? "" : cli::did_you_mean(rest.front(), names);
      cli::usage_error("unknown command group '" + rest.front() + "'" + near +
                       "; `ehr-host --help` lists them");
    }
    // A group of one command named like the group (`ehr-host serve ...`) takes no command word.
    if (group->commands.size() == 1 && group->commands.front().name == group->name) {
      rest.insert(rest.begin() + 1, std::string(group->name));
    }
    if (rest.size() < 2) {
      if (help) return main_help(rest);
      print_group_help(std::cerr, *group);
      cli::usage_error("missing command after '" + rest.front() + "'");
    }
    const cli::Command* command = find_command(*group, rest[1]);
    if (command == nullptr) {
      cli::usage_error("unknown command '" + rest[1] + "' in '" + rest.front() + "'; `ehr-host " +
                       rest.front() + " --help` lists them");
    }
    if (help) return main_help(rest);

    cli::Context context(std::move(paths), json, *log_threshold);
    cli::CommandLine command_args(std::string(command->usage),
                                  std::vector<std::string>(rest.begin() + 2, rest.end()));
    command->run(context, command_args);
    return cli::kExitOk;
  } catch (const cli::CommandError& error) {
    std::cerr << "ehr-host: " << ehr::sample::visible_controls(error.what()) << '\n';
    if (json) {
      nlohmann::ordered_json answer = {
          {"error", {{"message", error.what()}, {"exit_code", error.exit_code()}}}};
      if (!error.status().empty()) answer["error"]["status"] = error.status();
      if (!error.field().empty()) answer["error"]["field"] = error.field();
      if (!error.reason().empty()) answer["error"]["reason"] = error.reason();
      std::cout << ehr::sample::json_without_raw_controls(answer.dump(2)) << '\n';
    }
    return error.exit_code();
  } catch (const std::exception& error) {
    // A bug, not a refusal: still say what happened rather than abort.
    std::cerr << "ehr-host: internal error: " << ehr::sample::visible_controls(error.what()) << '\n';
    return cli::kExitError;
  }
}
