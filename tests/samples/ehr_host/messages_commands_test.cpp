// ehr-host messages ...: conversations through the real plugin (R-MSG-*, R-CONV-*).
#include <gtest/gtest.h>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

std::int64_t send(const EhrHost& host, std::vector<std::string> args) {
  args.insert(args.begin(), {"messages", "send"});
  return host.ok_json(args)["thread"].get<std::int64_t>();
}

nlohmann::json inbox(const EhrHost& host, const std::string& who, bool archived = false) {
  std::vector<std::string> args = {"messages", "inbox", "--as", who};
  if (archived) args.push_back("--archived");
  return host.ok_json(args);
}

std::vector<std::string> recipient_ids(const EhrHost& host, const std::string& who,
                                       const std::string& patient) {
  std::vector<std::string> ids;
  const nlohmann::json answer = host.ok_json({"messages", "recipients", "--as", who, "--patient", patient});
  for (const auto& r : answer["recipients"]) {
    ids.push_back(r["principal"].get<std::string>());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(MessagesCommands, FullExchangeBothWays) {  // R-CONV-1, R-CONV-2
  EhrHost host;
  host.enable_messaging();
  const std::int64_t thread =
      send(host, {"--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--subject",
                  "Your lab results", "--body", "Your results are normal."});
  const auto maria = inbox(host, "portal:maria");
  EXPECT_EQ(maria["unread_total"], 1);
  ASSERT_EQ(maria["threads"].size(), 1u);
  EXPECT_EQ(maria["threads"][0]["thread"], thread);
  EXPECT_EQ(maria["threads"][0]["subject"], "Your lab results");

  const auto read = host.ok_json({"messages", "read", std::to_string(thread), "--as", "portal:maria"});
  ASSERT_EQ(read["messages"].size(), 1u);
  EXPECT_EQ(read["messages"][0]["body"], "Your results are normal.");
  EXPECT_EQ(read["messages"][0]["sender"], "drlee");
  EXPECT_EQ(inbox(host, "portal:maria")["unread_total"], 0);

  // The reply's body comes on stdin, several lines of it.
  host.ok({"messages", "reply", std::to_string(thread), "--as", "portal:maria"},
          "Thank you!\nSee you in May.");
  EXPECT_EQ(inbox(host, "drlee")["unread_total"], 1);
  const Outcome text = host.ok({"messages", "read", std::to_string(thread), "--as", "drlee"});
  EXPECT_NE(text.out.find("    See you in May."), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Maria Alvarez (portal:maria)"), std::string::npos) << text.out;
  EXPECT_EQ(inbox(host, "drlee")["unread_total"], 0);
}

TEST(MessagesCommands, PortalUserWritesToAnOfferedRecipient) {  // R-MSG-3
  EhrHost host;
  host.enable_messaging();
  // Lily (p03): care team drlee, drkim, nurse1; drkim lacks the role.
  EXPECT_EQ(recipient_ids(host, "portal:hoa", "p03"), (std::vector<std::string>{"drlee", "nurse1"}));
  const std::int64_t thread =
      send(host, {"--as", "portal:hoa", "--patient", "p03", "--to", "nurse1", "--body", "Lily has a fever."});
  EXPECT_EQ(inbox(host, "nurse1")["threads"][0]["thread"], thread);
  EXPECT_EQ(inbox(host, "drlee")["thread_count"], 0);  // R-CONV-3: not sent to drlee
}

TEST(MessagesCommands, RefusalSaysWhyAndExplainAgrees) {  // R-MSG-2, R-MSG-5
  EhrHost host;
  host.enable_messaging();
  const Outcome run = host.json(
      {"messages", "send", "--as", "drkim", "--patient", "p05", "--to", "portal:maria", "--body", "Hello"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_FALSE(run.err.empty());
  EXPECT_EQ(run.json()["error"]["status"], "forbidden");
  const auto explained = host.ok_json({"messages", "explain", "--staff", "drkim", "--patient", "p05"});
  EXPECT_FALSE(explained["allowed"].get<bool>());
  EXPECT_EQ(explained["reason"], "staff_lacks_role");
  EXPECT_TRUE(
      host.ok_json({"messages", "explain", "--staff", "drlee", "--patient", "p01"})["allowed"].get<bool>());
}

TEST(MessagesCommands, MessagingOffAtTheLocationIsRefused) {  // R-MSG-1
  EhrHost host;
  host.enable_plugin();
  const Outcome run = host.json({"messages", "send", "--as", "drlee", "--patient", "p01", "--body", "Hello"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.json()["error"]["reason"], "messaging_off");
  // R-SET-5: General off, one location on.
  host.ok({"settings", "set", "--as", "admin", "--location", "north", "my_messages=on"});
  send(host, {"--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hello"});
  EXPECT_EQ(host.json({"messages", "send", "--as", "drpatel", "--patient", "p09", "--body", "Hi"})
                .json()["error"]["reason"],
            "messaging_off");
}

TEST(MessagesCommands, ReplyIsRecheckedAfterARoleRemoval) {  // R-MSG-4
  EhrHost host;
  host.enable_messaging();
  const std::int64_t thread =
      send(host, {"--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hi"});
  host.ok({"roles", "unassign", "available_for_portal_messages", "--as", "admin", "drlee"});
  const Outcome run =
      host.json({"messages", "reply", std::to_string(thread), "--as", "drlee", "--body", "Again"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.json()["error"]["reason"], "staff_lacks_role");
  EXPECT_EQ(host.ok_json({"messages", "read", std::to_string(thread), "--as", "drlee"})["messages"].size(),
            1u);
}

TEST(MessagesCommands, AnotherChartsThreadCannotBeRead) {  // R-CONV-3
  EhrHost host;
  host.enable_messaging();
  const std::int64_t thread =
      send(host, {"--as", "drlee", "--patient", "p03", "--to", "portal:hoa", "--body", "Hi"});
  const Outcome run = host.run({"messages", "read", std::to_string(thread), "--as", "portal:maria"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_FALSE(run.err.empty());
  EXPECT_EQ(run.out.find("Hi"), std::string::npos);
  EXPECT_EQ(inbox(host, "portal:maria")["thread_count"], 0);
  const Outcome other = host.json({"messages", "recipients", "--as", "portal:hoa", "--patient", "p01"});
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_EQ(other.json()["error"]["reason"], "not_a_contact");
}

TEST(MessagesCommands, InactivePortalAccountIsRefused) {  // R-MSG-3, R-MSG-5
  EhrHost host;
  host.enable_messaging();
  const Outcome run = host.json(
      {"messages", "send", "--as", "nurse1", "--patient", "p07", "--to", "portal:samuel", "--body", "Hi"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.json()["error"]["reason"], "portal_account_inactive");
}

TEST(MessagesCommands, ArchiveIsPerReaderAndANewMessageBringsItBack) {  // R-CONV-4
  EhrHost host;
  host.enable_messaging();
  const std::int64_t thread =
      send(host, {"--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hi"});
  host.ok({"messages", "archive", std::to_string(thread), "--as", "portal:maria"});
  EXPECT_EQ(inbox(host, "portal:maria")["thread_count"], 0);
  EXPECT_EQ(inbox(host, "portal:maria", true)["thread_count"], 1);
  EXPECT_EQ(inbox(host, "drlee")["thread_count"], 1);
  host.ok({"messages", "reply", std::to_string(thread), "--as", "drlee", "--body", "One more thing"});
  EXPECT_EQ(inbox(host, "portal:maria")["thread_count"], 1);
  host.ok({"messages", "archive", std::to_string(thread), "--as", "portal:maria"});
  host.ok({"messages", "unarchive", std::to_string(thread), "--as", "portal:maria"});
  EXPECT_EQ(inbox(host, "portal:maria")["thread_count"], 1);
}

TEST(MessagesCommands, DisabledPluginRefusesMessaging) {
  EhrHost host;
  host.enable_messaging();
  host.ok({"plugins", "disable", "portal-messaging"});
  const Outcome run = host.json({"messages", "inbox", "--as", "drlee"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.json()["error"]["status"], "disabled");
}

TEST(MessagesCommands, UnknownPrincipalAndBadThreadNumber) {
  EhrHost host;
  host.enable_messaging();
  const Outcome who = host.run({"messages", "inbox", "--as", "portal:nobody"});
  EXPECT_EQ(who.exit_code, 4);
  EXPECT_NE(who.err.find("unknown portal user 'nobody'"), std::string::npos) << who.err;
  EXPECT_EQ(host.run({"messages", "read", "seven", "--as", "drlee"}).exit_code, 2);
}

TEST(MessagesCommands, R_CONV_6_AColleagueAddedToAThreadReadsItAndThePatientSeesWho) {
  EhrHost host;
  host.enable_messaging();
  const std::int64_t thread =
      send(host, {"--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--subject",
                  "Your lab results", "--body", "Your results are normal."});
  const std::string id = std::to_string(thread);
  EXPECT_EQ(inbox(host, "nurse1")["thread_count"], 0);

  const auto added = host.ok_json({"messages", "add", id, "--as", "drlee", "--user", "nurse1"});
  EXPECT_TRUE(added["added"].get<bool>());
  EXPECT_EQ(inbox(host, "nurse1")["unread_total"], 1);
  const auto read = host.ok_json({"messages", "read", id, "--as", "nurse1"});
  ASSERT_EQ(read["messages"].size(), 1u);
  EXPECT_EQ(read["messages"][0]["body"], "Your results are normal.");

  const Outcome again = host.ok({"messages", "add", id, "--as", "drlee", "--user", "nurse1"});
  EXPECT_NE(again.out.find("already takes part"), std::string::npos) << again.out;

  const Outcome seen = host.ok({"messages", "participants", id, "--as", "portal:maria"});
  EXPECT_NE(seen.out.find("Jamie Smith, RN"), std::string::npos) << seen.out;

  // Dr Kim lacks the messaging role: the reason a send would meet, and nothing changes.
  const Outcome refused = host.json({"messages", "add", id, "--as", "drlee", "--user", "drkim"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_EQ(refused.json()["error"]["reason"], "staff_lacks_role");
  EXPECT_EQ(host.ok_json({"messages", "participants", id, "--as", "drlee"})["participants"].size(), 3u);
  // A portal user cannot add anyone.
  const Outcome portal = host.run({"messages", "add", id, "--as", "portal:maria", "--user", "nurse1"});
  EXPECT_EQ(portal.exit_code, 3);
  EXPECT_NE(portal.err.find("only staff"), std::string::npos) << portal.err;
}

}  // namespace
}  // namespace ehr::sample::cli_test
