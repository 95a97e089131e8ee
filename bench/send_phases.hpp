// Scenarios 1 and 2's measurement, shared by both stores (send_bench.cpp on SQLite, pg_bench.cpp
// on PostgreSQL): the plugin's sends through the ABI in alternating phases with two raw baselines
// on the same database, and the threads they reply to.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ehr/host/messaging_channel.hpp"
#include "practice.hpp"

namespace ehr::bench {

// A baseline writing messages straight to the database, one per transaction unless it batches.
class RawSender {
 public:
  virtual ~RawSender() = default;
  virtual void send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
                    const std::string& body, int64_t at_ms) = 0;
  // Commits a batch still open (a phase ends between two commits).
  virtual void flush() {}
};

struct ReplyTarget {
  int64_t thread_id = 0;
  std::string patient_id;
  std::string staff_id;
};

// Threads a staff participant may still reply to (active, holding the role, My Messages on at the
// chart's location, someone reachable on the portal side), spread over the whole dataset.
const std::vector<ReplyTarget>& reply_targets(const Practice& practice);

// What every send writes as its body.
const std::string& message_body();

// A reply through the ABI, as `target`'s staff member.
host::Status abi_reply(const host::MessagingChannel& channel, const ReplyTarget& target);

// The baselines scenarios 1 and 2 interleave with the plugin's sends, on the same database.
struct SendBaselines {
  RawSender& raw;       // the issue's: the message and audit rows, one commit each
  RawSender& raw_rows;  // every row a reply writes, one commit each
  // PostgreSQL: the same rows with one round trip a message (its statements and COMMIT in one
  // pipeline), the fewest waits any writer of them can make; skipped when null.
  RawSender* raw_rows_pipelined = nullptr;
  RawSender* raw_batched = nullptr;  // every row, 8 messages to a commit: scenario 2's ceiling
};

// Alternating phases of each baseline, one ABI sender replying, one ABI sender starting new
// threads, 8 ABI senders replying; sets the state's counters (raw_msg_per_s, raw_rows_msg_per_s,
// raw_rows_pipelined_msg_per_s, raw_rows_8_per_commit_msg_per_s, reply_msg_per_s,
// start_thread_msg_per_s, reply_8_senders_msg_per_s).
void durable_sends(benchmark::State& state, const Practice& practice, const host::MessagingChannel& channel,
                   const SendBaselines& baselines, bool quick);

// How many senders scenario 2 runs, and so how many messages its raw ceiling puts in a commit.
inline constexpr int kConcurrentSenders = 8;

}  // namespace ehr::bench
