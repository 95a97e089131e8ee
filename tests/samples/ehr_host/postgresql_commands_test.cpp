// ehr-host with storage = postgresql in its portal-messaging.conf (R-STORE-2): the real binary, as
// separate processes, on a database of the test's own on the ctest fixture's server.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ehr_host_process.hpp"
#include "postgresql_hosts.hpp"
#include "support/pg_test_database.hpp"

namespace ehr::sample::cli_test {
namespace {

namespace fs = std::filesystem;

// drlee sends `body` to portal:maria through `sender`; she finds it unread in her inbox and reads
// it through `reader`. The thread's id, 0 when it was not found.
std::int64_t send_then_read(const EhrHost& sender, const EhrHost& reader, const std::string& body) {
  const std::int64_t thread = sender
                                  .ok_json({"messages", "send", "--as", "drlee", "--patient", "p01", "--to",
                                            "portal:maria", "--subject", "Results", "--body", body})["thread"]
                                  .get<std::int64_t>();
  const nlohmann::json inbox = reader.ok_json({"messages", "inbox", "--as", "portal:maria"});
  EXPECT_EQ(inbox["unread_total"], 1);
  if (inbox["threads"].size() != 1u || inbox["threads"][0]["thread"] != thread) {
    ADD_FAILURE() << "the inbox does not show the one thread sent: " << inbox.dump();
    return 0;
  }
  const nlohmann::json read =
      reader.ok_json({"messages", "read", std::to_string(thread), "--as", "portal:maria"});
  if (read["messages"].size() != 1u || read["messages"][0]["body"] != body) {
    ADD_FAILURE() << "the thread does not hold the one message sent";
    return 0;
  }
  return thread;
}

TEST(PostgresqlCommands, R_STORE_2_SendInboxReadAndAuditVerifyRunOnTheServer) {
  ehr::portal::pg::test::ScratchDatabase database;
  EhrHost host;
  configure(host, "storage = postgresql\nstorage.postgresql.conninfo = " + database.conninfo() + "\n");
  host.enable_messaging();

  const std::int64_t thread = send_then_read(host, host, "All normal.");
  ASSERT_NE(thread, 0);
  EXPECT_EQ(host.ok_json({"audit", "verify"})["ok"], true);

  // The messages are on the server: the plugin's data directory holds no database.
  EXPECT_FALSE(fs::exists(host.data_directory / "plugins" / "portal-messaging" / "portal.db"));
  ehr::portal::pg::Connection look(database.connection());
  EXPECT_EQ(look.run({"count_messages", "SELECT count(*) FROM messages"}).int64(0, 0), 1);
}

TEST(PostgresqlCommands, R_STORE_1_TwoHostProcessesOnOneDatabaseShareMessagesSettingsAndTheAudit) {
  ehr::portal::pg::test::ScratchDatabase database;
  const std::string config =
      "storage = postgresql\nstorage.postgresql.conninfo = " + database.conninfo() + "\n";
  EhrHost first;
  EhrHost second;
  configure(first, config);
  configure(second, config);
  // The SDK's role store on the same database (HOST_DATA/host.conf, same keys).
  for (const EhrHost* host : {&first, &second}) configure_roles(*host, config);
  first.enable_messaging();  // A's first start draws the key set; B gets the same one
  share_keys(first, second);
  second.enable_plugin();

  // Sent through A, listed and read through B at once.
  const std::int64_t thread = send_then_read(first, second, "From host A.");
  ASSERT_NE(thread, 0);

  // A role change through A governs B's next reply (R-MSG-4), and back.
  first.ok({"roles", "unassign", "available_for_portal_messages", "--as", "admin", "drlee"});
  const Outcome no_role =
      second.json({"messages", "reply", std::to_string(thread), "--as", "drlee", "--body", "Again"});
  EXPECT_EQ(no_role.exit_code, 3) << no_role.out << no_role.err;
  EXPECT_EQ(no_role.json()["error"]["reason"], "staff_lacks_role");
  first.ok({"roles", "assign", "available_for_portal_messages", "--as", "admin", "drlee"});
  for (const EhrHost* host : {&first, &second})
    EXPECT_FALSE(fs::exists(host->data_directory / "roles.sqlite3")) << "the roles are on the server";
  second.ok({"messages", "reply", std::to_string(thread), "--as", "drlee", "--body", "Again"});

  // A settings change through B governs A's next send.
  second.ok({"settings", "set", "--as", "admin", "--general", "my_messages=off"});
  const Outcome refused = first.json({"messages", "send", "--as", "drlee", "--patient", "p01", "--to",
                                      "portal:maria", "--subject", "Again", "--body", "Refused."});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_EQ(refused.json()["error"]["reason"], "messaging_off");

  // One chain written by both, each host checking the checkpoints it took (R-SEC-3).
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(first.ok_json({"audit", "verify"})["ok"], true);
    EXPECT_EQ(second.ok_json({"audit", "verify"})["ok"], true);
  }
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
