#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "ehr/common.h"

namespace ehr::portal {

enum class PrincipalKind : uint32_t {
  staff = EHR_PRINCIPAL_STAFF,
  portal_user = EHR_PRINCIPAL_PORTAL_USER,
};

// Who acts or receives: a staff user of the host or a portal user (patient, guardian, guarantor),
// by host id.
struct Principal {
  PrincipalKind kind = PrincipalKind::staff;
  std::string id;

  [[nodiscard]] static Principal staff(std::string id) { return {PrincipalKind::staff, std::move(id)}; }
  [[nodiscard]] static Principal portal_user(std::string id) {
    return {PrincipalKind::portal_user, std::move(id)};
  }
  [[nodiscard]] bool is_staff() const { return kind == PrincipalKind::staff; }
  // "drlee" or "portal:pat1", as the reference host writes principals.
  [[nodiscard]] std::string display() const { return is_staff() ? id : "portal:" + id; }

  auto operator<=>(const Principal&) const = default;
};

}  // namespace ehr::portal
