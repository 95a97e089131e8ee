// Scenario 9: many tenants in one process, as a multi-tenant SaaS host runs the plugin: one
// PluginManager, host services and data directory per customer. Each tenant is loaded and then
// served once (a settings save, a message, a badge), so the connections and threads a serving
// tenant holds are counted, not just those of an idle one. A child process per tenant count keeps
// each measurement's descriptors and threads its own.
//
// The child reports, after N tenants: descriptors and threads per tenant, the time to load one
// more tenant on a new database (cold) and on the database it left behind (warm: the host
// restarted), and the descriptors still open after N load/unload cycles of one more tenant.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "bench_host.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "ehr/host/registry.hpp"
#include "environment.hpp"
#include "practice.hpp"
#include "scenarios.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

std::size_t entries_in(const char* directory) {
  std::error_code error;
  std::size_t count = 0;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) ++count;
  return count;
}

std::size_t open_descriptors() {
  return entries_in("/proc/self/fd");
}
std::size_t threads() {
  return entries_in("/proc/self/task");
}

struct Tenant {
  std::unique_ptr<BenchHost> host;
  std::unique_ptr<host::PluginManager> manager;
};

[[noreturn]] void fail_tenant(std::size_t index, const std::string& why) {
  throw std::runtime_error("tenant " + std::to_string(index) + ": " + why);
}

// Loads one tenant and serves it once; returns the load time in microseconds.
double load_and_serve(const Practice& practice, const fs::path& plugins, const fs::path& data,
                      std::size_t index, Tenant& tenant) {
  tenant.host = std::make_unique<BenchHost>(practice);
  const auto started = clock_type::now();
  tenant.manager = std::make_unique<host::PluginManager>(manager_options(plugins, data), *tenant.host);
  const host::Status status = tenant.manager->discover();
  const double load_us = std::chrono::duration<double, std::micro>(clock_type::now() - started).count();
  auto info = tenant.manager->info("portal-messaging");
  if (!status || !info || info->state != host::PluginState::enabled)
    fail_tenant(index, !status ? status.to_string()
                               : (!info ? info.status().to_string() : info->failure.to_string()));

  auto pages = tenant.manager->registry().settings_pages("portal-messaging");
  if (!pages) fail_tenant(index, pages.status().to_string());
  const std::string admin = Practice::staff_id(0);
  if (host::Status saved =
          pages->save_page(admin, "", {{"my_messages", "on"}, {"audience", "care_team_only"}});
      !saved)
    fail_tenant(index, "settings: " + saved.to_string());
  const host::MessagingChannel channel(tenant.manager->registry().channels().front());
  host::StartRequest request;
  // Every tenant's practice is the same; each writes to its own database.
  request.sender =
      host::Principal::staff(Practice::staff_id(practice.lead_of(practice.patients()[0].location)));
  request.patient_id = Practice::patient_id(0);
  request.subject = "Your visit";
  request.body = "Your results are in the portal.";
  if (auto sent = channel.start_thread(request); !sent)
    fail_tenant(index, "send: " + sent.status().to_string());
  if (auto badge = channel.unread_total(request.sender); !badge)
    fail_tenant(index, "badge: " + badge.status().to_string());
  return load_us;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// A real host raises its descriptor limit to what it may use; so does the child.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The benchmark's side: one child per tenant count.
void many_tenants(benchmark::State& state) {
  const Environment& env = environment();
  const auto tenants = static_cast<std::size_t>(state.range(0));
  std::istringstream out;
  for (auto _ : state) {
    const fs::path work = env.options().work_directory / ("tenants-" + std::to_string(tenants));
    fs::remove_all(work);
    const std::string printed = run_child({"--child-tenants", Environment::plugins_directory().string(),
                                           work.string(), std::to_string(tenants)});
    out.str(printed);
    fs::remove_all(work);
    double fds = 0, threads_per = 0, cold_ms = 0, warm_ms = 0, leaked = 0, cycles = 0;
    out >> fds >> threads_per >> cold_ms >> warm_ms >> leaked >> cycles;
    state.SetIterationTime(cold_ms / 1000);
    state.counters["tenants"] = static_cast<double>(tenants);
    state.counters["fds_per_tenant"] = fds;
    state.counters["threads_per_tenant"] = threads_per;
    state.counters["cold_load_p50_ms"] = cold_ms;
    state.counters["warm_load_p50_ms"] = warm_ms;
    state.counters["fds_leaked"] = leaked;
    state.counters["load_unload_cycles"] = cycles;
  }
}

}  // namespace

int tenants_child_main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: --child-tenants PLUGINS_DIR WORK_DIR TENANTS\n");
    return 2;
  }
  raise_descriptor_limit();
  const fs::path plugins = argv[2];
  const fs::path work = argv[3];
  const std::size_t count = std::stoul(argv[4]);
  const Practice practice(quick_scale());
  const auto tenant_data = [&](std::size_t i) { return work / ("tenant-" + std::to_string(i)); };

  const std::size_t fds_before = open_descriptors();
  const std::size_t threads_before = threads();
  std::vector<Tenant> tenants(count);
  std::vector<double> cold_us;
  for (std::size_t i = 0; i < count; ++i)
    cold_us.push_back(load_and_serve(practice, plugins, tenant_data(i), i, tenants[i]));
  const double fds_per = static_cast<double>(open_descriptors() - fds_before) / static_cast<double>(count);
  const double threads_per = static_cast<double>(threads() - threads_before) / static_cast<double>(count);

  // The host restarts its tenants: each database exists now.
  for (auto& tenant : tenants) tenant.manager->shutdown();
  tenants.clear();
  tenants.resize(count);
  std::vector<double> warm_us;
  for (std::size_t i = 0; i < count; ++i)
    warm_us.push_back(load_and_serve(practice, plugins, tenant_data(i), i, tenants[i]));

  // One more tenant evicted and loaded again, as often as there are tenants (at least 100).
  const std::size_t cycles = std::max<std::size_t>(count, 100);
  const std::size_t fds_before_cycles = open_descriptors();
  for (std::size_t c = 0; c < cycles; ++c) {
    Tenant extra;
    load_and_serve(practice, plugins, tenant_data(count), count, extra);
    extra.manager->shutdown();
  }
  const std::size_t fds_after_cycles = open_descriptors();
  const double leaked =
      fds_after_cycles > fds_before_cycles ? static_cast<double>(fds_after_cycles - fds_before_cycles) : 0.0;

  // The first cold load also maps the library; the figure is the cost of one more tenant.
  if (cold_us.size() > 1) cold_us.erase(cold_us.begin());
  std::printf("%.2f %.2f %.2f %.2f %.0f %zu\n", fds_per, threads_per, median(cold_us) / 1000,
              median(warm_us) / 1000, leaked, cycles);
  for (auto& tenant : tenants) tenant.manager->shutdown();
  return 0;
}

void register_tenants_benchmarks(const Environment& env) {
  auto* benchmark = benchmark::RegisterBenchmark("S9/tenants/many_tenants", many_tenants)
                        ->UseManualTime()
                        ->Iterations(1)
                        ->Unit(benchmark::kMillisecond);
  if (env.options().quick) {
    benchmark->Arg(1)->Arg(10);
  } else {
    benchmark->Arg(1)->Arg(10)->Arg(100)->Arg(1000);
  }
}

}  // namespace ehr::bench
