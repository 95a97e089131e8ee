// host_services.h, THREADING AND TIMING: host services are called only while a plugin call is in
// flight; a call's writes may be committed, with their `now` and `audit`, by another call that is
// in flight at the same time (the group commit's leader) while the first waits; so a host must
// never make a service wait for a thread that is inside a plugin call. The host here is built like
// a language runtime with a global lock (Python's GIL): its code runs only while holding the lock,
// and every host service takes it. Following the rule, it releases the lock for each call into the
// plugin; breaking it, it keeps the lock, and another call's services cannot run (they would wait
// forever; here they give up after a while and are counted). The real plugin, through the real SDK.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "ehr/host/plugin_manager.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

using namespace std::chrono_literals;
using testing::ScratchDir;
using testing::TestHost;

// A host runtime lock, re-entrant on the thread that holds it (as the GIL is for its own thread).
class RuntimeLock {
 public:
  enum class Entry { reentered, taken, blocked };

  void lock() {
    mutex_.lock();
    owner_ = std::this_thread::get_id();
  }
  void unlock() {
    owner_ = std::thread::id();
    mutex_.unlock();
  }
  // How a host service gets in: `blocked` when the lock could not be had in time, where a real
  // runtime would still be waiting.
  Entry enter() {
    if (owner_.load() == std::this_thread::get_id()) return Entry::reentered;
    // try_lock in a loop rather than timed_mutex: ThreadSanitizer does not see a timed lock.
    const auto give_up = std::chrono::steady_clock::now() + 500ms;
    while (!mutex_.try_lock()) {
      if (std::chrono::steady_clock::now() >= give_up) return Entry::blocked;
      std::this_thread::sleep_for(1ms);
    }
    owner_ = std::this_thread::get_id();
    return Entry::taken;
  }
  void leave(Entry entry) {
    if (entry == Entry::taken) unlock();
  }

 private:
  std::mutex mutex_;
  std::atomic<std::thread::id> owner_{};
};

class RuntimeLockHost : public TestHost {
 public:
  RuntimeLock runtime;
  std::atomic<int> calls_in_flight{0};
  std::atomic<int> services_outside_calls{0};
  std::atomic<int> services_blocked{0};
  std::atomic<int> services_off_the_calling_thread{0};
  std::atomic<int> audit_copies{0};
  std::atomic<std::thread::id> calling_thread{};
  // The next `audit` (a call's mirror, sent after its COMMIT while that call still commits its
  // batch) says so and waits before it enters the runtime.
  std::atomic<bool> hold_next_audit{false};
  std::promise<void> audit_held;
  std::shared_future<void> audit_released;

  void reset_counts() {
    services_outside_calls = 0;
    services_blocked = 0;
    services_off_the_calling_thread = 0;
    audit_copies = 0;
  }

  void log(LogLevel level, std::string_view message) override {
    service([&] { TestHost::log(level, message); });
  }
  std::int64_t now_unix_ms() override {
    std::int64_t now = 0;
    service([&] { now = TestHost::now_unix_ms(); });
    return now;
  }
  Result<User> get_user(std::string_view user_id) override {
    Result<User> user = Status::internal("not asked");
    service([&] { user = TestHost::get_user(user_id); });
    return user;
  }
  Status audit(const AuditEvent& event) override {
    if (hold_next_audit.exchange(false)) {
      audit_held.set_value();
      audit_released.wait();
    }
    Status status;
    service([&] {
      ++audit_copies;
      status = TestHost::audit(event);
    });
    return status;
  }

 private:
  template <class Body>
  void service(Body&& body) {
    if (calls_in_flight.load() == 0) ++services_outside_calls;
    if (std::this_thread::get_id() != calling_thread.load()) ++services_off_the_calling_thread;
    const RuntimeLock::Entry entry = runtime.enter();
    if (entry == RuntimeLock::Entry::blocked) ++services_blocked;
    body();
    runtime.leave(entry);
  }
};

class HostServiceThreadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.grant("admin", "manage_portal_settings");
    host_.grant("drlee", "available_for_portal_messages");
    PluginManagerOptions options;
    options.plugins_directory = EHR_REAL_PLUGINS_DIR;
    options.host_data_directory = scratch_ / "data";
    manager_ = std::make_unique<PluginManager>(options, host_);
    ASSERT_TRUE(manager_->discover());
    auto pages = manager_->registry().settings_pages("portal-messaging");
    ASSERT_TRUE(pages) << pages.status();
    ASSERT_TRUE(pages->save_page("admin", "", {{"my_messages", "on"}}));
    auto channel = manager_->registry().channel("portal-messaging");
    ASSERT_TRUE(channel) << channel.status();
    channel_ = std::make_unique<MessagingChannel>(*channel);
    host_.calling_thread = std::this_thread::get_id();
  }

  // Calls into the plugin as the runtime's own code does; `release` follows the rule.
  template <class Call>
  auto call_plugin(bool release, Call&& call) {
    ++host_.calls_in_flight;
    if (release) host_.runtime.unlock();
    auto result = call();
    if (release) host_.runtime.lock();
    --host_.calls_in_flight;
    return result;
  }

  // A send and a reply by staff, and the portal user opening the thread, each call releasing the
  // runtime lock.
  void converse() {
    constexpr bool release = true;
    host_.reset_counts();
    host_.runtime.lock();
    auto sent = call_plugin(release, [&] {
      return channel_->start_thread(
          StartRequest{Principal::staff("drlee"), "p1", {}, "Results", "All normal."});
    });
    ASSERT_TRUE(sent) << sent.status();
    auto replied = call_plugin(release, [&] {
      return channel_->reply(
          ReplyRequest{Principal::staff("drlee"), sent->thread_id, "Call us with questions."});
    });
    ASSERT_TRUE(replied) << replied.status();
    auto read = call_plugin(
        release, [&] { return channel_->read_thread(Principal::portal_user("pat1"), sent->thread_id); });
    ASSERT_TRUE(read) << read.status();
    EXPECT_EQ(read->size(), 2u);
    std::this_thread::sleep_for(100ms);  // anything called late would be counted by now
    host_.runtime.unlock();
  }

  ScratchDir scratch_;
  RuntimeLockHost host_;
  std::unique_ptr<PluginManager> manager_;
  std::unique_ptr<MessagingChannel> channel_;
};

TEST_F(HostServiceThreadsTest, AHostThatReleasesItsLockForEachCallNeverBlocksAService) {
  converse();
  EXPECT_EQ(host_.services_blocked.load(), 0);
  EXPECT_EQ(host_.services_outside_calls.load(), 0)
      << "no host service after the call that caused it returned";
  EXPECT_EQ(host_.services_off_the_calling_thread.load(), 0)
      << "a lone caller commits its own writes: no plugin thread calls the host";
  EXPECT_GE(host_.audit_copies.load(), 3) << "every send and read is mirrored before its call returns";
}

// One host thread replies and is committing its write, its `audit` not yet sent, when a second
// host thread calls in to reply too: the second call's write waits for the first one's batch,
// whose `audit` takes the runtime lock.
class ConcurrentCallsTest : public HostServiceThreadsTest {
 protected:
  void reply_while_another_call_commits(bool release) {
    host_.runtime.lock();
    auto sent = call_plugin(true, [&] {
      return channel_->start_thread(
          StartRequest{Principal::staff("drlee"), "p1", {}, "Results", "All normal."});
    });
    host_.runtime.unlock();
    ASSERT_TRUE(sent) << sent.status();
    host_.reset_counts();

    std::promise<void> release_audit;
    host_.audit_released = release_audit.get_future().share();
    host_.hold_next_audit = true;
    std::thread committing([&] {
      host_.runtime.lock();
      auto replied = call_plugin(true, [&] {
        return channel_->reply(ReplyRequest{Principal::staff("drlee"), sent->thread_id, "First."});
      });
      host_.runtime.unlock();
      EXPECT_TRUE(replied) << replied.status();
    });
    host_.audit_held.get_future().wait();
    host_.runtime.lock();
    release_audit.set_value();  // the first call's audit now wants the runtime lock
    auto replied = call_plugin(release, [&] {
      return channel_->reply(ReplyRequest{Principal::staff("drlee"), sent->thread_id, "Second."});
    });
    host_.runtime.unlock();
    committing.join();
    EXPECT_TRUE(replied) << replied.status();
  }
};

TEST_F(ConcurrentCallsTest, AHostThatReleasesItsLockForEachConcurrentCallNeverBlocksAService) {
  reply_while_another_call_commits(/*release=*/true);
  EXPECT_EQ(host_.services_blocked.load(), 0);
  EXPECT_EQ(host_.services_outside_calls.load(), 0);
}

TEST_F(ConcurrentCallsTest, AHostThatKeepsItsLockAcrossACallBlocksAConcurrentCallsServices) {
  reply_while_another_call_commits(/*release=*/false);
  EXPECT_GT(host_.services_blocked.load(), 0)
      << "the first call's audit waits for the lock the second call keeps, while the second call's "
         "write waits for the first call's batch: keeping the lock deadlocks";
}

}  // namespace
}  // namespace ehr::host
