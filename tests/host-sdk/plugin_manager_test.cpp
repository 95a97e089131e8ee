// PluginManager through real fixture plugins (tests/fixtures/plugins/): every way loading can
// fail has its own test, and each checks that a well-behaved plugin next to it still loads.
#include "ehr/host/plugin_manager.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "support/scratch.hpp"
#include "support/test_host.hpp"

namespace ehr::host {
namespace {

using testing::copy_scenarios;
using testing::ScratchDir;
using testing::TestHost;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

class PluginManagerTest : public ::testing::Test {
 protected:
  fs::path plugins() const { return scratch_ / "plugins"; }
  fs::path data() const { return scratch_ / "data"; }

  PluginManagerOptions options() const {
    PluginManagerOptions o;
    o.plugins_directory = plugins();
    o.host_data_directory = data();
    return o;
  }

  std::unique_ptr<PluginManager> start(PluginManagerOptions o) {
    auto manager = std::make_unique<PluginManager>(std::move(o), host_);
    EXPECT_TRUE(manager->discover());
    return manager;
  }
  std::unique_ptr<PluginManager> start() { return start(options()); }

  // Loads the scenario next to the good plugin; the scenario's plugin fails with `cause`, the
  // good one is enabled regardless. Returns the failed plugin's info.
  PluginInfo expect_failure_next_to_good(const std::string& scenario, const std::string& id,
                                         FailureCause cause) {
    copy_scenarios(plugins(), {"good", scenario});
    auto manager = start();
    auto good = manager->info("fixture-good");
    EXPECT_TRUE(good) << good.status();
    if (good) {
      EXPECT_EQ(good->state, PluginState::enabled) << good->failure;
    }
    EXPECT_TRUE(manager->registry().channel("fixture-good.messages"));
    auto failed = manager->info(id);
    EXPECT_TRUE(failed) << failed.status();
    if (!failed) return {};
    EXPECT_EQ(failed->state, PluginState::failed);
    EXPECT_EQ(failed->failure_cause, cause) << failed->failure;
    EXPECT_FALSE(failed->failure.is_ok());
    EXPECT_TRUE(host_.logged("plugin " + id + " not loaded")) << "failures are logged for the admin";
    return *failed;
  }

  ScratchDir scratch_;
  TestHost host_;
};

TEST_F(PluginManagerTest, LoadsAWellBehavedPluginAndPublishesWhatItRegistered) {
  copy_scenarios(plugins(), {"good"});
  auto manager = start();
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info) << info.status();
  EXPECT_EQ(info->state, PluginState::enabled) << info->failure;
  EXPECT_EQ(info->failure_cause, FailureCause::none);
  EXPECT_EQ(info->negotiated_version, EHR_ABI_VERSION);
  EXPECT_EQ(info->plugin_version, "1.0.0");
  ASSERT_TRUE(info->manifest);
  EXPECT_EQ(info->manifest->name, "Fixture fixture-good");
  EXPECT_TRUE(fs::is_directory(info->data_directory));
  EXPECT_EQ(info->data_directory, data() / "plugins" / "fixture-good");
  EXPECT_TRUE(host_.logged("fixture-good: on_init"));
  EXPECT_TRUE(host_.logged("fixture-good: on_enable"));

  const Registry& registry = manager->registry();
  EXPECT_TRUE(registry.settings_pages("fixture-good"));
  EXPECT_TRUE(registry.hooks("fixture-good"));
  EXPECT_TRUE(registry.audit_log("fixture-good"));
  auto channel = registry.channel("fixture-good.messages");
  ASSERT_TRUE(channel) << channel.status();
  EXPECT_EQ(channel->plugin_id(), "fixture-good");
  auto sections = registry.roles_sections();
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].title, "Fixture roles");
  ASSERT_EQ(sections[0].roles.size(), 1u);
  EXPECT_EQ(sections[0].roles[0].id, "fixture_role");
  EXPECT_EQ(sections[0].roles[0].label, "Fixture role");
}

TEST_F(PluginManagerTest, ListsEveryPluginSortedById) {
  copy_scenarios(plugins(), {"good", "other", "init_fails"});
  auto manager = start();
  const auto plugins_found = manager->list();
  ASSERT_EQ(plugins_found.size(), 3u);
  EXPECT_EQ(plugins_found[0].id, "fixture-good");
  EXPECT_EQ(plugins_found[1].id, "fixture-init-fails");
  EXPECT_EQ(plugins_found[2].id, "fixture-other");
  EXPECT_EQ(manager->registry().channels().size(), 2u);
}

