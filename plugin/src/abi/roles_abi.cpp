#include "abi/roles_abi.hpp"

#include <vector>

#include "abi/abi_error.hpp"
#include "abi/registration.hpp"
#include "common/error.hpp"
#include "roles/portal_roles.hpp"

namespace ehr::portal::abi {

void register_roles_section(const ehr_registrar& registrar) {
  if (registrar.register_roles_section == nullptr) {
    throw Error(EHR_STATUS_UNSUPPORTED,
                "the host cannot show a roles section (register_roles_section is missing)");
  }
  std::vector<ehr_role_descriptor> roles;
  for (const RoleDefinition& role : portal_roles()) {
    roles.push_back({EHR_STRUCT_ROLE_DESCRIPTOR, sizeof(ehr_role_descriptor), view(role.id), view(role.label),
                     view(role.description)});
  }
  ehr_roles_section section{};
  section.struct_type = EHR_STRUCT_ROLES_SECTION;
  section.struct_size = sizeof section;
  section.section_id = view(kPortalRolesSectionId);
  section.title = view(kPortalRolesSectionTitle);
  section.roles = roles.data();
  section.role_count = roles.size();
  ehr_error* host_error = nullptr;
  // The host copies the descriptors during the call, so the local arrays may go afterwards.
  const ehr_status status = registrar.register_roles_section(registrar.registrar, &section, &host_error);
  check_registration(status, host_error, "the Patient Portal roles section");
}

}  // namespace ehr::portal::abi
