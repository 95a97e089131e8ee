// Who acts in or receives a conversation: a staff user or a portal user, by host id.
#pragma once

#include <compare>
#include <string>

#include "ehr/common.h"

namespace ehr::portal {

enum class PrincipalKind : uint32_t { staff = EHR_PRINCIPAL_STAFF, portal_user = EHR_PRINCIPAL_PORTAL_USER };

struct Principal {
  PrincipalKind kind = PrincipalKind::staff;
  std::string id;

  [[nodiscard]] bool is_staff() const { return kind == PrincipalKind::staff; }
  // "drlee" or "portal:pat1", as the reference host writes principals; used in audit records.
  [[nodiscard]] std::string label() const { return is_staff() ? id : "portal:" + id; }
  auto operator<=>(const Principal&) const = default;
};

}  // namespace ehr::portal
