// ehr-host roles ...: Manage Users > Assign Roles, several users at once.
#include <iomanip>
#include <ostream>

#include "commands.hpp"

namespace ehr::sample::cli {

namespace host = ehr::host;

namespace {

void report(Context& context, const std::string& verb, const std::string& role,
            const host::RoleUpdate& update) {
  const std::vector<std::string> members = checked(context.host().roles().members(role));
  context.out().emit({{"role", role},
                      {"changed", update.changed},
                      {"changed_users", update.changed_user_ids},
                      {"members", members}},
                     [&](std::ostream& out) {
                       out << verb << ' ' << role << ": " << update.changed << " user"
                           << (update.changed == 1 ? "" : "s") << " changed";
                       for (std::size_t i = 0; i < update.changed_user_ids.size(); ++i) {
                         out << (i == 0 ? " (" : ", ") << update.changed_user_ids[i];
                       }
                       out << (update.changed_user_ids.empty() ? "" : ")") << ".\n";
                     });
}

// ROLE --as USER (--all | USER...)
struct BulkArgs {
  std::string actor;
  std::string role;
  bool all = false;
  std::vector<std::string> users;
};

BulkArgs bulk_args(Context& context, CommandLine& args) {
  BulkArgs bulk;
  bulk.actor = args.required_option("--as");
  bulk.all = args.flag("--all");
  std::vector<std::string> rest = args.positionals();
  if (rest.empty()) usage_error("missing ROLE\nusage: " + args.usage());
  bulk.role = rest.front();
  bulk.users.assign(rest.begin() + 1, rest.end());
  if (bulk.all == !bulk.users.empty())
    usage_error("give --all or some users, not both or neither\nusage: " + args.usage());
  (void)context.host().user(bulk.actor);
  return bulk;
}

void assign(Context& context, CommandLine& args) {
  const BulkArgs bulk = bulk_args(context, args);
  host::RoleStore& roles = context.host().roles();
  report(context, "Assigned", bulk.role,
         checked(bulk.all ? roles.assign_all(bulk.actor, bulk.role)
                          : roles.assign_selected(bulk.actor, bulk.role, bulk.users)));
}

void unassign(Context& context, CommandLine& args) {
  const BulkArgs bulk = bulk_args(context, args);
  host::RoleStore& roles = context.host().roles();
  report(context, "Unassigned", bulk.role,
         checked(bulk.all ? roles.unassign_all(bulk.actor, bulk.role)
                          : roles.unassign_selected(bulk.actor, bulk.role, bulk.users)));
}

void members(Context& context, CommandLine& args) {
  const std::string actor = args.required_option("--as");
  const std::string role = args.single_positional("ROLE");
  SampleHost& sample = context.host();
  (void)sample.authorized(actor, host::kManageUsersRole, "see who holds a role");
  const std::vector<std::string> ids = checked(sample.roles().members(role));
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const std::string& id : ids) {
    const StaffUser* user = sample.practice().find_user(id);
    data.push_back({{"id", id},
                    {"name", user != nullptr ? user->name : ""},
                    {"active", user != nullptr && user->active}});
  }
  context.out().emit({{"role", role}, {"members", data}}, [&](std::ostream& out) {
    out << role << ": " << ids.size() << " member" << (ids.size() == 1 ? "" : "s") << '\n';
    for (const auto& member : data) {
      out << "  " << std::left << std::setw(12) << member["id"].get<std::string>()
          << member["name"].get<std::string>() << (member["active"].get<bool>() ? "" : "  (inactive)")
          << '\n';
    }
  });
}

}  // namespace

const CommandGroup& roles_commands() {
  static const CommandGroup group{
      "roles",
      "Manage Users > Assign Roles: a role for several users at once",
      {
          {"assign", "roles assign ROLE --as USER (--all | USER...)",
           "Assign Selected (the users named) or Assign All (every active user). All or nothing; says how "
           "many "
           "users changed. Only holders of manage_users may.",
           assign},
          {"unassign", "roles unassign ROLE --as USER (--all | USER...)",
           "Unassign Selected or Unassign All, the same way.", unassign},
          {"members", "roles members ROLE --as USER",
           "Every user holding the role, active or not. Only holders of manage_users may see it.", members},
      }};
  return group;
}

}  // namespace ehr::sample::cli
