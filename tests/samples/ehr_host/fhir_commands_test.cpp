// ehr-host fhir export|import: a chart's conversations as a FHIR R4 Bundle, out and in, through
// the real plugin and the real SDK (issue 14). The independent validation of every exported
// resource is scripts/fhir-test (ctest FhirExport.*).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ehr_host_process.hpp"

namespace ehr::sample::cli_test {
namespace {

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// p01's conversations on `host`: two threads, four messages, one of them read.
void converse(const EhrHost& host) {
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--subject",
           "Lab results", "--body", "Your results are normal."});
  host.ok(
      {"messages", "reply", "1", "--as", "portal:maria", "--body", "Thank you!\nShould I book a follow-up?"});
  host.ok({"messages", "read", "1", "--as", "drlee"});
  host.ok({"messages", "send", "--as", "portal:maria", "--patient", "p01", "--to", "nurse1", "--body",
           "Can I get my vaccination record?"});
  host.ok({"messages", "reply", "2", "--as", "nurse1", "--body", "It is in the portal under Records."});
}

std::filesystem::path export_p01(const EhrHost& host, const std::string& name) {
  const std::filesystem::path file = host.temp.path() / name;
  host.ok({"fhir", "export", "--patient", "p01", "--as", "drlee", "--out", file.string()});
  return file;
}

// The Bundle without the time it was made: what must not change across a round trip.
nlohmann::json content(const std::filesystem::path& file) {
  nlohmann::json bundle = nlohmann::json::parse(read_file(file));
  bundle.erase("timestamp");
  return bundle;
}

std::size_t count_of(const nlohmann::json& bundle, const std::string& type) {
  std::size_t count = 0;
  for (const auto& entry : bundle["entry"]) count += entry["resource"]["resourceType"] == type ? 1 : 0;
  return count;
}

std::size_t audit_actions(const EhrHost& host, const std::string& action) {
  std::size_t count = 0;
  const nlohmann::json records =
      host.ok_json({"audit", "list", "--as", "admin", "--patient", "p01"})["records"];
  for (const auto& record : records) count += record["action"] == action ? 1 : 0;
  return count;
}

TEST(FhirCommands, ExportImportIntoAnEmptyStoreExportsTheSameContent) {
  EhrHost first;
  first.enable_messaging();
  converse(first);
  const std::filesystem::path exported = export_p01(first, "first.json");
  const nlohmann::json bundle = content(exported);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  EXPECT_EQ(count_of(bundle, "Communication"), 6u);  // 2 threads, 4 messages
  EXPECT_EQ(count_of(bundle, "CareTeam"), 1u);
  EXPECT_EQ(count_of(bundle, "Location"), 1u);
  EXPECT_NE(bundle.dump().find("\"alias\":[\"Northside Family Care\"]"), std::string::npos);
  EXPECT_EQ(audit_actions(first, "chart.export"), 1u);
  // Only Maria's reply has been read by a recipient (Dr. Lee): the one message with `received`.
  std::size_t received = 0;
  for (const auto& entry : bundle["entry"]) received += entry["resource"].contains("received") ? 1 : 0;
  EXPECT_EQ(received, 1u);

  EhrHost second;  // an empty store on the same practice
  second.enable_messaging();
  const nlohmann::json imported = second.ok_json({"fhir", "import", exported.string(), "--as", "drlee"});
  EXPECT_EQ(imported["threads_added"], 2);
  EXPECT_EQ(imported["messages_added"], 4);
  EXPECT_EQ(audit_actions(second, "message.import"), 4u);  // every imported message audited
  EXPECT_EQ(content(export_p01(second, "second.json")), bundle);

  // The imported threads are conversations like any other.
  const nlohmann::json inbox = second.ok_json({"messages", "inbox", "--as", "portal:maria"});
  EXPECT_EQ(inbox["thread_count"], 2);
  const nlohmann::json read = second.ok_json({"messages", "read", "1", "--as", "portal:maria"});
  ASSERT_EQ(read["messages"].size(), 2u);
  EXPECT_EQ(read["messages"][1]["body"], "Thank you!\nShould I book a follow-up?");
}

