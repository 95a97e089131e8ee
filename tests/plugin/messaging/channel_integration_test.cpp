// The real portal_messaging module, loaded through the real host SDK (ehr::host_sdk), driven
// through its MessagingChannel wrapper: R-MSG-2..5, R-CONV-2..5, R-AUD-1, R-HOOK-1 end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ehr/host/host_services.hpp"
#include "ehr/host/key_store.hpp"
#include "ehr/host/plugin_manager.hpp"
#include "support/practice_host.hpp"

namespace {

namespace fs = std::filesystem;
using ehr::host::Principal;
using ehr::host::Result;
using ehr::host::Status;

// The host's own data: a tiny practice answering the plugin's host-service calls.
class PracticeHost : public ehr::host::testing::PracticeHost {
 public:
  PracticeHost() {
    add_location({"north", "North Clinic", "", "2 North Rd", "555-0101", "https://portal.example", false});
    set_company({"", "Acme Health", "", "1 Main St", "555-0100", "https://portal.example", true});
    add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    add_user("drlee", "Dr Lee", true, {"available_for_portal_messages"});
    add_user("nurse1", "Nurse One", true, {"available_for_portal_messages"});
    add_user("drkim", "Dr Kim", true, {"available_for_portal_messages"});
    add_patient({"p1", "Pat One", "north"}, {"drlee", "nurse1"});
    add_patient({"p2", "Pat Two", "north"}, {"drkim"});
    add_portal_user({"pat1", "Pat One", "Pat", ehr::host::PortalUserKind::patient, true}, {"p1"});
    add_portal_user({"pat2", "Pat Two", "Pat", ehr::host::PortalUserKind::patient, true}, {"p2"});
  }
  void set_care_team(const std::string& patient, std::vector<std::string> team) {
    add_patient(get_patient(patient).value(), std::move(team));
  }
};

class ChannelIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = fs::temp_directory_path() / ("channel_integration_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(data_);
    start();
    auto pages = manager_->registry().settings_pages("portal-messaging");
    ASSERT_TRUE(pages) << pages.status();
    ASSERT_TRUE(
        pages->save_page("admin", "", {{"my_messages", "on"}, {"audience", "care_team_only"}}).is_ok());
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(data_);
  }
  void start() {
    manager_.reset();
    ehr::host::PluginManagerOptions options;
    options.plugins_directory = EHR_TEST_PLUGINS_DIR;
    options.host_data_directory = data_;
    manager_ = std::make_unique<ehr::host::PluginManager>(options, host_);
    ASSERT_TRUE(manager_->discover().is_ok());
    auto info = manager_->info("portal-messaging");
    ASSERT_TRUE(info) << info.status();
    ASSERT_EQ(info->state, ehr::host::PluginState::enabled) << info->failure;
  }
  ehr::host::MessagingChannel channel() {
    auto found = manager_->registry().channel("portal-messaging");
    if (!found) ADD_FAILURE() << found.status();
    return *found;
  }
  ehr::host::Sent staff_writes(const std::string& from, const std::string& patient, const std::string& body) {
    auto sent = channel().start_thread({Principal::staff(from), patient, {}, "Follow-up", body});
    EXPECT_TRUE(sent) << sent.status();
    return sent.value_or({});
  }

  fs::path data_;
  PracticeHost host_;
  std::unique_ptr<ehr::host::PluginManager> manager_;
};