TEST_F(PluginManagerTest, ManifestNotWellFormedNamesFileAndLine) {
  fs::create_directories(plugins());
  fs::copy(testing::fixture_manifest("not_well_formed.plugin.xml"), plugins() / "broken.plugin.xml");
  const PluginInfo info =
      expect_failure_next_to_good("other", "broken", FailureCause::manifest_not_well_formed);
  EXPECT_NE(info.failure.message().find("broken.plugin.xml:"), std::string::npos) << info.failure;
  EXPECT_NE(info.failure.message().find("not well-formed"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, ManifestInvalidNamesFileLineAndField) {
  fs::create_directories(plugins());
  fs::copy(testing::fixture_manifest("invalid.plugin.xml"), plugins() / "invalid.plugin.xml");
  const PluginInfo info = expect_failure_next_to_good("other", "invalid", FailureCause::manifest_invalid);
  EXPECT_EQ(info.failure.field(), "library/@sha256");
  EXPECT_NE(info.failure.message().find("invalid.plugin.xml:5:"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, ManifestWithUnknownElementIsInvalid) {
  fs::create_directories(plugins());
  fs::copy(testing::fixture_manifest("unknown_element.plugin.xml"), plugins() / "unknown.plugin.xml");
  const PluginInfo info = expect_failure_next_to_good("other", "unknown", FailureCause::manifest_invalid);
  EXPECT_EQ(info.failure.field(), "permissions");
  EXPECT_NE(info.failure.message().find(":7:"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, ManifestMissingForAPluginEnabledBefore) {
  copy_scenarios(plugins(), {"good", "other"});
  start().reset();
  fs::remove(plugins() / "fixture-other.plugin.xml");
  auto manager = start();
  auto info = manager->info("fixture-other");
  ASSERT_TRUE(info) << info.status();
  EXPECT_EQ(info->failure_cause, FailureCause::manifest_missing) << info->failure;
  EXPECT_NE(info->failure.message().find("no manifest"), std::string::npos) << info->failure;
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::enabled);
  // Disabling a plugin whose manifest is gone forgets it.
  EXPECT_TRUE(manager->disable("fixture-other"));
  EXPECT_FALSE(start()->info("fixture-other"));
}

// The scenario's manifest has the good plugin's id, so it cannot sit next to it: use "other".
TEST_F(PluginManagerTest, LibraryMissingLeavesOthersRunning) {
  copy_scenarios(plugins(), {"other", "library_missing"});
  auto manager = start();
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->failure_cause, FailureCause::library_missing) << info->failure;
  EXPECT_EQ(info->failure.field(), "library/@file");
  EXPECT_NE(info->failure.message().find("not_there.so"), std::string::npos) << info->failure;
  EXPECT_EQ(manager->info("fixture-other")->state, PluginState::enabled);
}

// Something else in place of the library: refused at once with what it is, never read or waited
// on (a FIFO used to hang every command), and never reported as missing.
TEST_F(PluginManagerTest, R_SEC_2_AFifoDeviceOrDirectoryInPlaceOfTheLibraryIsRefusedNamingIt) {
  struct Case {
    const char* what;
    std::function<bool(const fs::path&)> make;
  };
  const std::vector<Case> cases = {
      {"is a FIFO (named pipe), not a regular file",
       [](const fs::path& p) { return ::mkfifo(p.c_str(), 0600) == 0; }},
      {"is a directory, not a regular file", [](const fs::path& p) { return fs::create_directory(p); }},
      // /dev/zero's device numbers; creating a device node needs root, a symbolic link does not.
      {"is a character device, not a regular file",
       [](const fs::path& p) { return ::mknod(p.c_str(), S_IFCHR | 0600, makedev(1, 5)) == 0; }},
      {"is a symbolic link", [](const fs::path& p) {
         fs::create_symlink("/dev/zero", p);
         return true;
       }}};
  for (const Case& c : cases) {
    const ScratchDir scratch;
    copy_scenarios(scratch / "plugins", {"good"});
    fs::path library;
    for (const auto& file : fs::directory_iterator(scratch / "plugins"))
      if (file.path().extension() == ".so") library = file.path();
    ASSERT_FALSE(library.empty());
    fs::remove(library);
    if (!c.make(library)) {
      ADD_FAILURE() << "cannot create the case '" << c.what << "' (device nodes need root)";
      continue;
    }
    PluginManagerOptions o;
    o.plugins_directory = scratch / "plugins";
    o.host_data_directory = scratch / "data";
    PluginManager manager(o, host_);
    ASSERT_TRUE(manager.discover());
    const auto info = manager.info("fixture-good");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->state, PluginState::failed);
    EXPECT_EQ(info->failure_cause, FailureCause::load_failed) << c.what << ": " << info->failure;
    EXPECT_NE(info->failure.message().find(c.what), std::string::npos) << info->failure;
    EXPECT_EQ(info->failure.message().find("does not exist"), std::string::npos) << info->failure;
  }
}

TEST_F(PluginManagerTest, ChecksumMismatchNamesBothChecksums) {
  copy_scenarios(plugins(), {"other", "checksum_mismatch"});
  auto manager = start();
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->failure_cause, FailureCause::checksum_mismatch) << info->failure;
  EXPECT_EQ(info->failure.field(), "library/@sha256");
  const std::string expected = info->manifest->library_sha256;
  EXPECT_NE(info->failure.message().find(expected), std::string::npos) << info->failure;
  EXPECT_FALSE(host_.logged("fixture-good: on_init")) << "a library that fails its checksum is never run";
  EXPECT_EQ(manager->info("fixture-other")->state, PluginState::enabled);
}

TEST_F(PluginManagerTest, LoadFailedWhenTheFileIsNotASharedObject) {
  const PluginInfo info =
      expect_failure_next_to_good("load_failed", "fixture-garbage", FailureCause::load_failed);
  EXPECT_NE(info.failure.message().find("dynamic loader refused"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, EntryPointMissing) {
  const PluginInfo info = expect_failure_next_to_good("missing_entry_point", "fixture-missing-entry",
                                                      FailureCause::entry_point_missing);
  EXPECT_NE(info.failure.message().find("ehr_plugin_negotiate"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, AbiMajorMismatchDeclaredInTheManifestIsRefusedBeforeLoading) {
  const PluginInfo info = expect_failure_next_to_good("abi_major_mismatch", "fixture-abi-major",
                                                      FailureCause::abi_major_mismatch);
  EXPECT_EQ(info.failure.code(), EHR_STATUS_VERSION_MISMATCH);
  EXPECT_NE(info.failure.message().find("2.0"), std::string::npos) << info.failure;
  EXPECT_NE(info.failure.message().find("major"), std::string::npos) << info.failure;
  EXPECT_EQ(info.negotiated_version, 0u);
}

TEST_F(PluginManagerTest, AbiMajorMismatchAnsweredByTheLibraryIsRefused) {
  const PluginInfo info = expect_failure_next_to_good("abi_major_mismatch_stale", "fixture-abi-major",
                                                      FailureCause::abi_major_mismatch);
  EXPECT_NE(info.failure.message().find("chose ABI 2.0"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, AbiMinorTooNewDeclaredInTheManifestSaysToUpdateTheHost) {
  const PluginInfo info =
      expect_failure_next_to_good("abi_minor_too_new", "fixture-abi-minor", FailureCause::abi_minor_too_new);
  EXPECT_NE(info.failure.message().find("needs ABI 1.5 or newer"), std::string::npos) << info.failure;
  EXPECT_NE(info.failure.message().find("update the host"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, AbiMinorTooNewRefusedByTheLibraryCarriesItsReason) {
  const PluginInfo info = expect_failure_next_to_good("abi_minor_too_new_stale", "fixture-abi-minor",
                                                      FailureCause::abi_minor_too_new);
  EXPECT_NE(info.failure.message().find("needs ABI 1.5 or newer"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, HostEnforcesItsOwnFloor) {
  copy_scenarios(plugins(), {"good"});
  PluginManagerOptions o = options();
  o.abi_min_version = EHR_MAKE_VERSION(1, 1);
  o.abi_max_version = EHR_MAKE_VERSION(1, 2);
  auto manager = start(o);
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->failure_cause, FailureCause::abi_too_old) << info->failure;
  EXPECT_NE(info->failure.message().find("at least 1.1"), std::string::npos) << info->failure;
}

TEST_F(PluginManagerTest, PluginIdMismatchBetweenLibraryAndManifest) {
  const PluginInfo info =
      expect_failure_next_to_good("plugin_id_mismatch", "fixture-renamed", FailureCause::plugin_id_mismatch);
  EXPECT_NE(info.failure.message().find("says it is plugin \"fixture-good\""), std::string::npos)
      << info.failure;
}

TEST_F(PluginManagerTest, HostServiceMissing) {
  copy_scenarios(plugins(), {"other", "host_service_missing"});
  auto manager = start();
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->failure_cause, FailureCause::host_service_missing) << info->failure;
  EXPECT_NE(info->failure.message().find("\"fax\""), std::string::npos) << info->failure;
  EXPECT_EQ(manager->info("fixture-other")->state, PluginState::enabled);
}

TEST_F(PluginManagerTest, InitFailingCarriesThePluginsReason) {
  const PluginInfo info =
      expect_failure_next_to_good("init_fails", "fixture-init-fails", FailureCause::init_failed);
  EXPECT_EQ(info.failure.code(), EHR_STATUS_STORAGE);
  EXPECT_NE(info.failure.message().find("disk is read-only"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, InitThrowingInsideAWellWrittenPluginReturnsInternal) {
  const PluginInfo info =
      expect_failure_next_to_good("init_throws", "fixture-init-throws", FailureCause::init_failed);
  EXPECT_EQ(info.failure.code(), EHR_STATUS_INTERNAL);
  EXPECT_NE(info.failure.message().find("schema version 99"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, InitLettingAnExceptionEscapeIsContained) {
  const PluginInfo info = expect_failure_next_to_good("init_throws_escaping", "fixture-init-throws-escaping",
                                                      FailureCause::init_threw);
  EXPECT_EQ(info.failure.code(), EHR_STATUS_INTERNAL);
  EXPECT_NE(info.failure.message().find("ABI violation"), std::string::npos) << info.failure;
  EXPECT_NE(info.failure.message().find("schema version 99"), std::string::npos) << info.failure;
}

TEST_F(PluginManagerTest, InitFailsWhenAHostServiceThrows) {
  copy_scenarios(plugins(), {"good"});
  host_.set_company_throws(true);
  auto manager = start();
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->failure_cause, FailureCause::init_failed) << info->failure;
  EXPECT_EQ(info->failure.code(), EHR_STATUS_INTERNAL) << "the throwing host service answered INTERNAL";
  EXPECT_TRUE(host_.logged("get_company threw: the company database is unreachable"));
}

TEST_F(PluginManagerTest, InitFailsWhenTheSettingsSchemaIsGone) {
  copy_scenarios(plugins(), {"good"});
  fs::remove(plugins() / "good-settings.xml");
  auto manager = start();
  auto info = manager->info("fixture-good");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->failure_cause, FailureCause::init_failed) << info->failure;
  EXPECT_EQ(info->failure.field(), "settings-schema");
}

TEST_F(PluginManagerTest, DuplicateIdLoadsOnlyTheFirst) {
  copy_scenarios(plugins(), {"duplicate_id", "other"});
  auto manager = start();
  const auto all = manager->list();
  int enabled = 0;
  int duplicates = 0;
  for (const PluginInfo& info : all) {
    if (info.id != "fixture-good") continue;
    if (info.state == PluginState::enabled) {
      ++enabled;
      EXPECT_EQ(info.manifest_path.filename(), "a.plugin.xml");
    }
    if (info.failure_cause == FailureCause::duplicate_id) {
      ++duplicates;
      EXPECT_NE(info.failure.message().find("a.plugin.xml"), std::string::npos) << info.failure;
      EXPECT_NE(info.failure.message().find("b.plugin.xml"), std::string::npos) << info.failure;
    }
  }
  EXPECT_EQ(enabled, 1);
  EXPECT_EQ(duplicates, 1);
  EXPECT_EQ(manager->info("fixture-other")->state, PluginState::enabled);
}

TEST_F(PluginManagerTest, MissingPluginsDirectoryIsAnErrorNamingIt) {
  PluginManager manager(options(), host_);
  Status status = manager.discover();
  EXPECT_EQ(status.code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(status.message().find(plugins().string()), std::string::npos) << status;
}

TEST_F(PluginManagerTest, UnknownPluginIdIsNotFound) {
  copy_scenarios(plugins(), {"good"});
  auto manager = start();
  EXPECT_EQ(manager->info("nope").status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(manager->enable("nope").code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(manager->disable("nope").code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(manager->verify("nope").status().code(), EHR_STATUS_NOT_FOUND);
}

TEST_F(PluginManagerTest, DisableCallsOnDisableAndIsRememberedAcrossRestarts) {
  copy_scenarios(plugins(), {"good"});
  {
    auto manager = start();
    ASSERT_TRUE(manager->disable("fixture-good"));
    EXPECT_TRUE(host_.logged("fixture-good: on_disable"));
    EXPECT_EQ(manager->info("fixture-good")->state, PluginState::disabled);
    EXPECT_FALSE(manager->info("fixture-good")->enabled_preference);
    // Registrations stay visible (an admin may still configure it) ...
    EXPECT_TRUE(manager->registry().settings_pages("fixture-good"));
    // ... but the channel refuses calls without reaching the plugin.
    auto channel = manager->registry().channel("fixture-good.messages");
    ASSERT_TRUE(channel);
    auto sent = channel->start_thread(StartRequest{Principal::staff("drlee"), "p1", {}, "Hi", "Hello"});
    EXPECT_EQ(sent.status().code(), EHR_STATUS_DISABLED);
    EXPECT_EQ(channel->unread_total(Principal::staff("drlee")).status().code(), EHR_STATUS_DISABLED);
  }
  host_.clear_logs();
  {
    auto manager = start();
    auto info = manager->info("fixture-good");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->state, PluginState::disabled);
    EXPECT_TRUE(host_.logged("fixture-good: on_init"));
    EXPECT_FALSE(host_.logged("fixture-good: on_enable"));
    ASSERT_TRUE(manager->enable("fixture-good"));
    EXPECT_TRUE(host_.logged("fixture-good: on_enable"));
    auto channel = manager->registry().channel("fixture-good.messages");
    ASSERT_TRUE(channel);
    EXPECT_TRUE(channel->start_thread(StartRequest{Principal::staff("drlee"), "p1", {}, "Hi", "Hello"}));
  }
  EXPECT_EQ(start()->info("fixture-good")->state, PluginState::enabled);
}

TEST_F(PluginManagerTest, EnableAndDisableAreIdempotent) {
  copy_scenarios(plugins(), {"good"});
  auto manager = start();
  EXPECT_TRUE(manager->enable("fixture-good"));
  EXPECT_TRUE(manager->disable("fixture-good"));
  host_.clear_logs();
  EXPECT_TRUE(manager->disable("fixture-good"));
  EXPECT_FALSE(host_.logged("on_disable")) << "a disabled plugin is not disabled twice";
}

TEST_F(PluginManagerTest, NewPluginsCanStartDisabled) {
  copy_scenarios(plugins(), {"good"});
  PluginManagerOptions o = options();
  o.enable_new_plugins = false;
  auto manager = start(o);
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::disabled);
  EXPECT_FALSE(host_.logged("fixture-good: on_enable"));
  // A plugin is enabled once on_init returns (plugin.h), so one kept off is told at once.
  const std::vector<std::string> logs = host_.logs();
  const auto init = std::find(logs.begin(), logs.end(), "fixture-good: on_init");
  ASSERT_NE(init, logs.end());
  EXPECT_NE(std::find(init, logs.end(), "fixture-good: on_disable"), logs.end())
      << "on_disable follows on_init for a plugin the admin keeps disabled";
}

TEST_F(PluginManagerTest, EnablingAFailedPluginSaysWhyItCannotRun) {
  copy_scenarios(plugins(), {"init_fails"});
  auto manager = start();
  Status status = manager->enable("fixture-init-fails");
  EXPECT_FALSE(status);
  EXPECT_NE(status.message().find("disk is read-only"), std::string::npos) << status;
}

TEST_F(PluginManagerTest, ShutdownCallsOnShutdownAndWithdrawsRegistrations) {
  copy_scenarios(plugins(), {"good", "other"});
  auto manager = start();
  auto channel = manager->registry().channel("fixture-good.messages");
  ASSERT_TRUE(channel);
  manager->shutdown();
  EXPECT_TRUE(host_.logged("fixture-good: on_shutdown"));
  EXPECT_TRUE(host_.logged("fixture-other: on_shutdown"));
  EXPECT_TRUE(manager->registry().channels().empty());
  EXPECT_TRUE(manager->registry().roles_sections().empty());
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::shut_down);
  // A handle kept past shutdown answers instead of touching released memory.
  EXPECT_EQ(channel->unread_total(Principal::staff("drlee")).status().code(), EHR_STATUS_DISABLED);
  host_.clear_logs();
  manager->shutdown();
  EXPECT_FALSE(host_.logged("on_shutdown")) << "shutdown is idempotent";
}

TEST_F(PluginManagerTest, RediscoverRetriesAPluginTheAdminFixed) {
  copy_scenarios(plugins(), {"library_missing"});
  auto manager = start();
  EXPECT_EQ(manager->info("fixture-good")->failure_cause, FailureCause::library_missing);
  copy_scenarios(plugins(), {"good"});  // brings the library and replaces the manifest
  ASSERT_TRUE(manager->discover());
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::enabled)
      << manager->info("fixture-good")->failure;
}

TEST_F(PluginManagerTest, VerifyChecksTheLibraryOnDiskNow) {
  copy_scenarios(plugins(), {"good"});
  auto manager = start();
  auto verified = manager->verify("fixture-good");
  ASSERT_TRUE(verified) << verified.status();
  EXPECT_TRUE(verified->status) << verified->status;
  EXPECT_TRUE(verified->checksum_matches);
  EXPECT_EQ(verified->actual_sha256, verified->expected_sha256);
  EXPECT_EQ(verified->signature, Verification::Signature::absent);

  std::ofstream(plugins() / "good.so", std::ios::app) << "tampered";
  verified = manager->verify("fixture-good");
  ASSERT_TRUE(verified);
  EXPECT_FALSE(verified->checksum_matches);
  EXPECT_NE(verified->actual_sha256, verified->expected_sha256);
  EXPECT_EQ(verified->status.field(), "library/@sha256");
}

// The library is hashed as it is read, a buffer at a time: a file of any length, one that ends on a
// buffer's edge included, has the digest of its whole content.
TEST_F(PluginManagerTest, VerifyHashesALibraryOfAnyLengthWhole) {
  ASSERT_GE(sodium_init(), 0);
  for (const std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                                   std::size_t{65537}, std::size_t{131072}, std::size_t{200001}}) {
    fs::remove_all(plugins());
    copy_scenarios(plugins(), {"good"});
    std::string content(length, '\0');
    for (std::size_t i = 0; i < length; ++i) content[i] = static_cast<char>((i * 131) ^ (i >> 9));
    write_file(plugins() / "good.so", content);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(content.data()), content.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    const fs::path manifest = plugins() / "fixture-good.plugin.xml";
    write_file(manifest, std::regex_replace(read_file(manifest), std::regex("sha256=\"[0-9a-f]*\""),
                                            std::string("sha256=\"") + hex + "\""));

    auto manager = start();
    auto verified = manager->verify("fixture-good");
    ASSERT_TRUE(verified) << verified.status();
    EXPECT_TRUE(verified->checksum_matches) << length << " bytes: " << verified->actual_sha256;
    EXPECT_EQ(verified->actual_sha256, hex) << length << " bytes";
    // Past its checksum, the loader refuses what is not a shared object.
    EXPECT_EQ(manager->info("fixture-good")->failure_cause, FailureCause::load_failed)
        << length << " bytes: " << manager->info("fixture-good")->failure;
  }
}

TEST_F(PluginManagerTest, LifecycleCallsFromInsideAPluginCallAreRefused) {
  copy_scenarios(plugins(), {"good"});
  auto manager = start();
  auto hooks = manager->registry().hooks("fixture-good");
  ASSERT_TRUE(hooks);
  Status from_inside;
  auto registration = hooks->add(HookPoint::after_store, [&](const HookEvent&) {
    from_inside = manager->disable("fixture-good");
    return Status();
  });
  ASSERT_TRUE(registration) << registration.status();
  auto channel = manager->registry().channel("fixture-good.messages");
  ASSERT_TRUE(channel->start_thread(StartRequest{Principal::staff("drlee"), "p1", {}, "Hi", "Hello"}));
  EXPECT_EQ(from_inside.code(), EHR_STATUS_CONFLICT) << from_inside;
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::enabled);
}

// A plugin built against an older header declares smaller tables: the host reads them only as
// far as they reach (the optional function appended later counts as absent).
TEST_F(PluginManagerTest, APluginBuiltAgainstAnOlderHeaderStillLoads) {
  copy_scenarios(plugins(), {"older_tables"});
  auto manager = start();
  EXPECT_EQ(manager->info("fixture-older")->state, PluginState::enabled)
      << manager->info("fixture-older")->failure;
  auto channel = manager->registry().channel("fixture-older.messages");
  ASSERT_TRUE(channel);
  EXPECT_TRUE(channel->start_thread(StartRequest{Principal::staff("drlee"), "p1", {}, "", "Hello"}));
  EXPECT_EQ(channel->invite_portal_user({"admin", "pat1"}).code(), EHR_STATUS_UNSUPPORTED);
  EXPECT_TRUE(host_.notifications().empty());
}

// A plugin built against a newer header declares bigger tables: the host uses what it knows.
TEST_F(PluginManagerTest, APluginBuiltAgainstANewerHeaderLoads) {
  copy_scenarios(plugins(), {"newer_tables"});
  auto manager = start();
  EXPECT_EQ(manager->info("fixture-newer")->state, PluginState::enabled)
      << manager->info("fixture-newer")->failure;
  auto channel = manager->registry().channel("fixture-newer.messages");
  ASSERT_TRUE(channel);
  EXPECT_TRUE(channel->invite_portal_user({"admin", "pat1"}));
}

// A plugin built against the ABI 1.0 headers as they shipped (abi/1.0): this 1.1 host negotiates
// 1.0 with it and uses every table it registered, each of the 1.0 size.
TEST_F(PluginManagerTest, AHostOfAbi11LoadsAndUsesAPluginBuiltForAbi10) {
  copy_scenarios(plugins(), {"abi_1_0"});
  auto manager = start();
  auto info = manager->info("fixture-abi-1-0");
  ASSERT_TRUE(info) << info.status();
  EXPECT_EQ(info->state, PluginState::enabled) << info->failure;
  EXPECT_EQ(info->negotiated_version, EHR_MAKE_VERSION(1, 0));
  EXPECT_GT(EHR_ABI_VERSION, EHR_MAKE_VERSION(1, 0)) << "this host speaks a newer minor than the plugin";

  const Registry& registry = manager->registry();
  auto sections = registry.roles_sections();
  ASSERT_EQ(sections.size(), 1u);
  ASSERT_EQ(sections[0].roles.size(), 1u);
  EXPECT_EQ(sections[0].roles[0].id, "fixture_role");

  auto pages = registry.settings_pages("fixture-abi-1-0");
  ASSERT_TRUE(pages) << pages.status();
  auto page = pages->describe_page("admin", "");
  ASSERT_TRUE(page) << page.status();
  EXPECT_FALSE(page->fields.empty());
  EXPECT_TRUE(pages->save_page("admin", "", {{"my_flag", "off"}}));

  auto channel = registry.channel("fixture-abi-1-0.messages");
  ASSERT_TRUE(channel) << channel.status();
  auto sent = channel->start_thread(StartRequest{Principal::staff("drlee"), "p1", {}, "Hi", "Hello"});
  ASSERT_TRUE(sent) << sent.status();
  auto threads = channel->list_threads(ListRequest{Principal::staff("drlee")});
  ASSERT_TRUE(threads) << threads.status();
  ASSERT_EQ(threads->threads.size(), 1u);
  EXPECT_EQ(threads->threads[0].thread_id, sent->thread_id);
  auto messages = channel->read_thread(Principal::staff("drlee"), sent->thread_id);
  ASSERT_TRUE(messages) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].thread_id, sent->thread_id);
  // Appended in 1.1: absent from the 1.0 table, so refused without reaching the plugin.
  EXPECT_EQ(channel->add_participant(Principal::staff("drlee"), sent->thread_id, Principal::staff("nurse1"))
                .status()
                .code(),
            EHR_STATUS_UNSUPPORTED);
  EXPECT_EQ(channel->list_participants(Principal::staff("drlee"), sent->thread_id).status().code(),
            EHR_STATUS_UNSUPPORTED);
  EXPECT_EQ(channel->chart_brand(Principal::staff("drlee"), "p1").status().code(), EHR_STATUS_UNSUPPORTED);
  // Export and import (FHIR, issue 14), also appended in 1.1.
  EXPECT_EQ(channel->export_records({Principal::staff("drlee"), "p1", 0}).status().code(),
            EHR_STATUS_UNSUPPORTED);
  EXPECT_EQ(channel->import_records({Principal::staff("drlee"), {}}).status().code(), EHR_STATUS_UNSUPPORTED);
  EXPECT_EQ(channel->list_webhook_deliveries().status().code(), EHR_STATUS_UNSUPPORTED);
  EXPECT_EQ(channel->retry_webhook_deliveries(0).status().code(), EHR_STATUS_UNSUPPORTED);
}

// ---- signatures (issue 7) ------------------------------------------------------------------

class PluginSignatureTest : public PluginManagerTest {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    crypto_sign_keypair(public_key_, secret_key_);
    copy_scenarios(plugins(), {"good"});
  }

  std::string base64(const unsigned char* bytes, std::size_t size) {
    std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
  }

  // Signs the library bytes and adds <signature> to the manifest.
  void sign(const std::string& key_id, bool tamper = false) {
    const std::string library = read_file(plugins() / "good.so");
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(library.data()),
                         library.size(), secret_key_);
    if (tamper) signature[0] ^= 1;
    const fs::path manifest = plugins() / "fixture-good.plugin.xml";
    std::string text = read_file(manifest);
    text = std::regex_replace(text, std::regex("</plugin>"),
                              "  <signature key-id=\"" + key_id + "\" ed25519=\"" +
                                  base64(signature, sizeof signature) + "\"/>\n</plugin>");
    write_file(manifest, text);
  }

  PluginManagerOptions trusting(bool require) {
    PluginManagerOptions o = options();
    o.trusted_keys.push_back(TrustedKey{"release-2026", base64(public_key_, sizeof public_key_)});
    o.require_signatures = require;
    return o;
  }

  unsigned char public_key_[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key_[crypto_sign_SECRETKEYBYTES];
};

TEST_F(PluginSignatureTest, SignedByATrustedKeyLoads) {
  sign("release-2026");
  auto manager = start(trusting(true));
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::enabled)
      << manager->info("fixture-good")->failure;
  auto verified = manager->verify("fixture-good");
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->signature, Verification::Signature::valid);
  EXPECT_EQ(verified->signature_key_id, "release-2026");
}

TEST_F(PluginSignatureTest, ASignatureThatDoesNotMatchIsRefused) {
  sign("release-2026", /*tamper=*/true);
  auto manager = start(trusting(false));
  auto info = manager->info("fixture-good");
  EXPECT_EQ(info->failure_cause, FailureCause::signature_invalid) << info->failure;
  EXPECT_NE(info->failure.message().find("does not match"), std::string::npos) << info->failure;
  EXPECT_FALSE(host_.logged("on_init"));
}

TEST_F(PluginSignatureTest, AnUnknownKeyIsRefused) {
  sign("someone-else");
  auto manager = start(trusting(false));
  auto info = manager->info("fixture-good");
  EXPECT_EQ(info->failure_cause, FailureCause::signature_invalid) << info->failure;
  EXPECT_NE(info->failure.message().find("someone-else"), std::string::npos) << info->failure;
}

TEST_F(PluginSignatureTest, UnsignedIsRefusedWhenTheHostRequiresSignatures) {
  auto manager = start(trusting(true));
  auto info = manager->info("fixture-good");
  EXPECT_EQ(info->failure_cause, FailureCause::signature_missing) << info->failure;
}

TEST_F(PluginSignatureTest, UnsignedLoadsWhenSignaturesAreNotRequired) {
  auto manager = start(trusting(false));
  EXPECT_EQ(manager->info("fixture-good")->state, PluginState::enabled);
}

}  // namespace
}  // namespace ehr::host
