// ehr-host with storage = postgresql in its portal-messaging.conf (R-STORE-2): the real binary, as
// separate processes, on a database of the test's own on the ctest fixture's server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ehr_host_process.hpp"
#include "storage/postgresql/pg_test_database.hpp"

namespace ehr::sample::cli_test {
namespace {

namespace fs = std::filesystem;

void configure(const EhrHost& host, const std::string& config) {
  const fs::path conf = host.data_directory / "plugins" / "portal-messaging.conf";
  fs::create_directories(conf.parent_path());
  std::ofstream(conf) << config;
  fs::permissions(conf, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

TEST(PostgresqlCommands, R_STORE_2_SendInboxReadAndAuditVerifyRunOnTheServer) {
  ehr::portal::pg::test::ScratchDatabase database;
  EhrHost host;
  configure(host, "storage = postgresql\nstorage.postgresql.conninfo = " + database.conninfo() + "\n");
  host.enable_messaging();

  const std::int64_t thread =
      host.ok_json({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria",
                    "--subject", "Results", "--body", "All normal."})["thread"]
          .get<std::int64_t>();
  const nlohmann::json inbox = host.ok_json({"messages", "inbox", "--as", "portal:maria"});
  EXPECT_EQ(inbox["unread_total"], 1);
  ASSERT_EQ(inbox["threads"].size(), 1u);
  EXPECT_EQ(inbox["threads"][0]["thread"], thread);
  const nlohmann::json read =
      host.ok_json({"messages", "read", std::to_string(thread), "--as", "portal:maria"});
  ASSERT_EQ(read["messages"].size(), 1u);
  EXPECT_EQ(read["messages"][0]["body"], "All normal.");
  EXPECT_EQ(host.ok_json({"audit", "verify"})["ok"], true);

  // The messages are on the server: the plugin's data directory holds no database.
  EXPECT_FALSE(fs::exists(host.data_directory / "plugins" / "portal-messaging" / "portal.db"));
  ehr::portal::pg::Connection look(database.connection());
  EXPECT_EQ(look.run({"count_messages", "SELECT count(*) FROM messages"}).int64(0, 0), 1);
}

TEST(PostgresqlCommands, R_STORE_2_AWrongStorageKeyIsShownNamingTheKey) {
  EhrHost host;
  configure(host, "storage = postgresql\n");
  const Outcome listed = host.run({"plugins", "list"});
  EXPECT_NE(listed.out.find("failed"), std::string::npos) << listed.out;
  EXPECT_NE((listed.out + listed.err).find("'storage.postgresql.conninfo'"), std::string::npos)
      << listed.out << listed.err;
}

}  // namespace
}  // namespace ehr::sample::cli_test
