// Scenarios 1, 2, 3, 4 and 7 on PostgreSQL (issue 12), and several host processes sending to one
// server at once. The plugin is loaded through the host SDK with `storage = postgresql` on a copy
// of the dataset, the RoleStore takes the same choice from host.conf; each figure has a raw libpq
// (or store-only) baseline measured in the same run on the same server (pg_baselines.hpp).
// Names start with "PG/" so that the SQLite figures and the regression guard's names stay apart.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "baselines.hpp"
#include "common/storage.hpp"
#include "environment.hpp"
#include "pg_baselines.hpp"
#include "pg_environment.hpp"
#include "role_assign.hpp"
#include "scenarios.hpp"
#include "send_phases.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "store_reads.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;

constexpr int kHostProcesses = 4;

void pg_durable_sends(benchmark::State& state) {
  Environment& env = environment();
  PgEnvironment& pg = pg_environment();
  const host::MessagingChannel& channel = pg.plugin().channel();
  RawPgSend raw(pg.work_conninfo(), RawPgSend::Rows::inserts);
  RawPgSend raw_rows(pg.work_conninfo(), RawPgSend::Rows::rows);
  RawPgPipelinedSend raw_rows_pipelined(pg.work_conninfo(), 1);
  RawPgPipelinedSend raw_rows_batched(pg.work_conninfo(), kConcurrentSenders);
  durable_sends(state, env.practice(), channel,
                SendBaselines{.raw = raw,
                              .raw_rows = raw_rows,
                              .raw_rows_pipelined = &raw_rows_pipelined,
                              .raw_batched = &raw_rows_batched},
                env.options().quick);
}

void pg_paired_reads(benchmark::State& state, bool staff, bool badge) {
  PgEnvironment& pg = pg_environment();
  portal::pg::PgStoreOptions options;
  options.conninfo = pg.work_conninfo();
  options.pool_size = 1;
  portal::pg::PgStore store(options);
  paired_reads(state, pg.plugin().channel(), store, staff, badge);
}