TEST_F(ChannelIntegration, R_CONV_2_AFullExchangeBothWaysWithUnreadCounts) {
  ehr::host::Sent sent = staff_writes("drlee", "p1", "Your results are in.");
  auto inbox = channel().list_threads({Principal::portal_user("pat1"), false, 0, 0});
  ASSERT_TRUE(inbox) << inbox.status();
  ASSERT_EQ(inbox->threads.size(), 1u);
  EXPECT_EQ(inbox->threads[0].thread_id, sent.thread_id);
  EXPECT_EQ(inbox->threads[0].unread_count, 1u);
  EXPECT_EQ(inbox->totals.unread_total, 1u);

  auto messages = channel().read_thread(Principal::portal_user("pat1"), sent.thread_id);
  ASSERT_TRUE(messages) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].body, "Your results are in.");
  EXPECT_EQ((*messages)[0].sender_display_name, "Dr Lee");
  EXPECT_EQ(channel().unread_total(Principal::portal_user("pat1")).value_or(99), 0u);

  auto reply =
      channel().reply({Principal::portal_user("pat1"), sent.thread_id, "Thank you, Dr Lee — çà va."});
  ASSERT_TRUE(reply) << reply.status();
  EXPECT_EQ(channel().unread_total(Principal::staff("drlee")).value_or(99), 1u);
  auto recipients = channel().list_recipients(Principal::portal_user("pat1"), "p1");
  ASSERT_TRUE(recipients) << recipients.status();
  ASSERT_EQ(recipients->size(), 2u);
  EXPECT_EQ((*recipients)[0].principal, Principal::staff("drlee"));
}

