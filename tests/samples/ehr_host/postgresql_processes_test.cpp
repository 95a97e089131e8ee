// ehr-host on PostgreSQL meeting what ends or interrupts processes in production: the real binary
// (real SDK, real plugin module) killed with SIGKILL in the middle of a send, the database server
// restarted under a host's send loop, and two hosts starting at once on a new database. A host
// here is `ehr-host serve` (one long-lived process with its pool, as a deployment runs it) or the
// CLI; a second host on the same database reads everything back.
//
// Where a call is interrupted is chosen, not hoped for: the test holds a lock on the server that
// the host's call needs, waits until the server shows the host waiting on it, and only then kills
// or restarts. Nothing sleeps to wait for a host.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <string>
#include <vector>

#include "ehr_host_process.hpp"
#include "postgresql_hosts.hpp"
#include "storage/postgresql/pg_store.hpp"
#include "support/pg_test_database.hpp"

namespace ehr::sample::cli_test {
namespace {

namespace pg = ehr::portal::pg;

// In the connection string: the test server trusts its socket, so it is never checked, but libpq
// holds it like any password, and it must never reach an answer, an error or a log.
constexpr const char* kDatabasePassword = "Sw0rdfish-not-for-logs";
constexpr const char* kDrleePassword = "drlee-signs-in-at-the-console";

struct Acknowledged {
  std::int64_t thread = 0;
  std::string body;
};

// Host `served` runs the web console, where drlee sends; host `reader` is a second server on the
// same database, with the same key set.
class ServedAndReader {
 public:
  explicit ServedAndReader(const pg::test::ScratchDatabase& database) {
    const std::string config = "storage = postgresql\nstorage.postgresql.conninfo = " + database.conninfo() +
                               " password=" + kDatabasePassword + "\n";
    configure(served, config);
    configure(reader, config);
    served.enable_messaging();
    share_keys(served, reader);
    reader.enable_plugin();
    served.ok({"users", "set-password", "drlee"}, std::string(kDrleePassword) + "\n");
  }

