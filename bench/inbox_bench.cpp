// Scenarios 3 and 4: the inbox's first page (50 threads with unread counts and the totals) and
// the unread badge, through the ABI, for the busiest staff inboxes (each location's lead
// clinician) and for portal users (guardians with two charts), at the full dataset. Baseline,
// interleaved call by call: the store's own queries on a connection of their own, without the
// ABI and the host's access checks. Listing is not audited (only reads of a thread are).
#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "bench_host.hpp"
#include "common/storage.hpp"
#include "config/plugin_config.hpp"
#include "environment.hpp"
#include "host/host_client.hpp"
#include "messaging/conversation_store.hpp"
#include "scenarios.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"
#include "store_reads.hpp"

namespace ehr::bench {

namespace {

constexpr uint32_t kPage = 50;

struct Reader {
  host::Principal principal;
  std::optional<std::vector<std::string>> charts;  // a portal user's contact charts
};

std::vector<Reader> readers(bool staff) {
  const Practice& practice = environment().practice();
  std::vector<Reader> result;
  if (staff) {
    for (uint32_t l = 0; l < practice.scale().locations; ++l) {
      result.push_back({host::Principal::staff(Practice::staff_id(practice.lead_of(l))), std::nullopt});
    }
  } else {
    for (uint32_t g = 0; g < practice.guardian_count() && result.size() < 1000; ++g) {
      if (!practice.portal_active({PortalKind::guardian, g})) continue;
      std::vector<std::string> charts;
      for (uint32_t p : practice.guardian_charts(g)) charts.push_back(Practice::patient_id(p));
      result.push_back({host::Principal::portal_user(Practice::guardian_portal_id(g)), std::move(charts)});
    }
  }
  return result;
}

portal::Principal to_portal(const host::Principal& principal) {
  return {static_cast<portal::PrincipalKind>(principal.kind), principal.id};
}

}  // namespace

// Each iteration asks for one reader's page (or badge) twice, in alternating order: through the
// ABI, and with the same queries straight on the store (its own connection, no host checks).
void paired_reads(benchmark::State& state, const host::MessagingChannel& channel, portal::Store& db,
                  bool staff, bool badge_only) {
  Environment& env = environment();
  BenchHost host(env.practice());
  host::HostServicesTable table(host);
  portal::HostClient client(table.table());
  const portal::AtRest at_rest(client, portal::PluginConfig{});
  const portal::ConversationStore store(at_rest);
  const std::vector<Reader> who = readers(staff);
  Latencies through_abi, store_only, abi_on_cpu;
  uint64_t abi_rows = 0, store_rows = 0;
  std::size_t next = 0;
  std::string failure;
  auto ask_abi = [&](const Reader& reader) {
    const ThreadCpuTime cpu;
    const auto started = std::chrono::steady_clock::now();
    if (badge_only) {
      auto badge = channel.unread_total(reader.principal);
      through_abi.add(std::chrono::steady_clock::now() - started);
      abi_on_cpu.add(cpu.elapsed());
      if (!badge) failure = badge.status().to_string();
      abi_rows += badge ? *badge : 0;
    } else {
      auto page = channel.list_threads({reader.principal, false, kPage, 0});
      through_abi.add(std::chrono::steady_clock::now() - started);
      abi_on_cpu.add(cpu.elapsed());
      if (!page) failure = page.status().to_string();
      abi_rows += page ? page->threads.size() : 0;
    }
  };
  auto ask_store = [&](const Reader& reader) {
    const auto started = std::chrono::steady_clock::now();
    portal::InboxQuery query;
    query.reader = to_portal(reader.principal);
    query.limit = kPage;
    query.charts = reader.charts;
    portal::Transaction tx(db, portal::TransactionMode::read);
    if (badge_only) {
      store_rows += store.unread_total(tx, query.reader, query.charts);
    } else {
      store_rows += store.list_threads(tx, query).size();
      benchmark::DoNotOptimize(store.count_threads(tx, query));
      benchmark::DoNotOptimize(store.unread_total(tx, query.reader, query.charts));
    }
    tx.commit();
    store_only.add(std::chrono::steady_clock::now() - started);
  };
  for (auto _ : state) {
    const Reader& reader = who[next % who.size()];
    if (next++ % 2 == 0) {
      ask_abi(reader);
      ask_store(reader);
    } else {
      ask_store(reader);
      ask_abi(reader);
    }
    if (!failure.empty()) {
      state.SkipWithError(failure.c_str());
      return;
    }
  }
  if (abi_rows != store_rows) {
    state.SkipWithError("the ABI and the store answered differently");
    return;
  }
  state.counters["abi_p50_us"] = through_abi.percentile_us(0.50);
  state.counters["abi_p99_us"] = through_abi.percentile_us(0.99);
  // Without the time spent waiting for a CPU: on a shared machine, the wall p99 of a call that
  // takes tens of microseconds is mostly the scheduler's.
  state.counters["abi_cpu_p99_us"] = abi_on_cpu.percentile_us(0.99);
  state.counters["store_p50_us"] = store_only.percentile_us(0.50);
  state.counters["store_p99_us"] = store_only.percentile_us(0.99);
  state.counters[badge_only ? "unread_per_call" : "rows_per_call"] =
      static_cast<double>(abi_rows) /
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
}

namespace {

void paired(benchmark::State& state, bool staff, bool badge_only) {
  Environment& env = environment();
  const host::MessagingChannel& channel = env.plugin().channel();
  portal::SqliteStore db(env.working_database());
  paired_reads(state, channel, db, staff, badge_only);
}

}  // namespace

void register_inbox_benchmarks(const Environment& env) {
  const double seconds = env.options().quick ? 0.2 : 4.0;
  for (const char* area : {"S3/inbox/", "S4/badge/"}) {
    const bool badge = std::string(area) == "S4/badge/";
    for (bool staff : {true, false}) {
      benchmark::RegisterBenchmark((area + std::string(staff ? "staff" : "portal")).c_str(),
                                   [staff, badge](benchmark::State& s) { paired(s, staff, badge); })
          ->MinTime(seconds);
    }
  }
}

}  // namespace ehr::bench
