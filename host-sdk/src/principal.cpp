#include "ehr/host/principal.hpp"

namespace ehr::host {

std::ostream& operator<<(std::ostream& out, const Principal& principal) {
  return out << (principal.kind == PrincipalKind::portal_user ? "portal:" : "staff:") << principal.id;
}

}  // namespace ehr::host
