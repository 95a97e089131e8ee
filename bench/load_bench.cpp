// Scenario 6: a cold plugin load (discover the manifest, verify the library's SHA-256, load it,
// negotiate, init: open and migrate a new database), against a bare dlopen + dlsym of the same
// library. Each measurement runs in a fresh child process, so the library is really mapped and
// initialised each time (a host keeps plugin libraries mapped until exit, so a second load in
// one process would measure nothing); the file itself is in the page cache, as on any host that
// has started before.
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "ehr/plugin.h"
#include "environment.hpp"
#include "scenarios.hpp"
#include "sync_counter.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;

// A child prints the microseconds it measured, then (for loads) the syncs SQLite asked for.
struct ChildRun {
  double ms = 0;
  double syncs = 0;
};

ChildRun child_run(const std::vector<std::string>& arguments) {
  std::istringstream out(run_child(arguments));
  ChildRun run;
  out >> run.ms >> run.syncs;
  run.ms /= 1000;
  return run;
}

double child_ms(const std::vector<std::string>& arguments) {
  return child_run(arguments).ms;
}

// Each round: a bare dlopen, a cold load into a new host data directory, and a restart of the
// same plugin over the database the cold load created (no migration left to run).
void plugin_loads(benchmark::State& state) {
  const Environment& env = environment();
  Latencies bare, cold, restart;
  double cold_syncs = 0, restart_syncs = 0;
  int round = 0;
  for (auto _ : state) {
    const fs::path host_data = env.options().work_directory / ("load-" + std::to_string(round++));
    fs::remove_all(host_data);
    const std::vector<std::string> load{"--child-load", Environment::plugins_directory().string(),
                                        host_data.string()};
    bare.add(std::chrono::microseconds(
        static_cast<int64_t>(1000 * child_ms({"--child-dlopen", Environment::library().string()}))));
    const ChildRun cold_run = child_run(load);
    cold.add(std::chrono::microseconds(static_cast<int64_t>(1000 * cold_run.ms)));
    const ChildRun restart_run = child_run(load);
    restart.add(std::chrono::microseconds(static_cast<int64_t>(1000 * restart_run.ms)));
    cold_syncs = std::max(cold_syncs, cold_run.syncs);
    restart_syncs = std::max(restart_syncs, restart_run.syncs);
    state.SetIterationTime(cold_run.ms / 1000);
    fs::remove_all(host_data);
  }
  state.counters["bare_dlopen_p50_ms"] = bare.percentile_us(0.5) / 1000;
  state.counters["cold_p50_ms"] = cold.percentile_us(0.5) / 1000;
  state.counters["cold_max_ms"] = cold.percentile_us(1.0) / 1000;
  state.counters["restart_p50_ms"] = restart.percentile_us(0.5) / 1000;
  state.counters["cold_fsyncs"] = cold_syncs;  // the most any round counted
  state.counters["restart_fsyncs"] = restart_syncs;
}

}  // namespace

int load_child_main(int argc, char** argv) {
  using clock = std::chrono::steady_clock;
  const std::string mode = argv[1];
  if (mode == "--child-dlopen" && argc == 3) {
    const auto started = clock::now();
    void* library = dlopen(argv[2], RTLD_LAZY | RTLD_LOCAL);
    void* entry = library != nullptr ? dlsym(library, EHR_PLUGIN_ENTRY_POINT) : nullptr;
    const auto elapsed = clock::now() - started;
    if (entry == nullptr) {
      std::fprintf(stderr, "bare dlopen failed: %s\n", dlerror());
      return 1;
    }
    std::printf("%.1f\n", std::chrono::duration<double, std::micro>(elapsed).count());
    return 0;
  }
  if (mode == "--child-load" && argc == 4) {
    const Practice practice(quick_scale());
    BenchHost host(practice);
    count_syncs();
    const auto started = clock::now();
    host::PluginManager manager(manager_options(argv[2], argv[3]), host);
    const host::Status status = manager.discover();
    const auto elapsed = clock::now() - started;
    auto info = manager.info("portal-messaging");
    if (!status || !info || info->state != host::PluginState::enabled) {
      std::fprintf(stderr, "plugin load failed: %s\n",
                   !status ? status.to_string().c_str()
                           : (!info ? info.status().to_string().c_str() : info->failure.to_string().c_str()));
      return 1;
    }
    const uint64_t syncs = syncs_counted();
    std::printf("%.1f %llu\n", std::chrono::duration<double, std::micro>(elapsed).count(),
                static_cast<unsigned long long>(syncs));
    manager.shutdown();
    return 0;
  }
  std::fprintf(stderr, "usage: --child-dlopen LIBRARY | --child-load PLUGINS_DIR HOST_DATA_DIR\n");
  return 2;
}

void register_load_benchmarks(const Environment& env) {
  benchmark::RegisterBenchmark("S6/load/plugin_loads", plugin_loads)
      ->UseManualTime()
      ->Iterations(env.options().quick ? 2 : 20)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace ehr::bench