  EhrHost served;
  EhrHost reader;
};

// Sends `count` messages through the console, each acknowledged (200 with its thread) before the
// next, and adds them to `acknowledged`.
void send_loop(const WebSession& session, int count, std::vector<Acknowledged>& acknowledged) {
  for (int i = 0; i < count; ++i) {
    const std::string body = "Loop message " + std::to_string(acknowledged.size());
    const WebAnswer answer = send_message(session, "Loop", body);
    ASSERT_EQ(answer.status, 200) << answer.text;
    acknowledged.push_back({answer.body.at("thread").get<std::int64_t>(), body});
  }
}

// Every acknowledged message is on the server, read through `reader`, and nothing else is: a call
// interrupted before its commit left nothing behind. The chain verifies from both hosts.
void expect_exactly(const std::vector<Acknowledged>& acknowledged, const ServedAndReader& hosts,
                    const pg::test::ScratchDatabase& database) {
  const nlohmann::json inbox = hosts.reader.ok_json({"messages", "inbox", "--as", "portal:maria"});
  std::set<std::int64_t> listed;
  for (const nlohmann::json& thread : inbox["threads"]) listed.insert(thread["thread"].get<std::int64_t>());
  std::set<std::int64_t> sent;
  for (const Acknowledged& each : acknowledged) sent.insert(each.thread);
  EXPECT_EQ(listed, sent) << inbox.dump();
  for (const Acknowledged* each : {&acknowledged.front(), &acknowledged.back()}) {
    const nlohmann::json read =
        hosts.reader.ok_json({"messages", "read", std::to_string(each->thread), "--as", "portal:maria"});
    ASSERT_EQ(read["messages"].size(), 1u) << read.dump();
    EXPECT_EQ(read["messages"][0]["body"], each->body);
  }
  pg::Connection look(database.connection());
  EXPECT_EQ(look.run({"count_messages", "SELECT count(*) FROM messages"}).int64(0, 0),
            static_cast<std::int64_t>(acknowledged.size()));
  // A send's record without its message, or the reverse, would show here or in the chain.
  EXPECT_EQ(
      look.run({"count_sends", "SELECT count(*) FROM audit_log WHERE action = 'message.send'"}).int64(0, 0),
      static_cast<std::int64_t>(acknowledged.size()));
  for (const EhrHost* host : {&hosts.served, &hosts.reader}) {
    const nlohmann::json verified = host->ok_json({"audit", "verify"});
    EXPECT_EQ(verified["ok"], true) << verified.dump();
  }
}

std::string write_lock(const char* what) {
  return std::string("SELECT ") + what + "(" + std::to_string(pg::kWriteLockKey) + ")";
}

TEST(PostgresqlProcesses, R_CONV_5_AHostKilledMidSendLosesNoAcknowledgedMessageAndTheChainVerifies) {
  pg::test::ScratchDatabase database;
  ServedAndReader hosts(database);
  std::vector<Acknowledged> acknowledged;
  pg::Connection look(database.connection());

  // Killed while its send waits for the write lock, before it wrote anything.
  {
    ServedHost served(hosts.served);
    const WebSession drlee = sign_in(served.port(), "drlee", kDrleePassword);
    send_loop(drlee, 6, acknowledged);
    look.run_command(write_lock("pg_advisory_lock"));
    auto in_flight =
        std::async(std::launch::async, [&] { return send_message(drlee, "Loop", "Killed first"); });
    ASSERT_TRUE(sessions_wait_on_a_lock(look, 1)) << "the send never reached the server";
    served.kill_hard();
    EXPECT_EQ(in_flight.get().status, 0) << "a killed host answers nothing";
    // Its COMMIT may already be on the server, sent with its statements: the server ends the
    // dead host's session (within client_connection_check_interval) rather than run it later.
    ASSERT_TRUE(no_session_waits_on_a_lock(look))
        << "the killed host's session still waits: " << sessions_waiting_on_a_lock(look);
    look.run_command(write_lock("pg_advisory_unlock"));
  }
  // Killed inside its transaction: the thread and the message written, its audit record waiting
  // for the chain's next sequence number, which the test's own uncommitted record holds.
  {
    ServedHost served(hosts.served);  // starts again at once: nothing of the killed host holds it
    const WebSession drlee = sign_in(served.port(), "drlee", kDrleePassword);
    send_loop(drlee, 6, acknowledged);
    look.run_command("BEGIN");
    look.run_command(
        "INSERT INTO audit_log (sequence, at_unix_ms, actor_kind, actor_id, action, outcome, previous_hash, "
        "hash) SELECT coalesce(max(sequence), 0) + 1, 0, 0, 'test', 'test.hold', 'ok', '', '' FROM "
        "audit_log");
    auto in_flight =
        std::async(std::launch::async, [&] { return send_message(drlee, "Loop", "Killed second"); });
    ASSERT_TRUE(sessions_wait_on_a_lock(look, 1)) << "the send never reached its audit record";
    served.kill_hard();
    EXPECT_EQ(in_flight.get().status, 0) << "a killed host answers nothing";
    // Its COMMIT may already be on the server, sent with its statements: the server ends the
    // dead host's session (within client_connection_check_interval) rather than run it later.
    ASSERT_TRUE(no_session_waits_on_a_lock(look))
        << "the killed host's session still waits: " << sessions_waiting_on_a_lock(look);
    look.run_command("ROLLBACK");
  }
  {
    ServedHost served(hosts.served);
    send_loop(sign_in(served.port(), "drlee", kDrleePassword), 4, acknowledged);
  }
  expect_exactly(acknowledged, hosts, database);
}

TEST(PostgresqlProcesses, R_STORE_1_ADatabaseRestartFailsTheCallInFlightClearlyAndTheSendLoopGoesOn) {
  pg::test::ScratchDatabase database;
  ServedAndReader hosts(database);
  std::vector<Acknowledged> acknowledged;
  ServedHost served(hosts.served);
  const WebSession drlee = sign_in(served.port(), "drlee", kDrleePassword);
  send_loop(drlee, 6, acknowledged);

  WebAnswer interrupted;
  std::string waiting;
  {
    // The restart ends this session too, and the lock with it.
    pg::Connection look(database.connection());
    look.run_command(write_lock("pg_advisory_lock"));
    auto in_flight = std::async(std::launch::async, [&] { return send_message(drlee, "Loop", "In flight"); });
    ASSERT_TRUE(sessions_wait_on_a_lock(look, 1)) << "the send never reached the server";
    // Said if the send then succeeds: CI saw it once (2026-12-02), unexplained so far.
    waiting = sessions_waiting_on_a_lock(look);
    pg::test::cluster("restart");
    interrupted = in_flight.get();
  }
  ASSERT_TRUE(served.running()) << served.errors();
  EXPECT_EQ(interrupted.status, 500) << interrupted.text
                                     << "\nwaiting on the lock at the restart: " << waiting
                                     << "\nthe host said: " << served.errors();
  const std::string message = interrupted.body["error"].value("message", "");
  EXPECT_NE(message.find("PostgreSQL server"), std::string::npos) << interrupted.text;
  EXPECT_NE(message.find("lost"), std::string::npos) << interrupted.text;
  EXPECT_EQ(interrupted.text.find(kDatabasePassword), std::string::npos) << interrupted.text;

  // The same process, its pool's connections all cut: each next call works.
  send_loop(drlee, 6, acknowledged);
  EXPECT_EQ(served.errors().find(kDatabasePassword), std::string::npos) << served.errors();
  expect_exactly(acknowledged, hosts, database);
}

TEST(PostgresqlProcesses, R_STORE_1_TwoHostsStartingAtOnceOnANewDatabaseMigrateItOnce) {
  pg::test::ScratchDatabase database;
  const std::string config =
      "storage = postgresql\nstorage.postgresql.conninfo = " + database.conninfo() + "\n";
  EhrHost first;
  EhrHost second;
  {
    // One key set for both, drawn by a host that never touches the database.
    EhrHost key_maker;
    key_maker.ok({"locations", "list"});
    share_keys(key_maker, first);
    share_keys(key_maker, second);
  }
  for (const EhrHost* host : {&first, &second}) {
    configure(*host, config);
    configure_roles(*host, config);
  }

  // The migration lock is the test's until both hosts wait for it: they then race for it.
  pg::Connection look(database.connection());
  look.run_command("SELECT pg_advisory_lock(7070350011)");
  auto enable = [](const EhrHost* host) { return host->run({"plugins", "enable", "portal-messaging"}); };
  auto first_start = std::async(std::launch::async, enable, &first);
  auto second_start = std::async(std::launch::async, enable, &second);
  ASSERT_TRUE(sessions_wait_on_a_lock(look, 2)) << "the hosts never both waited to migrate";
  look.run_command("SELECT pg_advisory_unlock(7070350011)");
  for (auto* start : {&first_start, &second_start}) {
    const Outcome started = start->get();
    EXPECT_EQ(started.exit_code, 0) << started.out << started.err;
    EXPECT_EQ(started.err, "") << "no error, no warning from either";
  }

  // Each step once, in each user's own record of them.
  for (const char* table : {"schema_migrations", "role_schema_migrations"}) {
    SCOPED_TRACE(table);
    const pg::Rows steps =
        look.run({std::string("steps_of_") + table,
                  std::string("SELECT count(*), count(DISTINCT version), max(version) FROM ") + table});
    EXPECT_GT(steps.int64(0, 0), 0);
    EXPECT_EQ(steps.int64(0, 0), steps.int64(0, 1));
    EXPECT_EQ(steps.int64(0, 0), steps.int64(0, 2)) << "versions 1..N, none missing";
  }
  EXPECT_EQ(look.run({"plugin_steps", "SELECT count(*) FROM schema_migrations"}).int64(0, 0),
            static_cast<std::int64_t>(pg::test::all_steps().size()));

  // Both then work, each reading what the other sent.
  first.ok({"settings", "set", "--as", "admin", "--general", "my_messages=on"});
  for (const auto& [sender, reader] : {std::pair{&first, &second}, std::pair{&second, &first}}) {
    const std::int64_t thread =
        sender
            ->ok_json({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria",
                       "--subject", "Hi", "--body", "After the race."})
            .at("thread")
            .get<std::int64_t>();
    const nlohmann::json read =
        reader->ok_json({"messages", "read", std::to_string(thread), "--as", "portal:maria"});
    EXPECT_EQ(read["messages"][0]["body"], "After the race.") << read.dump();
  }
  for (const EhrHost* host : {&first, &second}) EXPECT_EQ(host->ok_json({"audit", "verify"})["ok"], true);
}

}  // namespace
}  // namespace ehr::sample::cli_test
