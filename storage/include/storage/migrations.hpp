#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/error.hpp"

namespace ehr::storage {

// Whose steps a store migrates unless told otherwise: the plugin's.
inline constexpr const char* kPluginSchemaOwner = "plugin";

// One step of the database's schema. Versions are consecutive from 1; a step is never edited
// once released, only followed by new ones.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The rule every backend applies its pending steps by, inside the one transaction it has opened:
// steps newer than `version` run in order, each in a savepoint; a failing step is undone whole,
// the steps before it stay, and the failure names the step. A database newer than the list is
// refused rather than misread. A list whose versions repeat or go backwards (two features claiming
// one version) is refused. `database` names the database in errors; `software` is whose steps
// these are (kPluginSchemaOwner, "host SDK"), which a database newer than them says to upgrade.
// The backend provides
//   void run_step(const Migration&)   runs the step's SQL and records it as applied;
//   void savepoint(), release(), rollback_to()   of one savepoint;
//   bool recoverable(const Error&)   false when the transaction itself is lost (nothing to undo).
// Returns the version reached and, in `failure`, the failed step's error, which the caller throws
// after committing what went before it.
template <typename Backend>
int apply_pending(Backend& backend, std::span<const Migration> steps, int version,
                  const std::string& database, std::optional<Error>& failure, std::string_view software) {
  const int known = steps.empty() ? 0 : steps.back().version;
  if (version > known) {
    throw Error(EHR_STATUS_STORAGE, database + " is at schema version " + std::to_string(version) +
                                        ", newer than this " + std::string(software) + " knows (" +
                                        std::to_string(known) + "); upgrade the " + std::string(software));
  }
  int listed = 0;
  for (const Migration& step : steps) {
    // Features declare their steps apart (Portal assembles them): two claiming one version, or a
    // list out of order, would otherwise skip a step silently.
    if (step.version <= listed)
      throw Error(EHR_STATUS_INTERNAL,
                  "migration list repeats or reorders version " + std::to_string(step.version));
    listed = step.version;
    if (step.version <= version) continue;
    if (step.version != version + 1)
      throw Error(EHR_STATUS_INTERNAL,
                  "migration list has a gap before version " + std::to_string(step.version));
    backend.savepoint();
    try {
      backend.run_step(step);
      backend.release();
    } catch (const Error& e) {
      if (!backend.recoverable(e)) throw;
      backend.rollback_to();
      failure.emplace(EHR_STATUS_STORAGE, "migration " + std::to_string(step.version) + " (" +
                                              std::string(step.name) +
                                              ") failed and was rolled back: " + e.what());
      break;
    }
    version = step.version;
  }
  return version;
}

}  // namespace ehr::storage
