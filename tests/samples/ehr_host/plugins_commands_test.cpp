// ehr-host plugins ...: the plugin manager as an admin uses it, on the real plugin.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

namespace fs = std::filesystem;

nlohmann::json find_plugin(const nlohmann::json& list, const std::string& id) {
  for (const auto& plugin : list["plugins"]) {
    if (plugin["id"] == id) return plugin;
  }
  ADD_FAILURE() << "no plugin " << id << " in " << list.dump();
  return {};
}

TEST(PluginsCommands, ListShowsThePortalPluginWaitingToBeEnabled) {
  EhrHost host;
  const Outcome text = host.ok({"plugins", "list"});
  EXPECT_NE(text.out.find("portal-messaging"), std::string::npos);
  EXPECT_NE(text.out.find("Patient Portal My Messages"), std::string::npos);
  const auto plugin = find_plugin(host.ok_json({"plugins", "list"}), "portal-messaging");
  EXPECT_EQ(plugin["state"], "disabled");
  EXPECT_EQ(plugin["name"], "Patient Portal My Messages");
}

TEST(PluginsCommands, EnableIsRememberedAcrossRuns) {
  EhrHost host;
  EXPECT_EQ(host.ok_json({"plugins", "enable", "portal-messaging"})["state"], "enabled");
  EXPECT_EQ(find_plugin(host.ok_json({"plugins", "list"}), "portal-messaging")["state"], "enabled");
  EXPECT_EQ(host.ok_json({"plugins", "disable", "portal-messaging"})["state"], "disabled");
  EXPECT_EQ(find_plugin(host.ok_json({"plugins", "list"}), "portal-messaging")["state"], "disabled");
}

TEST(PluginsCommands, InfoShowsTheManifest) {
  EhrHost host;
  const auto info = host.ok_json({"plugins", "info", "portal-messaging"});
  EXPECT_EQ(info["library_sha256"].get<std::string>().size(), 64u);
  std::vector<std::string> roles;
  for (const auto& role : info["roles"]) roles.push_back(role["id"].get<std::string>());
  EXPECT_NE(std::find(roles.begin(), roles.end(), "manage_portal_settings"), roles.end());
  EXPECT_NE(std::find(roles.begin(), roles.end(), "available_for_portal_messages"), roles.end());
}

TEST(PluginsCommands, UnknownPluginIsNotFound) {
  EhrHost host;
  const Outcome run = host.run({"plugins", "info", "no-such-plugin"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("no-such-plugin"), std::string::npos) << run.err;
  EXPECT_EQ(host.run({"plugins", "enable", "no-such-plugin"}).exit_code, 4);
}

TEST(PluginsCommands, VerifyChecksTheLibraryOnDisk) {
  EhrHost host;
  const auto check = host.ok_json({"plugins", "verify", "portal-messaging"});
  EXPECT_TRUE(check["ok"].get<bool>());
  EXPECT_TRUE(check["checksum_matches"].get<bool>());
  EXPECT_EQ(check["expected_sha256"], check["actual_sha256"]);
}

// A copy of the plugins directory whose library no longer matches its manifest's checksum.
TEST(PluginsCommands, TamperedLibraryIsNotLoadedAndSaysWhy) {
  EhrHost host;
  const fs::path copy = host.data_directory / "plugins-copy";
  fs::copy(host.plugins_directory, copy, fs::copy_options::recursive);
  std::ofstream(copy / "portal_messaging.so", std::ios::app | std::ios::binary) << "tampered";
  host.plugins_directory = copy;

  const Outcome verify = host.run({"plugins", "verify", "portal-messaging"});
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_NE(verify.out.find("DOES NOT MATCH"), std::string::npos) << verify.out;
  EXPECT_FALSE(verify.err.empty());

  const Outcome json = host.json({"plugins", "verify", "portal-messaging"});
  EXPECT_NE(json.exit_code, 0);
  EXPECT_NE(json.json()["error"]["message"].get<std::string>().find("SHA-256"), std::string::npos)
      << json.out;

  const auto plugin = find_plugin(host.ok_json({"plugins", "list"}), "portal-messaging");
  EXPECT_EQ(plugin["state"], "failed");
  EXPECT_EQ(plugin["failure"]["cause"], "checksum mismatch");
  const Outcome text = host.ok({"plugins", "list"});
  EXPECT_NE(text.out.find("not loaded (checksum mismatch)"), std::string::npos) << text.out;
}

TEST(PluginsCommands, DataDirectoryIsCreatedWhenMissing) {
  EhrHost host;
  const auto nested = host.data_directory / "new" / "deeper";
  host.ok({"--data", nested.string(), "plugins", "list"});
  EXPECT_TRUE(std::filesystem::is_directory(nested));
}

// The compile-time defaults point into the build tree: no options needed there.
TEST(PluginsCommands, ListWorksFromTheBuildTreeWithoutOptions) {
  EhrHost host;  // only for its temporary directory
  const auto out = host.data_directory / "out.txt";
  const std::string command = "env -u EHR_HOST_DATA -u EHR_HOST_PLUGINS -u EHR_HOST_PRACTICE '" +
                              std::string(EHR_HOST_BINARY) + "' plugins list >'" + out.string() + "' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("portal-messaging"), std::string::npos) << text;
}

TEST(PluginsCommands, EnvironmentChoosesTheDirectories) {
  EhrHost host;
  const auto data = host.data_directory / "from-env";
  const std::string command = "EHR_HOST_DATA='" + data.string() + "' EHR_HOST_PLUGINS='" +
                              host.plugins_directory.string() + "' EHR_HOST_PRACTICE='" +
                              host.practice_file.string() + "' '" + std::string(EHR_HOST_BINARY) +
                              "' plugins enable portal-messaging >/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(data / "roles.sqlite3"));
}

}  // namespace
}  // namespace ehr::sample::cli_test
