// The command line as a newcomer found it (issue 10): each slip gets an answer that says what to
// type instead, unknown ids exit 4, and a refusal is one clear line on stderr.
#include <gtest/gtest.h>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Newcomer, APortalUserNamedAsStaffIsToldHowPortalUsersAreWritten) {
  EhrHost host;
  host.enable_messaging();
  const Outcome run = host.run({"messages", "inbox", "--as", "rachel"});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_TRUE(has(run.err, "rachel is a portal user, and portal users are written portal:rachel")) << run.err;
  const Outcome staff = host.run({"messages", "inbox", "--as", "portal:drlee"});
  EXPECT_EQ(staff.exit_code, 4);
  EXPECT_TRUE(has(staff.err, "drlee is a staff user, written without portal:")) << staff.err;
}

TEST(Newcomer, APortalUsersSendWithoutToNamesToAndRecipients) {  // R-MSG-3
  EhrHost host;
  host.enable_messaging();
  const Outcome run =
      host.run({"messages", "send", "--as", "portal:hoa", "--patient", "p03", "--body", "Fever"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run.err, "give --to")) << run.err;
  EXPECT_TRUE(has(run.err, "`ehr-host messages recipients --as portal:hoa --patient p03`")) << run.err;
  EXPECT_EQ(host.ok_json({"messages", "inbox", "--as", "portal:hoa"})["thread_count"], 0);
}

