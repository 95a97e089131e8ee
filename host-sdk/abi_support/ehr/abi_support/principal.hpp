// The principal (staff user or portal user) as the C ABI carries it (internal, header-only).
#pragma once

#include <string_view>

#include "ehr/abi_support/struct_io.hpp"
#include "ehr/common.h"

namespace ehr::abi_support {

// The principal as the ABI carries it; `id` must outlive the result.
[[nodiscard]] inline ehr_principal make_principal(ehr_principal_kind kind, std::string_view id) noexcept {
  auto out = make_struct<ehr_principal>(EHR_STRUCT_PRINCIPAL);
  out.kind = kind;
  out.id = ehr_str{id.data(), id.size()};
  return out;
}

}  // namespace ehr::abi_support
