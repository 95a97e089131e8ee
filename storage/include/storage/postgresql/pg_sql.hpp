// The portable SQL the features write (store.hpp), as the PostgreSQL server takes it: ?1 ?2 ...
// become $1 $2 ..., once per text for the whole process, and each text gets the name its prepared
// statement carries on every connection.
#pragma once

#include <string>
#include <string_view>

namespace ehr::storage::pg {

struct TranslatedSql {
  std::string sql;   // with $N parameters
  std::string name;  // "p<n>": the same for the same text, never shared by two texts
  int parameters;    // the highest N
};

// Parameters outside string literals, quoted identifiers, comments and dollar-quoted strings are
// translated; an unnumbered ? (SQLite's positional form) is refused with EHR_STATUS_INTERNAL, as
// a text the translation cannot be sure of. THREADING: thread-safe; the result lives as long as
// the process.
[[nodiscard]] const TranslatedSql& translate(std::string_view portable);

}  // namespace ehr::storage::pg
