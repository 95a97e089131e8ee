// What the plugin's figures are compared with, measured in the same run on the same disk: raw
// SQLite doing the same INSERTs with the same pragmas, a bare dlopen of the same library, and
// helpers the scenarios share (latency percentiles, child processes).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "send_phases.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ehr::bench {

// A raw SQLite connection with the plugin's pragmas (WAL, synchronous=FULL, foreign keys, busy
// timeout), and nothing of the plugin's code.
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& file);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void execute(const char* sql);
  [[nodiscard]] sqlite3_stmt* prepare(const char* sql);
  // Steps to completion and resets; throws on an error.
  void run(sqlite3_stmt* statement);
  [[nodiscard]] sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

// Scenario 1's baselines, one transaction per message, prepared once, BEGIN IMMEDIATE ... COMMIT
// (one fsync of the WAL per message, as the plugin's single sender):
//   inserts  the baseline: the message row and the audit row, nothing else;
//   rows     every row a reply writes, as the plugin's store writes them (the message, the thread's
//            counters, each participant's unread count, inbox position and archive flag, the audit
//            row, and each reader's inbox totals row, which the schema's triggers (SQLite step 10)
//            write for these statements as for the plugin's), without the plugin's code: the
//            checks, the hooks, the encryption, the keyed hash, the group commit. Against it the
//            plugin's own cost shows apart from the pages its schema makes a reply write (the
//            per-reader rows that scenarios 3 and 4 read). It refuses a database without those
//            triggers, where it would write less than a reply does.
// With `messages_per_commit` above 1 a transaction holds that many messages, as the plugin's group
// commit batches concurrent senders: scenario 2's ceiling, the same rows with one fsync per batch.
class RawSend final : public RawSender {
 public:
  enum class Rows { inserts, rows };
  RawSend(const std::filesystem::path& database, Rows rows, int messages_per_commit = 1);
  ~RawSend() override;
  RawSend(const RawSend&) = delete;
  RawSend& operator=(const RawSend&) = delete;
  void send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
            const std::string& body, int64_t at_ms) override;
  void flush() override;

 private:
  const Rows rows_;
  const int messages_per_commit_;
  int open_messages_ = 0;
  RawConnection db_;
  sqlite3_stmt* begin_;
  sqlite3_stmt* message_;
  sqlite3_stmt* thread_;
  sqlite3_stmt* participants_;
  sqlite3_stmt* audit_;
  sqlite3_stmt* commit_;
};

// Scenario 7's baseline: `users` assignment rows and as many change records in one transaction.
double raw_role_inserts_ms(const std::filesystem::path& database, uint32_t users, uint32_t round);

// Per-call latencies, for percentiles.
class Latencies {
 public:
  void reserve(std::size_t n) { samples_.reserve(n); }
  void add(std::chrono::steady_clock::duration d) { samples_.push_back(d.count()); }
  // q in [0, 1]; microseconds.
  [[nodiscard]] double percentile_us(double q);
  [[nodiscard]] std::size_t size() const { return samples_.size(); }

 private:
  std::vector<int64_t> samples_;
};

// CPU time of the calling thread since construction (it runs on no other thread's clock).
class ThreadCpuTime {
 public:
  ThreadCpuTime();
  [[nodiscard]] std::chrono::steady_clock::duration elapsed() const;

 private:
  int64_t started_ns_;
};

// Runs this executable again with `arguments` and returns what it printed on stdout; throws when
// it fails.
std::string run_child(const std::vector<std::string>& arguments);
// The same for several children running at once, one per argument list; outputs in that order.
std::vector<std::string> run_children(const std::vector<std::vector<std::string>>& argument_lists);

// The peak resident set of this process so far (VmHWM), in bytes.
uint64_t peak_rss_bytes();

}  // namespace ehr::bench
