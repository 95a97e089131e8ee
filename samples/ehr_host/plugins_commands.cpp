// ehr-host plugins ...: what an admin sees in the host's plugin manager.
#include <iomanip>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

nlohmann::ordered_json plugin_json(const host::PluginInfo& plugin) {
  nlohmann::ordered_json out = {{"id", plugin.id},
                                {"state", host::to_string(plugin.state)},
                                {"enabled", plugin.enabled_preference},
                                {"manifest", plugin.manifest_path.string()}};
  if (plugin.manifest) {
    const host::Manifest& manifest = *plugin.manifest;
    out["name"] = manifest.name;
    out["version"] = manifest.version;
    out["vendor"] = manifest.vendor;
    out["description"] = manifest.description;
    out["library"] = manifest.library.string();
    out["library_sha256"] = manifest.library_sha256;
    out["abi"] = {{"min", host::format_abi_version(manifest.abi_min)},
                  {"max", host::format_abi_version(manifest.abi_max)}};
    out["settings_schema"] = manifest.settings_schema ? manifest.settings_schema->string() : "";
    nlohmann::ordered_json roles = nlohmann::ordered_json::array();
    for (const host::RoleDescriptor& role : manifest.roles)
      roles.push_back({{"id", role.id}, {"label", role.label}});
    out["roles"] = roles;
    out["hook_points"] = manifest.hook_points;
    out["host_services"] = manifest.host_services;
  }
  if (plugin.negotiated_version != 0)
    out["negotiated_abi"] = host::format_abi_version(plugin.negotiated_version);
  if (!plugin.data_directory.empty()) out["data_directory"] = plugin.data_directory.string();
  if (plugin.state == host::PluginState::failed) {
    out["failure"] = {{"cause", host::to_string(plugin.failure_cause)},
                      {"message", plugin.failure.message()}};
  }
  return out;
}

std::string plugin_name(const host::PluginInfo& plugin) {
  return plugin.manifest ? plugin.manifest->name : "?";
}
std::string plugin_version(const host::PluginInfo& plugin) {
  return plugin.manifest ? plugin.manifest->version : "?";
}

void list(Context& context, CommandLine& args) {
  args.no_positionals();
  const std::vector<host::PluginInfo> plugins = context.host().plugins().list();
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const host::PluginInfo& plugin : plugins) data.push_back(plugin_json(plugin));
  context.out().emit({{"plugins", data}}, [&](std::ostream& out) {
    if (plugins.empty()) {
      out << "No plugins in " << context.host().paths().plugins_directory.string() << '\n';
      return;
    }
    out << std::left << std::setw(22) << "ID" << std::setw(10) << "STATE" << std::setw(9) << "VERSION"
        << "NAME\n";
    for (const host::PluginInfo& plugin : plugins) {
      out << std::setw(22) << plugin.id << std::setw(10) << host::to_string(plugin.state) << std::setw(9)
          << plugin_version(plugin) << plugin_name(plugin) << '\n';
      if (plugin.state == host::PluginState::failed) {
        out << "    not loaded (" << host::to_string(plugin.failure_cause)
            << "): " << plugin.failure.message() << '\n';
      }
    }
  });
}

