#include "abi/abi_error.hpp"

#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "common/error.hpp"
#include "ehr/abi_support/error.hpp"

namespace ehr::portal::abi {

ehr_error* make_error(ehr_status code, std::string_view message, std::string_view field,
                      uint32_t reason) noexcept {
  return abi_support::make_error(code, message, field, reason);
}

ehr_status fail(ehr_error** out_error, ehr_status code, std::string_view message, std::string_view field,
                uint32_t reason) noexcept {
  if (out_error != nullptr) *out_error = make_error(code, message, field, reason);
  return code;
}

bool sink_continues(ehr_status status, const char* sink) {
  if (status == EHR_STATUS_OK) return true;
  if (status == EHR_STATUS_STOP) return false;
  throw Error(status, std::string("the host's ") + sink + " returned " + ehr_status_name(status));
}

ehr_status fail_current(ehr_error** out_error) noexcept {
  try {
    throw;
  } catch (const Error& e) {
    return fail(out_error, e.code(), e.what(), e.field(), e.reason());
  } catch (const std::bad_alloc&) {
    return fail(out_error, EHR_STATUS_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(out_error, EHR_STATUS_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(out_error, EHR_STATUS_INTERNAL, "internal error: unknown exception");
  }
}

}  // namespace ehr::portal::abi
