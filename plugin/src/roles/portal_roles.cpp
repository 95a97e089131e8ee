#include "roles/portal_roles.hpp"

namespace ehr::portal {

namespace {

constexpr RoleDefinition kRoles[] = {
    {kManagePortalSettings, "Manage Portal Settings",
     "May open and change Portal Settings: My Messages, who portal users can message, and each "
     "location's own settings."},
    {kAvailableForPortalMessages, "Available for portal messages",
     "Can exchange secure messages with portal users (patients, guardians, guarantors); with the "
     "audience \"Care Team only\", only about patients whose care team the user is on."},
};

}  // namespace

std::span<const RoleDefinition> portal_roles() {
  return kRoles;
}

const RoleDefinition* find_portal_role(std::string_view id) {
  for (const auto& role : kRoles) {
    if (role.id == id) return &role;
  }
  return nullptr;
}

}  // namespace ehr::portal
