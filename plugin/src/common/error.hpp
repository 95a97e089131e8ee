#pragma once

#include "common/storage.hpp"
#include "storage/error.hpp"

namespace ehr::portal {

// The plugin throws and catches the storage library's failure type (storage/error.hpp), which the
// host SDK shares: one class, so a storage failure reaches the ABI boundary as any other Error.
using Error = storage::Error;

}  // namespace ehr::portal
