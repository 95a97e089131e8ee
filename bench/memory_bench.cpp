// Scenario 8: peak RSS of a host process while the plugin serves scenario 3 (inbox first pages
// for the lead clinicians and for guardians, from 4 host threads) at the full dataset. Measured
// in a child process (VmHWM), so nothing the bench parent allocated counts. Baseline: the same
// child's peak before it loads the plugin (the bench host and its in-memory practice).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "baselines.hpp"
#include "environment.hpp"
#include "scenarios.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr int kThreads = 4;

void serving_rss(benchmark::State& state) {
  const Environment& env = environment();
  const fs::path host_data = env.options().work_directory / "memory-host-data";
  fs::remove_all(host_data);
  env.install_dataset(host_data);
  const int calls = env.options().quick ? 200 : 5000;
  double before = 0, peak = 0;
  for (auto _ : state) {
    std::istringstream output(run_child(
        {"--child-memory", env.practice().scale().name, host_data.string(), std::to_string(calls)}));
    output >> before >> peak;
  }
  fs::remove_all(host_data);
  state.counters["peak_rss_mib"] = peak / kMiB;
  state.counters["before_plugin_mib"] = before / kMiB;
  state.counters["plugin_share_mib"] = (peak - before) / kMiB;
  state.counters["calls"] = calls * kThreads;
}

}  // namespace

int memory_child_main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: --child-memory SCALE HOST_DATA_DIR CALLS_PER_THREAD\n");
    return 2;
  }
  const Practice practice(std::string(argv[2]) == "quick" ? quick_scale() : full_scale());
  const int calls = std::stoi(argv[4]);
  const uint64_t before = peak_rss_bytes();
  LoadedPlugin plugin(practice, Environment::plugins_directory(), argv[3]);
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < calls; ++i) {
        host::Principal reader;
        const uint32_t n = static_cast<uint32_t>(t * calls + i);
        if (i % 2 == 0) {
          reader =
              host::Principal::staff(Practice::staff_id(practice.lead_of(n % practice.scale().locations)));
        } else {
          reader = host::Principal::portal_user(Practice::guardian_portal_id(n % practice.guardian_count()));
        }
        auto page = plugin.channel().list_threads({reader, false, 50, 0});
        // An inactive guardian is refused (and that refusal audited): part of serving too.
        if (!page && page.status().code() != EHR_STATUS_FORBIDDEN) {
          failures[static_cast<std::size_t>(t)] = page.status().to_string();
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) {
    if (!failure.empty()) {
      std::fprintf(stderr, "serving failed: %s\n", failure.c_str());
      return 1;
    }
  }
  std::printf("%llu %llu\n", static_cast<unsigned long long>(before),
              static_cast<unsigned long long>(peak_rss_bytes()));
  return 0;
}

void register_memory_benchmarks(const Environment&) {
  benchmark::RegisterBenchmark("S8/memory/serving_inbox_peak_rss", serving_rss)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace ehr::bench
