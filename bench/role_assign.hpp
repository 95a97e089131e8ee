// Scenario 7's measurement, shared by both stores (roles_bench.cpp on SQLite, pg_bench.cpp on
// PostgreSQL): the SDK's RoleStore assigning a role to many users at once, round by round against
// a raw baseline doing the same rows on the same database.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <functional>

namespace ehr::bench {

struct RoleStoreUnderTest {
  // Readies the host data directory the RoleStore opens (its host.conf), when set.
  std::function<void(const std::filesystem::path& host_data_directory)> prepare;
  // The baseline: `users` assignment rows and as many change records in one transaction; ms.
  std::function<double(uint32_t users, uint32_t round)> raw_ms;
};

// Sets the counters users, role_store_p50_ms, role_store_max_ms, raw_p50_ms, role_store_us_per_user.
// `audited`: the role also goes to the loaded plugin's audit chain (its roles section declared).
void bulk_assign_users_on(benchmark::State& state, uint32_t count, bool audited,
                          const RoleStoreUnderTest& under_test);

}  // namespace ehr::bench
