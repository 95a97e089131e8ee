// ehr-host audit ...: the hash-chained audit log through the real plugin (R-AUD-1).
#include <gtest/gtest.h>

#include <cstdlib>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

TEST(AuditCommands, MessagesAndSettingsAreAuditedWithoutContent) {  // R-AUD-1
  EhrHost host;
  host.enable_messaging();
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--subject",
           "SENTINEL-SUBJECT", "--body", "SENTINEL-BODY"});
  const auto verified = host.ok_json({"audit", "verify"});
  EXPECT_TRUE(verified["ok"].get<bool>());
  EXPECT_GT(verified["records_checked"].get<int>(), 1);

  const Outcome all = host.ok({"--json", "audit", "list", "--as", "admin"});
  EXPECT_EQ(all.out.find("SENTINEL-BODY"), std::string::npos);
  bool settings_change = false;
  const nlohmann::json records = all.json();
  for (const auto& record : records["records"]) {
    if (record["action"].get<std::string>().starts_with("settings")) settings_change = true;
  }
  EXPECT_TRUE(settings_change);

  const auto p01 = host.ok_json({"audit", "list", "--as", "admin", "--patient", "p01"})["records"];
  ASSERT_FALSE(p01.empty());
  for (const auto& record : p01) EXPECT_EQ(record["patient"], "p01");
  EXPECT_TRUE(host.ok_json({"audit", "list", "--as", "admin", "--patient", "p20"})["records"].empty());
  EXPECT_NE(host.ok({"audit", "verify"}).out.find("the hash chain is intact"), std::string::npos);
}

// Someone with file access edits a record behind the plugin's back (dropping the triggers that
// refuse it): verify fails with exit 1 and names the record. Knows the plugin's table by name.
TEST(AuditCommands, TamperingIsDetectedAndNamed) {  // R-AUD-1
  EhrHost host;
  host.enable_messaging();
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hi"});
  const std::string db =
      "'" + (host.data_directory / "plugins" / "portal-messaging" / "portal.db").string() + "'";
  const std::string tamper =
      "sqlite3 " + db +
      " \"SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger' AND "
      "tbl_name = 'audit_log';\" | sqlite3 " +
      db + " && sqlite3 " + db + " \"UPDATE audit_log SET actor_id = 'mallory' WHERE sequence = 2;\"";
  ASSERT_EQ(std::system(tamper.c_str()), 0) << tamper;
  const Outcome run = host.json({"audit", "verify"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("(altered): record 2 was altered"), std::string::npos) << run.err;
  const nlohmann::json error = run.json();  // one JSON document, the error
  EXPECT_EQ(error["error"]["status"], "audit chain broken");
}

TEST(AuditCommands, UnknownPatientIsNotFound) {
  EhrHost host;
  host.enable_plugin();
  EXPECT_EQ(host.run({"audit", "list", "--as", "admin", "--patient", "p99"}).exit_code, 4);
}

}  // namespace
}  // namespace ehr::sample::cli_test
