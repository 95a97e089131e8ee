// The host admin's configuration of a plugin (ehr_init_params.config, ABI 1.1), read by the SDK
// from HOST_DATA/plugins/<id>.conf and passed to the real portal_messaging.so at init.
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "ehr/host/plugin_manager.hpp"
#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

using testing::ScratchDir;
using testing::TestHost;

constexpr const char* kSecret = "do-not-print-this-0123456789";

class PluginConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path config_file() const {
    return scratch_ / "data" / "plugins" / "portal-messaging.conf";
  }

  void write_config(const std::string& text, mode_t mode = 0600) {
    std::filesystem::create_directories(config_file().parent_path());
    std::ofstream(config_file()) << text;
    ASSERT_EQ(::chmod(config_file().c_str(), mode), 0);
  }

  PluginInfo load() {
    PluginManagerOptions options;
    options.plugins_directory = EHR_REAL_PLUGINS_DIR;
    options.host_data_directory = scratch_ / "data";
    manager_ = std::make_unique<PluginManager>(options, host_);
    EXPECT_TRUE(manager_->discover());
    return manager_->info("portal-messaging").value();
  }

  // Nothing the plugin or the SDK says may carry a configured value: it may be a secret.
  void expect_secret_nowhere(const PluginInfo& info) {
    EXPECT_EQ(info.failure.message().find(kSecret), std::string::npos) << info.failure;
    for (const std::string& line : host_.logs()) EXPECT_EQ(line.find(kSecret), std::string::npos) << line;
  }

  ScratchDir scratch_;
  TestHost host_;
  std::unique_ptr<PluginManager> manager_;
};

TEST_F(PluginConfigTest, NoFileAndAFileOfCommentsBothLoadThePlugin) {
  EXPECT_EQ(load().state, PluginState::enabled);
  manager_.reset();
  write_config("# nothing configured yet\n\n   # indented comment\n");
  const PluginInfo info = load();
  EXPECT_EQ(info.state, PluginState::enabled) << info.failure;
}

TEST_F(PluginConfigTest, AKeyThePluginDoesNotKnowIsRefusedNamingIt) {
  write_config(std::string("# typo below\nwebhok.url = ") + kSecret + "\nstorrage = sqlite\n");
  const PluginInfo info = load();
  EXPECT_EQ(info.state, PluginState::failed);
  EXPECT_EQ(info.failure_cause, FailureCause::init_failed);
  EXPECT_EQ(info.failure.code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(info.failure.field(), "config");
  EXPECT_NE(info.failure.message().find("unknown configuration key 'webhok.url', 'storrage'"),
            std::string::npos)
      << info.failure;
  expect_secret_nowhere(info);
}

TEST_F(PluginConfigTest, AFileThatGroupOrOthersMayReadIsRefusedBeforeThePluginRuns) {
  for (const mode_t mode : {0640, 0604, 0660, 0620}) {
    write_config(std::string("# secret below\nwebhook.secret = ") + kSecret + "\n", mode);
    const PluginInfo info = load();
    EXPECT_EQ(info.state, PluginState::failed);
    EXPECT_EQ(info.failure_cause, FailureCause::config_invalid) << info.failure;
    EXPECT_EQ(info.failure.field(), "config");
    EXPECT_NE(info.failure.message().find(config_file().string()), std::string::npos) << info.failure;
    EXPECT_NE(info.failure.message().find("chmod 600"), std::string::npos) << info.failure;
    expect_secret_nowhere(info);
    manager_.reset();
  }
}

TEST_F(PluginConfigTest, AMalformedFileIsRefusedNamingTheLineNeverTheValue) {
  struct Case {
    std::string text;
    std::string says;
  };
  const std::vector<Case> cases = {
      {std::string("a.key = 1\n") + kSecret + "\n", "line 2 is not `key = value`"},
      {std::string(" = ") + kSecret + "\n", "line 1: a key is made of"},
      {std::string("Webhook.URL = ") + kSecret + "\n", "line 1: a key is made of"},
      {std::string("a = 1\n\na = ") + kSecret + "\n", "line 3 gives the key 'a' a second time"},
  };
  for (const Case& c : cases) {
    write_config(c.text);
    const PluginInfo info = load();
    EXPECT_EQ(info.failure_cause, FailureCause::config_invalid) << c.text;
    EXPECT_NE(info.failure.message().find(c.says), std::string::npos) << info.failure;
    expect_secret_nowhere(info);
    manager_.reset();
  }
}

TEST_F(PluginConfigTest, ASymbolicLinkInPlaceOfTheFileIsRefused) {
  const std::filesystem::path elsewhere = scratch_ / "elsewhere.conf";
  std::ofstream(elsewhere) << "# fine\n";
  ASSERT_EQ(::chmod(elsewhere.c_str(), 0600), 0);
  std::filesystem::create_directories(config_file().parent_path());
  std::filesystem::create_symlink(elsewhere, config_file());
  const PluginInfo info = load();
  EXPECT_EQ(info.failure_cause, FailureCause::config_invalid);
  EXPECT_NE(info.failure.message().find("symbolic link"), std::string::npos) << info.failure;
}

}  // namespace
}  // namespace ehr::host
