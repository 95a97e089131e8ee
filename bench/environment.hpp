// What every benchmark of one run shares: the options, the practice, the cached dataset and the
// plugin loaded through the host SDK over a fresh working copy of that dataset.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_host.hpp"
#include "dataset.hpp"
#include "ehr/host/hooks.hpp"
#include "ehr/host/messaging_channel.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "practice.hpp"

namespace ehr::bench {

struct Options {
  bool quick = false;
  std::filesystem::path work_directory;  // scratch space for this run (recreated)
  std::filesystem::path results_file;    // empty: do not write RESULTS.md
  std::string postgresql;                // libpq connection string; empty: no PostgreSQL scenarios
};

// The plugin as a host runs it: BenchHost, PluginManager over the build's plugins directory,
// the channel it registered and two hooks (before_store accepting, after_store counting), so
// every send pays for the hook points as an integrator's host would.
// The options a host would pass: the build's plugins directory and a host data directory.
host::PluginManagerOptions manager_options(const std::filesystem::path& plugins_directory,
                                           const std::filesystem::path& host_data_directory);

class LoadedPlugin {
 public:
  // `host_data_directory` must already hold the plugin's database (see Environment::plugin()).
  LoadedPlugin(const Practice& practice, const std::filesystem::path& plugins_directory,
               const std::filesystem::path& host_data_directory);
  ~LoadedPlugin();

  [[nodiscard]] BenchHost& host() { return host_; }
  [[nodiscard]] const host::MessagingChannel& channel() const { return *channel_; }
  [[nodiscard]] const host::PluginManager& manager() const { return manager_; }

 private:
  BenchHost host_;
  host::PluginManager manager_;
  std::unique_ptr<host::MessagingChannel> channel_;
  std::vector<host::HookRegistration> hooks_;
};

class Environment {
 public:
  explicit Environment(Options options);
  ~Environment();

  [[nodiscard]] const Options& options() const { return options_; }
  [[nodiscard]] const Practice& practice() const { return practice_; }
  [[nodiscard]] const Dataset& dataset() const { return dataset_; }

  [[nodiscard]] static std::filesystem::path plugins_directory();
  [[nodiscard]] static std::filesystem::path library();
  [[nodiscard]] static std::filesystem::path schema_file();
  // Where the plugin keeps its database under a host data directory (PluginManager's layout).
  [[nodiscard]] static std::filesystem::path plugin_database(
      const std::filesystem::path& host_data_directory);

  // Copies the cached dataset to be the plugin's database under `host_data_directory`.
  void install_dataset(const std::filesystem::path& host_data_directory) const;

  // The working copy of the dataset the loaded plugin serves (created by plugin()).
  [[nodiscard]] std::filesystem::path working_database() const;
  // Loaded on first use; one per process, shared by the send, inbox and badge scenarios.
  LoadedPlugin& plugin();

 private:
  Options options_;
  Practice practice_;
  Dataset dataset_;
  std::unique_ptr<LoadedPlugin> plugin_;
};

// Set by main() before the benchmarks run.
Environment& environment();
void set_environment(Environment* environment);

}  // namespace ehr::bench
