#include "ehr/host/status.hpp"

#include <sstream>

#include "c_abi.hpp"

namespace ehr::host {

Status::Status(ehr_status code, std::string message, std::string field, ehr_deny_reason reason)
    : code_(code), reason_(reason), message_(std::move(message)), field_(std::move(field)) {}

Status Status::invalid_argument(std::string field, std::string message) {
  return Status(EHR_STATUS_INVALID_ARGUMENT, std::move(message), std::move(field));
}
Status Status::forbidden(std::string message, ehr_deny_reason reason) {
  return Status(EHR_STATUS_FORBIDDEN, std::move(message), {}, reason);
}
Status Status::not_found(std::string message, std::string field) {
  return Status(EHR_STATUS_NOT_FOUND, std::move(message), std::move(field));
}
Status Status::conflict(std::string message) {
  return Status(EHR_STATUS_CONFLICT, std::move(message));
}
Status Status::unsupported(std::string message) {
  return Status(EHR_STATUS_UNSUPPORTED, std::move(message));
}
Status Status::storage(std::string message) {
  return Status(EHR_STATUS_STORAGE, std::move(message));
}
Status Status::internal(std::string message) {
  return Status(EHR_STATUS_INTERNAL, std::move(message));
}
Status Status::disabled(std::string message) {
  return Status(EHR_STATUS_DISABLED, std::move(message));
}

Status Status::from_c(ehr_status code, ehr_error* error) {
  if (code == EHR_STATUS_OK) {
    ehr_error_free(error);
    return Status();
  }
  Status status(code, {});
  if (error != nullptr) {
    // Trust the error's own header only as far as it is sized.
    if (error->struct_type == EHR_STRUCT_ERROR && error->struct_size >= EHR_SIZE_THROUGH(ehr_error, field)) {
      status.message_ = detail::copy(error->message);
      status.field_ = detail::copy(error->field);
      status.reason_ = error->reason;
    }
    ehr_error_free(error);
  }
  if (status.message_.empty())
    status.message_ = std::string("the plugin answered \"") + ehr_status_name(code) + "\"";
  return status;
}

std::string Status::to_string() const {
  std::ostringstream out;
  out << *this;
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Status& status) {
  out << status.code_name();
  if (!status.message().empty()) out << ": " << status.message();
  if (!status.field().empty()) out << " [field: " << status.field() << "]";
  return out;
}

BadResultAccess::BadResultAccess(Status status)
    : std::logic_error("value() of a failed Result: " + status.to_string()), status_(std::move(status)) {}

}  // namespace ehr::host
