// Many tenants in one process (issue 16, scenario 9): a multi-tenant host runs one PluginManager,
// host services and data directory per customer. The real portal_messaging.so, loaded through the
// real SDK, tenant after tenant.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ehr/host/messaging_channel.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::TestHost;

std::size_t open_descriptors() {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++count;
  }
  return count;
}

struct Tenant {
  Tenant(const fs::path& plugins, const fs::path& data, std::size_t descriptor_reserve = 64) {
    host.grant("admin", "manage_portal_settings");
    PluginManagerOptions options;
    options.plugins_directory = plugins;
    options.host_data_directory = data;
    options.descriptor_reserve = descriptor_reserve;
    manager = std::make_unique<PluginManager>(options, host);
  }
  // What a serving tenant does: a settings write on the writer, a badge on a read connection.
  [[nodiscard]] Status serve() const {
    auto pages = manager->registry().settings_pages("portal-messaging");
    if (!pages) return pages.status();
    if (Status saved = pages->save_page("admin", "", {{"my_messages", "on"}}); !saved) return saved;
    auto channel = manager->registry().channel("portal-messaging");
    if (!channel) return channel.status();
    auto badge = channel->unread_total(Principal::staff("drlee"));
    return badge ? Status::ok() : badge.status();
  }
  [[nodiscard]] PluginInfo info() const { return *manager->info("portal-messaging"); }

  TestHost host;
  std::unique_ptr<PluginManager> manager;
};

TEST(ManyTenants, LoadingAndUnloadingTenantsLeaksNoDescriptor) {
  ScratchDir scratch;
  {  // The first load maps the library and keeps the descriptor it was mapped through.
    Tenant first(EHR_REAL_PLUGINS_DIR, scratch / "first");
    ASSERT_TRUE(first.manager->discover());
    ASSERT_EQ(first.info().state, PluginState::enabled) << first.info().failure;
  }
  const std::size_t before = open_descriptors();
  for (int cycle = 0; cycle < 50; ++cycle) {
    Tenant tenant(EHR_REAL_PLUGINS_DIR, scratch / "evicted");
    ASSERT_TRUE(tenant.manager->discover());
    ASSERT_EQ(tenant.info().state, PluginState::enabled) << tenant.info().failure;
    ASSERT_TRUE(tenant.serve());
  }
  EXPECT_EQ(open_descriptors(), before);
}

TEST(ManyTenants, ALibraryChangedAfterItWasVerifiedIsVerifiedAgain) {
  ScratchDir scratch;
  const fs::path plugins = scratch / "plugins";
  fs::copy(EHR_REAL_PLUGINS_DIR, plugins, fs::copy_options::recursive);
  Tenant loaded(plugins, scratch / "a");
  ASSERT_TRUE(loaded.manager->discover());
  ASSERT_EQ(loaded.info().state, PluginState::enabled) << loaded.info().failure;
  {  // Appending leaves the mapped pages alone but changes the bytes the manifest vouches for.
    std::ofstream library(plugins / "portal_messaging.so", std::ios::binary | std::ios::app);
    library.put('\0');
  }
  Tenant next(plugins, scratch / "b");
  ASSERT_TRUE(next.manager->discover());
  EXPECT_EQ(next.info().state, PluginState::failed);
  EXPECT_EQ(next.info().failure_cause, FailureCause::checksum_mismatch) << next.info().failure;
  EXPECT_TRUE(loaded.serve());
}

// The process's descriptor limit is lowered in a child, so the test runner keeps its own.
TEST(ManyTenantsDeathTest, RunningOutOfDescriptorsRefusesTheNextTenantAndTheLoadedOnesKeepServing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ScratchDir scratch;
  const auto load_until_refused = [&] {
    constexpr std::size_t kReserve = 16;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = open_descriptors() + 48;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(10);
    std::vector<std::unique_ptr<Tenant>> tenants;
    for (int i = 0; i < 100; ++i) {
      auto tenant = std::make_unique<Tenant>(EHR_REAL_PLUGINS_DIR, scratch / std::to_string(i), kReserve);
      if (!tenant->manager->discover()) _exit(11);
      const PluginInfo info = tenant->info();
      if (info.state != PluginState::enabled) {
        if (info.failure_cause != FailureCause::out_of_descriptors) {
          std::fprintf(stderr, "refused for another reason: %s\n", info.failure.to_string().c_str());
          _exit(12);
        }
        std::fprintf(stderr, "refused after %zu tenants: %s\n", tenants.size(),
                     info.failure.to_string().c_str());
        for (const auto& loaded : tenants)
          if (Status served = loaded->serve(); !served) {
            std::fprintf(stderr, "a loaded tenant failed: %s\n", served.to_string().c_str());
            _exit(13);
          }
        _exit(tenants.empty() ? 14 : 0);
      }
      if (!tenant->serve()) _exit(15);
      tenants.push_back(std::move(tenant));
    }
    _exit(16);  // never ran out
  };
  EXPECT_EXIT(load_until_refused(), ::testing::ExitedWithCode(0),
              "refused after [0-9]+ tenants: .*file descriptors open and keeps 16 free.*ulimit -n");
}

}  // namespace
}  // namespace ehr::host
