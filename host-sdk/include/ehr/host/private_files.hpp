// Files and directories only their owner can read, whatever the process umask (R-SEC-2): the
// host data directory holds PHI (databases, notification addresses, audit copies).
#pragma once

#include <filesystem>

#include "ehr/host/status.hpp"

namespace ehr::host {

// Creates `directory` (missing parents with the usual mode) and leaves it 0700, narrowing an
// existing one: a data directory made by an earlier version or a lax umask is closed too.
[[nodiscard]] Status make_private_directory(const std::filesystem::path& directory);

// Creates `file` empty with mode 0600 when missing, or narrows an existing one to 0600. Call it
// before SQLite opens a database: SQLite gives its -wal, -shm and journal files the database's
// mode. A symbolic link in place of the file is refused.
[[nodiscard]] Status make_private_file(const std::filesystem::path& file);

}  // namespace ehr::host
