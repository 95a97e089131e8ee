// R-CONV-1..R-CONV-5 through the conversation service, on a real SQLite file.
#include "messaging/conversation_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "branding/portal_notifier.hpp"
#include "messaging_world.hpp"
#include "storage/postgresql/pg_store.hpp"

namespace ehr::portal::test {
namespace {

using Conversations = MessagingWorld;

std::string repeat(const std::string& piece, std::size_t times) {
  std::string text;
  for (std::size_t i = 0; i < times; ++i) text += piece;
  return text;
}

TEST_P(Conversations, R_CONV_1_EitherSideStartsAThreadAboutOnePatient) {
  SentMessage from_staff = staff_writes("drlee", "p1", "Your results are normal.");
  SentMessage from_portal = portal_writes("pat1", "p1", "nurse1", "Can I get a refill?");
  EXPECT_NE(from_staff.thread_id, from_portal.thread_id);
  EXPECT_GT(from_staff.message_id, 0);
  EXPECT_EQ(from_staff.sent_at_ms, 1'764'000'000'000);  // the host's clock
  InboxPage nurse = inbox(staff("nurse1"));
  ASSERT_EQ(nurse.threads.size(), 1u);
  EXPECT_EQ(nurse.threads[0].thread.patient_id, "p1");
  EXPECT_EQ(nurse.threads[0].thread.subject, "A question");
  EXPECT_EQ(nurse.threads[0].thread.started_by, portal("pat1"));
}

TEST_P(Conversations, R_CONV_1_BodiesAreCheckedNeverTruncated) {
  const std::string accented = repeat("é", 10'000);  // 10,000 characters, 20,000 bytes
  SentMessage sent = staff_writes("drlee", "p1", accented);
  auto messages = service().read_thread(portal("pat1"), sent.thread_id);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message.body, accented);

  Error too_long = refusal_of([&] { staff_writes("drlee", "p1", accented + "x"); });
  EXPECT_EQ(too_long.code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(too_long.field(), "body");
  EXPECT_NE(std::string(too_long.what()).find("10001 characters"), std::string::npos) << too_long.what();
  EXPECT_EQ(refusal_of([&] { staff_writes("drlee", "p1", "bad \xC3\x28 byte"); }).field(), "body");
  EXPECT_EQ(refusal_of([&] { staff_writes("drlee", "p1", " \n "); }).field(), "body");
  EXPECT_EQ(refusal_of([&] { staff_writes("drlee", "p1", std::string("nul\0byte", 8)); }).field(), "body");
  EXPECT_EQ(refusal_of([&] {
              service().start_thread({staff("drlee"), "p1", {}, "\xFF", "fine body"});
            }).field(),
            "subject");
  EXPECT_EQ(refusal_of([&] { service().reply({staff("drlee"), sent.thread_id, ""}); }).field(), "body");
  // Nothing of the refused messages was stored.
  EXPECT_EQ(inbox(staff("drlee")).threads.size(), 1u);
  EXPECT_EQ(inbox(staff("drlee")).threads[0].thread.message_count, 1u);
}

TEST_P(Conversations, R_CONV_2_InboxIsNewestFirstWithUnreadCountsAndABadge) {
  host_.set_now(1000);
  SentMessage first = staff_writes("drlee", "p1", "first");
  host_.set_now(2000);
  SentMessage second = staff_writes("nurse1", "p1", "second");
  host_.set_now(3000);
  service().reply({staff("drlee"), first.thread_id, "first, again"});

  InboxPage page = inbox(portal("pat1"));
  ASSERT_EQ(page.threads.size(), 2u);
  EXPECT_EQ(page.threads[0].thread.id, first.thread_id);  // its last message is the newest
  EXPECT_EQ(page.threads[0].unread_count, 2u);
  EXPECT_EQ(page.threads[0].thread.last_sender, staff("drlee"));
  EXPECT_EQ(page.threads[1].thread.id, second.thread_id);
  EXPECT_EQ(page.threads[1].unread_count, 1u);
  EXPECT_EQ(page.unread_total, 3u);
  EXPECT_EQ(page.thread_count, 2u);
  EXPECT_EQ(service().unread_total(portal("pat1")), 3u);
}

TEST_P(Conversations, R_CONV_2_ReadingMarksTheThreadReadForThatReaderOnly) {
  SentMessage sent = staff_writes("drlee", "p1", "hello both");
  auto messages = service().read_thread(portal("pat1"), sent.thread_id);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].sender_display_name, "Dr Lee");
  EXPECT_EQ(messages[0].message.sender, staff("drlee"));
  EXPECT_EQ(service().unread_total(portal("pat1")), 0u);
  EXPECT_EQ(service().unread_total(portal("mom1")), 1u);  // the guardian has not read it
  service().reply({portal("pat1"), sent.thread_id, "thanks"});
  EXPECT_EQ(service().unread_total(staff("drlee")), 1u);
  EXPECT_EQ(service().unread_total(portal("pat1")), 0u);  // one's own reply is not unread
}

TEST_P(Conversations, R_CONV_3_StaffSeeOnlyThreadsSentToOrByThem) {
  SentMessage lee = staff_writes("drlee", "p1");
  portal_writes("pat1", "p1", "nurse1");
  EXPECT_EQ(inbox(staff("drlee")).threads.size(), 1u);
  EXPECT_EQ(inbox(staff("nurse1")).threads.size(), 1u);
  EXPECT_TRUE(inbox(staff("drkim")).threads.empty());
  // Another clinician, even one allowed to message the patient, cannot open drlee's thread.
  Error e = refusal_of([&] { (void)service().read_thread(staff("nurse1"), lee.thread_id); });
  EXPECT_EQ(e.code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(e.reason(), EHR_DENY_NOT_A_PARTICIPANT);
  EXPECT_EQ(refusal_of([&] {
              service().reply({staff("nurse1"), lee.thread_id, "butting in"});
            }).reason(),
            EHR_DENY_NOT_A_PARTICIPANT);
}

TEST_P(Conversations, R_CONV_3_APortalUserCannotReadAnotherPatientsThread) {
  SentMessage p2_thread = staff_writes("drkim", "p2", "for patient two");
  Error e = refusal_of([&] { (void)service().read_thread(portal("pat1"), p2_thread.thread_id); });
  EXPECT_EQ(e.code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(e.reason(), EHR_DENY_NOT_A_PARTICIPANT);
  EXPECT_EQ(refusal_of([&] { service().set_archived(portal("pat1"), p2_thread.thread_id, true); }).reason(),
            EHR_DENY_NOT_A_PARTICIPANT);
  EXPECT_EQ(refusal_of([&] { (void)service().read_thread(portal("pat1"), 987654); }).code(),
            EHR_STATUS_NOT_FOUND);
  // The attempts are audited, with the thread's patient, and never leak the body.
  auto refusals = audited("message.read");
  ASSERT_EQ(refusals.size(), 2u);
  EXPECT_EQ(refusals[0].entry.actor, portal("pat1"));
  EXPECT_EQ(refusals[0].entry.patient_id, "p2");
  EXPECT_EQ(refusals[0].entry.outcome, "not_a_participant");
  EXPECT_EQ(refusals[1].entry.outcome, "not found");
  for (const AuditRecord& record : audit_->list())
    EXPECT_EQ(record.entry.detail.find("patient two"), std::string::npos);
}

TEST_P(Conversations, R_CONV_3_AGuardianSeesTheChartsItIsAContactOnAndNoMore) {
  staff_writes("drlee", "p1", "about p1");
  SentMessage p2 = staff_writes("drkim", "p2", "about p2");
  EXPECT_EQ(inbox(portal("mom1")).threads.size(), 2u);
  EXPECT_EQ(inbox(portal("pat2")).threads.size(), 1u);
  // The guardian is unlinked from p2: its thread disappears and cannot be opened.
  add_portal_user("mom1", "Mom One", PortalUserKind::guardian, true, {"p1"});
  InboxPage page = inbox(portal("mom1"));
  ASSERT_EQ(page.threads.size(), 1u);
  EXPECT_EQ(page.threads[0].thread.patient_id, "p1");
  EXPECT_EQ(page.unread_total, 1u);
  EXPECT_EQ(refusal_of([&] { (void)service().read_thread(portal("mom1"), p2.thread_id); }).reason(),
            EHR_DENY_NOT_A_CONTACT);
}

TEST_P(Conversations, R_CONV_4_ArchiveIsPerReaderAndANewMessageBringsItBack) {
  SentMessage sent = staff_writes("drlee", "p1");
  service().set_archived(portal("pat1"), sent.thread_id, true);
  EXPECT_TRUE(inbox(portal("pat1")).threads.empty());
  ASSERT_EQ(inbox(portal("pat1"), true).threads.size(), 1u);
  EXPECT_TRUE(inbox(portal("pat1"), true).threads[0].archived);
  EXPECT_EQ(inbox(portal("mom1")).threads.size(), 1u);  // the guardian's inbox is untouched
  EXPECT_EQ(inbox(staff("drlee")).threads.size(), 1u);

  service().set_archived(portal("pat1"), sent.thread_id, false);
  EXPECT_EQ(inbox(portal("pat1")).threads.size(), 1u);
  service().set_archived(portal("pat1"), sent.thread_id, true);
  service().reply({staff("drlee"), sent.thread_id, "One more thing"});
  ASSERT_EQ(inbox(portal("pat1")).threads.size(), 1u);
  EXPECT_FALSE(inbox(portal("pat1")).threads[0].archived);
  EXPECT_EQ(audited("thread.archive").size(), 2u);
  EXPECT_EQ(audited("thread.unarchive").size(), 1u);
}

// R-AUD-1: an archive that changes nothing is not a second record of one archive.
TEST_P(Conversations, R_CONV_4_RepeatingAnArchiveChangesNothingAndIsNotAuditedAgain) {
  SentMessage sent = staff_writes("drlee", "p1");
  service().set_archived(portal("pat1"), sent.thread_id, true);
  service().set_archived(portal("pat1"), sent.thread_id, true);
  service().set_archived(portal("pat1"), sent.thread_id, false);
  service().set_archived(portal("pat1"), sent.thread_id, false);
  EXPECT_EQ(inbox(portal("pat1")).threads.size(), 1u);
  EXPECT_EQ(audited("thread.archive").size(), 1u);
  EXPECT_EQ(audited("thread.unarchive").size(), 1u);
}

TEST_P(Conversations, R_CONV_5_AcknowledgedMessagesSurviveARestart) {
  SentMessage sent = staff_writes("drlee", "p1", "kept");
  service().reply({portal("pat1"), sent.thread_id, "kept too"});
  open();  // as after the host process restarted
  auto messages = service().read_thread(staff("drlee"), sent.thread_id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].message.body, "kept");
  EXPECT_EQ(messages[1].message.body, "kept too");
  EXPECT_TRUE(audit_->verify().ok);
}

TEST_P(Conversations, R_CONV_5_ManyThreadsSendingAtOnceLoseAndMisdeliverNothing) {
  SentMessage thread = staff_writes("drlee", "p1", "start");
  constexpr int kSenders = 8;
  constexpr int kEach = 25;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = 0; i < kEach; ++i) {
        const std::string body = "sender " + std::to_string(s) + " message " + std::to_string(i);
        if (s % 2 == 0) {
          service().reply({s % 4 == 0 ? staff("drlee") : portal("pat1"), thread.thread_id, body});
        } else {
          staff_writes("drkim", "p2", body);  // other patient, other people
        }
        ++acknowledged;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  ASSERT_EQ(acknowledged.load(), kSenders * kEach);

  auto on_p1 = service().read_thread(staff("drlee"), thread.thread_id);
  EXPECT_EQ(on_p1.size(), 1u + 4 * kEach);
  std::set<std::string> bodies;
  for (const MessageView& view : on_p1) bodies.insert(view.message.body);
  EXPECT_EQ(bodies.size(), on_p1.size());
  EXPECT_EQ(inbox(staff("drkim")).thread_count, 4u * kEach);
  EXPECT_EQ(inbox(portal("pat1")).threads.size(), 1u);  // nothing of p2 reached pat1
  EXPECT_EQ(audited("message.send").size(), 1u + kSenders * kEach);
  EXPECT_TRUE(audit_->verify().ok);
}

// Two hosts on one store replying to one thread in turn: on PostgreSQL each host's batch first
// goes on its guesses (the next message id, the audit chain's head), which the other host's last
// write has made wrong, and runs again checking as it goes. Each message takes the next id, both
// hosts read every body, and the audit chain is one chain that verifies from either host.
TEST_P(Conversations, R_CONV_5_TwoHostsReplyingInTurnTakeTheNextIdsAndKeepOneAuditChain) {
  const SentMessage thread = staff_writes("drlee", "p1", "start");
  const std::unique_ptr<Store> other_db = db_.another();
  AuditLog other_audit(*other_db, client_);
  HookRegistry other_hooks(client_);
  SettingsService other_settings(schema_, *other_db, client_, other_audit, other_hooks);
  ConversationService other(*other_db, client_, other_settings, other_audit, other_hooks, at_rest_);

  std::vector<int64_t> ids{thread.message_id};
  const char* const turns = "tottootto";  // t: this host, o: the other
  for (const char* turn = turns; *turn != '\0'; ++turn) {
    ConversationService& host = *turn == 't' ? service() : other;
    const std::string body = std::string("turn ") + *turn + std::to_string(ids.size());
    ids.push_back(host.reply({ids.size() % 2 == 0 ? staff("drlee") : portal("pat1"), thread.thread_id, body})
                      .message_id);
  }
  for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_EQ(ids[i], ids[i - 1] + 1) << "reply " << i;
  for (ConversationService* host : {&service(), &other}) {
    const std::vector<MessageView> read = host->read_thread(staff("drlee"), thread.thread_id);
    ASSERT_EQ(read.size(), ids.size());
    EXPECT_EQ(read.back().message.id, ids.back());
    EXPECT_EQ(read.back().message.body, "turn o9");
  }
  EXPECT_EQ(audited("message.send").size(), ids.size());
  EXPECT_TRUE(audit_->verify().ok) << audit_->verify().problem;
  EXPECT_TRUE(other_audit.verify().ok) << other_audit.verify().problem;
}

// On PostgreSQL a reply from a host that wrote last waits for two round trips: the access check's
// read (BEGIN with its query), then the write's statements (BEGIN, the lock, the settings version,
// the message with its counters, the audit record) together with COMMIT.
TEST_P(Conversations, R_CONV_5_AReplyOnPostgresqlWaitsForTwoRoundTrips) {
  auto* server = dynamic_cast<pg::PgStore*>(&*db_);  // SQLite has no round trips to count
  const SentMessage thread = staff_writes("drlee", "p1", "start");
  service().reply({portal("pat1"), thread.thread_id, "prepares the statements on the connections"});
  service().reply({staff("drlee"), thread.thread_id, "and again, on the other connection"});
  for (int i = 0; i < 3; ++i) {
    const std::uint64_t before = server != nullptr ? server->round_trips() : 0;
    const SentMessage sent =
        service().reply({portal("pat1"), thread.thread_id, "a question " + std::to_string(i)});
    if (server != nullptr) {
      EXPECT_EQ(server->round_trips() - before, 2u) << "reply " << i;
    }
    EXPECT_EQ(service().read_thread(staff("drlee"), thread.thread_id).back().message.id, sent.message_id);
  }
}

// The notices a reply sends its readers are composed from the settings the process holds in memory
// (the templates are General settings): composing one asks the database nothing, so on PostgreSQL
// the reply that sends them still waits for two round trips, however many readers it has.
TEST_P(Conversations, R_CONV_5_AReplysNoticesAreComposedWithoutAskingTheDatabase) {
  PortalNotifier notifier(client_, *settings_, *audit_);
  service().set_new_message_notifier([&](const NewMessageNotice& notice) { notifier.new_message(notice); });
  auto* server = dynamic_cast<pg::PgStore*>(&*db_);
  const SentMessage thread = staff_writes("drlee", "p1", "start");
  service().reply({portal("pat1"), thread.thread_id, "prepares the statements on the connections"});
  service().reply({staff("drlee"), thread.thread_id, "and again, on the other connection"});
  // Saved after the settings were first read: the next notices use it.
  (void)settings_->save_page("admin", "", {{"new_message_subject", "A reply is waiting at {{brand_name}}"}});
  for (int i = 0; i < 3; ++i) {
    const std::size_t notices_before = host_.notifications().size();
    const std::uint64_t before = server != nullptr ? server->round_trips() : 0;
    service().reply({staff("drlee"), thread.thread_id, "an answer " + std::to_string(i)});
    if (server != nullptr) {
      EXPECT_EQ(server->round_trips() - before, 2u) << "reply " << i;
    }
    const std::vector<Notification> notices = host_.notifications();
    ASSERT_EQ(notices.size(), notices_before + 2) << "the chart's two active portal users";
    std::set<Principal> recipients;
    for (std::size_t n = notices_before; n < notices.size(); ++n) {
      recipients.insert(notices[n].recipient);
      EXPECT_EQ(notices[n].subject, "A reply is waiting at Acme Health") << "the saved template, branded";
      EXPECT_EQ(notices[n].text.find("an answer"), std::string::npos) << "notices carry no content";
    }
    EXPECT_EQ(recipients, (std::set<Principal>{portal("pat1"), portal("mom1")}));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Conversations, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ehr::portal::test

namespace ehr::portal::test {
namespace {

using NewMessageNotices = MessagingWorld;

TEST_P(NewMessageNotices, EachReachedPortalUserOrTheStaffRecipientIsToldWithoutContent) {
  std::mutex mutex;
  std::vector<NewMessageNotice> notices;
  service().set_new_message_notifier([&](const NewMessageNotice& notice) {
    std::lock_guard lock(mutex);
    notices.push_back(notice);
  });
  SentMessage sent = staff_writes("drlee", "p1", "Results");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].thread_id, sent.thread_id);
  EXPECT_EQ(notices[0].message_id, sent.message_id);
  EXPECT_EQ(notices[0].sender, staff("drlee"));
  ASSERT_EQ(notices[0].recipients.size(), 2u);  // pat1 and the guardian; not the inactive guarantor
  for (const NoticeRecipient& to : notices[0].recipients) {
    EXPECT_EQ(to.principal.kind, PrincipalKind::portal_user);
    EXPECT_EQ(to.delivery, Delivery::portal_contact);
  }
  service().reply({portal("pat1"), sent.thread_id, "Thanks"});
  ASSERT_EQ(notices.size(), 2u);
  ASSERT_EQ(notices[1].recipients.size(), 1u);
  EXPECT_EQ(notices[1].recipients[0].principal, staff("drlee"));
  EXPECT_EQ(notices[1].recipients[0].delivery, Delivery::in_app);
}

TEST_P(NewMessageNotices, AFailingNotifierNeitherFailsNorUndoesTheSend) {
  service().set_new_message_notifier(
      [](const NewMessageNotice&) { throw std::runtime_error("mail server down"); });
  SentMessage sent = staff_writes("drlee", "p1", "Still stored");
  EXPECT_GT(sent.message_id, 0);
  EXPECT_EQ(service().read_thread(portal("pat1"), sent.thread_id).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, NewMessageNotices, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ehr::portal::test
