#pragma once

#include <cstdint>
#include <string>

#include "ehr/common.h"

namespace ehr::portal {

enum class PrincipalKind : uint32_t {
  staff = EHR_PRINCIPAL_STAFF,
  portal_user = EHR_PRINCIPAL_PORTAL_USER,
};

// Who acts or receives: a staff user of the host or a portal user (patient, guardian, guarantor).
struct Principal {
  PrincipalKind kind = PrincipalKind::staff;
  std::string id;

  [[nodiscard]] static Principal staff(std::string id) { return {PrincipalKind::staff, std::move(id)}; }
  [[nodiscard]] static Principal portal_user(std::string id) {
    return {PrincipalKind::portal_user, std::move(id)};
  }
  // As the reference host writes it: a staff id, or "portal:ID".
  [[nodiscard]] std::string display() const { return kind == PrincipalKind::staff ? id : "portal:" + id; }

  friend bool operator==(const Principal&, const Principal&) = default;
};

}  // namespace ehr::portal
