#include "dataset.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>

#include "audit/audit_log.hpp"
#include "bench_host.hpp"
#include "common/storage.hpp"
#include "config/plugin_config.hpp"
#include "hooks/hook_registry.hpp"
#include "host/host_client.hpp"
#include "messaging/conversation_store.hpp"
#include "portal_schema.hpp"
#include "settings/settings_schema.hpp"
#include "settings/settings_service.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"

namespace ehr::bench {

namespace {

namespace fs = std::filesystem;

// 2026-01-01T00:00:00Z; the generated history spans the 180 days after it.
constexpr int64_t kHistoryStartMs = 1767225600000;
constexpr int64_t kHistorySpanMs = 180LL * 24 * 3600 * 1000;
constexpr uint32_t kThreadsPerTransaction = 100;

portal::Principal staff_principal(uint32_t index) {
  return portal::Principal::staff(Practice::staff_id(index));
}

portal::Principal portal_principal(const PortalAccount& account) {
  return portal::Principal::portal_user(account.kind == PortalKind::patient
                                            ? Practice::patient_portal_id(account.index)
                                            : Practice::guardian_portal_id(account.index));
}

std::string body_text(Random& random) {
  static constexpr std::string_view kWords[] = {"thank",       "you",     "for",       "the",      "results",
                                                "appointment", "refill",  "please",    "call",     "when",
                                                "dose",        "morning", "evening",   "fever",    "better",
                                                "schedule",    "lab",     "follow-up", "question", "today"};
  const uint32_t words = 8 + random.below(60);
  std::string body;
  for (uint32_t i = 0; i < words; ++i) {
    if (i > 0) body += ' ';
    body += kWords[random.below(std::size(kWords))];
  }
  return body;
}

// General on (Care Team only); every 10th location its own settings with Selected users; every
// 25th location its own settings with My Messages off.
void save_settings(portal::SettingsService& settings, const Practice& practice) {
  const std::string admin = Practice::staff_id(0);
  settings.save_page(admin, "", {{"my_messages", "on"}, {"audience", "care_team_only"}});
  for (uint32_t l = 0; l < practice.scale().locations; ++l) {
    if (l % 25 == 24) {
      settings.save_page(admin, Practice::location_id(l), {{"my_messages", "off"}});
    } else if (l % 10 == 7) {
      settings.save_page(
          admin, Practice::location_id(l),
          {{"my_messages", "on"}, {"audience", "selected_users"}, {"use_location_information", "on"}});
    }
  }
}

void build(const Practice& practice, const fs::path& file, const fs::path& schema_file) {
  BenchHost host(practice);
  host.pin_clock(kHistoryStartMs - 3600 * 1000);
  host::HostServicesTable table(host);
  portal::HostClient client(table.table());
  const portal::SettingsSchema schema = portal::SettingsSchema::load_file(schema_file);
  portal::SqliteStore db(file);
  db.migrate(portal::portal_sqlite_steps());
  portal::AuditLog audit(db, client);
  portal::HookRegistry hooks(client);
  portal::SettingsService settings(schema, db, client, audit, hooks);
  save_settings(settings, practice);

  const portal::AtRest at_rest(client, portal::PluginConfig{});
  const portal::ConversationStore store(at_rest);
  Random random(0x5EED0002);
  const Scale& scale = practice.scale();
  const int64_t spacing = kHistorySpanMs / scale.threads;
  for (uint32_t first = 0; first < scale.threads; first += kThreadsPerTransaction) {
    portal::Transaction tx(db);
    const uint32_t last = std::min(scale.threads, first + kThreadsPerTransaction);
    for (uint32_t t = first; t < last; ++t) {
      const ThreadPlan plan = plan_thread(practice, t);
      const std::string patient = Practice::patient_id(plan.patient);
      const portal::Principal staff = staff_principal(plan.staff);
      std::vector<portal::Principal> portal_side;
      for (const PortalAccount& account : plan.portal) portal_side.push_back(portal_principal(account));
      const portal::Principal& starter = plan.started_by_staff ? staff : portal_side.front();
      std::vector<portal::Principal> others;
      if (plan.started_by_staff) {
        others = portal_side;
      } else {
        others.push_back(staff);
      }
      int64_t at = kHistoryStartMs + static_cast<int64_t>(t) * spacing;
      host.pin_clock(at);
      const std::string subject = t % 4 == 0 ? "" : "Question " + std::to_string(t);
      portal::ThreadRecord thread =
          store.create_thread(tx, patient, subject, starter, others, body_text(random), at);
      if (thread.id != static_cast<int64_t>(t) + 1)
        throw std::runtime_error("generated thread ids are not dense");
      portal::AuditEntry first_entry{starter,
                                     "message.send",
                                     patient,
                                     "thread:" + std::to_string(thread.id),
                                     "ok",
                                     "new thread, message " + std::to_string(thread.last_message_id) + ", " +
                                         std::to_string(others.size()) + " recipient(s)"};
      audit.append(tx, std::move(first_entry));
      int64_t last_message = thread.last_message_id;
      for (uint32_t m = 1; m < plan.messages; ++m) {
        at += 37 * 60 * 1000 + random.below(3600 * 1000);
        host.pin_clock(at);
        const bool staff_turn = (m % 2 == 0) == plan.started_by_staff;
        const portal::Principal& sender = staff_turn ? staff : portal_side[m % portal_side.size()];
        portal::MessageRecord message = store.add_message(tx, thread.id, sender, body_text(random), at);
        audit.append(tx, {sender, "message.send", patient, "thread:" + std::to_string(thread.id), "ok",
                          "reply, message " + std::to_string(message.id)});
        last_message = message.id;
      }
      if (plan.read_by_all) {
        store.mark_read(tx, thread.id, staff, last_message);
        for (const portal::Principal& p : portal_side) store.mark_read(tx, thread.id, p, last_message);
      }
      if (plan.archived_by_staff) store.set_archived(tx, thread.id, staff, true);
    }
    tx.commit();
  }
}

}  // namespace

ThreadPlan plan_thread(const Practice& practice, uint32_t thread) {
  const Scale& scale = practice.scale();
  Random random(0x7ead0000ull + thread);
  ThreadPlan plan;
  plan.patient = static_cast<uint32_t>(static_cast<uint64_t>(thread) * 48271 % scale.patients);
  const PatientRecord& patient = practice.patients()[plan.patient];
  // The lead clinician takes three threads in ten; the rest of the care team the others.
  plan.staff = random.below(10) < 3 ? patient.care_team[0]
                                    : patient.care_team[1 + random.below(patient.care_team_size - 1)];
  plan.started_by_staff = random.below(10) < 6;
  const PortalAccount own{PortalKind::patient, plan.patient};
  if (plan.started_by_staff) {
    plan.portal.push_back(own);
    if (patient.guardian) plan.portal.push_back({PortalKind::guardian, *patient.guardian});
  } else if (patient.guardian && random.below(10) < 3) {
    plan.portal.push_back({PortalKind::guardian, *patient.guardian});
  } else {
    plan.portal.push_back(own);
  }
  // Pairs of threads share 2 * average messages, so the total is exact.
  const uint32_t average = scale.messages / scale.threads;
  Random pair(0x9a1e0000ull + thread / 2);
  const uint32_t spread = 2 * average - 1;
  const uint32_t even = 1 + pair.below(spread);
  plan.messages = thread % 2 == 0 ? even : 2 * average - even;
  if (thread == scale.threads - 1) plan.messages += scale.messages - average * scale.threads;
  plan.read_by_all = random.below(10) < 8;
  plan.archived_by_staff = plan.read_by_all && random.below(8) == 0;
  return plan;
}

Dataset ensure_dataset(const Practice& practice, const fs::path& cache_directory,
                       const fs::path& schema_file) {
  Dataset dataset;
  fs::create_directories(cache_directory);
  dataset.file = cache_directory /
                 ("dataset-v" + std::to_string(kGeneratorVersion) + "-" + practice.scale().name + ".db");
  if (fs::exists(dataset.file)) {
    dataset.reused = true;
  } else {
    const fs::path partial = fs::path(dataset.file).concat(".partial");
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(fs::path(partial).concat(suffix));
    const auto started = std::chrono::steady_clock::now();
    build(practice, partial, schema_file);  // closing the only connection checkpoints the WAL away
    dataset.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fs::rename(partial, dataset.file);
    std::ofstream(fs::path(dataset.file).concat(".built")) << dataset.build_seconds << "\n";
  }
  if (dataset.reused) {
    std::ifstream(fs::path(dataset.file).concat(".built")) >> dataset.build_seconds;
  }
  dataset.bytes = fs::file_size(dataset.file);
  return dataset;
}

}  // namespace ehr::bench
