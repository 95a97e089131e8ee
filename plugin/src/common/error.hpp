#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "ehr/common.h"

namespace ehr::portal {

// The one failure type inside the plugin core. It carries what the ABI boundary needs to build an
// ehr_error: a status, a message safe to show an admin (never PHI), the field at fault and, for
// messaging refusals, an ehr_deny_reason.
class Error : public std::runtime_error {
 public:
  Error(ehr_status code, const std::string& message, std::string field = {}, uint32_t reason = 0);

  [[nodiscard]] ehr_status code() const noexcept { return code_; }
  [[nodiscard]] const std::string& field() const noexcept { return field_; }
  [[nodiscard]] uint32_t reason() const noexcept { return reason_; }

 private:
  ehr_status code_;
  std::string field_;
  uint32_t reason_;
};

}  // namespace ehr::portal
