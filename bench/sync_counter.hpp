// Counts the fsync and fdatasync calls of this process: SQLite's (every connection, the plugin's
// too), the plugin's own and the host SDK's. The bench executable defines both functions and
// exports them, so every library's call lands here first and goes on to the C library's. Scenario
// 6 reports how many syncs a cold load costs with it, instead of an strace run by hand.
#pragma once

#include <cstdint>

namespace ehr::bench {

// Starts counting (from zero).
void count_syncs();
// fsync + fdatasync calls since count_syncs(), directory syncs included.
[[nodiscard]] uint64_t syncs_counted();

}  // namespace ehr::bench
