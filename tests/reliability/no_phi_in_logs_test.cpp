// No PHI in logs (issue 7, R-BRAND-4): the demo scenario through the SDK -- settings, roles, a
// full exchange both ways, reads, archive, refusals, hooks, audit -- with sentinel PHI planted in
// every name, address, subject and body. Nothing the plugin logs (at any level), no error the
// host is shown, no audit detail and no notification may carry any of it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/reliability_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::reliability {
namespace {

namespace host = ehr::host;
using host::Principal;

const PracticeNames kSentinels{"Zyxpatient Qwertyname", "Zyxother Qwertychild", "Zyxportal Qwertyuser",
                               "zyxsentinel.mail@phi.example"};
const std::vector<std::string> kMessageSentinels = {"ZYXSUBJECT-diagnosis", "ZYXBODY-hiv-positive",
                                                    "ZYXREPLY-oxycodone", "ZYXREFUSED-body"};

std::vector<std::string> all_sentinels() {
  std::vector<std::string> s = kMessageSentinels;
  for (const std::string& name : {kSentinels.patient_name, kSentinels.other_patient_name,
                                  kSentinels.portal_user_name, kSentinels.portal_email}) {
    s.push_back(name);
    s.push_back(name.substr(0, name.find(' ')));  // the first name alone
  }
  return s;
}

void expect_clean(const std::string& where, const std::string& text,
                  const std::vector<std::string>& sentinels) {
  for (const std::string& sentinel : sentinels)
    EXPECT_EQ(text.find(sentinel), std::string::npos)
        << where << " carries PHI '" << sentinel << "': " << text;
}

TEST(NoPhiInLogs, R_BRAND_4_TheDemoScenarioLogsNoPhi) {
  ehr::portal::test::TempDir dir;
  ReliabilityHost::Options options = ReliabilityHost::in(dir / "host");
  options.practice = practice_xml(kSentinels);
  ReliabilityHost host(options);
  const host::MessagingChannel channel = host.channel();
  std::vector<host::Status> shown;  // every answer the host got, as it would show them

  // Hooks the integrator added: one that rejects, one that throws (both logged by the plugin).
  const auto hooks = host.plugins().registry().hooks("portal-messaging");
  ASSERT_TRUE(hooks) << hooks.status();
  auto rejecting = hooks->add(host::HookPoint::before_store, [](const host::HookEvent& e) -> host::Status {
    if (e.body.find("ZYXREFUSED") != std::string::npos)
      return host::Status::forbidden("contains a card number");
    return {};
  });
  auto throwing = hooks->add(host::HookPoint::after_store, [](const host::HookEvent& e) -> host::Status {
    throw std::runtime_error("after_store hook saw " + e.body);  // an integrator's careless message
  });
  ASSERT_TRUE(rejecting && throwing);

  shown.push_back(host.settings().save_page("admin", "north",
                                            {{"my_messages", "on"}, {"use_location_information", "on"}}));
  shown.push_back(host.roles().set_role("admin", "nurse", "available_for_portal_messages", true).status());
  const auto started = channel.start_thread({Principal::staff("drlee"),
                                             "p1",
                                             {Principal::portal_user("pat1")},
                                             kMessageSentinels[0],
                                             kMessageSentinels[1]});
  ASSERT_TRUE(started) << started.status();
  shown.push_back(channel.list_threads({Principal::portal_user("pat1")}).status());
  shown.push_back(channel.read_thread(Principal::portal_user("pat1"), started->thread_id).status());
  shown.push_back(channel.list_recipients(Principal::portal_user("pat1"), "p1").status());
  shown.push_back(
      channel.reply({Principal::portal_user("pat1"), started->thread_id, kMessageSentinels[2]}).status());
  shown.push_back(
      channel.reply({Principal::staff("drlee"), started->thread_id, kMessageSentinels[3]}).status());
  // Refusals: another patient's portal user, a staff user not on the care team, messaging off.
  shown.push_back(channel.read_thread(Principal::portal_user("pat2"), started->thread_id).status());
  shown.push_back(
      channel.reply({Principal::portal_user("pat2"), started->thread_id, kMessageSentinels[1]}).status());
  shown.push_back(channel.explain({"nurse", "pat2", "p2"}).status());
  shown.push_back(
      channel.start_thread({Principal::staff("nurse"), "p2", {}, kMessageSentinels[0], kMessageSentinels[1]})
          .status());
  shown.push_back(host.settings().save_page("admin", "north", {{"my_messages", "off"}}));
  shown.push_back(
      channel.reply({Principal::staff("drlee"), started->thread_id, kMessageSentinels[1]}).status());
  shown.push_back(channel.set_archived(Principal::staff("drlee"), started->thread_id, true));
  const auto verified = host.audit().verify();
  ASSERT_TRUE(verified && verified->ok);

  const std::vector<std::string> sentinels = all_sentinels();
  const std::vector<std::string> logs = host.services().logs();
  EXPECT_FALSE(logs.empty()) << "the scenario should have made the plugin log (hook failures at least)";
  for (const std::string& line : logs) expect_clean("log line", line, sentinels);
  for (const host::Status& status : shown)
    expect_clean("error shown to the host", status.to_string(), sentinels);
  const auto events = host.audit().list();
  ASSERT_TRUE(events) << events.status();
  for (const host::AuditEvent& e : *events)
    expect_clean("audit record " + std::to_string(e.sequence),
                 e.action + " " + e.target + " " + e.outcome + " " + e.detail, sentinels);
  // R-BRAND-4: notifications say a message is waiting, never what it says.
  const auto notifications = host.notifications().list();
  for (const auto& n : notifications)
    expect_clean("notification " + std::to_string(n.id), n.subject + " " + n.text + " " + n.html,
                 kMessageSentinels);
}

}  // namespace
}  // namespace ehr::reliability
