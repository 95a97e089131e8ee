// Principal: who acts or receives, a staff user of the host or a portal user.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "ehr/common.h"

namespace ehr::host {

enum class PrincipalKind : std::uint32_t {
  staff = EHR_PRINCIPAL_STAFF,
  portal_user = EHR_PRINCIPAL_PORTAL_USER,
};

struct Principal {
  PrincipalKind kind = PrincipalKind::staff;
  std::string id;

  static Principal staff(std::string id) { return {PrincipalKind::staff, std::move(id)}; }
  static Principal portal_user(std::string id) { return {PrincipalKind::portal_user, std::move(id)}; }

  friend bool operator==(const Principal&, const Principal&) = default;
};

// "staff:drlee" or "portal:pat1".
std::ostream& operator<<(std::ostream& out, const Principal& principal);

}  // namespace ehr::host
