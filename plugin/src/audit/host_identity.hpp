#pragma once

#include <filesystem>
#include <string>

namespace ehr::portal {

// This host's name in the audit checkpoint records it takes (R-SEC-3), so that hosts sharing one
// chain (PostgreSQL) each check the checkpoints their own store holds. Drawn once at random and
// kept in the plugin's data directory, next to what the host keeps for it: a host is its data
// directory, whichever machine runs it.
class HostIdentity {
 public:
  static constexpr const char* kFile = "audit-host-id";

  // The id in `data_directory`/audit-host-id, drawn (16 random bytes, hex) and written 0600 when
  // the file is missing. Throws Error naming the file when it cannot be read or written, or does
  // not hold an id: a host must never take another's name, nor change its own silently.
  [[nodiscard]] static std::string load_or_create(const std::filesystem::path& data_directory);
};

}  // namespace ehr::portal
