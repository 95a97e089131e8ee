// Scenario 7: bulk assign a role to 10,000 users (Manage Users > Assign Roles > Assign Selected,
// R-ROLE-3) through the host SDK's RoleStore: one atomic, audited operation. Baseline: raw SQLite
// inserting the same number of assignment rows and change records in one transaction with the
// same pragmas, alternating with it round by round.
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "bench_host.hpp"
#include "ehr/host/role_store.hpp"
#include "environment.hpp"
#include "role_assign.hpp"
#include "scenarios.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;
constexpr const char* kRole = "available_for_portal_messages";

}  // namespace

// Rounds alternate: the RoleStore assigns the role to every user (timed), the raw baseline does its
// inserts (timed), then the RoleStore unassigns the role again (not timed). `audited`: the role
// is declared through the loaded plugin's roles section, as a host does, so every change is
// also appended to the plugin's audit chain before the role store commits (R-SEC-3).
void bulk_assign_users_on(benchmark::State& state, uint32_t count, bool audited,
                          const RoleStoreUnderTest& under_test) {
  const fs::path directory = environment().options().work_directory / ("roles-" + std::to_string(count));
  fs::remove_all(directory);
  fs::create_directories(directory);
  if (under_test.prepare) under_test.prepare(directory);
  BenchUserDirectory users(count);
  auto opened = host::RoleStore::open(directory, users);
  if (!opened) {
    state.SkipWithError(opened.status().to_string().c_str());
    return;
  }
  host::RoleStore& store = **opened;
  std::vector<std::string> ids;
  for (uint32_t i = 0; i < count; ++i) ids.push_back("u" + std::to_string(i));
  host::Status ready = store.declare_role({kRole, "Available for portal messages", ""});
  if (ready && audited) {
    for (const host::RolesSection& section : environment().plugin().manager().registry().roles_sections())
      if (ready) ready = store.declare_section(section);
  }
  if (ready) {
    auto seeded = store.seed_initial({{"admin", std::string(host::kManageUsersRole)}});
    if (!seeded) ready = seeded.status();
  }
  if (!ready) {
    state.SkipWithError(ready.to_string().c_str());
    return;
  }
  Latencies role_store, raw;
  uint32_t round = 0;
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    auto assigned = store.assign_selected("admin", kRole, ids);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    if (!assigned || assigned->changed != count) {
      state.SkipWithError(!assigned ? assigned.status().to_string().c_str() : "not every user was assigned");
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
    role_store.add(elapsed);
    raw.add(std::chrono::microseconds(static_cast<int64_t>(1000 * under_test.raw_ms(count, round++))));
    auto unassigned = store.unassign_selected("admin", kRole, ids);
    if (!unassigned) {
      state.SkipWithError(unassigned.status().to_string().c_str());
      return;
    }
  }
  state.counters["users"] = count;
  state.counters["role_store_p50_ms"] = role_store.percentile_us(0.5) / 1000;
  state.counters["role_store_max_ms"] = role_store.percentile_us(1.0) / 1000;
  state.counters["raw_p50_ms"] = raw.percentile_us(0.5) / 1000;
  state.counters["role_store_us_per_user"] = role_store.percentile_us(0.5) / count;
  fs::remove_all(directory);
}

namespace {

void bulk_assign_users(benchmark::State& state, uint32_t count, bool audited = false) {
  const Environment& env = environment();
  RoleStoreUnderTest sqlite;
  sqlite.raw_ms = [&env](uint32_t users, uint32_t round) {
    return raw_role_inserts_ms(env.options().work_directory / "raw-roles.db", users, round);
  };
  bulk_assign_users_on(state, count, audited, sqlite);
}

void bulk_assign(benchmark::State& state) {
  bulk_assign_users(state, environment().practice().scale().role_users);
}

// The same, audited in the plugin's chain: what a host that declares the plugin's section pays.
void audited_bulk_assign(benchmark::State& state) {
  bulk_assign_users(state, static_cast<uint32_t>(state.range(0)), true);
}

// The same operation at other sizes: the cost per user must not grow with the number of users.
void bulk_assign_scaled(benchmark::State& state) {
  bulk_assign_users(state, static_cast<uint32_t>(state.range(0)));
}

}  // namespace

void register_roles_benchmarks(const Environment& env) {
  benchmark::RegisterBenchmark("S7/roles/bulk_assign", bulk_assign)
      ->UseManualTime()
      ->Iterations(env.options().quick ? 2 : 20)
      ->Unit(benchmark::kMillisecond);
  // Not named S7/roles/bulk_assign*: the guarded ratio reads those (the role store alone).
  // At 10,000 users in both runs (the scenario 7), beside the role store alone at that size.
  benchmark::RegisterBenchmark("S7/roles/audited_bulk_assign", audited_bulk_assign)
      ->Arg(10000)
      ->UseManualTime()
      ->Iterations(env.options().quick ? 2 : 20)
      ->Unit(benchmark::kMillisecond);
  const uint32_t users = env.practice().scale().role_users;
  benchmark::RegisterBenchmark("S7/roles/bulk_assign_scaled", bulk_assign_scaled)
      ->Arg(users / 10)
      ->Arg(users * 10)
      ->UseManualTime()
      ->Iterations(env.options().quick ? 3 : 5)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace ehr::bench
