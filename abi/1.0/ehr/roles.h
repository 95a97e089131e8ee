/* ehr/roles.h: a section of roles that a plugin declares for the host's user edit page
 * (e.g. "Patient Portal roles"). The host stores role assignments; the plugin asks
 * ehr_host_services.user_has_role when it needs to know. */
#ifndef EHR_ROLES_H
#define EHR_ROLES_H

#include "ehr/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehr_role_descriptor {
  uint32_t struct_type; /* EHR_STRUCT_ROLE_DESCRIPTOR */
  uint32_t struct_size;
  ehr_str id;    /* e.g. "available_for_portal_messages" */
  ehr_str label; /* e.g. "Available for portal messages" */
  ehr_str description;
} ehr_role_descriptor;

typedef struct ehr_roles_section {
  uint32_t struct_type; /* EHR_STRUCT_ROLES_SECTION */
  uint32_t struct_size;
  ehr_str section_id;
  ehr_str title; /* e.g. "Patient Portal roles" */
  const ehr_role_descriptor* roles;
  size_t role_count;
} ehr_roles_section;

#ifdef __cplusplus
}
#endif

#endif /* EHR_ROLES_H */