TEST(Newcomer, ASendWithoutBodyAtATerminalSaysHowToGiveTheBody) {
  EhrHost host;
  host.enable_messaging();
  const Outcome run =
      host.run_at_terminal({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria"},
                           "Typed at a terminal");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(has(run.err, "Type the message, then press Ctrl-D")) << run.err;
  EXPECT_TRUE(has(run.err, "--body TEXT")) << run.err;
  const auto thread = host.ok_json({"messages", "inbox", "--as", "portal:maria"})["threads"][0]["thread"];
  const auto read =
      host.ok_json({"messages", "read", std::to_string(thread.get<int>()), "--as", "portal:maria"});
  EXPECT_EQ(read["messages"][0]["body"], "Typed at a terminal\n");
  // From a pipe or a file nobody is waiting to type: no prompt.
  EXPECT_TRUE(
      host.ok({"messages", "reply", std::to_string(thread.get<int>()), "--as", "portal:maria"}, "Piped")
          .err.empty());
}

TEST(Newcomer, AnUnknownSettingKeySuggestsTheNearestKeys) {
  EhrHost host;
  host.enable_plugin();
  const Outcome run = host.json({"settings", "set", "--as", "admin", "--general", "audiance=selected_users"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_TRUE(has(run.err, "unknown setting 'audiance'")) << run.err;
  EXPECT_TRUE(has(run.err, "did you mean 'audience'?")) << run.err;
  EXPECT_EQ(run.json()["error"]["field"], "audiance");
  const Outcome two = host.run({"settings", "set", "--as", "admin", "--general", "invitation_txt=Hi"});
  EXPECT_TRUE(has(two.err, "did you mean 'invitation_text'?")) << two.err;
  const Outcome far = host.run({"settings", "set", "--as", "admin", "--general", "colour=blue"});
  EXPECT_EQ(far.exit_code, 3);
  EXPECT_TRUE(has(far.err, "the choices are my_messages, audience,")) << far.err;
  // Nothing was saved.
  EXPECT_EQ(host.ok_json({"settings", "show", "--as", "admin", "--general"})["fields"][1]["value"],
            "care_team_only");
}

TEST(Newcomer, UnknownIdsExitFourEverywhere) {
  EhrHost host;
  host.enable_messaging();
  const std::vector<std::vector<std::string>> commands = {
      {"messages", "send", "--as", "drlee", "--patient", "p99", "--to", "portal:maria", "--body", "x"},
      {"messages", "recipients", "--as", "portal:hoa", "--patient", "p99"},
      {"messages", "explain", "--staff", "drlee", "--patient", "p99"},
      {"messages", "explain", "--staff", "drwho", "--patient", "p01"},
      {"messages", "explain", "--staff", "drlee", "--patient", "p01", "--portal", "nobody"},
      {"messages", "read", "999", "--as", "drlee"},
      {"messages", "reply", "999", "--as", "drlee", "--body", "x"},
      {"messages", "archive", "999", "--as", "drlee"},
      {"messages", "unarchive", "999", "--as", "drlee"},
      {"messages", "participants", "999", "--as", "drlee"},
      {"messages", "add", "999", "--as", "drlee", "--user", "nurse1"},
      {"messages", "inbox", "--as", "drwho"},
      {"settings", "show", "--as", "admin", "--location", "west"},
      {"settings", "reset", "--as", "admin", "--location", "west"},
      {"settings", "show", "--as", "drwho", "--general"},
      {"users", "show", "drwho"},
      {"users", "edit", "drwho", "--as", "admin", "--set", "manage_users=on"},
      {"users", "edit", "drlee", "--as", "admin", "--set", "fly_planes=on"},
      {"roles", "assign", "fly_planes", "--as", "admin", "drlee"},
      {"roles", "assign", "manage_users", "--as", "admin", "drwho"},
      {"roles", "members", "fly_planes", "--as", "admin"},
      {"audit", "list", "--as", "admin", "--patient", "p99"},
      {"portal", "invite", "portal:nobody", "--as", "admin"},
      {"plugins", "info", "no-such-plugin"},
      {"patients", "list", "--as", "drwho"},
  };
  for (const std::vector<std::string>& command : commands) {
    std::string line;
    for (const std::string& arg : command) line += " " + arg;
    const Outcome run = host.json(command);
    EXPECT_EQ(run.exit_code, 4) << line << "\n" << run.err;
    EXPECT_EQ(run.json()["error"]["exit_code"], 4) << line;
  }
}

TEST(Newcomer, RepeatingAnArchiveIsANoOpNotASecondAuditRecord) {  // R-CONV-4, R-AUD-1
  EhrHost host;
  host.enable_messaging();
  const auto sent = host.ok_json(
      {"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hello"});
  const std::string thread = std::to_string(sent["thread"].get<int>());
  host.ok({"messages", "archive", thread, "--as", "portal:maria"});
  host.ok({"messages", "archive", thread, "--as", "portal:maria"});
  int archives = 0;
  const auto audit = host.ok_json({"audit", "list", "--as", "admin", "--patient", "p01"});
  for (const auto& record : audit["records"]) {
    if (record["action"] == "thread.archive") ++archives;
  }
  EXPECT_EQ(archives, 1);
  host.ok({"audit", "verify"});
}

TEST(Newcomer, MultiLineSettingValuesShowAsIndentedLines) {
  EhrHost host;
  host.enable_plugin();
  host.ok({"settings", "set", "--as", "admin", "--general",
           "invitation_text=Hello {{recipient_first_name}},\nline two\n\tindented line three"});
  const Outcome show = host.ok({"settings", "show", "--as", "admin", "--general"});
  EXPECT_TRUE(has(show.out,
                  "        | Hello {{recipient_first_name}},\n"
                  "        | line two\n"
                  "        | \tindented line three\n"))
      << show.out;
  // Still one value: --json has it whole.
  bool found = false;
  const auto page = host.ok_json({"settings", "show", "--as", "admin", "--general"});
  for (const auto& field : page["fields"]) {
    if (field["key"] != "invitation_text") continue;
    found = true;
    EXPECT_EQ(field["value"], "Hello {{recipient_first_name}},\nline two\n\tindented line three");
  }
  EXPECT_TRUE(found);
}

TEST(Newcomer, ARefusalIsOneLineWithoutStackedPrefixes) {
  EhrHost host;
  host.enable_plugin();
  const Outcome run = host.json({"settings", "show", "--as", "drlee", "--general"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.err.find("ehr-host: "), 0u) << run.err;
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "one line: " << run.err;
  EXPECT_FALSE(has(run.err, "forbidden:")) << run.err;
  EXPECT_TRUE(has(run.err, "may not open Portal Settings")) << run.err;
  EXPECT_EQ(run.json()["error"]["status"], "forbidden");  // the status word stays for machines
  const Outcome unknown = host.run({"users", "show", "drwho"});
  EXPECT_EQ(unknown.err, "ehr-host: unknown user 'drwho'\n");
}

}  // namespace
}  // namespace ehr::sample::cli_test
