#include "hooks/hook_registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "common/error.hpp"
#include "host/host_client.hpp"
#include "support/test_host.hpp"

namespace ehr::portal {
namespace {

class HookRegistryTest : public ::testing::Test {
 protected:
  HookEvent message_event(HookPoint point) {
    HookEvent event;
    event.point = point;
    event.actor = Principal::staff("drlee");
    event.patient_id = "p1";
    event.subject = "SENTINEL-SUBJECT";
    event.body = "SENTINEL-BODY";
    return event;
  }

  void expect_no_phi_logged() {
    for (const auto& line : host_.log_lines()) {
      EXPECT_EQ(line.find("SENTINEL"), std::string::npos) << line;
    }
  }

  test::TestHost host_;
  HostClient client_{host_.table()};
  HookRegistry hooks_{client_};
};

TEST_F(HookRegistryTest, R_HOOK_1_OffersFourPointsOnlyBeforeStoreMayReject) {
  ASSERT_EQ(HookRegistry::points().size(), 4u);
  for (const auto& info : HookRegistry::points())
    EXPECT_EQ(info.can_reject, info.point == HookPoint::before_store);
}

TEST_F(HookRegistryTest, R_HOOK_1_BeforeStoreFirstRejectionWinsWithItsReason) {
  std::vector<int> order;
  hooks_.add(HookPoint::before_store, [&](const HookEvent&) {
    order.push_back(1);
    return HookVerdict::accept();
  });
  hooks_.add(HookPoint::before_store, [&](const HookEvent&) {
    order.push_back(2);
    return HookVerdict::reject("contains a card number");
  });
  hooks_.add(HookPoint::before_store, [&](const HookEvent&) {
    order.push_back(3);
    return HookVerdict::reject("second opinion");
  });
  EXPECT_EQ(hooks_.run_before_store(message_event(HookPoint::before_store)), "contains a card number");
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST_F(HookRegistryTest, R_HOOK_1_BeforeStoreAcceptsWhenNoHookObjects) {
  EXPECT_EQ(hooks_.run_before_store(message_event(HookPoint::before_store)), std::nullopt);
  hooks_.add(HookPoint::before_store, [](const HookEvent&) { return HookVerdict::accept(); });
  EXPECT_EQ(hooks_.run_before_store(message_event(HookPoint::before_store)), std::nullopt);
}

TEST_F(HookRegistryTest, R_HOOK_1_ThrowingBeforeStoreHookRejectsAndLogsNoPhi) {
  hooks_.add(HookPoint::before_store,
             [](const HookEvent& e) -> HookVerdict { throw std::runtime_error("bad " + e.body); });
  auto reason = hooks_.run_before_store(message_event(HookPoint::before_store));
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->find("SENTINEL"), std::string::npos);
  EXPECT_FALSE(host_.log_lines().empty());
  expect_no_phi_logged();
}

TEST_F(HookRegistryTest, R_HOOK_1_FailingOtherHooksAreContainedAndLoggedWithoutPhi) {
  int later_ran = 0;
  hooks_.add(HookPoint::after_store,
             [](const HookEvent& e) -> HookVerdict { throw std::runtime_error("bad " + e.body); });
  hooks_.add(HookPoint::after_store, [](const HookEvent& e) { return HookVerdict::reject(e.subject); });
  hooks_.add(HookPoint::after_store, [&](const HookEvent&) {
    ++later_ran;
    return HookVerdict::accept();
  });
  EXPECT_NO_THROW(hooks_.run(message_event(HookPoint::after_store)));
  EXPECT_EQ(later_ran, 1);
  EXPECT_EQ(host_.log_lines().size(), 2u);
  expect_no_phi_logged();
}

TEST_F(HookRegistryTest, R_HOOK_1_HooksRunOnlyAtTheirPoint) {
  int reads = 0;
  hooks_.add(HookPoint::on_read, [&](const HookEvent&) {
    ++reads;
    return HookVerdict::accept();
  });
  hooks_.run(message_event(HookPoint::after_store));
  hooks_.run(message_event(HookPoint::settings_changed));
  EXPECT_EQ(reads, 0);
  hooks_.run(message_event(HookPoint::on_read));
  EXPECT_EQ(reads, 1);
}

TEST_F(HookRegistryTest, RemovedHookIsNotCalledAgain) {
  int calls = 0;
  auto id = hooks_.add(HookPoint::on_read, [&](const HookEvent&) {
    ++calls;
    return HookVerdict::accept();
  });
  hooks_.run(message_event(HookPoint::on_read));
  hooks_.remove(id);
  hooks_.run(message_event(HookPoint::on_read));
  EXPECT_EQ(calls, 1);
  EXPECT_THROW(hooks_.remove(id), Error);
}

TEST_F(HookRegistryTest, RemoveWaitsForARunningCall) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> finished{false};
  auto id = hooks_.add(HookPoint::after_store, [&](const HookEvent&) {
    entered.set_value();
    released.wait();
    finished = true;
    return HookVerdict::accept();
  });
  std::thread runner([&] { hooks_.run(message_event(HookPoint::after_store)); });
  entered.get_future().wait();
  std::thread remover([&] {
    hooks_.remove(id);
    EXPECT_TRUE(finished.load());  // remove returned only after the call finished
  });
  release.set_value();
  remover.join();
  runner.join();
}

TEST_F(HookRegistryTest, HookMayRemoveItselfWhileRunning) {
  uint64_t id = 0;
  int calls = 0;
  id = hooks_.add(HookPoint::on_read, [&](const HookEvent&) {
    ++calls;
    hooks_.remove(id);
    return HookVerdict::accept();
  });
  hooks_.run(message_event(HookPoint::on_read));
  hooks_.run(message_event(HookPoint::on_read));
  EXPECT_EQ(calls, 1);
}

TEST_F(HookRegistryTest, UnknownPointOrEmptyFunctionIsRefused) {
  EXPECT_THROW(hooks_.add(static_cast<HookPoint>(99), [](const HookEvent&) { return HookVerdict::accept(); }),
               Error);
  EXPECT_THROW(hooks_.add(HookPoint::on_read, HookFunction{}), Error);
}

}  // namespace
}  // namespace ehr::portal
