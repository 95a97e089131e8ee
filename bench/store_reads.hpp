// Scenarios 3 and 4's measurement, shared by both stores (inbox_bench.cpp on SQLite, pg_bench.cpp
// on PostgreSQL): one reader's inbox page or unread badge through the ABI, paired call by call
// with the same queries straight on a store of the same data.
#pragma once

#include <benchmark/benchmark.h>

#include "common/storage.hpp"
#include "ehr/host/messaging_channel.hpp"

namespace ehr::bench {

// `staff`: each location's lead clinician, else guardians with two charts. `badge_only`: the
// unread total (scenario 4), else the first page of 50 with its counts (scenario 3). Sets the
// counters abi_p50_us, abi_p99_us, abi_cpu_p99_us, store_p50_us, store_p99_us.
void paired_reads(benchmark::State& state, const host::MessagingChannel& channel, portal::Store& store,
                  bool staff, bool badge_only);

}  // namespace ehr::bench
