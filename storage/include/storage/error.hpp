#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "ehr/common.h"

namespace ehr::storage {

// The one failure type of the storage library, and of the plugin core (ehr::portal::Error is this
// class). It carries what the ABI boundary needs to build an ehr_error: a status, a message safe to
// show an admin (never PHI, never a connection string), the field at fault and, for messaging
// refusals, an ehr_deny_reason. The host SDK turns it into a Status where it calls the library.
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

// A write's guess about what the store holds (Checks::deferred, transaction.hpp) no longer held:
// the statement written on it refused to run, so nothing of its transaction is kept, and the work
// runs again checking as it goes. Never reaches a caller of the plugin.
class GuessWrong : public Error {
 public:
  explicit GuessWrong(const std::string& message) : Error(EHR_STATUS_STORAGE, message) {}
};

}  // namespace ehr::storage