void pg_bulk_assign(benchmark::State& state) {
  PgEnvironment& pg = pg_environment();
  const std::string roles = fresh_pg_database(pg.admin_conninfo(), "portal_bench_roles");
  RoleStoreUnderTest postgresql;
  postgresql.prepare = [&roles](const fs::path& host_data) {
    const fs::path file = host_data / "host.conf";
    {
      std::ofstream out(file, std::ios::trunc);
      out << "storage = postgresql\nstorage.postgresql.conninfo = " << roles << "\n";
    }
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  };
  postgresql.raw_ms = [&roles](uint32_t users, uint32_t round) {
    return raw_pg_role_inserts_ms(roles, users, round);
  };
  bulk_assign_users_on(state, environment().practice().scale().role_users, false, postgresql);
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How long a child host waits for the others to be ready, at most.
constexpr std::chrono::seconds kReadyTimeout{300};

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `processes` child hosts (--child-pg-host) sending at once for `length`; returns their messages.
// Each child loads the plugin (at full scale its start reads the whole audit log once), says it is
// ready with a file, and waits for the go file, which names the common start once all are ready.
uint64_t hosts_sending(int processes, std::chrono::milliseconds length) {
  Environment& env = environment();
  PgEnvironment& pg = pg_environment();
  const fs::path go = env.options().work_directory / "pg-hosts-go";
  fs::remove(go);
  std::vector<std::vector<std::string>> children;
  std::vector<fs::path> ready;
  for (int i = 0; i < processes; ++i) {
    const fs::path host_data = env.options().work_directory / ("pg-host-" + std::to_string(i));
    write_pg_plugin_config(host_data, pg.work_conninfo());
    ready.push_back(host_data / "ready");
    fs::remove(ready.back());
    children.push_back({"--child-pg-host", env.practice().scale().name, host_data.string(), std::to_string(i),
                        std::to_string(kHostProcesses), go.string(), std::to_string(length.count())});
  }
  std::thread starter([&] {
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    auto all_ready = [&] {
      for (const fs::path& file : ready)
        if (!fs::exists(file)) return false;
      return true;
    };
    while (!all_ready() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const fs::path partial = fs::path(go).concat(".partial");
    std::ofstream(partial) << unix_ms_now() + 100 << "\n";
    fs::rename(partial, go);
  });
  std::vector<std::string> outputs;
  try {
    outputs = run_children(children);
  } catch (...) {
    starter.join();
    throw;
  }
  starter.join();
  uint64_t messages = 0;
  for (const std::string& output : outputs) {
    std::istringstream in(output);
    uint64_t sent = 0;
    if (!(in >> sent)) throw std::runtime_error("a child host printed no count: " + output);
    messages += sent;
  }
  return messages;
}

// Rounds alternate: one host process alone, then kHostProcesses at once, each one sender.
void host_processes(benchmark::State& state) {
  Environment& env = environment();
  (void)pg_environment().plugin();  // migrated and warmed as the children will find it
  const auto length = std::chrono::milliseconds(env.options().quick ? 500 : 3000);
  const int rounds = env.options().quick ? 1 : 4;
  uint64_t one = 0, many = 0;
  double seconds = 0;
  try {
    for (auto _ : state) {
      for (int round = 0; round < rounds; ++round) {
        one += hosts_sending(1, length);
        many += hosts_sending(kHostProcesses, length);
        seconds += std::chrono::duration<double>(length).count();
      }
    }
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
    return;
  }
  state.counters["processes"] = kHostProcesses;
  state.counters["one_process_msg_per_s"] = static_cast<double>(one) / seconds;
  state.counters["processes_msg_per_s"] = static_cast<double>(many) / seconds;
}

}  // namespace

// --child-pg-host SCALE HOST_DATA INDEX OF GO_FILE LENGTH_MS: a host process with the plugin on
// PostgreSQL (its host data directory's portal-messaging.conf), replying in its own slice of the
// threads for LENGTH from the start GO_FILE names; prints the number of messages it sent.
int pg_host_child_main(int argc, char** argv) {
  if (argc != 8) throw std::runtime_error("--child-pg-host takes 6 arguments");
  const std::string scale = argv[2];
  const Practice practice(scale == "quick" ? quick_scale() : full_scale());
  const fs::path host_data = argv[3];
  const std::size_t index = std::stoul(argv[4]);
  const std::size_t of = std::stoul(argv[5]);
  const fs::path go = argv[6];
  const int64_t length = std::stoll(argv[7]);
  const std::vector<ReplyTarget>& targets = reply_targets(practice);
  LoadedPlugin plugin(practice, Environment::plugins_directory(), host_data);
  std::ofstream(host_data / "ready") << "ready\n";
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout + std::chrono::seconds(10);
  while (!fs::exists(go)) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no go file came");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int64_t start = std::stoll(read_file(go));
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, start - unix_ms_now())));
  const std::size_t slice = targets.size() / of;
  uint64_t sent = 0;
  while (unix_ms_now() < start + length) {
    host::Status status = abi_reply(plugin.channel(), targets[index * slice + sent % slice]);
    if (!status) throw std::runtime_error("a child host's reply failed: " + status.to_string());
    ++sent;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(sent));
  return 0;
}

void register_postgresql_benchmarks(const Environment& env) {
  const double seconds = env.options().quick ? 0.2 : 4.0;
  benchmark::RegisterBenchmark("PG/S1/send/durable_sends", pg_durable_sends)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
  for (const char* area : {"PG/S3/inbox/", "PG/S4/badge/"}) {
    const bool badge = std::string(area) == "PG/S4/badge/";
    for (bool staff : {true, false}) {
      benchmark::RegisterBenchmark((area + std::string(staff ? "staff" : "portal")).c_str(),
                                   [staff, badge](benchmark::State& s) { pg_paired_reads(s, staff, badge); })
          // Wall time: most of a call is waiting for the server, and a minimum of CPU time would
          // stretch a full-scale run of these four to several minutes.
          ->UseRealTime()
          ->MinTime(seconds);
    }
  }
  benchmark::RegisterBenchmark("PG/S7/roles/bulk_assign", pg_bulk_assign)
      ->UseManualTime()
      ->Iterations(env.options().quick ? 2 : 5)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("PG/S10/hosts/processes_sending", host_processes)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
}

}  // namespace ehr::bench
