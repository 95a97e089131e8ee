// ehr-host as a command line: help, usage errors, global options and exit codes.
#include <gtest/gtest.h>

#include <fstream>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

TEST(EhrHostCli, GlobalHelpListsEveryCommandGroup) {
  EhrHost host;
  const Outcome run = host.ok({"--help"});
  for (const char* group :
       {"plugins", "settings", "users", "roles", "messages", "audit", "portal", "notifications"}) {
    EXPECT_NE(run.out.find(std::string("  ") + group + " "), std::string::npos) << group;
  }
  EXPECT_NE(run.out.find("--data DIR"), std::string::npos);
}

TEST(EhrHostCli, GroupAndCommandHelp) {
  EhrHost host;
  EXPECT_NE(host.ok({"messages", "--help"}).out.find("ehr-host messages send --as PRINCIPAL"),
            std::string::npos);
  const Outcome command = host.ok({"roles", "assign", "--help"});
  EXPECT_NE(command.out.find("usage: ehr-host roles assign ROLE --as USER (--all | USER...)"),
            std::string::npos);
  EXPECT_EQ(host.ok({"help", "settings", "show"}).out, host.ok({"settings", "show", "--help"}).out);
}

TEST(EhrHostCli, UnknownGroupIsAUsageError) {
  EhrHost host;
  const Outcome run = host.run({"patient", "list"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown command group 'patient'; did you mean 'patients'?"), std::string::npos)
      << run.err;
  EXPECT_TRUE(run.out.empty());
}

TEST(EhrHostCli, UnknownCommandIsAUsageError) {
  EhrHost host;
  const Outcome run = host.run({"plugins", "install", "x"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown command 'install' in 'plugins'"), std::string::npos) << run.err;
}

TEST(EhrHostCli, MissingRequiredOptionNamesIt) {
  EhrHost host;
  const Outcome run = host.run({"settings", "show", "--general"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--as is required"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("usage: settings show --as USER"), std::string::npos) << run.err;
}

TEST(EhrHostCli, MisspeltOptionIsRefusedNotIgnored) {
  EhrHost host;
  const Outcome run = host.run({"plugins", "list", "--verbose"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown option --verbose"), std::string::npos) << run.err;
}

TEST(EhrHostCli, BadPracticeFileNamesFileAndLine) {
  EhrHost host;
  host.practice_file = host.data_directory / "broken.xml";
  std::ofstream(host.practice_file)
      << "<practice>\n<company name=\"Co\"/>\n<user id=\"a\" name=\"A\" active=\"maybe\"/>\n"
         "</practice>\n";
  const Outcome run = host.json({"plugins", "list"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("broken.xml:3: active= on <user> must be true or false, not 'maybe'"),
            std::string::npos)
      << run.err;
  const auto error = run.json();
  EXPECT_EQ(error["error"]["exit_code"], 1);
  EXPECT_NE(error["error"]["message"].get<std::string>().find("broken.xml:3"), std::string::npos);
}

}  // namespace
}  // namespace ehr::sample::cli_test
