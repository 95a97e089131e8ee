// The PostgreSQL scenarios' shared state: the server portal_bench was given (--postgresql), the
// dataset loaded there (pg_dataset.hpp), this run's copy of it, and the plugin loaded through the
// host SDK with `storage = postgresql` on that copy.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "environment.hpp"
#include "pg_dataset.hpp"

namespace ehr::bench {

// The plugin's connections per host in these scenarios: one per concurrent sender of scenario 2
// (docs/admins.md: 4 to 8).
inline constexpr int kPgPoolSize = 8;

// Writes `host_data_directory`/plugins/portal-messaging.conf (mode 0600) choosing PostgreSQL at
// `conninfo`, as a host admin does (docs/admins.md section 10).
void write_pg_plugin_config(const std::filesystem::path& host_data_directory, const std::string& conninfo);

class PgEnvironment {
 public:
  // Loads the dataset on the server when it is not there yet, and copies it for this run.
  PgEnvironment(const Environment& environment, std::string admin_conninfo);
  ~PgEnvironment();

  [[nodiscard]] const std::string& admin_conninfo() const { return admin_conninfo_; }
  [[nodiscard]] const PgDataset& dataset() const { return dataset_; }
  // This run's copy of the dataset.
  [[nodiscard]] const std::string& work_conninfo() const { return work_conninfo_; }
  // Loaded on first use over the copy, in its own host data directory.
  LoadedPlugin& plugin();

 private:
  const Environment& environment_;
  std::string admin_conninfo_;
  PgDataset dataset_;
  std::string work_conninfo_;
  std::unique_ptr<LoadedPlugin> plugin_;
};

// Set by main() when --postgresql was given.
PgEnvironment& pg_environment();
void set_pg_environment(PgEnvironment* environment);

}  // namespace ehr::bench
