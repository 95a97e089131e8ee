#pragma once

#include "common/error.hpp"

// The storage library (top-level storage/, namespace ehr::storage) is the plugin's own layer moved
// where the host SDK shares it. Its names read in the plugin as they did before the move: Store,
// Transaction, Statement, Migration ... and pg::PgStore. These are using-directives, not copies:
// each concept keeps its one definition in ehr::storage.
namespace ehr::storage {
class Store;
class Transaction;
class Statement;
struct Migration;
}  // namespace ehr::storage
namespace ehr::storage::pg {}

namespace ehr::portal {
using namespace ehr::storage;
}  // namespace ehr::portal

namespace ehr::portal::pg {
using namespace ehr::storage::pg;
}  // namespace ehr::portal::pg
