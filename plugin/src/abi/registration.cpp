#include "abi/registration.hpp"

#include <string>

#include "abi/abi_error.hpp"
#include "common/error.hpp"

namespace ehr::portal::abi {

void check_registration(ehr_status status, ehr_error* host_error, std::string_view what) {
  std::string detail;
  if (host_error != nullptr) {
    detail = to_string(host_error->message);
    ehr_error_free(host_error);
  }
  if (status == EHR_STATUS_OK) return;
  throw Error(status, "the host refused " + std::string(what) + ": " +
                          (detail.empty() ? std::string(ehr_status_name(status)) : detail));
}

}  // namespace ehr::portal::abi
