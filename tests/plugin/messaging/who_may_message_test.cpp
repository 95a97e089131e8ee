// R-MSG-1..R-MSG-5 through the conversation service: the facts come from the host and the
// settings at the moment of each call.
#include <gtest/gtest.h>

#include "messaging_world.hpp"

namespace ehr::portal::test {
namespace {

using WhoMayMessage = MessagingWorld;

std::vector<std::string> ids(const std::vector<Recipient>& recipients) {
  std::vector<std::string> result;
  for (const Recipient& r : recipients) result.push_back(r.principal.id);
  return result;
}

TEST_P(WhoMayMessage, R_MSG_1_MessagingOffAtThePatientsLocationRefusesAndSaysWhere) {
  save_location("north", "off", "care_team_only");
  Error e = refusal_of([&] { staff_writes("drlee", "p1"); });
  EXPECT_EQ(e.code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(e.reason(), EHR_DENY_MESSAGING_OFF);
  EXPECT_NE(std::string(e.what()).find("'north'"), std::string::npos) << e.what();
  // The south location still follows General, which is on.
  EXPECT_NO_THROW(staff_writes("drlee", "p3"));
}

// Settings are served from memory; another host writing the same database (a shared store) must
// still stop this one from sending under settings it has already changed.
TEST_P(WhoMayMessage, R_MSG_1_SettingsChangedByAnotherHostOnTheSameStoreApplyToTheNextSend) {
  EXPECT_NO_THROW(staff_writes("drlee", "p1"));  // this host's snapshot now says North follows General: on
  const std::unique_ptr<Store> other_db = db_.another();
  AuditLog other_audit(*other_db, client_);
  HookRegistry other_hooks(client_);
  SettingsService other(schema_, *other_db, client_, other_audit, other_hooks);
  (void)other.save_page("admin", "north", {{"my_messages", "off"}});

  Error e = refusal_of([&] { staff_writes("drlee", "p1"); });
  EXPECT_EQ(e.reason(), EHR_DENY_MESSAGING_OFF) << e.what();
  EXPECT_EQ(inbox(staff("drlee")).threads.size(), 1U) << "the refused message was stored";
  EXPECT_FALSE(settings_->effective("north").my_messages);
  EXPECT_NO_THROW(staff_writes("drlee", "p3"));  // South still follows General, which is on
}

TEST_P(WhoMayMessage, R_MSG_1_GeneralOffWithOneLocationOnWorksOnlyThere) {  // R-SET-5
  save_general("off", "care_team_only");
  save_location("south", "on", "care_team_only");
  EXPECT_NO_THROW(staff_writes("drlee", "p3"));
  EXPECT_EQ(refusal_of([&] { staff_writes("drlee", "p1"); }).reason(), EHR_DENY_MESSAGING_OFF);
}

TEST_P(WhoMayMessage, R_MSG_2_StaffNeedTheRoleAnActiveAccountAndTheCareTeam) {
  EXPECT_EQ(refusal_of([&] { staff_writes("frontdesk", "p1"); }).reason(), EHR_DENY_STAFF_LACKS_ROLE);
  EXPECT_EQ(refusal_of([&] { staff_writes("retired", "p1"); }).reason(), EHR_DENY_STAFF_INACTIVE);
  EXPECT_EQ(refusal_of([&] { staff_writes("drkim", "p1"); }).reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  EXPECT_EQ(refusal_of([&] { staff_writes("nobody", "p1"); }).reason(), EHR_DENY_UNKNOWN_USER);
  EXPECT_EQ(refusal_of([&] { staff_writes("drlee", "p404"); }).reason(), EHR_DENY_UNKNOWN_PATIENT);
  EXPECT_NO_THROW(staff_writes("drlee", "p1"));
}

TEST_P(WhoMayMessage, R_MSG_2_SelectedUsersLetsAnyRoleHolderWrite) {
  save_general("on", "selected_users");
  EXPECT_NO_THROW(staff_writes("drkim", "p1"));
  EXPECT_EQ(refusal_of([&] { staff_writes("frontdesk", "p1"); }).reason(), EHR_DENY_STAFF_LACKS_ROLE);
}

TEST_P(WhoMayMessage, R_MSG_2_StaffWriteToEveryEligiblePortalUserOfTheChart) {
  SentMessage sent = staff_writes("drlee", "p1");
  // pat1 and the guardian mom1 get it; the inactive guarantor does not.
  EXPECT_EQ(inbox(portal("pat1")).threads.size(), 1u);
  EXPECT_EQ(inbox(portal("mom1")).threads.size(), 1u);
  EXPECT_EQ(inbox(portal("pat2")).threads.size(), 0u);
  EXPECT_EQ(inbox(portal("pat1")).threads[0].thread.id, sent.thread_id);
  // Naming a recipient who cannot receive refuses the whole message.
  Error e = refusal_of([&] { staff_writes("drlee", "p1", "Hi", {portal("gone")}); });
  EXPECT_EQ(e.reason(), EHR_DENY_PORTAL_ACCOUNT_INACTIVE);
  EXPECT_EQ(refusal_of([&] { staff_writes("drlee", "p1", "Hi", {portal("pat2")}); }).reason(),
            EHR_DENY_NOT_A_CONTACT);
}

TEST_P(WhoMayMessage, R_MSG_3_RecipientListIsExactlyTheAllowedStaff) {
  // Care Team only: drlee and nurse1 (frontdesk lacks the role, retired is inactive).
  EXPECT_EQ(ids(service().list_recipients(portal("pat1"), "p1")),
            (std::vector<std::string>{"drlee", "nurse1"}));
  save_general("on", "selected_users");
  EXPECT_EQ(ids(service().list_recipients(portal("pat1"), "p1")),
            (std::vector<std::string>{"drkim", "drlee", "nurse1"}));
  // Display names come from the host.
  EXPECT_EQ(service().list_recipients(portal("pat1"), "p1")[0].display_name, "Dr Kim");
}

TEST_P(WhoMayMessage, R_MSG_3_PortalUsersWriteOnlyAboutTheirChartsToOfferedStaff) {
  EXPECT_NO_THROW(portal_writes("pat1", "p1", "drlee"));
  EXPECT_NO_THROW(portal_writes("mom1", "p2", "drkim"));  // a guardian, on a chart it is a contact on
  EXPECT_EQ(refusal_of([&] { portal_writes("pat1", "p2", "drkim"); }).reason(), EHR_DENY_NOT_A_CONTACT);
  EXPECT_EQ(refusal_of([&] { portal_writes("pat1", "p1", "drkim"); }).reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  EXPECT_EQ(refusal_of([&] { portal_writes("pat1", "p1", "frontdesk"); }).reason(),
            EHR_DENY_STAFF_LACKS_ROLE);
  EXPECT_EQ(refusal_of([&] { portal_writes("gone", "p1", "drlee"); }).reason(),
            EHR_DENY_PORTAL_ACCOUNT_INACTIVE);
  EXPECT_EQ(refusal_of([&] { (void)service().list_recipients(portal("pat1"), "p2"); }).reason(),
            EHR_DENY_NOT_A_CONTACT);
  // Exactly one recipient, and a staff one.
  EXPECT_EQ(refusal_of([&] {
              service().start_thread({portal("pat1"), "p1", {staff("drlee"), staff("nurse1")}, "", "Hi"});
            }).code(),
            EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(refusal_of([&] {
              service().start_thread({portal("pat1"), "p1", {}, "", "Hi"});
            }).field(),
            "recipients");
}

TEST_P(WhoMayMessage, R_MSG_4_ACareTeamChangeBlocksTheReplyWithTheReason) {
  SentMessage sent = portal_writes("pat1", "p1", "drlee");
  EXPECT_NO_THROW(service().reply({staff("drlee"), sent.thread_id, "Happy to help."}));
  host_.set_care_team("p1", {"nurse1"});
  Error staff_side = refusal_of([&] { service().reply({staff("drlee"), sent.thread_id, "One more thing"}); });
  EXPECT_EQ(staff_side.code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(staff_side.reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  EXPECT_NE(std::string(staff_side.what()).find("care team"), std::string::npos);
  Error portal_side = refusal_of([&] { service().reply({portal("pat1"), sent.thread_id, "Thanks!"}); });
  EXPECT_EQ(portal_side.reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  // Nothing was stored by the refused replies.
  EXPECT_EQ(inbox(staff("drlee")).threads[0].thread.message_count, 2u);
}

TEST_P(WhoMayMessage, R_MSG_4_RoleRemovalAndSettingsChangeBlockReplies) {
  SentMessage sent = staff_writes("drlee", "p1");
  host_.set_role("drlee", "available_for_portal_messages", false);
  EXPECT_EQ(refusal_of([&] {
              service().reply({staff("drlee"), sent.thread_id, "Hi"});
            }).reason(),
            EHR_DENY_STAFF_LACKS_ROLE);
  EXPECT_EQ(refusal_of([&] {
              service().reply({portal("pat1"), sent.thread_id, "Hi"});
            }).reason(),
            EHR_DENY_STAFF_LACKS_ROLE);
  host_.set_role("drlee", "available_for_portal_messages", true);
  save_location("north", "off", "care_team_only");
  EXPECT_EQ(refusal_of([&] {
              service().reply({portal("pat1"), sent.thread_id, "Hi"});
            }).reason(),
            EHR_DENY_MESSAGING_OFF);
  save_location("north", "on", "care_team_only");
  EXPECT_NO_THROW(service().reply({portal("pat1"), sent.thread_id, "Hi"}));
}

TEST_P(WhoMayMessage, R_MSG_4_AStaffReplyReachesOnlyPortalUsersStillReachable) {
  SentMessage sent = staff_writes("drlee", "p1");
  add_portal_user("mom1", "Mom One", PortalUserKind::guardian, false, {"p1", "p2"});  // account closed
  EXPECT_NO_THROW(service().reply({staff("drlee"), sent.thread_id, "Update"}));
  EXPECT_EQ(inbox(portal("pat1")).unread_total, 2u);
  EXPECT_EQ(refusal_of([&] { (void)inbox(portal("mom1")); }).reason(), EHR_DENY_PORTAL_ACCOUNT_INACTIVE);
}

TEST_P(WhoMayMessage, R_MSG_5_ExplainGivesTheSameAnswerAsASendWithoutSending) {
  Eligibility why = service().explain({"drkim", "pat1", "p1"});
  EXPECT_FALSE(why.allowed());
  EXPECT_EQ(why.reason, EHR_DENY_NOT_ON_CARE_TEAM);
  EXPECT_EQ(refusal_of([&] { portal_writes("pat1", "p1", "drkim"); }).reason(), why.reason);
  Eligibility ok = service().explain({"drlee", "", "p1"});
  EXPECT_TRUE(ok.allowed()) << ok.explanation;
  EXPECT_NE(ok.explanation.find("Allowed"), std::string::npos);
  EXPECT_EQ(service().explain({"", "gone", "p1"}).reason, EHR_DENY_PORTAL_ACCOUNT_INACTIVE);
  EXPECT_TRUE(inbox(staff("drkim")).threads.empty());
  EXPECT_EQ(refusal_of([&] { (void)service().explain({"", "", "p1"}); }).code(), EHR_STATUS_INVALID_ARGUMENT);
}

// channel.h owns the one table of deny reasons, and docs/messaging.md states it: opening a thread
// checks the reader first (an inactive portal account: PORTAL_ACCOUNT_INACTIVE), then the thread
// (a thread one is not on: NOT_A_PARTICIPANT). The audit outcome is the header's word.
TEST_P(WhoMayMessage, OpeningAThreadAnswersTheReasonsInTheHeadersOrder) {
  SentMessage sent = staff_writes("drlee", "p1", "Hello", {portal("pat1"), portal("mom1")});
  add_portal_user("mom1", "Mom One", PortalUserKind::guardian, false, {"p1", "p2"});  // account closed
  const Error inactive = refusal_of([&] { (void)service().read_thread(portal("mom1"), sent.thread_id); });
  EXPECT_EQ(inactive.reason(), EHR_DENY_PORTAL_ACCOUNT_INACTIVE);
  const Error stranger = refusal_of([&] { (void)service().read_thread(portal("pat2"), sent.thread_id); });
  EXPECT_EQ(stranger.reason(), EHR_DENY_NOT_A_PARTICIPANT);
  const std::vector<AuditRecord> reads = audited("message.read");
  ASSERT_GE(reads.size(), 2u);
  EXPECT_EQ(reads[reads.size() - 2].entry.outcome, ehr_deny_reason_name(EHR_DENY_PORTAL_ACCOUNT_INACTIVE));
  EXPECT_EQ(reads.back().entry.outcome, ehr_deny_reason_name(EHR_DENY_NOT_A_PARTICIPANT));
}

INSTANTIATE_TEST_SUITE_P(Backends, WhoMayMessage, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ehr::portal::test
