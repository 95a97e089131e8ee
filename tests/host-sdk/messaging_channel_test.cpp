// MessagingChannel over the fixture plugin's channel table.
#include "ehr/host/messaging_channel.hpp"

#include <gtest/gtest.h>

#include "support/good_plugin.hpp"

namespace ehr::host {
namespace {

class MessagingChannelTest : public ::testing::Test {
 protected:
  MessagingChannel channel() { return *plugin_.registry().channel("fixture-good.messages"); }
  testing::GoodPlugin plugin_;
  const Principal drlee_ = Principal::staff("drlee");
};

TEST_F(MessagingChannelTest, StartReplyListAndRead) {
  auto sent =
      channel().start_thread({drlee_, "p1", {Principal::portal_user("pat1")}, "Lab results", "Hello"});
  ASSERT_TRUE(sent) << sent.status();
  EXPECT_EQ(sent->thread_id, 1);
  EXPECT_EQ(sent->sent_at_unix_ms, 1'700'000'000'000) << "the plugin asked the host's clock";
  auto replied = channel().reply({Principal::portal_user("pat1"), sent->thread_id, "Thanks"});
  ASSERT_TRUE(replied) << replied.status();
  EXPECT_EQ(replied->thread_id, sent->thread_id);
  EXPECT_EQ(replied->message_id, 2);

  auto second = channel().start_thread({drlee_, "p1", {}, "", "Second"});
  ASSERT_TRUE(second);
  auto list = channel().list_threads({drlee_, false, 0, 0});
  ASSERT_TRUE(list) << list.status();
  ASSERT_EQ(list->threads.size(), 2u);
  EXPECT_EQ(list->threads[0].thread_id, 2) << "newest first";
  EXPECT_EQ(list->threads[0].started_by, drlee_);
  EXPECT_EQ(list->totals.thread_count, 2u);
  EXPECT_EQ(*channel().unread_total(drlee_), 3u);

  auto messages = channel().read_thread(drlee_, 1);
  ASSERT_TRUE(messages) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].body, "hello from the fixture");
  EXPECT_TRUE(channel().set_archived(drlee_, 1, true));
}

TEST_F(MessagingChannelTest, ErrorsCarryCodeAndField) {
  auto missing = channel().reply({drlee_, 99, "Hello?"});
  EXPECT_EQ(missing.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(missing.status().field(), "thread_id");
  auto empty = channel().start_thread({drlee_, "p1", {}, "", ""});
  EXPECT_EQ(empty.status().code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(empty.status().field(), "body");
}

TEST_F(MessagingChannelTest, ExplainAsksTheHost) {
  auto allowed = channel().explain({"drlee", "pat1", "p1"});
  ASSERT_TRUE(allowed) << allowed.status();
  EXPECT_TRUE(allowed->allowed);
  auto unknown = channel().explain({"drlee", "pat1", "nobody"});
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->allowed);
  EXPECT_EQ(unknown->reason, EHR_DENY_UNKNOWN_PATIENT);
  EXPECT_FALSE(unknown->explanation.empty());
}

TEST_F(MessagingChannelTest, RecipientsComeBackAsPrincipals) {
  auto recipients = channel().list_recipients(Principal::portal_user("pat1"), "p1");
  ASSERT_TRUE(recipients) << recipients.status();
  ASSERT_EQ(recipients->size(), 1u);
  EXPECT_EQ((*recipients)[0].principal, drlee_);
  EXPECT_EQ((*recipients)[0].display_name, "Dr. Lee");
}

TEST_F(MessagingChannelTest, InviteReachesTheHostsNotificationDelivery) {
  ASSERT_TRUE(channel().invite_portal_user({"admin", "pat1"}));
  const auto sent = plugin_.host().notifications();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, NotificationKind::portal_invitation);
  EXPECT_EQ(sent[0].recipient, Principal::portal_user("pat1"));
}

TEST_F(MessagingChannelTest, ADisabledPluginsChannelRefusesWithoutReachingIt) {
  ASSERT_TRUE(plugin_.manager().disable("fixture-good"));
  EXPECT_EQ(channel().start_thread({drlee_, "p1", {}, "", "Hi"}).status().code(), EHR_STATUS_DISABLED);
  EXPECT_EQ(channel().explain({"drlee", "", "p1"}).status().code(), EHR_STATUS_DISABLED);
  EXPECT_EQ(channel().list_threads({drlee_, false, 0, 0}).status().code(), EHR_STATUS_DISABLED);
  ASSERT_TRUE(plugin_.manager().enable("fixture-good"));
  auto list = channel().list_threads({drlee_, false, 0, 0});
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->threads.empty()) << "nothing reached the plugin while it was disabled";
}

}  // namespace
}  // namespace ehr::host
