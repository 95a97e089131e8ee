// Scenarios 1 and 2: durable sends through the ABI (policy check, message, audit record, hooks),
// one sender and 8 concurrent senders, against raw SQLite doing the message and audit INSERTs in
// one transaction per message with the same pragmas on the same database.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "environment.hpp"
#include "scenarios.hpp"

namespace ehr::bench {

namespace {

constexpr int kSenders = 8;

const std::string& body() {
  static const std::string text =
      "Hello, your lab results came back and everything looks as expected. Please keep taking the "
      "same dose each morning and book a follow-up visit in about six weeks. Call us with any question.";
  return text;
}

struct ReplyTarget {
  int64_t thread_id = 0;
  std::string staff_id;
};

// Threads a staff participant may still reply to (active, holding the role, My Messages on at
// the chart's location, someone reachable on the portal side), spread over the whole dataset.
const std::vector<ReplyTarget>& reply_targets() {
  static const std::vector<ReplyTarget> targets = [] {
    const Practice& practice = environment().practice();
    std::vector<ReplyTarget> found;
    const uint32_t threads = practice.scale().threads;
    for (uint32_t step = 0; step < threads && found.size() < 20000; ++step) {
      const uint32_t t = static_cast<uint32_t>((static_cast<uint64_t>(step) * 7919) % threads);
      const ThreadPlan plan = plan_thread(practice, t);
      const StaffMember& staff = practice.staff()[plan.staff];
      const uint32_t location = practice.patients()[plan.patient].location;
      bool reachable = false;
      for (const PortalAccount& account : plan.portal)
        reachable = reachable || practice.portal_active(account);
      if (staff.active && staff.available_for_portal_messages && location % 25 != 24 && reachable) {
        found.push_back({static_cast<int64_t>(t) + 1, Practice::staff_id(plan.staff)});
      }
    }
    return found;
  }();
  return targets;
}

void abi_reply(benchmark::State& state) {
  const host::MessagingChannel& channel = environment().plugin().channel();
  const std::vector<ReplyTarget>& targets = reply_targets();
  std::size_t next = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    const ReplyTarget& target = targets[next % targets.size()];
    next += static_cast<std::size_t>(state.threads());
    auto sent = channel.reply({host::Principal::staff(target.staff_id), target.thread_id, body()});
    if (!sent) {
      state.SkipWithError(sent.status().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// New threads: the lead clinician of each location where messaging is on writes to a patient's
// portal users (every eligible contact).
void abi_start_thread(benchmark::State& state) {
  Environment& env = environment();
  const host::MessagingChannel& channel = env.plugin().channel();
  const Practice& practice = env.practice();
  uint32_t patient = 0;
  for (auto _ : state) {
    while (practice.patients()[patient % practice.scale().patients].location % 25 == 24 ||
           !practice.portal_active({PortalKind::patient, patient % practice.scale().patients})) {
      ++patient;
    }
    const uint32_t p = patient++ % practice.scale().patients;
    host::StartRequest request;
    request.sender =
        host::Principal::staff(Practice::staff_id(practice.lead_of(practice.patients()[p].location)));
    request.patient_id = Practice::patient_id(p);
    request.subject = "Your visit";
    request.body = body();
    auto sent = channel.start_thread(request);
    if (!sent) {
      state.SkipWithError(sent.status().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void raw_sqlite_send(benchmark::State& state) {
  Environment& env = environment();
  (void)env.plugin();  // the working copy exists once the plugin serves it
  RawSend raw(env.working_database());
  const std::vector<ReplyTarget>& targets = reply_targets();
  std::size_t next = 0;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (auto _ : state) {
    const ReplyTarget& target = targets[next++ % targets.size()];
    raw.send(target.thread_id, target.staff_id, body(), now);
  }
  state.SetItemsProcessed(state.iterations());
}

// What the disk allows: one 4 KiB write and fdatasync per iteration, next to the database.
void disk_fdatasync(benchmark::State& state) {
  const std::string path = (environment().options().work_directory / "fsync-probe").string();
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    state.SkipWithError("cannot create the fsync probe file");
    return;
  }
  std::string block(4096, 'x');
  for (auto _ : state) {
    if (pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()) ||
        fdatasync(fd) != 0) {
      state.SkipWithError("the fsync probe failed");
      break;
    }
  }
  close(fd);
  unlink(path.c_str());
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

void register_send_benchmarks(const Environment& env) {
  const double seconds = env.options().quick ? 0.2 : 5.0;
  benchmark::RegisterBenchmark("S0/disk/fdatasync_4k", disk_fdatasync)->UseRealTime()->MinTime(seconds / 2);
  benchmark::RegisterBenchmark("S1/send/raw_sqlite_message_and_audit", raw_sqlite_send)
      ->UseRealTime()
      ->MinTime(seconds);
  benchmark::RegisterBenchmark("S1/send/abi_reply", abi_reply)->UseRealTime()->MinTime(seconds);
  benchmark::RegisterBenchmark("S1/send/abi_start_thread", abi_start_thread)->UseRealTime()->MinTime(seconds);
  benchmark::RegisterBenchmark("S2/send/abi_reply_8_senders", abi_reply)
      ->Threads(kSenders)
      ->UseRealTime()
      ->MinTime(seconds);
}

}  // namespace ehr::bench
