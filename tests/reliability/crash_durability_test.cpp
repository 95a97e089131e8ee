// R-CONV-5 under crashes at random moments: a forked writer loads the real plugin through the
// SDK and sends from several threads, acknowledging each message id over a pipe only once the
// channel answered "sent"; the parent SIGKILLs it at a random moment (during start-up, or while
// messages are in flight), at least 100 times. After each kill: the database passes
// PRAGMA integrity_check, every acknowledged message is there with its audit record, and the
// audit chain verifies.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/reliability_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::reliability {
namespace {

namespace host = ehr::host;
using host::Principal;

constexpr int kRounds = 100;
constexpr int kSenders = 3;

std::string integrity_check(const std::filesystem::path& database) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open: " + why;
  }
  std::string result;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      if (!result.empty()) result += "; ";
      result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
  } else {
    result = sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

// The writer: never returns. Exit code 3 means it could not start or a send failed.
[[noreturn]] void run_writer(const std::filesystem::path& data, std::int64_t thread_id, int round,
                             int ack_fd) {
  try {
    ReliabilityHost writer(ReliabilityHost::in(data, false));
    const host::MessagingChannel channel = writer.channel();
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s] {
        const Principal from = s % 2 == 0 ? Principal::staff("drlee") : Principal::portal_user("pat1");
        for (int i = 0;; ++i) {
          const auto sent = channel.reply(
              {from, thread_id,
               "round " + std::to_string(round) + " sender " + std::to_string(s) + " #" + std::to_string(i)});
          if (!sent) {
            std::fprintf(stderr, "send failed: %s\n", sent.status().to_string().c_str());
            ::_exit(3);
          }
          const std::int64_t id = sent->message_id;
          if (::write(ack_fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) ::_exit(3);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(20));  // the parent kills long before
    ::_exit(4);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "writer failed: %s\n", e.what());
    ::_exit(3);
  }
}

TEST(CrashDurability, R_CONV_5_AcknowledgedMessagesSurviveSigkillAtRandomMoments) {
  ehr::portal::test::TempDir dir;
  const auto data = dir / "host";
  std::int64_t thread_id = 0;
  std::filesystem::path database;
  {
    ReliabilityHost setup(ReliabilityHost::in(data));
    const auto started = setup.channel().start_thread(
        {Principal::staff("drlee"), "p1", {Principal::portal_user("pat1")}, "crash test", "first message"});
    ASSERT_TRUE(started) << started.status();
    thread_id = started->thread_id;
    database = setup.plugins().info("portal-messaging")->data_directory / "portal.db";
  }  // no plugin thread or connection may cross a fork
  ASSERT_TRUE(std::filesystem::exists(database)) << database;

  const unsigned seed = std::getenv("EHR_CRASH_SEED") != nullptr
                            ? static_cast<unsigned>(std::strtoul(std::getenv("EHR_CRASH_SEED"), nullptr, 10))
                            : std::random_device{}();
  SCOPED_TRACE("EHR_CRASH_SEED=" + std::to_string(seed));
  std::mt19937 random(seed);
  std::set<std::int64_t> acknowledged;
  int killed_in_flight = 0;

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      run_writer(data, thread_id, round, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);

    // A quarter of the kills land anywhere in start-up (opening, migrating, registering); the
    // rest while messages are in flight, a random while after the first acknowledgement.
    const bool during_start_up = random() % 4 == 0;
    std::size_t acked_this_round = 0;
    auto read_ack = [&](int timeout_ms) {
      pollfd p{pipe_fds[0], POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      std::int64_t id = 0;
      if (::read(pipe_fds[0], &id, sizeof id) != static_cast<ssize_t>(sizeof id)) return false;
      acknowledged.insert(id);
      ++acked_this_round;
      return true;
    };
    if (during_start_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 30'000));
    } else {
      ASSERT_TRUE(read_ack(30'000)) << "the writer acknowledged nothing within 30 s";
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(random() % 40'000);
      while (std::chrono::steady_clock::now() < until) read_ack(1);
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    while (read_ack(0)) {
    }
    ::close(pipe_fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer ended on its own (exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";
    if (acked_this_round > 0) ++killed_in_flight;

    ASSERT_EQ(integrity_check(database), "ok");
    ReliabilityHost checker(ReliabilityHost::in(data, false));
    const auto messages = checker.channel().read_thread(Principal::staff("drlee"), thread_id);
    ASSERT_TRUE(messages) << messages.status();
    std::set<std::int64_t> stored;
    for (const host::MessageView& m : *messages) stored.insert(m.message_id);
    for (std::int64_t id : acknowledged)
      ASSERT_TRUE(stored.contains(id)) << "acknowledged message " << id << " lost";

    const auto events = checker.audit().list("p1");
    ASSERT_TRUE(events) << events.status();
    std::set<std::int64_t> audited;
    static const std::regex kMessageId(R"(\bmessage (\d+)\b)");
    for (const host::AuditEvent& e : *events) {
      std::smatch match;
      if (e.action == "message.send" && e.outcome == "ok" && std::regex_search(e.detail, match, kMessageId))
        audited.insert(std::stoll(match[1]));
    }
    for (std::int64_t id : stored)
      ASSERT_TRUE(audited.contains(id)) << "message " << id << " has no audit record";
    const auto verified = checker.audit().verify();
    ASSERT_TRUE(verified) << verified.status();
    ASSERT_TRUE(verified->ok) << "audit chain broken at sequence " << verified->first_bad_sequence;
  }
  // The kills must really have hit writers mid-stream, not only idle start-ups.
  EXPECT_GE(killed_in_flight, kRounds / 2);
  EXPECT_GT(acknowledged.size(), static_cast<std::size_t>(kRounds));
}

}  // namespace
}  // namespace ehr::reliability
