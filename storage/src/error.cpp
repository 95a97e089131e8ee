#include "storage/error.hpp"

#include <utility>

namespace ehr::storage {

Error::Error(ehr_status code, const std::string& message, std::string field, uint32_t reason)
    : std::runtime_error(message), code_(code), field_(std::move(field)), reason_(reason) {}

}  // namespace ehr::storage
