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

#include "baselines.hpp"
#include "ehr/plugin.h"
#include "environment.hpp"
#include "scenarios.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;

void report_child_times(benchmark::State& state, Latencies& latencies) {
  state.counters["p50_ms"] = latencies.percentile_us(0.5) / 1000;
  state.counters["max_ms"] = latencies.percentile_us(1.0) / 1000;
}

void cold_load(benchmark::State& state, bool bare) {
  const Environment& env = environment();
  Latencies latencies;
  int round = 0;
  for (auto _ : state) {
    const fs::path host_data = env.options().work_directory / ("load-" + std::to_string(round++));
    fs::remove_all(host_data);
    const std::string output =
        bare ? run_child({"--child-dlopen", Environment::library().string()})
             : run_child({"--child-load", Environment::plugins_directory().string(), host_data.string()});
    const double us = std::stod(output);
    state.SetIterationTime(us / 1e6);
    latencies.add(std::chrono::microseconds(static_cast<int64_t>(us)));
    fs::remove_all(host_data);
  }
  report_child_times(state, latencies);
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
  const int rounds = env.options().quick ? 3 : 30;
  benchmark::RegisterBenchmark("S6/load/bare_dlopen", [](benchmark::State& s) { cold_load(s, true); })
      ->UseManualTime()
      ->Iterations(rounds)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("S6/load/cold_plugin", [](benchmark::State& s) { cold_load(s, false); })
      ->UseManualTime()
      ->Iterations(rounds)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace ehr::bench
