// RolesSection: a section of roles a plugin declares for the host's user edit page
// (e.g. "Patient Portal roles"), copied out of the plugin at registration.
#pragma once

#include <string>
#include <vector>

namespace ehr::host {

struct RoleDescriptor {
  std::string id;     // e.g. "available_for_portal_messages"
  std::string label;  // e.g. "Available for portal messages"
  std::string description;
  friend bool operator==(const RoleDescriptor&, const RoleDescriptor&) = default;
};

struct RolesSection {
  std::string plugin_id;  // who declared it; empty for the host's own roles
  std::string section_id;
  std::string title;  // e.g. "Patient Portal roles"
  std::vector<RoleDescriptor> roles;
};

}  // namespace ehr::host
