// Scenario 5: the eligibility check with effective-settings resolution, in checks per second.
//  - settings_and_policy (the scenario's figure): resolve the chart location's effective settings
//    (SettingsService::effective, General or the location's own) and decide (decide_eligibility)
//    for a staff user and a portal user whose host facts are at hand;
//  - policy_only (baseline): the pure decision over facts already resolved;
//  - full_check: what every send pays, also asking the host (through the C table) for the
//    patient, care team, user, role, portal user and contact charts;
//  - abi_explain: the same question from a host, through the ABI (R-MSG-5 explain).
// The plugin's own classes are built in-process from portal_core over the working dataset.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "common/storage.hpp"
#include "environment.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "messaging/eligibility.hpp"
#include "messaging/eligibility_facts.hpp"
#include "scenarios.hpp"
#include "settings/settings_schema.hpp"
#include "settings/settings_service.hpp"
#include "storage/sqlite_store.hpp"

namespace ehr::bench {

namespace {

// One pair to decide about: a care-team member and the patient's own portal account.
struct Pair {
  uint32_t patient;
  uint32_t staff;
  std::string patient_id;
  std::string staff_id;
  std::string portal_id;
  std::string location_id;
};

std::vector<Pair> pairs() {
  const Practice& practice = environment().practice();
  std::vector<Pair> result;
  for (uint32_t p = 0; p < practice.scale().patients && result.size() < 4096; p += 7) {
    const PatientRecord& patient = practice.patients()[p];
    const uint32_t staff = patient.care_team[p % patient.care_team_size];
    result.push_back({p, staff, Practice::patient_id(p), Practice::staff_id(staff),
                      Practice::patient_portal_id(p), Practice::location_id(patient.location)});
  }
  return result;
}

// The plugin's settings and fact gathering, built as the plugin builds them.
struct Core {
  BenchHost host;
  host::HostServicesTable table;
  portal::HostClient client;
  portal::SettingsSchema schema;
  portal::SqliteStore db;
  portal::AuditLog audit;
  portal::HookRegistry hooks;
  portal::SettingsService settings;
  portal::EligibilityFactsSource facts;

  explicit Core(Environment& env)
      : host(env.practice()),
        table(host),
        client(table.table()),
        schema(portal::SettingsSchema::load_file(Environment::schema_file())),
        db(env.working_database()),
        audit(db, client),
        hooks(client),
        settings(schema, db, client, audit, hooks),
        facts(client, [this](const std::string& location_id) { return messaging_settings(location_id); }) {}

  // As the conversation service turns effective settings into the policy's facts.
  portal::MessagingSettingsFacts messaging_settings(const std::string& location_id) {
    const portal::PortalSettings effective = settings.effective(location_id);
    portal::MessagingSettingsFacts result;
    result.my_messages = effective.my_messages;
    result.audience = effective.audience;
    result.location_id = location_id;
    result.location_has_own_settings = !effective.source_location_id.empty();
    return result;
  }

  // The host facts of a pair, as the plugin would have gathered them.
  portal::EligibilityFacts known_facts(const Practice& practice, const Pair& pair) const {
    const StaffMember& member = practice.staff()[pair.staff];
    portal::EligibilityFacts f;
    f.patient.exists = true;
    f.staff =
        portal::StaffFacts{pair.staff_id, true, member.active, member.available_for_portal_messages, true};
    f.portal_user = portal::PortalUserFacts{
        pair.portal_id, true, practice.portal_active({PortalKind::patient, pair.patient}), true};
    return f;
  }
};

void settings_and_policy(benchmark::State& state) {
  Environment& env = environment();
  (void)env.plugin();
  Core core(env);
  const std::vector<Pair> all = pairs();
  std::vector<portal::EligibilityFacts> known;
  for (const Pair& pair : all) known.push_back(core.known_facts(env.practice(), pair));
  std::size_t next = 0, allowed = 0;
  for (auto _ : state) {
    const std::size_t i = next++ % all.size();
    portal::EligibilityFacts facts = known[i];
    facts.settings = core.messaging_settings(all[i].location_id);
    allowed += portal::decide_eligibility(facts).allowed();
  }
  state.counters["allowed_share"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}

void policy_only(benchmark::State& state) {
  Environment& env = environment();
  (void)env.plugin();
  Core core(env);
  const std::vector<Pair> all = pairs();
  std::vector<portal::EligibilityFacts> known;
  for (const Pair& pair : all) {
    known.push_back(core.known_facts(env.practice(), pair));
    known.back().settings = core.messaging_settings(pair.location_id);
  }
  std::size_t next = 0, allowed = 0;
  for (auto _ : state) allowed += portal::decide_eligibility(known[next++ % known.size()]).allowed();
  state.counters["allowed_share"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}

void full_check(benchmark::State& state) {
  Environment& env = environment();
  (void)env.plugin();
  Core core(env);
  const std::vector<Pair> all = pairs();
  std::size_t next = 0, allowed = 0;
  for (auto _ : state) {
    const Pair& pair = all[next++ % all.size()];
    const portal::ChartFacts chart = core.facts.chart(pair.patient_id);
    const portal::StaffFacts staff = core.facts.staff(chart, pair.staff_id);
    const portal::PortalUserFacts portal_user = core.facts.portal_user(chart, pair.portal_id);
    allowed += portal::decide_eligibility(core.facts.facts(chart, staff, portal_user)).allowed();
  }
  state.counters["allowed_share"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}

void abi_explain(benchmark::State& state) {
  const host::MessagingChannel& channel = environment().plugin().channel();
  const std::vector<Pair> all = pairs();
  std::size_t next = 0, allowed = 0;
  for (auto _ : state) {
    const Pair& pair = all[next++ % all.size()];
    auto decision = channel.explain({pair.staff_id, pair.portal_id, pair.patient_id});
    if (!decision) {
      state.SkipWithError(decision.status().to_string().c_str());
      return;
    }
    allowed += decision->allowed;
  }
  state.counters["allowed_share"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

void register_eligibility_benchmarks(const Environment& env) {
  const double seconds = env.options().quick ? 0.1 : 2.0;
  benchmark::RegisterBenchmark("S5/eligibility/policy_only", policy_only)->MinTime(seconds);
  benchmark::RegisterBenchmark("S5/eligibility/settings_and_policy", settings_and_policy)->MinTime(seconds);
  benchmark::RegisterBenchmark("S5/eligibility/full_check", full_check)->MinTime(seconds);
  benchmark::RegisterBenchmark("S5/eligibility/abi_explain", abi_explain)->MinTime(seconds);
}

}  // namespace ehr::bench
