// Scenarios 1 and 2: durable sends through the ABI (policy check, message, audit record, hooks),
// one sender and 8 concurrent senders, against raw SQLite on the same database with the same
// pragmas, one transaction per message: doing the message and audit INSERTs (the issue's
// baseline), and doing every row a reply writes (baselines.hpp). The five measurements
// alternate in short phases: on a shared machine the disk's fsync time drifts by 2x within a
// minute, and back-to-back runs would compare different disks.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "baselines.hpp"
#include "environment.hpp"
#include "scenarios.hpp"
#include "send_phases.hpp"

namespace ehr::bench {

const std::string& message_body() {
  static const std::string text =
      "Hello, your lab results came back and everything looks as expected. Please keep taking the "
      "same dose each morning and book a follow-up visit in about six weeks. Call us with any question.";
  return text;
}

const std::vector<ReplyTarget>& reply_targets(const Practice& practice) {
  // One practice per process (the bench's, or a child host's).
  static const std::vector<ReplyTarget> targets = [&practice] {
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
        found.push_back({static_cast<int64_t>(t) + 1, Practice::patient_id(plan.patient),
                         Practice::staff_id(plan.staff)});
      }
    }
    return found;
  }();
  return targets;
}

host::Status abi_reply(const host::MessagingChannel& channel, const ReplyTarget& target) {
  auto sent = channel.reply({host::Principal::staff(target.staff_id), target.thread_id, message_body()});
  return sent ? host::Status::ok() : sent.status();
}

namespace {

// New threads: the lead clinician of the patient's location writes to the patient's portal users
// (every eligible contact), at locations where messaging is on.
host::Status abi_start_thread(const host::MessagingChannel& channel, const Practice& practice,
                              uint32_t& patient) {
  const uint32_t patients = practice.scale().patients;
  while (practice.patients()[patient % patients].location % 25 == 24 ||
         !practice.portal_active({PortalKind::patient, patient % patients})) {
    ++patient;
  }
  const uint32_t p = patient++ % patients;
  host::StartRequest request;
  request.sender =
      host::Principal::staff(Practice::staff_id(practice.lead_of(practice.patients()[p].location)));
  request.patient_id = Practice::patient_id(p);
  request.subject = "Your visit";
  request.body = message_body();
  auto sent = channel.start_thread(request);
  return sent ? host::Status::ok() : sent.status();
}

struct Phase {
  uint64_t messages = 0;
  double seconds = 0;
  [[nodiscard]] double rate() const { return seconds > 0 ? static_cast<double>(messages) / seconds : 0; }
};

// Runs `send(sender, n)` on `senders` threads until `length` has passed; adds what was sent.
template <typename Send>
void run_phase(Phase& phase, int senders, std::chrono::milliseconds length, Send send, std::string& failure) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  const auto deadline = started + length;
  std::vector<uint64_t> counts(static_cast<std::size_t>(senders));
  std::vector<std::string> failures(static_cast<std::size_t>(senders));
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      const auto i = static_cast<std::size_t>(s);
      while (clock::now() < deadline) {
        host::Status status = send(s, counts[i]);
        if (!status) {
          failures[i] = status.to_string();
          return;
        }
        ++counts[i];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  phase.seconds += std::chrono::duration<double>(clock::now() - started).count();
  for (uint64_t count : counts) phase.messages += count;
  for (const std::string& f : failures) {
    if (!f.empty() && failure.empty()) failure = f;
  }
}

}  // namespace

