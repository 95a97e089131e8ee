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

// A baseline writing one message per transaction straight to the database.
class RawSender {
 public:
  virtual ~RawSender() = default;
  virtual void send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
                    const std::string& body, int64_t at_ms) = 0;
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

// Alternating phases of: `raw`, `raw_rows`, one ABI sender replying, one ABI sender starting new
// threads, 8 ABI senders replying; sets the state's counters (raw_msg_per_s, raw_rows_msg_per_s,
// reply_msg_per_s, start_thread_msg_per_s, reply_8_senders_msg_per_s).
void durable_sends(benchmark::State& state, const Practice& practice, const host::MessagingChannel& channel,
                   RawSender& raw, RawSender& raw_rows, bool quick);

}  // namespace ehr::bench
