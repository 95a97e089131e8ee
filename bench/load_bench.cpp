// Scenario 6: a cold plugin load (discover the manifest, verify the library's SHA-256, load it,
// negotiate, init: open and migrate a new database), against a bare dlopen + dlsym of the same
// library. Each measurement runs in a fresh child process, so the library is really mapped and
// initialised each time (a host keeps plugin libraries mapped until exit, so a second load in
// one process would measure nothing); the file itself is in the page cache, as on any host that
// has started before.
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "ehr/plugin.h"
#include "environment.hpp"
#include "scenarios.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;

double child_ms(const std::vector<std::string>& arguments) {
  return std::stod(run_child(arguments)) / 1000;
}

// Each round: a bare dlopen, a cold load into a new host data directory, and a restart of the
// same plugin over the database the cold load created (no migration left to run).
void plugin_loads(benchmark::State& state) {
  const Environment& env = environment();
  Latencies bare, cold, restart;
  int round = 0;
  for (auto _ : state) {
    const fs::path host_data = env.options().work_directory / ("load-" + std::to_string(round++));
    fs::remove_all(host_data);
    const std::vector<std::string> load{"--child-load", Environment::plugins_directory().string(),
                                        host_data.string()};
    bare.add(std::chrono::microseconds(
        static_cast<int64_t>(1000 * child_ms({"--child-dlopen", Environment::library().string()}))));
    const double cold_ms = child_ms(load);
    cold.add(std::chrono::microseconds(static_cast<int64_t>(1000 * cold_ms)));
    restart.add(std::chrono::microseconds(static_cast<int64_t>(1000 * child_ms(load))));
    state.SetIterationTime(cold_ms / 1000);
    fs::remove_all(host_data);
  }
  state.counters["bare_dlopen_p50_ms"] = bare.percentile_us(0.5) / 1000;
  state.counters["cold_p50_ms"] = cold.percentile_us(0.5) / 1000;
  state.counters["cold_max_ms"] = cold.percentile_us(1.0) / 1000;
  state.counters["restart_p50_ms"] = restart.percentile_us(0.5) / 1000;
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
    std::printf("%.1f\n", std::chrono::duration<double, std::micro>(elapsed).count());
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
