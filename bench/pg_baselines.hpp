// The PostgreSQL scenarios' baselines, measured in the same run on the same server: raw libpq
// with statements prepared once, nothing of the plugin's code (no pool, no advisory write lock, no
// checks, hooks, sealing or keyed hash), and the server's defaults for durability
// (synchronous_commit=on, fsync on): one COMMIT acknowledged per transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "send_phases.hpp"

struct pg_conn;
struct pg_result;

namespace ehr::bench {

// One libpq connection. Statements are prepared by name once and run with bound text parameters;
// bytea parameters go in binary form.
class RawPgConnection {
 public:
  explicit RawPgConnection(const std::string& conninfo);
  ~RawPgConnection();
  RawPgConnection(const RawPgConnection&) = delete;
  RawPgConnection& operator=(const RawPgConnection&) = delete;

  // Fixed SQL holding no value (transaction control, DDL). Returns the first column of the first
  // row, or "" when none.
  std::string execute(const std::string& sql);
  void prepare(const std::string& name, const std::string& sql);
  // `binary[i]`: parameter i is sent as bytes (a bytea column). Returns the first column of the
  // first row, or "" when none.
  std::string run(const std::string& name, const std::vector<std::string_view>& parameters,
                  const std::vector<bool>& binary = {});
  [[nodiscard]] pg_conn* handle() const { return conn_; }

 private:
  pg_conn* conn_ = nullptr;
};

// Scenario 1's baselines on PostgreSQL, one transaction per message (BEGIN, the statements, COMMIT:
// one round trip each), as RawSend does on SQLite:
//   inserts  the baseline: the message row and the audit row;
//   rows     every row a reply writes (the message, the thread's counters, each participant's
//            row, the audit row), as the plugin's store writes them.
class RawPgSend final : public RawSender {
 public:
  enum class Rows { inserts, rows };
  RawPgSend(const std::string& conninfo, Rows rows);
  void send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
            const std::string& body, int64_t at_ms) override;

 private:
  const Rows rows_;
  RawPgConnection db_;
};

// Scenario 2's ceiling on PostgreSQL: every row a reply writes, `messages_per_commit` messages to a
// transaction, and nothing waited for but the transaction's end: BEGIN, each message's four
// statements and COMMIT go in one pipeline (libpq's pipeline mode) and their answers come back
// together, one round trip and one WAL flush for the whole transaction. The fewest waits any writer
// of these rows can make, where the plugin's batches make two (their statements, then COMMIT) and
// each of its senders one more for its checks.
class RawPgPipelinedSend final : public RawSender {
 public:
  RawPgPipelinedSend(const std::string& conninfo, int messages_per_commit);
  ~RawPgPipelinedSend() override;
  void send(int64_t thread_id, const std::string& patient_id, const std::string& sender_id,
            const std::string& body, int64_t at_ms) override;
  void flush() override;

 private:
  // Sends prepared statement `name` into the pipeline; its answer is read by flush().
  void queue(const char* name, const std::vector<std::string>& parameters,
             const std::vector<bool>& binary = {});

  const int messages_per_commit_;
  RawPgConnection db_;
  int open_messages_ = 0;
  int queued_ = 0;
};

// Scenario 7's baseline on PostgreSQL: `users` assignment rows and as many change records in one
// transaction, in tables of their own in the database `conninfo` names.
double raw_pg_role_inserts_ms(const std::string& conninfo, uint32_t users, uint32_t round);

}  // namespace ehr::bench
