// The real portal_messaging module, loaded through the real host SDK (ehr::host_sdk), driven
// through its MessagingChannel wrapper: R-MSG-2..5, R-CONV-2..5, R-AUD-1, R-HOOK-1 end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ehr/host/host_services.hpp"
#include "ehr/host/plugin_manager.hpp"

namespace {

namespace fs = std::filesystem;
using ehr::host::Principal;
using ehr::host::Result;
using ehr::host::Status;

// The host's own data: a tiny practice answering the plugin's host-service calls.
class PracticeHost : public ehr::host::HostServices {
 public:
  PracticeHost() {
    company_ = {"", "Acme Health", "", "1 Main St", "555-0100", "https://portal.example", true};
    locations_ = {{"north", "North Clinic", "", "2 North Rd", "555-0101", "https://portal.example", false}};
    users_ = {{"admin", {"admin", "Ada Admin", true}},
              {"drlee", {"drlee", "Dr Lee", true}},
              {"nurse1", {"nurse1", "Nurse One", true}},
              {"drkim", {"drkim", "Dr Kim", true}}};
    roles_ = {{"admin", {"manage_portal_settings"}},
              {"drlee", {"available_for_portal_messages"}},
              {"nurse1", {"available_for_portal_messages"}},
              {"drkim", {"available_for_portal_messages"}}};
    patients_ = {{"p1", {"p1", "Pat One", "north"}}, {"p2", {"p2", "Pat Two", "north"}}};
    care_teams_ = {{"p1", {"drlee", "nurse1"}}, {"p2", {"drkim"}}};
    portal_users_ = {{"pat1", {"pat1", "Pat One", "Pat", ehr::host::PortalUserKind::patient, true}},
                     {"pat2", {"pat2", "Pat Two", "Pat", ehr::host::PortalUserKind::patient, true}}};
    contacts_ = {{"pat1", {"p1"}}, {"pat2", {"p2"}}};
  }

  void set_care_team(const std::string& patient, std::vector<std::string> team) {
    std::lock_guard lock(mutex_);
    care_teams_[patient] = std::move(team);
  }
  std::vector<ehr::host::AuditEvent> audit_copies() const {
    std::lock_guard lock(mutex_);
    return audit_;
  }

  void log(ehr::host::LogLevel, std::string_view) override {}
  Result<ehr::host::User> get_user(std::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = users_.find(std::string(id));
    if (it == users_.end()) return Status::not_found("no user " + std::string(id));
    return it->second;
  }
  Result<bool> user_has_role(std::string_view id, std::string_view role) override {
    std::lock_guard lock(mutex_);
    auto it = roles_.find(std::string(id));
    return it != roles_.end() && it->second.count(std::string(role)) > 0;
  }
  Result<std::vector<ehr::host::User>> list_users_with_role(std::string_view role) override {
    std::lock_guard lock(mutex_);
    std::vector<ehr::host::User> holders;
    for (const auto& [id, roles] : roles_) {
      if (roles.count(std::string(role))) holders.push_back(users_.at(id));
    }
    return holders;
  }
  Result<ehr::host::Patient> get_patient(std::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = patients_.find(std::string(id));
    if (it == patients_.end()) return Status::not_found("no patient " + std::string(id));
    return it->second;
  }
  Result<std::vector<std::string>> list_care_team(std::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = care_teams_.find(std::string(id));
    if (it == care_teams_.end()) return Status::not_found("no patient " + std::string(id));
    return it->second;
  }
  Result<ehr::host::PortalUser> get_portal_user(std::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = portal_users_.find(std::string(id));
    if (it == portal_users_.end()) return Status::not_found("no portal user " + std::string(id));
    return it->second;
  }
  Result<std::vector<ehr::host::PortalUser>> list_patient_contacts(std::string_view patient) override {
    std::lock_guard lock(mutex_);
    std::vector<ehr::host::PortalUser> contacts;
    for (const auto& [id, charts] : contacts_) {
      if (std::find(charts.begin(), charts.end(), patient) != charts.end())
        contacts.push_back(portal_users_.at(id));
    }
    return contacts;
  }
  Result<std::vector<std::string>> list_contact_charts(std::string_view id) override {
    std::lock_guard lock(mutex_);
    auto it = contacts_.find(std::string(id));
    if (it == contacts_.end()) return Status::not_found("no portal user " + std::string(id));
    return it->second;
  }
  Result<ehr::host::Organization> get_company() override { return company_; }
  Result<std::vector<ehr::host::Organization>> list_locations() override { return locations_; }
  ehr::host::OptionalServices optional_services() const override { return {true, true}; }
  Status notify(const ehr::host::Notification&) override { return Status::ok(); }
  Status audit(const ehr::host::AuditEvent& event) override {
    std::lock_guard lock(mutex_);
    audit_.push_back(event);
    return Status::ok();
  }

 private:
  mutable std::mutex mutex_;
  ehr::host::Organization company_;
  std::vector<ehr::host::Organization> locations_;
  std::map<std::string, ehr::host::User> users_;
  std::map<std::string, std::set<std::string>> roles_;
  std::map<std::string, ehr::host::Patient> patients_;
  std::map<std::string, std::vector<std::string>> care_teams_;
  std::map<std::string, ehr::host::PortalUser> portal_users_;
  std::map<std::string, std::vector<std::string>> contacts_;
  std::vector<ehr::host::AuditEvent> audit_;
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
  EXPECT_FALSE(host_.audit_copies().empty());  // mirrored to the host's own trail
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