void info(Context& context, CommandLine& args) {
  const std::string id = args.single_positional("plugin ID");
  const host::PluginInfo plugin = checked(context.host().plugins().info(id));
  context.out().emit(plugin_json(plugin), [&](std::ostream& out) {
    out << plugin_name(plugin) << " (" << plugin.id << ") " << plugin_version(plugin) << '\n';
    out << "  state:          " << host::to_string(plugin.state) << '\n';
    if (plugin.state == host::PluginState::failed) {
      out << "  not loaded:     " << host::to_string(plugin.failure_cause) << ": " << plugin.failure.message()
          << '\n';
    }
    out << "  manifest:       " << plugin.manifest_path.string() << '\n';
    if (!plugin.manifest) return;
    const host::Manifest& manifest = *plugin.manifest;
    out << "  vendor:         " << manifest.vendor << '\n';
    out << "  description:    " << manifest.description << '\n';
    out << "  library:        " << manifest.library.string() << '\n';
    out << "  sha256:         " << manifest.library_sha256 << '\n';
    out << "  ABI:            " << host::format_abi_version(manifest.abi_min) << " to "
        << host::format_abi_version(manifest.abi_max);
    if (plugin.negotiated_version != 0)
      out << " (speaking " << host::format_abi_version(plugin.negotiated_version) << ")";
    out << '\n';
    if (manifest.settings_schema) out << "  settings:       " << manifest.settings_schema->string() << '\n';
    for (const host::RoleDescriptor& role : manifest.roles) {
      out << "  role:           " << role.id << " (\"" << role.label << "\")\n";
    }
    for (const std::string& point : manifest.hook_points) out << "  hook point:     " << point << '\n';
    for (const std::string& service : manifest.host_services) out << "  needs service:  " << service << '\n';
    if (!plugin.data_directory.empty()) out << "  data directory: " << plugin.data_directory.string() << '\n';
  });
}

void verify(Context& context, CommandLine& args) {
  const std::string id = args.single_positional("plugin ID");
  const host::Verification check = checked(context.host().plugins().verify(id));
  nlohmann::ordered_json data = {{"id", check.plugin_id},
                                 {"ok", check.status.is_ok()},
                                 {"manifest", check.manifest_path.string()},
                                 {"library", check.library_path.string()},
                                 {"expected_sha256", check.expected_sha256},
                                 {"actual_sha256", check.actual_sha256},
                                 {"checksum_matches", check.checksum_matches},
                                 {"signature", host::to_string(check.signature)}};
  if (!check.status) data["problem"] = check.status.message();
  // With --json a failure is one error document on stdout (printed by main), not two documents.
  if (!check.status && context.out().json()) checked(check.status);
  context.out().emit(data, [&](std::ostream& out) {
    out << "Plugin " << check.plugin_id << '\n';
    out << "  manifest:  " << check.manifest_path.string() << '\n';
    out << "  library:   " << check.library_path.string() << '\n';
    out << "  checksum:  "
        << (check.checksum_matches ? "matches the manifest" : "DOES NOT MATCH the manifest") << " ("
        << check.actual_sha256 << ")\n";
    out << "  signature: " << host::to_string(check.signature);
    if (!check.signature_key_id.empty()) out << " (key " << check.signature_key_id << ")";
    out << '\n';
    if (check.status) out << "Verified.\n";
  });
  checked(check.status);
}

void enable(Context& context, CommandLine& args) {
  const std::string id = args.single_positional("plugin ID");
  checked(context.host().plugins().enable(id));
  const host::PluginInfo plugin = checked(context.host().plugins().info(id));
  context.out().emit(plugin_json(plugin), [&](std::ostream& out) {
    out << plugin_name(plugin) << " (" << id << ") is enabled.\n";
  });
}

void disable(Context& context, CommandLine& args) {
  const std::string id = args.single_positional("plugin ID");
  checked(context.host().plugins().disable(id));
  const host::PluginInfo plugin = checked(context.host().plugins().info(id));
  context.out().emit(plugin_json(plugin), [&](std::ostream& out) {
    out << plugin_name(plugin) << " (" << id << ") is disabled: its settings stay, messaging is refused.\n";
  });
}

}  // namespace

const CommandGroup& plugins_commands() {
  static const CommandGroup group{
      "plugins",
      "find, check, enable and disable plugins",
      {
          {"list", "plugins list",
           "Every plugin in the plugins directory: its state, version and name, and why it "
           "did not load when it did not.",
           list},
          {"info", "plugins info ID",
           "One plugin's manifest: library, checksum, ABI versions, roles, hook points.", info},
          {"verify", "plugins verify ID",
           "Checks the plugin's manifest, library checksum and signature on disk now, without loading it.",
           verify},
          {"enable", "plugins enable ID", "Turns the plugin on (remembered in the data directory).", enable},
          {"disable", "plugins disable ID",
           "Turns the plugin off: its settings and data stay, its messaging channel refuses calls.", disable},
      }};
  return group;
}

}  // namespace ehr::sample::cli
