// The big dataset: the practice's threads and messages, written once through the plugin's own
// code (its migrations, ConversationStore, AuditLog and SettingsService, in large transactions
// instead of one per message) into a file cached under the build directory, keyed by the
// generator version and the scale. Each bench run works on a fresh copy of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "practice.hpp"

namespace ehr::bench {

// Bump when what is generated changes (the generator or the plugin's schema): a stale cache is
// then rebuilt.
inline constexpr int kGeneratorVersion = 4;

// One generated thread, as the generator planned it; threads are numbered from 0 and stored
// with id = number + 1.
struct ThreadPlan {
  uint32_t patient = 0;
  uint32_t staff = 0;                 // the staff participant
  std::vector<PortalAccount> portal;  // the portal participants
  bool started_by_staff = true;
  uint32_t messages = 0;
  bool read_by_all = true;  // every participant read it to the end
  bool archived_by_staff = false;
};

// Deterministic: the same scale always plans the same threads.
ThreadPlan plan_thread(const Practice& practice, uint32_t thread);

struct Dataset {
  std::filesystem::path file;  // the cached database (never written by benchmarks)
  bool reused = false;         // found in the cache
  double build_seconds = 0;    // when built in this run
  uint64_t bytes = 0;
};

// Returns the cached dataset for this scale, building it first when it is missing.
// `schema_file` is the plugin's settings schema (portal-settings.xml).
Dataset ensure_dataset(const Practice& practice, const std::filesystem::path& cache_directory,
                       const std::filesystem::path& schema_file);

}  // namespace ehr::bench