// Scenarios 1 and 2 in alternating phases (the baselines, one ABI sender, a new thread per send, 8
// ABI senders), so that the disk's and the shared machine's moods hit figure and baselines alike.
void durable_sends(benchmark::State& state, const Practice& practice, const host::MessagingChannel& channel,
                   const SendBaselines& baselines, bool quick) {
  const std::vector<ReplyTarget>& targets = reply_targets(practice);
  const auto length = std::chrono::milliseconds(quick ? 100 : 1000);
  const int rounds = quick ? 2 : 8;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Phase raw_phase, raw_rows_phase, raw_pipelined_phase, raw_batched_phase, reply_phase, start_phase,
      eight_phase;
  std::size_t raw_next = 0, reply_next = 0;
  uint32_t patient = 0;
  std::string failure;
  for (auto _ : state) {
    for (int round = 0; round < rounds && failure.empty(); ++round) {
      for (auto [phase, sender] :
           {std::pair{&raw_phase, &baselines.raw}, std::pair{&raw_rows_phase, &baselines.raw_rows},
            std::pair{&raw_pipelined_phase, baselines.raw_rows_pipelined},
            std::pair{&raw_batched_phase, baselines.raw_batched}}) {
        if (sender == nullptr) continue;
        run_phase(
            *phase, 1, length,
            [&, sender = sender](int, uint64_t) {
              const ReplyTarget& target = targets[raw_next++ % targets.size()];
              sender->send(target.thread_id, target.patient_id, target.staff_id, message_body(), now);
              return host::Status::ok();
            },
            failure);
        sender->flush();  // a batch the phase's end left open
      }
      run_phase(
          reply_phase, 1, length,
          [&](int, uint64_t) { return abi_reply(channel, targets[reply_next++ % targets.size()]); }, failure);
      run_phase(
          start_phase, 1, length, [&](int, uint64_t) { return abi_start_thread(channel, practice, patient); },
          failure);
      // Each of the 8 senders replies in its own slice of the threads.
      run_phase(
          eight_phase, kConcurrentSenders, length,
          [&](int sender, uint64_t n) {
            const std::size_t slice = targets.size() / kConcurrentSenders;
            return abi_reply(channel,
                             targets[static_cast<std::size_t>(sender) * slice + (reply_next + n) % slice]);
          },
          failure);
    }
  }
  if (!failure.empty()) {
    state.SkipWithError(failure.c_str());
    return;
  }
  state.counters["raw_msg_per_s"] = raw_phase.rate();
  state.counters["raw_rows_msg_per_s"] = raw_rows_phase.rate();
  if (baselines.raw_rows_pipelined != nullptr)
    state.counters["raw_rows_pipelined_msg_per_s"] = raw_pipelined_phase.rate();
  if (baselines.raw_batched != nullptr)
    state.counters["raw_rows_8_per_commit_msg_per_s"] = raw_batched_phase.rate();
  state.counters["reply_msg_per_s"] = reply_phase.rate();
  state.counters["start_thread_msg_per_s"] = start_phase.rate();
  state.counters["reply_8_senders_msg_per_s"] = eight_phase.rate();
  state.counters["messages"] = static_cast<double>(
      raw_phase.messages + raw_rows_phase.messages + raw_pipelined_phase.messages +
      raw_batched_phase.messages + reply_phase.messages + start_phase.messages + eight_phase.messages);
}

namespace {

void durable_sqlite_sends(benchmark::State& state) {
  Environment& env = environment();
  const host::MessagingChannel& channel = env.plugin().channel();  // the working copy exists now
  RawSend raw(env.working_database(), RawSend::Rows::inserts);
  RawSend raw_rows(env.working_database(), RawSend::Rows::rows);
  RawSend raw_rows_batched(env.working_database(), RawSend::Rows::rows, kConcurrentSenders);
  durable_sends(state, env.practice(), channel,
                SendBaselines{.raw = raw, .raw_rows = raw_rows, .raw_batched = &raw_rows_batched},
                env.options().quick);
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
  const double seconds = env.options().quick ? 0.1 : 2.0;
  benchmark::RegisterBenchmark("S0/disk/fdatasync_4k", disk_fdatasync)->UseRealTime()->MinTime(seconds);
  benchmark::RegisterBenchmark("S1/send/durable_sends", durable_sqlite_sends)
      ->Iterations(1)
      ->Unit(benchmark::kSecond);
}

}  // namespace ehr::bench