TEST_F(ChannelIntegration, R_MSG_4_ACareTeamChangeBlocksAReplyWithItsReason) {
  ehr::host::Sent sent = staff_writes("drlee", "p1", "hello");
  host_.set_care_team("p1", {"nurse1"});
  auto refused = channel().reply({Principal::portal_user("pat1"), sent.thread_id, "hi back"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(refused.status().deny_reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  EXPECT_NE(refused.status().message().find("care team"), std::string::npos) << refused.status();
  auto explain = channel().explain({"drlee", "pat1", "p1"});
  ASSERT_TRUE(explain) << explain.status();
  EXPECT_FALSE(explain->allowed);
  EXPECT_EQ(explain->reason, EHR_DENY_NOT_ON_CARE_TEAM);
}

TEST_F(ChannelIntegration, R_CONV_3_ReadingAnotherPatientsThreadIsRefusedAndAudited) {
  ehr::host::Sent other = staff_writes("drkim", "p2", "for patient two only");
  auto refused = channel().read_thread(Principal::portal_user("pat1"), other.thread_id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(refused.status().deny_reason(), EHR_DENY_NOT_A_PARTICIPANT);
  EXPECT_EQ(refused.status().message().find("patient two"), std::string::npos);

  auto audit = manager_->registry().audit_log("portal-messaging");
  ASSERT_TRUE(audit) << audit.status();
  auto records = audit->list("p2");
  ASSERT_TRUE(records) << records.status();
  ASSERT_FALSE(records->empty());
  EXPECT_EQ(records->back().action, "message.read");
  EXPECT_EQ(records->back().actor, Principal::portal_user("pat1"));
  EXPECT_EQ(records->back().outcome, "not_a_participant");
  EXPECT_TRUE(audit->verify()->ok);
  EXPECT_FALSE(host_.audit_events().empty());  // mirrored to the host's own trail
}

TEST_F(ChannelIntegration, R_CONV_5_SeveralHostThreadsSendingAtOnceLoseNothing) {
  ehr::host::Sent thread = staff_writes("drlee", "p1", "start");
  constexpr int kThreads = 8;
  constexpr int kEach = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const Principal from = t % 2 == 0 ? Principal::staff("drlee") : Principal::portal_user("pat1");
        auto sent = channel().reply({from, thread.thread_id, std::to_string(t) + "/" + std::to_string(i)});
        if (!sent) ++failures;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(failures.load(), 0);
  start();  // the host restarts: what was acknowledged is still there
  auto messages = channel().read_thread(Principal::staff("drlee"), thread.thread_id);
  ASSERT_TRUE(messages) << messages.status();
  EXPECT_EQ(messages->size(), 1u + kThreads * kEach);
  std::set<std::string> bodies;
  for (const auto& message : *messages) bodies.insert(message.body);
  EXPECT_EQ(bodies.size(), messages->size());
}

TEST_F(ChannelIntegration, R_HOOK_1_HostHooksRejectAndThrowWithoutHarm) {
  auto hooks = manager_->registry().hooks("portal-messaging");
  ASSERT_TRUE(hooks) << hooks.status();
  auto reject = hooks->add(ehr::host::HookPoint::before_store, [](const ehr::host::HookEvent& event) {
    if (event.body.find("forbidden word") != std::string::npos) {
      return Status::invalid_argument("body", "the message holds a forbidden word");
    }
    return Status::ok();
  });
  ASSERT_TRUE(reject) << reject.status();
  auto boom = hooks->add(ehr::host::HookPoint::after_store, [](const ehr::host::HookEvent&) -> Status {
    throw std::runtime_error("integrator bug");
  });
  ASSERT_TRUE(boom) << boom.status();

  auto refused = channel().start_thread({Principal::staff("drlee"), "p1", {}, "", "a forbidden word here"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_REJECTED);
  EXPECT_NE(refused.status().message().find("forbidden word"), std::string::npos) << refused.status();
  ehr::host::Sent sent = staff_writes("drlee", "p1", "a fine message");
  EXPECT_GT(sent.message_id, 0);
  auto inbox = channel().list_threads({Principal::staff("drlee"), false, 0, 0});
  ASSERT_TRUE(inbox);
  EXPECT_EQ(inbox->threads.size(), 1u);
}

TEST_F(ChannelIntegration, R_CONV_1_BadInputNamesTheField) {
  auto refused = channel().start_thread({Principal::staff("drlee"), "p1", {}, "", "bad \xC3\x28"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(refused.status().field(), "body");
  ASSERT_TRUE(manager_->disable("portal-messaging").is_ok());
  EXPECT_EQ(channel().unread_total(Principal::staff("drlee")).status().code(), EHR_STATUS_DISABLED);
}

}  // namespace

// ---- adding a colleague (R-CONV-6) ---------------------------------------------------------

std::vector<ehr::host::AuditEvent> records_of(const ehr::host::AuditLog& audit, const std::string& patient,
                                              const std::string& action) {
  auto records = audit.list(patient);
  EXPECT_TRUE(records) << records.status();
  std::vector<ehr::host::AuditEvent> matching;
  for (const ehr::host::AuditEvent& record : records.value_or({})) {
    if (record.action == action) matching.push_back(record);
  }
  return matching;
}

TEST_F(ChannelIntegration, R_CONV_6_AnAddedColleagueSeesTheWholeThreadAndRepliesLikeAnyParticipant) {
  ehr::host::Sent sent = staff_writes("drlee", "p1", "Your results are in.");
  ASSERT_TRUE(channel().reply({Principal::portal_user("pat1"), sent.thread_id, "What do they mean?"}));
  const Principal nurse = Principal::staff("nurse1");
  ASSERT_EQ(channel().read_thread(nurse, sent.thread_id).status().deny_reason(), EHR_DENY_NOT_A_PARTICIPANT);

  auto added = channel().add_participant(Principal::staff("drlee"), sent.thread_id, nurse);
  ASSERT_TRUE(added) << added.status();
  EXPECT_TRUE(*added);

  // Inbox and badge: both earlier messages are unread for the colleague brought in to read them.
  auto inbox = channel().list_threads({nurse, false, 0, 0});
  ASSERT_TRUE(inbox) << inbox.status();
  ASSERT_EQ(inbox->threads.size(), 1u);
  EXPECT_EQ(inbox->threads[0].thread_id, sent.thread_id);
  EXPECT_EQ(inbox->threads[0].unread_count, 2u);
  EXPECT_EQ(channel().unread_total(nurse).value_or(99), 2u);
  auto messages = channel().read_thread(nurse, sent.thread_id);
  ASSERT_TRUE(messages) << messages.status();
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ((*messages)[0].body, "Your results are in.");
  EXPECT_EQ((*messages)[1].body, "What do they mean?");
  EXPECT_EQ(channel().unread_total(nurse).value_or(99), 0u);

  // Replies reach everyone on the thread, and the colleague hears of the next message.
  const std::uint64_t patient_unread = channel().unread_total(Principal::portal_user("pat1")).value_or(99);
  ASSERT_TRUE(channel().reply({nurse, sent.thread_id, "Nurse One here: they are normal."}));
  EXPECT_EQ(channel().unread_total(Principal::portal_user("pat1")).value_or(99), patient_unread + 1);
  ASSERT_TRUE(channel().reply({Principal::portal_user("pat1"), sent.thread_id, "Thanks!"}));
  EXPECT_EQ(channel().unread_total(nurse).value_or(99), 1u);

  // The portal user of the chart sees who was added.
  auto participants = channel().list_participants(Principal::portal_user("pat1"), sent.thread_id);
  ASSERT_TRUE(participants) << participants.status();
  std::vector<std::string> names;
  for (const ehr::host::Recipient& p : *participants) names.push_back(p.display_name);
  EXPECT_EQ(names, (std::vector<std::string>{"Dr Lee", "Nurse One", "Pat One"}));

  auto audit = manager_->registry().audit_log("portal-messaging");
  ASSERT_TRUE(audit) << audit.status();
  const auto additions = records_of(*audit, "p1", "participant.add");
  ASSERT_EQ(additions.size(), 1u);
  EXPECT_EQ(additions[0].actor, Principal::staff("drlee"));
  EXPECT_EQ(additions[0].outcome, "ok");
  EXPECT_EQ(additions[0].target, "thread:" + std::to_string(sent.thread_id));
  EXPECT_NE(additions[0].detail.find("nurse1"), std::string::npos) << additions[0].detail;
  EXPECT_EQ(records_of(*audit, "p1", "participant.list").size(), 1u);
  EXPECT_TRUE(audit->verify()->ok);
}

TEST_F(ChannelIntegration, R_CONV_6_AddingSomeoneAlreadyOnTheThreadChangesNothingAndIsNotAuditedAgain) {
  ehr::host::Sent sent = staff_writes("drlee", "p1", "hello");
  const Principal nurse = Principal::staff("nurse1");
  ASSERT_TRUE(channel().add_participant(Principal::staff("drlee"), sent.thread_id, nurse).value_or(false));
  ASSERT_TRUE(channel().read_thread(nurse, sent.thread_id));

  auto again = channel().add_participant(Principal::staff("drlee"), sent.thread_id, nurse);
  ASSERT_TRUE(again) << again.status();
  EXPECT_FALSE(*again);
  auto self = channel().add_participant(nurse, sent.thread_id, Principal::staff("drlee"));
  ASSERT_TRUE(self) << self.status();
  EXPECT_FALSE(*self);
  EXPECT_EQ(channel().unread_total(nurse).value_or(99), 0u) << "a repeated add must not reset what was read";

  auto audit = manager_->registry().audit_log("portal-messaging");
  ASSERT_TRUE(audit) << audit.status();
  EXPECT_EQ(records_of(*audit, "p1", "participant.add").size(), 1u);
}

TEST_F(ChannelIntegration, R_CONV_6_AColleagueNotEligibleForThePatientIsRefusedWithTheSendReason) {
  ehr::host::Sent sent = staff_writes("drlee", "p1", "hello");
  // Care Team only, and Dr Kim is not on Pat One's care team: the reason a send would meet.
  auto refused =
      channel().add_participant(Principal::staff("drlee"), sent.thread_id, Principal::staff("drkim"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(refused.status().deny_reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  auto explain = channel().explain({"drkim", "", "p1"});
  ASSERT_TRUE(explain) << explain.status();
  EXPECT_EQ(explain->reason, refused.status().deny_reason());
  EXPECT_EQ(channel().read_thread(Principal::staff("drkim"), sent.thread_id).status().deny_reason(),
            EHR_DENY_NOT_A_PARTICIPANT);

  auto unknown =
      channel().add_participant(Principal::staff("drlee"), sent.thread_id, Principal::staff("ghost"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().deny_reason(), EHR_DENY_UNKNOWN_USER);

  // The actor's own standing comes first, as for a send.
  host_.set_care_team("p1", {"nurse1"});
  auto actor_off_team =
      channel().add_participant(Principal::staff("drlee"), sent.thread_id, Principal::staff("nurse1"));
  ASSERT_FALSE(actor_off_team);
  EXPECT_EQ(actor_off_team.status().deny_reason(), EHR_DENY_NOT_ON_CARE_TEAM);
  EXPECT_EQ(actor_off_team.status().field(), "actor");

  auto audit = manager_->registry().audit_log("portal-messaging");
  ASSERT_TRUE(audit) << audit.status();
  const auto attempts = records_of(*audit, "p1", "participant.add");
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].outcome, "not_on_care_team");
  EXPECT_EQ(attempts[1].outcome, "unknown_user");
  EXPECT_EQ(attempts[2].outcome, "not_on_care_team");
  auto participants = channel().list_participants(Principal::staff("drlee"), sent.thread_id);
  ASSERT_TRUE(participants) << participants.status();
  EXPECT_EQ(participants->size(), 2u) << "a refused add leaves the thread as it was";
}

TEST_F(ChannelIntegration, R_CONV_6_APortalUserOrStaffOffTheThreadCannotAdd) {
  ehr::host::Sent sent = staff_writes("drlee", "p1", "hello");
  auto portal =
      channel().add_participant(Principal::portal_user("pat1"), sent.thread_id, Principal::staff("nurse1"));
  ASSERT_FALSE(portal);
  EXPECT_EQ(portal.status().code(), EHR_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(portal.status().field(), "actor");
  auto portal_added =
      channel().add_participant(Principal::staff("drlee"), sent.thread_id, Principal::portal_user("pat2"));
  ASSERT_FALSE(portal_added);
  EXPECT_EQ(portal_added.status().field(), "added");

  auto outsider =
      channel().add_participant(Principal::staff("nurse1"), sent.thread_id, Principal::staff("nurse1"));
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(outsider.status().deny_reason(), EHR_DENY_NOT_A_PARTICIPANT);
  EXPECT_EQ(channel()
                .add_participant(Principal::staff("drlee"), 999999, Principal::staff("nurse1"))
                .status()
                .code(),
            EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(channel().unread_total(Principal::staff("nurse1")).value_or(99), 0u);
}

// ---- the chart's brand (ABI 1.1) -------------------------------------------------------------

TEST_F(ChannelIntegration, R_BRAND_2_APortalPageShowsTheLocationBrandOnlyWhenTheLocationUsesItsInformation) {
  auto company = channel().chart_brand(Principal::portal_user("pat1"), "p1");
  ASSERT_TRUE(company) << company.status();
  EXPECT_EQ(company->name, "Acme Health");
  EXPECT_EQ(company->phone, "555-0100");
  EXPECT_EQ(company->address, "1 Main St");
  EXPECT_EQ(company->location_id, "");

  auto pages = manager_->registry().settings_pages("portal-messaging");
  ASSERT_TRUE(pages) << pages.status();
  ASSERT_TRUE(pages->save_page("admin", "north", {{"my_messages", "on"}, {"use_location_information", "on"}})
                  .is_ok());
  auto location = channel().chart_brand(Principal::staff("drkim"), "p1");
  ASSERT_TRUE(location) << location.status();
  EXPECT_EQ(location->name, "North Clinic");
  EXPECT_EQ(location->phone, "555-0101");
  EXPECT_EQ(location->address, "2 North Rd");
  EXPECT_EQ(location->location_id, "north");
}

TEST_F(ChannelIntegration, R_CONV_3_AChartsBrandIsRefusedToAPortalUserWhoIsNotItsContact) {
  auto refused = channel().chart_brand(Principal::portal_user("pat2"), "p1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(refused.status().deny_reason(), EHR_DENY_NOT_A_CONTACT);
  EXPECT_EQ(channel().chart_brand(Principal::portal_user("nobody"), "p1").status().deny_reason(),
            EHR_DENY_UNKNOWN_USER);
  EXPECT_EQ(channel().chart_brand(Principal::staff("drlee"), "p9").status().code(), EHR_STATUS_NOT_FOUND);
  // A portal user probing ids learns nothing of which patients exist.
  EXPECT_EQ(channel().chart_brand(Principal::portal_user("pat1"), "p9").status().deny_reason(),
            EHR_DENY_NOT_A_CONTACT);
  const auto audit = host_.audit_events();
  EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [](const ehr::host::AuditEvent& event) {
    return event.action == "chart.brand" && event.outcome == "not_a_contact";
  }));
}
