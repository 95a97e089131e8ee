#pragma once

#include <span>
#include <string_view>

namespace ehr::portal {

// R-ROLE-1: the roles the plugin declares, shown in the host's "Patient Portal roles" section.
// The host stores who holds them; the plugin asks host.user_has_role when it needs to know.
inline constexpr std::string_view kManagePortalSettings = "manage_portal_settings";
inline constexpr std::string_view kAvailableForPortalMessages = "available_for_portal_messages";

inline constexpr std::string_view kPortalRolesSectionId = "patient_portal";
inline constexpr std::string_view kPortalRolesSectionTitle = "Patient Portal roles";

struct RoleDefinition {
  std::string_view id;
  std::string_view label;
  std::string_view description;
};

[[nodiscard]] std::span<const RoleDefinition> portal_roles();
// nullptr for a role the plugin does not declare.
[[nodiscard]] const RoleDefinition* find_portal_role(std::string_view id);

}  // namespace ehr::portal
