// Scenarios 3 and 4: the inbox's first page (50 threads with unread counts and the totals) and
// the unread badge, through the ABI, for the busiest staff inboxes (each location's lead
// clinician) and for portal users (guardians with two charts), at the full dataset. Baseline: the
// store's own queries on a connection of their own, without the ABI, the host's access checks
// or the audit of nothing (reads are not audited).
#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "environment.hpp"
#include "messaging/conversation_store.hpp"
#include "scenarios.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"

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

void report(benchmark::State& state, Latencies& latencies, uint64_t rows) {
  state.counters["p50_us"] = latencies.percentile_us(0.50);
  state.counters["p99_us"] = latencies.percentile_us(0.99);
  state.counters["rows_per_call"] =
      static_cast<double>(rows) /
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations()));
  state.SetItemsProcessed(state.iterations());
}

void abi_inbox(benchmark::State& state, bool staff) {
  const host::MessagingChannel& channel = environment().plugin().channel();
  const std::vector<Reader> who = readers(staff);
  Latencies latencies;
  uint64_t rows = 0;
  std::size_t next = 0;
  for (auto _ : state) {
    const Reader& reader = who[next++ % who.size()];
    const auto started = std::chrono::steady_clock::now();
    auto page = channel.list_threads({reader.principal, false, kPage, 0});
    latencies.add(std::chrono::steady_clock::now() - started);
    if (!page) {
      state.SkipWithError(page.status().to_string().c_str());
      return;
    }
    rows += page->threads.size();
  }
  report(state, latencies, rows);
}

void abi_badge(benchmark::State& state, bool staff) {
  const host::MessagingChannel& channel = environment().plugin().channel();
  const std::vector<Reader> who = readers(staff);
  Latencies latencies;
  uint64_t unread = 0;
  std::size_t next = 0;
  for (auto _ : state) {
    const Reader& reader = who[next++ % who.size()];
    const auto started = std::chrono::steady_clock::now();
    auto badge = channel.unread_total(reader.principal);
    latencies.add(std::chrono::steady_clock::now() - started);
    if (!badge) {
      state.SkipWithError(badge.status().to_string().c_str());
      return;
    }
    unread += *badge;
  }
  report(state, latencies, unread);
}

portal::Principal to_portal(const host::Principal& principal) {
  return {static_cast<portal::PrincipalKind>(principal.kind), principal.id};
}

// The same three queries the service runs for a page, straight on the store.
void store_inbox(benchmark::State& state, bool staff, bool badge_only) {
  Environment& env = environment();
  (void)env.plugin();
  portal::Database db(env.working_database());
  const portal::ConversationStore store;
  const std::vector<Reader> who = readers(staff);
  Latencies latencies;
  uint64_t rows = 0;
  std::size_t next = 0;
  for (auto _ : state) {
    const Reader& reader = who[next++ % who.size()];
    const auto started = std::chrono::steady_clock::now();
    portal::InboxQuery query;
    query.reader = to_portal(reader.principal);
    query.limit = kPage;
    query.charts = reader.charts;
    portal::Transaction tx(db, portal::TransactionMode::read);
    if (badge_only) {
      rows += store.unread_total(tx, query.reader, query.charts);
    } else {
      rows += store.list_threads(tx, query).size();
      benchmark::DoNotOptimize(store.count_threads(tx, query));
      benchmark::DoNotOptimize(store.unread_total(tx, query.reader, query.charts));
    }
    tx.commit();
    latencies.add(std::chrono::steady_clock::now() - started);
  }
  report(state, latencies, rows);
}

}  // namespace

void register_inbox_benchmarks(const Environment& env) {
  const double seconds = env.options().quick ? 0.2 : 3.0;
  for (bool staff : {true, false}) {
    const std::string who = staff ? "staff" : "portal";
    benchmark::RegisterBenchmark(("S3/inbox/store_" + who).c_str(), [staff](benchmark::State& s) {
      store_inbox(s, staff, false);
    })->MinTime(seconds);
    benchmark::RegisterBenchmark(("S3/inbox/abi_" + who).c_str(), [staff](benchmark::State& s) {
      abi_inbox(s, staff);
    })->MinTime(seconds);
  }
  for (bool staff : {true, false}) {
    const std::string who = staff ? "staff" : "portal";
    benchmark::RegisterBenchmark(("S4/badge/store_" + who).c_str(), [staff](benchmark::State& s) {
      store_inbox(s, staff, true);
    })->MinTime(seconds);
    benchmark::RegisterBenchmark(("S4/badge/abi_" + who).c_str(), [staff](benchmark::State& s) {
      abi_badge(s, staff);
    })->MinTime(seconds);
  }
}

}  // namespace ehr::bench
