// Hooks: std::function hooks through the plugin's hook table, removed by RAII.
#include "ehr/host/hooks.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "support/good_plugin.hpp"

namespace ehr::host {
namespace {

class HooksTest : public ::testing::Test {
 protected:
  Hooks hooks() { return *plugin_.registry().hooks("fixture-good"); }
  Result<Sent> send(const char* body) {
    return plugin_.registry()
        .channel("fixture-good.messages")
        ->start_thread({Principal::staff("drlee"), "p1", {}, "Subject", body});
  }
  testing::GoodPlugin plugin_;
};

TEST_F(HooksTest, ListsThePluginsHookPoints) {
  auto points = hooks().list_points();
  ASSERT_TRUE(points) << points.status();
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[0].point, HookPoint::before_store);
  EXPECT_TRUE((*points)[0].can_reject);
  EXPECT_EQ((*points)[1].name, "after_store");
}

TEST_F(HooksTest, AHookSeesTheEventAndStopsWhenItsRegistrationGoes) {
  std::vector<HookEvent> seen;
  {
    auto registration = hooks().add(HookPoint::after_store, [&](const HookEvent& event) {
      seen.push_back(event);
      return Status();
    });
    ASSERT_TRUE(registration) << registration.status();
    EXPECT_TRUE(registration->active());
    ASSERT_TRUE(send("first"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].point, HookPoint::after_store);
    EXPECT_EQ(seen[0].actor, Principal::staff("drlee"));
    EXPECT_EQ(seen[0].patient_id, "p1");
    EXPECT_EQ(seen[0].body, "first");
    EXPECT_EQ(seen[0].message_id, 1);
  }
  ASSERT_TRUE(send("second"));
  EXPECT_EQ(seen.size(), 1u) << "a destroyed registration removed the hook";
}

TEST_F(HooksTest, ABeforeStoreHookRejectsWithItsReason) {
  auto registration = hooks().add(HookPoint::before_store, [](const HookEvent& event) {
    if (event.body.find("SSN") != std::string::npos)
      return Status::invalid_argument("body", "no SSNs in messages");
    return Status();
  });
  ASSERT_TRUE(registration);
  auto rejected = send("my SSN is 123");
  EXPECT_EQ(rejected.status().code(), EHR_STATUS_REJECTED);
  EXPECT_NE(rejected.status().message().find("no SSNs in messages"), std::string::npos) << rejected.status();
  EXPECT_TRUE(send("fine"));
}

TEST_F(HooksTest, AThrowingHookIsContainedAtTheBoundary) {
  auto registration = hooks().add(HookPoint::before_store,
                                  [](const HookEvent&) -> Status { throw std::runtime_error("bug"); });
  ASSERT_TRUE(registration);
  auto rejected = send("hello");
  EXPECT_EQ(rejected.status().code(), EHR_STATUS_REJECTED);
  EXPECT_NE(rejected.status().message().find("bug"), std::string::npos) << rejected.status();
}

TEST_F(HooksTest, RemoveIsExplicitAndMovesTransferOwnership) {
  auto registration = hooks().add(HookPoint::after_store, [](const HookEvent&) { return Status(); });
  ASSERT_TRUE(registration);
  HookRegistration moved = std::move(*registration);
  EXPECT_TRUE(moved.active());
  EXPECT_FALSE(registration->active());
  EXPECT_TRUE(moved.remove());
  EXPECT_FALSE(moved.active());
  EXPECT_TRUE(moved.remove()) << "removing twice is harmless";
}

TEST_F(HooksTest, ARegistrationMayOutliveThePlugin) {
  auto registration = hooks().add(HookPoint::after_store, [](const HookEvent&) { return Status(); });
  ASSERT_TRUE(registration);
  plugin_.manager().shutdown();
  EXPECT_TRUE(registration->remove());
}

TEST_F(HooksTest, AnUnsupportedPointIsRefusedByThePlugin) {
  auto registration = hooks().add(HookPoint::on_read, [](const HookEvent&) { return Status(); });
  EXPECT_EQ(registration.status().code(), EHR_STATUS_UNSUPPORTED);
  EXPECT_EQ(hooks().add(HookPoint::on_read, nullptr).status().code(), EHR_STATUS_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace ehr::host
