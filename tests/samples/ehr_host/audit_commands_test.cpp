// ehr-host audit ...: the hash-chained audit log through the real plugin (R-AUD-1).
#include <gtest/gtest.h>

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

  const Outcome all = host.ok({"--json", "audit", "list"});
  EXPECT_EQ(all.out.find("SENTINEL-BODY"), std::string::npos);
  bool settings_change = false;
  const nlohmann::json records = all.json();
  for (const auto& record : records["records"]) {
    if (record["action"].get<std::string>().starts_with("settings")) settings_change = true;
  }
  EXPECT_TRUE(settings_change);

  const auto p01 = host.ok_json({"audit", "list", "--patient", "p01"})["records"];
  ASSERT_FALSE(p01.empty());
  for (const auto& record : p01) EXPECT_EQ(record["patient"], "p01");
  EXPECT_TRUE(host.ok_json({"audit", "list", "--patient", "p20"})["records"].empty());
  EXPECT_NE(host.ok({"audit", "verify"}).out.find("the hash chain is intact"), std::string::npos);
}

TEST(AuditCommands, UnknownPatientIsNotFound) {
  EhrHost host;
  host.enable_plugin();
  EXPECT_EQ(host.run({"audit", "list", "--patient", "p99"}).exit_code, 4);
}

}  // namespace
}  // namespace ehr::sample::cli_test
