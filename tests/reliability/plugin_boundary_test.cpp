// The plugin boundary (issue 7): a host callback that throws, or an integrator's hook that
// throws, reaches the host as an error code, never as a crash, and leaves stored data whole;
// load, init, concurrent calls and shutdown repeat 100 times cleanly (run under ASan in CI).
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/reliability_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::reliability {
namespace {

namespace host = ehr::host;
using host::Principal;

class PluginBoundary : public ::testing::Test {
 protected:
  PluginBoundary() {
    const auto started = host_.channel().start_thread(
        {Principal::staff("drlee"), "p1", {Principal::portal_user("pat1")}, "hello", "first message"});
    if (!started) throw std::runtime_error(started.status().to_string());
    thread_id_ = started->thread_id;
  }

  // Every channel and settings call the host can make, each answering its status.
  std::vector<std::pair<std::string, host::Status>> every_call() {
    const host::MessagingChannel channel = host_.channel();
    const host::SettingsPages settings = host_.settings();
    std::vector<std::pair<std::string, host::Status>> out;
    out.emplace_back("explain", channel.explain({"drlee", "pat1", "p1"}).status());
    out.emplace_back("list_recipients",
                     channel.list_recipients(Principal::portal_user("pat1"), "p1").status());
    out.emplace_back(
        "start_thread",
        channel
            .start_thread(
                {Principal::staff("drlee"), "p1", {Principal::portal_user("pat1")}, "s", "a new thread"})
            .status());
    out.emplace_back(
        "start_thread (every contact)",
        channel.start_thread({Principal::staff("drlee"), "p1", {}, "", "to the whole chart"}).status());
    out.emplace_back("reply (staff)",
                     channel.reply({Principal::staff("drlee"), thread_id_, "staff reply"}).status());
    out.emplace_back("reply (portal)",
                     channel.reply({Principal::portal_user("pat1"), thread_id_, "portal reply"}).status());
    out.emplace_back("list_threads", channel.list_threads({Principal::staff("drlee")}).status());
    out.emplace_back("unread_total", channel.unread_total(Principal::portal_user("pat1")).status());
    out.emplace_back("read_thread", channel.read_thread(Principal::portal_user("pat1"), thread_id_).status());
    out.emplace_back("archive", channel.set_archived(Principal::staff("drlee"), thread_id_, true));
    out.emplace_back("unarchive", channel.set_archived(Principal::staff("drlee"), thread_id_, false));
    out.emplace_back("describe_page", settings.describe_page("admin", "north").status());
    out.emplace_back("save_page", settings.save_page("admin", "south", {{"audience", "selected_users"}}));
    out.emplace_back("effective", settings.effective("north").status());
    return out;
  }

  void expect_data_whole() {
    const auto verified = host_.audit().verify();
    ASSERT_TRUE(verified) << verified.status();
    EXPECT_TRUE(verified->ok) << "audit chain broken at " << verified->first_bad_sequence;
    const auto messages = host_.channel().read_thread(Principal::staff("drlee"), thread_id_);
    ASSERT_TRUE(messages) << messages.status();
    EXPECT_EQ(messages->front().body, "first message");
  }

  ehr::portal::test::TempDir dir_;
  ReliabilityHost host_{ReliabilityHost::in(dir_ / "host")};
  std::int64_t thread_id_ = 0;
};

// Each host callback in turn throws: the SDK turns that into a status for the plugin, the plugin
// into an error for the host. The callbacks the access decision needs must refuse, never allow.
TEST_F(PluginBoundary, EachThrowingHostCallbackReachesTheHostAsAnErrorCode) {
  for (const std::string& callback : RecordingServices::callback_names()) {
    SCOPED_TRACE("throwing: " + callback);
    host_.services().throw_from(callback);
    int failed = 0;
    for (const auto& [call, status] : every_call()) {
      if (status) continue;
      ++failed;
      EXPECT_NE(status.code(), EHR_STATUS_OK);
      EXPECT_FALSE(status.message().empty()) << call << " failed without words";
    }
    host_.services().throw_from("");
    // The optional services (notify, audit copy) and the clock may be best effort; everything
    // that decides who may see or send must fail closed.
    if (callback != "notify" && callback != "audit" && callback != "now" && callback != "get_company" &&
        callback != "list_users_with_role") {
      EXPECT_GT(failed, 0) << "no call noticed that " << callback << " threw";
    }
    expect_data_whole();
  }
  for (const auto& [call, status] : every_call()) EXPECT_TRUE(status) << call << ": " << status;
}

TEST_F(PluginBoundary, AThrowingUserHasRoleNeverGrantsAccess) {
  host_.services().throw_from("user_has_role");
  const auto refused = host_.channel().start_thread(
      {Principal::staff("drlee"), "p1", {Principal::portal_user("pat1")}, "s", "must not be stored"});
  EXPECT_FALSE(refused);
  const auto forbidden = host_.settings().save_page("admin", "", {{"my_messages", "on"}});
  EXPECT_FALSE(forbidden);
  host_.services().throw_from("");
  const auto general = host_.settings().effective("");
  ASSERT_TRUE(general) << general.status();
  for (const auto& s : *general) {
    if (s.key == "my_messages") {
      EXPECT_EQ(s.value, "off");
    }
  }
  const auto threads = host_.channel().list_threads({Principal::staff("drlee")});
  ASSERT_TRUE(threads) << threads.status();
  EXPECT_EQ(threads->threads.size(), 1u);
}

// R-HOOK-1: an integrator's hook that throws, at every hook point.
TEST_F(PluginBoundary, R_HOOK_1_AThrowingHookAtEachPointIsContained) {
  const auto hooks = host_.plugins().registry().hooks("portal-messaging");
  ASSERT_TRUE(hooks) << hooks.status();
  std::atomic<int> calls{0};
  std::vector<host::HookRegistration> added;
  for (host::HookPoint point : {host::HookPoint::before_store, host::HookPoint::after_store,
                                host::HookPoint::on_read, host::HookPoint::settings_changed}) {
    auto registration = hooks->add(point, [&calls](const host::HookEvent&) -> host::Status {
      ++calls;
      throw std::runtime_error("integrator bug");
    });
    ASSERT_TRUE(registration) << registration.status();
    added.push_back(std::move(*registration));
  }
  // A before_store hook that throws counts as a rejection: nothing is stored, the sender is told.
  const auto sent = host_.channel().reply({Principal::staff("drlee"), thread_id_, "blocked by the hook"});
  ASSERT_FALSE(sent);
  EXPECT_FALSE(sent.status().message().empty());
  // The other points cannot undo what they follow: the read and the settings change stand.
  const auto read = host_.channel().read_thread(Principal::portal_user("pat1"), thread_id_);
  EXPECT_TRUE(read) << read.status();
  EXPECT_TRUE(host_.settings().save_page("admin", "south", {{"my_messages", "on"}}));
  EXPECT_GE(calls.load(), 3);
  added.clear();
  const auto messages = host_.channel().read_thread(Principal::staff("drlee"), thread_id_);
  ASSERT_TRUE(messages) << messages.status();
  EXPECT_EQ(messages->size(), 1u) << "the rejected message was stored";
  expect_data_whole();
}

// Load, init, calls from several threads at once, shutdown: 100 times (leaks and races show up
// under ASan and TSan).
TEST(PluginLifecycle, LoadInitConcurrentCallsShutdown100Times) {
  ehr::portal::test::TempDir dir;
  for (int round = 0; round < 100; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ReliabilityHost host(ReliabilityHost::in(dir / "host", round == 0));
    const host::MessagingChannel channel = host.channel();
    std::atomic<int> failures{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
      callers.emplace_back([&, t] {
        const auto sent =
            channel.start_thread({Principal::staff("drlee"),
                                  "p1",
                                  {Principal::portal_user("pat1")},
                                  "",
                                  "round " + std::to_string(round) + " caller " + std::to_string(t)});
        if (!sent) ++failures;
        if (!channel.list_threads({Principal::portal_user("pat1")})) ++failures;
        if (!host.settings().effective("north")) ++failures;
      });
    }
    for (auto& caller : callers) caller.join();
    EXPECT_EQ(failures.load(), 0);
    host.plugins().shutdown();
    // After shutdown the registrations are withdrawn: a host cannot reach freed plugin state.
    EXPECT_TRUE(host.plugins().registry().channels().empty());
  }
  ReliabilityHost last(ReliabilityHost::in(dir / "host", false));
  const auto threads = last.channel().list_threads({Principal::portal_user("pat1"), false, 500});
  ASSERT_TRUE(threads) << threads.status();
  EXPECT_EQ(threads->totals.thread_count, 400u);
}

}  // namespace
}  // namespace ehr::reliability
