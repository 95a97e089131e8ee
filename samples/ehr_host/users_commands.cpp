// ehr-host users ...: the host's user page, with the roles sections plugins declared
// (e.g. "Patient Portal roles") as check boxes.
#include <algorithm>
#include <iomanip>
#include <ostream>
#include <set>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

// Staff names are not patient data: like `users show`, open to whoever runs the host.
void list(Context& context, CommandLine& args) {
  args.no_positionals();
  const std::vector<StaffUser>& users = context.host().practice().users();
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const StaffUser& user : users) {
    data.push_back({{"id", user.id}, {"name", user.name}, {"active", user.active}});
  }
  context.out().emit({{"users", data}}, [&](std::ostream& out) {
    out << std::left << std::setw(12) << "ID"
        << "NAME\n";
    for (const StaffUser& user : users) {
      out << std::left << std::setw(12) << user.id << user.name << (user.active ? "" : "  (inactive)")
          << '\n';
    }
  });
}

void show(Context& context, CommandLine& args) {
  const std::string id = args.single_positional("USER");
  SampleHost& sample = context.host();
  const StaffUser& user = sample.user(id);
  const std::vector<std::string> held = checked(sample.roles().roles_of(id));
  const auto holds = [&](const std::string& role) {
    return std::find(held.begin(), held.end(), role) != held.end();
  };
  const std::vector<RoleSectionView> sections = sample.role_sections();

  nlohmann::ordered_json sections_json = nlohmann::ordered_json::array();
  for (const RoleSectionView& section : sections) {
    nlohmann::ordered_json roles = nlohmann::ordered_json::array();
    for (const host::RoleDescriptor& role : section.roles) {
      roles.push_back({{"id", role.id}, {"label", role.label}, {"assigned", holds(role.id)}});
    }
    sections_json.push_back({{"title", section.title}, {"plugin", section.plugin_id}, {"roles", roles}});
  }
  const nlohmann::ordered_json data = {{"id", user.id},
                                       {"name", user.name},
                                       {"active", user.active},
                                       {"roles", held},
                                       {"sections", sections_json}};
  context.out().emit(data, [&](std::ostream& out) {
    out << user.name << " (" << user.id << "), " << (user.active ? "active" : "inactive") << '\n';
    for (const RoleSectionView& section : sections) {
      out << '\n' << section.title << '\n';
      for (const host::RoleDescriptor& role : section.roles) {
        out << "  " << check_box(holds(role.id)) << ' ' << role.label << "  (" << role.id << ")\n";
      }
    }
  });
}

void edit(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::vector<std::string> sets = args.options("--set");
  const std::string id = args.single_positional("USER");
  if (sets.empty()) usage_error("give at least one --set ROLE=on|off\nusage: " + args.usage());
  SampleHost& sample = context.host();
  (void)sample.user(actor);
  (void)sample.user(id);

  // Everything is checked before the first box changes, so a typo changes nothing.
  std::vector<std::pair<std::string, bool>> changes;
  std::set<std::string> declared;
  for (const host::RoleDescriptor& role : sample.roles().declared_roles()) declared.insert(role.id);
  for (const std::string& set : sets) {
    const auto equals = set.find('=');
    const std::string role = set.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : set.substr(equals + 1);
    if (value != "on" && value != "off") usage_error("--set " + set + ": write ROLE=on or ROLE=off");
    if (!declared.contains(role)) {
      throw CommandError(kExitNotFound, "unknown role '" + role + "'", "not found", "role");
    }
    changes.emplace_back(role, value == "on");
  }
  nlohmann::ordered_json changed = nlohmann::ordered_json::array();
  for (const auto& [role, assigned] : changes) {
    const host::RoleUpdate update = checked(sample.roles().set_role(actor, id, role, assigned));
    changed.push_back({{"role", role}, {"assigned", assigned}, {"changed", update.changed > 0}});
  }
  const std::vector<std::string> held = checked(sample.roles().roles_of(id));
  context.out().emit({{"user", id}, {"changes", changed}, {"roles", held}}, [&](std::ostream& out) {
    for (const auto& change : changed) {
      out << (change["changed"].get<bool>() ? "Changed: " : "Unchanged: ") << id << ' '
          << check_box(change["assigned"].get<bool>()) << ' ' << change["role"].get<std::string>() << '\n';
    }
  });
}

}  // namespace

const CommandGroup& users_commands() {
  static const CommandGroup group{
      "users",
      "the user page and its role check boxes",
      {
          {"list", "users list", "Every staff user: id (for --as and USER) and name, active or not.", list},
          {"show", "users show USER",
           "The user and their roles, section by section (e.g. Patient Portal roles), as check boxes.", show},
          {"edit", "users edit USER --as USER --set ROLE=on|off [--set ROLE=on|off ...]",
           "Checks or unchecks role boxes on USER's page. Only holders of manage_users may; every change is "
           "audited.",
           edit},
          set_password_command(),
      }};
  return group;
}

}  // namespace ehr::sample::cli
