// Calls into a plugin from many threads while an admin disables, enables and finally shuts it
// down: every call either reaches a live plugin or is refused with EHR_STATUS_DISABLED, and no
// call runs into a plugin that is being shut down (run under TSan/ASan by the sanitizer presets).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ehr/host/plugin_manager.hpp"
#include "support/good_plugin.hpp"

namespace ehr::host {
namespace {

TEST(PluginConcurrency, CallsRaceDisableEnableAndShutdownSafely) {
  testing::GoodPlugin plugin;
  auto channel = plugin.registry().channel("fixture-good.messages");
  auto pages = plugin.registry().settings_pages("fixture-good");
  ASSERT_TRUE(channel);
  ASSERT_TRUE(pages);

  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0};
  std::atomic<int> reached{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&, t] {
      const Principal me = Principal::staff(t % 2 == 0 ? "drlee" : "nurse1");
      while (!stop.load()) {
        auto sent = channel->start_thread({me, "p1", {}, "", "hello"});
        if (sent) {
          ++reached;
        } else if (sent.status().code() != EHR_STATUS_DISABLED) {
          ++unexpected;
        }
        auto unread = channel->unread_total(me);
        if (!unread && unread.status().code() != EHR_STATUS_DISABLED) ++unexpected;
        auto page = pages->describe_page("admin", "");
        if (!page && page.status().code() != EHR_STATUS_DISABLED) ++unexpected;
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    EXPECT_TRUE(plugin.manager().disable("fixture-good"));
    EXPECT_TRUE(plugin.manager().enable("fixture-good"));
  }
  plugin.manager().shutdown();
  stop = true;
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(channel->unread_total(Principal::staff("drlee")).status().code(), EHR_STATUS_DISABLED);
}

}  // namespace
}  // namespace ehr::host