TEST(FhirCommands, ImportingTheSameBundleTwiceAddsNothing) {
  EhrHost first;
  first.enable_messaging();
  converse(first);
  const std::filesystem::path exported = export_p01(first, "first.json");
  // Into the store it came from: its own identifiers are recognised.
  const nlohmann::json again = first.ok_json({"fhir", "import", exported.string(), "--as", "drlee"});
  EXPECT_EQ(again["threads_added"], 0);
  EXPECT_EQ(again["messages_added"], 0);

  EhrHost second;
  second.enable_messaging();
  second.ok({"fhir", "import", exported.string(), "--as", "drlee"});
  const nlohmann::json twice = second.ok_json({"fhir", "import", exported.string(), "--as", "nurse1"});
  EXPECT_EQ(twice["threads_added"], 0);
  EXPECT_EQ(twice["messages_added"], 0);
  EXPECT_EQ(audit_actions(second, "message.import"), 4u);
  EXPECT_EQ(content(export_p01(second, "second.json")), content(exported));

  // A later message in the first store travels alone in the next export.
  first.ok({"messages", "reply", "1", "--as", "drlee", "--body", "Yes, in three months."});
  const nlohmann::json more =
      second.ok_json({"fhir", "import", export_p01(first, "third.json").string(), "--as", "drlee"});
  EXPECT_EQ(more["threads_added"], 0);
  EXPECT_EQ(more["messages_added"], 1);
}

TEST(FhirCommands, ABundleNamingAnUnknownPersonIsRefusedAndNothingIsStored) {
  EhrHost first;
  first.enable_messaging();
  converse(first);
  std::string text = read_file(export_p01(first, "first.json"));
  // nurse1 is only on the second thread: the first is valid, and still not stored.
  for (std::size_t at = text.find("\"value\": \"nurse1\""); at != std::string::npos;
       at = text.find("\"value\": \"nurse1\"", at)) {
    text.replace(at, 17, "\"value\": \"ghost7\"");
  }
  const std::filesystem::path changed = first.temp.path() / "ghost.json";
  write_file(changed, text);

  EhrHost second;
  second.enable_messaging();
  const Outcome run = second.json({"fhir", "import", changed.string(), "--as", "drlee"});
  EXPECT_EQ(run.exit_code, 4);  // an unknown id, as everywhere in ehr-host
  EXPECT_NE(run.err.find("staff user 'ghost7'"), std::string::npos) << run.err;
  EXPECT_EQ(run.json()["error"]["reason"], "unknown_user");
  EXPECT_EQ(second.ok_json({"messages", "inbox", "--as", "drlee"})["thread_count"], 0);
  EXPECT_EQ(count_of(content(export_p01(second, "second.json")), "Communication"), 0u);
  EXPECT_EQ(audit_actions(second, "message.import"), 0u);
  EXPECT_EQ(audit_actions(second, "chart.import"), 1u);  // the refusal
}

TEST(FhirCommands, AnExportIsRefusedToAnyoneWithoutAccessToTheChart) {
  EhrHost host;
  host.enable_messaging();
  converse(host);
  const std::filesystem::path file = host.temp.path() / "refused.json";
  // drkim lacks the messaging role; Maria is a portal user; drwexler is inactive.
  for (const auto& [who, reason] : std::vector<std::pair<std::string, std::string>>{
           {"drkim", "staff_lacks_role"}, {"portal:maria", ""}, {"drwexler", "staff_inactive"}}) {
    const Outcome run =
        host.json({"fhir", "export", "--patient", "p01", "--as", who, "--out", file.string()});
    EXPECT_EQ(run.exit_code, 3) << who;
    EXPECT_FALSE(run.err.empty()) << who;
    EXPECT_EQ(run.json()["error"]["status"], "forbidden") << who;
    if (!reason.empty()) {
      EXPECT_EQ(run.json()["error"]["reason"], reason) << who;
    }
    EXPECT_FALSE(std::filesystem::exists(file)) << who;
  }
  EXPECT_EQ(audit_actions(host, "chart.export"), 3u);  // each refusal audited
}

TEST(FhirCommands, ABundleThatDoesNotFollowTheTableIsRefusedNamingWhere) {
  EhrHost host;
  host.enable_messaging();
  const std::filesystem::path file = host.temp.path() / "bad.json";
  write_file(file, R"({"resourceType": "Bundle", "type": "collection", "entry": [{"resource":
    {"resourceType": "Communication", "id": "x", "status": "completed", "sent": "2026-12-01T10:00:00Z",
     "subject": {"reference": "Patient/p01"}}}]})");
  const Outcome run = host.run({"fhir", "import", file.string(), "--as", "drlee"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("entry[0] Communication 'x'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing was imported"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ehr::sample::cli_test
