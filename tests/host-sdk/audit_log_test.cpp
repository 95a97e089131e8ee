// AuditLog over the fixture plugin's audit table.
#include "ehr/host/audit_log.hpp"

#include <gtest/gtest.h>

#include "support/good_plugin.hpp"

namespace ehr::host {
namespace {

TEST(AuditLog, ListsAndVerifiesThroughTheWrapper) {
  testing::GoodPlugin plugin;
  auto channel = plugin.registry().channel("fixture-good.messages");
  ASSERT_TRUE(channel->start_thread({Principal::staff("drlee"), "p1", {}, "", "one"}));
  ASSERT_TRUE(channel->start_thread({Principal::staff("drlee"), "p1", {}, "", "two"}));
  auto audit = plugin.registry().audit_log("fixture-good");
  ASSERT_TRUE(audit) << audit.status();
  auto events = audit->list();
  ASSERT_TRUE(events) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].sequence, 1);
  EXPECT_EQ((*events)[1].action, "message.send");
  auto verified = audit->verify();
  ASSERT_TRUE(verified) << verified.status();
  EXPECT_TRUE(verified->ok);
  EXPECT_EQ(verified->records_checked, 2u);
  EXPECT_EQ(plugin.registry().audit_logs().size(), 1u);
}

TEST(AuditLog, UnknownPluginIsNotFound) {
  testing::GoodPlugin plugin;
  EXPECT_EQ(plugin.registry().audit_log("nope").status().code(), EHR_STATUS_NOT_FOUND);
}

}  // namespace
}  // namespace ehr::host
