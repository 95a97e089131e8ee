// R-AUD-1 (the messaging part) and R-HOOK-1 through the conversation service.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "messaging_world.hpp"

namespace ehr::portal::test {
namespace {

using MessagingAudit = MessagingWorld;
using MessagingHooks = MessagingWorld;

TEST_P(MessagingAudit, R_AUD_1_EverySendReadArchiveAndRefusalIsAudited) {
  SentMessage sent = staff_writes("drlee", "p1", "secret body text");
  service().reply({portal("pat1"), sent.thread_id, "secret reply text"});
  (void)service().read_thread(staff("drlee"), sent.thread_id);
  service().set_archived(staff("drlee"), sent.thread_id, true);
  (void)refusal_of([&] { staff_writes("drkim", "p1"); });

  auto sends = audited("message.send");
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[0].entry.actor, staff("drlee"));
  EXPECT_EQ(sends[0].entry.patient_id, "p1");
  EXPECT_EQ(sends[0].entry.target, "thread:" + std::to_string(sent.thread_id));
  EXPECT_EQ(sends[0].entry.outcome, "ok");
  EXPECT_EQ(sends[1].entry.actor, portal("pat1"));
  EXPECT_EQ(sends[2].entry.actor, staff("drkim"));
  EXPECT_EQ(sends[2].entry.outcome, "not_on_care_team");
  ASSERT_EQ(audited("message.read").size(), 1u);
  EXPECT_EQ(audited("message.read")[0].entry.actor, staff("drlee"));
  EXPECT_EQ(audited("thread.archive").size(), 1u);

  for (const AuditRecord& record : audit_->list()) {
    EXPECT_GT(record.at_unix_ms, 0);
    EXPECT_EQ(record.entry.detail.find("secret"), std::string::npos) << "no content in the audit trail";
  }
  // The host's own audit trail received copies.
  EXPECT_EQ(host_.audit_events().size(), audit_->list().size());
  EXPECT_TRUE(audit_->verify().ok);
}

TEST_P(MessagingAudit, R_AUD_1_TheMessageAndItsAuditRecordCommitTogether) {
  const auto before = audit_->list().size();
  SentMessage sent = staff_writes("drlee", "p1");
  // A message id in the audit detail names the stored message: both are there or neither.
  auto sends = audited("message.send");
  ASSERT_EQ(audit_->list().size(), before + 1);
  EXPECT_NE(sends.back().entry.detail.find(std::to_string(sent.message_id)), std::string::npos);
}

TEST_P(MessagingHooks, R_HOOK_1_ABeforeStoreHookRejectsWithItsReasonAndNothingIsStored) {
  hooks_->add(HookPoint::before_store, [](const HookEvent& event) {
    if (event.body.find("SSN") != std::string::npos) return HookVerdict::reject("no social security numbers");
    return HookVerdict::accept();
  });
  Error e = refusal_of([&] { staff_writes("drlee", "p1", "my SSN is 123"); });
  EXPECT_EQ(e.code(), EHR_STATUS_REJECTED);
  EXPECT_NE(std::string(e.what()).find("no social security numbers"), std::string::npos) << e.what();
  EXPECT_TRUE(inbox(staff("drlee")).threads.empty());
  ASSERT_EQ(audited("message.send").size(), 1u);
  EXPECT_EQ(audited("message.send")[0].entry.outcome, "rejected by hook");

  SentMessage ok = staff_writes("drlee", "p1", "all fine");
  EXPECT_EQ(refusal_of([&] {
              service().reply({portal("pat1"), ok.thread_id, "SSN again"});
            }).code(),
            EHR_STATUS_REJECTED);
  EXPECT_EQ(inbox(staff("drlee")).threads[0].thread.message_count, 1u);
}

TEST_P(MessagingHooks, R_HOOK_1_AThrowingHookCannotCorruptDataOrEscape) {
  hooks_->add(HookPoint::after_store,
              [](const HookEvent&) -> HookVerdict { throw std::runtime_error("boom"); });
  hooks_->add(HookPoint::on_read, [](const HookEvent&) -> HookVerdict { throw 42; });
  SentMessage sent = staff_writes("drlee", "p1", "stored despite the hook");
  auto messages = service().read_thread(portal("pat1"), sent.thread_id);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message.body, "stored despite the hook");
  EXPECT_EQ(service().unread_total(portal("pat1")), 0u);

  // A before_store hook that throws leaves the message unchecked, so it is not stored.
  hooks_->add(HookPoint::before_store,
              [](const HookEvent&) -> HookVerdict { throw std::runtime_error("down"); });
  EXPECT_EQ(refusal_of([&] {
              service().reply({staff("drlee"), sent.thread_id, "x"});
            }).code(),
            EHR_STATUS_REJECTED);
  EXPECT_EQ(inbox(staff("drlee")).threads[0].thread.message_count, 1u);
  EXPECT_TRUE(audit_->verify().ok);
}

TEST_P(MessagingHooks, R_HOOK_1_AfterStoreAndOnReadSeeTheStoredMessage) {
  std::atomic<int64_t> stored_message{0};
  std::atomic<int64_t> read_thread{0};
  hooks_->add(HookPoint::after_store, [&](const HookEvent& event) {
    stored_message = event.message_id;
    return HookVerdict::accept();
  });
  hooks_->add(HookPoint::on_read, [&](const HookEvent& event) {
    EXPECT_EQ(event.actor, portal("pat1"));
    read_thread = event.thread_id;
    return HookVerdict::accept();
  });
  SentMessage sent = staff_writes("drlee", "p1");
  EXPECT_EQ(stored_message.load(), sent.message_id);
  (void)service().read_thread(portal("pat1"), sent.thread_id);
  EXPECT_EQ(read_thread.load(), sent.thread_id);
}

INSTANTIATE_TEST_SUITE_P(Backends, MessagingAudit, ::testing::ValuesIn(backends()), backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, MessagingHooks, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ehr::portal::test
