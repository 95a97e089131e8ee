// RolesSection: a section of roles a plugin declares for the host's user edit page
// (e.g. "Patient Portal roles"), copied out of the plugin at registration.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ehr/host/audit_log.hpp"

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
  // The declaring plugin's audit log, when it offers one (filled by Registry::roles_sections()):
  // RoleStore::declare_section takes it, and every change of these roles is then recorded in that
  // chain before the role store commits it.
  std::optional<AuditLog> audit_log;
};

}  // namespace ehr::host
