// R-CONV-5: a message acknowledged as sent survives a crash of the host process. A child process
// sends from several threads and reports each acknowledgement down a pipe, then is killed with
// SIGKILL mid-stream; the parent reopens the files and finds every acknowledged message.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "messaging_world.hpp"

namespace ehr::portal::test {
namespace {

using CrashDurability = MessagingWorld;

TEST_P(CrashDurability, R_CONV_5_EveryAcknowledgedMessageSurvivesAKilledProcess) {
  const int64_t thread_id = staff_writes("drlee", "p1", "before the crash").thread_id;
  close();  // no connection or writer thread may cross the fork

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    open();
    std::atomic<int> acknowledged{0};
    std::vector<std::thread> senders;
    for (int s = 0; s < 4; ++s) {
      senders.emplace_back([&, s] {
        for (int i = 0;; ++i) {
          const Principal from = s % 2 == 0 ? staff("drlee") : portal("pat1");
          const int64_t id = service().reply({from, thread_id, "in flight " + std::to_string(i)}).message_id;
          if (::write(pipe_fds[1], &id, sizeof id) != sizeof id) ::_exit(3);
          if (++acknowledged == 200) ::kill(::getpid(), SIGKILL);  // mid-stream: others are in flight
        }
      });
    }
    for (auto& sender : senders) sender.join();
    ::_exit(2);  // not reached
  }
  ::close(pipe_fds[1]);
  std::set<int64_t> acknowledged;
  int64_t id = 0;
  while (::read(pipe_fds[0], &id, sizeof id) == sizeof id) acknowledged.insert(id);
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child was not killed as planned";
  ASSERT_GE(acknowledged.size(), 200u);

  open();
  std::set<int64_t> stored;
  for (const MessageView& view : service().read_thread(staff("drlee"), thread_id))
    stored.insert(view.message.id);
  std::set<std::string> audited_details;
  for (const AuditRecord& record : audited("message.send")) audited_details.insert(record.entry.detail);
  for (int64_t acked : acknowledged) {
    EXPECT_TRUE(stored.count(acked)) << "acknowledged message " << acked << " lost";
    EXPECT_TRUE(audited_details.count("reply, message " + std::to_string(acked)))
        << "no audit record for " << acked;
  }
  EXPECT_TRUE(audit_->verify().ok);
  if (GetParam() == Backend::sqlite) {
    Transaction tx(*db_, TransactionMode::read);
    Statement check = tx.prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.text(0), "ok");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashDurability, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ehr::portal::test
