// Bad input everywhere (issue 7): oversized or deeply nested XML, non-UTF-8 bodies, unknown ids,
// another patient's thread, principals that do not exist. Each is refused with an error that
// names the problem, and nothing stored changes (refusals themselves are audited, by design).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "practice_file.hpp"
#include "support/reliability_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::reliability {
namespace {

namespace fs = std::filesystem;
namespace host = ehr::host;
using host::Principal;

std::string nested(int depth, const std::string& open, const std::string& close) {
  std::string xml;
  xml.reserve(depth * (open.size() + close.size()));
  for (int i = 0; i < depth; ++i) xml += open;
  for (int i = 0; i < depth; ++i) xml += close;
  return xml;
}

class BadInput : public ::testing::Test {
 protected:
  BadInput() {
    const auto started = host_.channel().start_thread(
        {Principal::staff("drlee"), "p1", {Principal::portal_user("pat1")}, "hello", "first message"});
    if (!started) throw std::runtime_error(started.status().to_string());
    thread_id_ = started->thread_id;
  }

  // What a person could notice changed: threads and messages each side sees, settings, roles.
  std::string snapshot() {
    std::string out;
    for (const Principal& who : {Principal::staff("drlee"), Principal::portal_user("pat1"),
                                 Principal::portal_user("pat2"), Principal::staff("nurse")}) {
      const auto threads = host_.channel().list_threads({who});
      out +=
          who.id + ":" + (threads ? std::to_string(threads->threads.size()) : threads.status().to_string());
      if (threads) {
        for (const auto& t : threads->threads)
          out += " [" + std::to_string(t.thread_id) + " " + std::to_string(t.message_count) + " " +
                 std::to_string(t.unread_count) + (t.archived ? " a" : "") + "]";
      }
      out += "\n";
    }
    for (const char* location : {"", "north", "south"}) {
      const auto effective = host_.settings().effective(location);
      for (const auto& s : *effective) out += std::string(location) + "." + s.key + "=" + s.value + "\n";
    }
    for (const char* user : {"admin", "drlee", "nurse"}) {
      const auto roles = host_.roles().roles_of(user);
      for (const auto& r : *roles) out += std::string(user) + " holds " + r + "\n";
    }
    return out;
  }

  template <class T>
  static host::Status status_of(const host::Result<T>& result) {
    return result.status();
  }
  static host::Status status_of(const host::Status& status) { return status; }

  // The call is refused with `code` and words that mention `mentions`, and nothing changes.
  template <class Call>
  void expect_refused(const char* what, Call call, ehr_status code, const std::string& mentions) {
    SCOPED_TRACE(what);
    const std::string before = snapshot();
    const host::Status status = status_of(call());
    ASSERT_FALSE(status) << "accepted";
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_NE((status.message() + " " + status.field()).find(mentions), std::string::npos)
        << "the error does not name '" << mentions << "': " << status;
    EXPECT_EQ(snapshot(), before) << "something stored changed";
  }

  ehr::portal::test::TempDir dir_;
  ReliabilityHost host_{ReliabilityHost::in(dir_ / "host")};
  std::int64_t thread_id_ = 0;
};

TEST_F(BadInput, R_CONV_1_NonUtf8AndOversizedBodiesAreRefusedNotTruncated) {
  const host::MessagingChannel channel = host_.channel();
  for (const std::string& body :
       {std::string("caf\xC3"), std::string("\xC0\xAF"), std::string("a\xED\xA0\x80z"),
        std::string("\xF4\x90\x80\x80"), std::string("\xFF\xFE")}) {
    expect_refused(
        "non-UTF-8 body",
        [&] {
          return channel.reply({Principal::staff("drlee"), thread_id_, body});
        },
        EHR_STATUS_INVALID_ARGUMENT, "body");
  }
  expect_refused(
      "oversized body",
      [&] {
        return channel.reply({Principal::staff("drlee"), thread_id_, std::string(10'001, 'x')});
      },
      EHR_STATUS_INVALID_ARGUMENT, "10000");
  expect_refused(
      "huge body",
      [&] {
        return channel.start_thread({Principal::staff("drlee"), "p1", {}, "", std::string(64 << 20, 'x')});
      },
      EHR_STATUS_INVALID_ARGUMENT, "body");
  expect_refused(
      "non-UTF-8 subject",
      [&] {
        return channel.start_thread({Principal::staff("drlee"), "p1", {}, "\xC3(", "fine body"});
      },
      EHR_STATUS_INVALID_ARGUMENT, "subject");
}

TEST_F(BadInput, R_CONV_3_UnknownThreadAndAnotherPatientsThreadAreRefused) {
  const host::MessagingChannel channel = host_.channel();
  for (std::int64_t unknown : {std::int64_t{987654}, std::int64_t{0}, std::int64_t{-1}}) {
    expect_refused(
        "read unknown thread", [&] { return channel.read_thread(Principal::staff("drlee"), unknown); },
        channel.read_thread(Principal::staff("drlee"), unknown).status().code(), "thread");
    expect_refused(
        "reply to unknown thread",
        [&] {
          return channel.reply({Principal::staff("drlee"), unknown, "hi"});
        },
        channel.reply({Principal::staff("drlee"), unknown, "hi"}).status().code(), "thread");
  }
  // pat2 is a contact on p2 only; thread_id_ is about p1.
  expect_refused(
      "read another patient's thread",
      [&] { return channel.read_thread(Principal::portal_user("pat2"), thread_id_); }, EHR_STATUS_FORBIDDEN,
      "");
  expect_refused(
      "reply in another patient's thread",
      [&] {
        return channel.reply({Principal::portal_user("pat2"), thread_id_, "let me in"});
      },
      EHR_STATUS_FORBIDDEN, "");
  expect_refused(
      "archive another patient's thread",
      [&] { return channel.set_archived(Principal::portal_user("pat2"), thread_id_, true); },
      EHR_STATUS_FORBIDDEN, "");
  expect_refused(
      "staff not in the thread", [&] { return channel.read_thread(Principal::staff("nurse"), thread_id_); },
      EHR_STATUS_FORBIDDEN, "");
}

TEST_F(BadInput, PrincipalsAndPatientsThatDoNotExistAreRefused) {
  const host::MessagingChannel channel = host_.channel();
  expect_refused(
      "unknown staff sender",
      [&] {
        return channel.start_thread({Principal::staff("ghost"), "p1", {}, "", "boo"});
      },
      EHR_STATUS_FORBIDDEN, "ghost");
  expect_refused(
      "unknown portal sender",
      [&] {
        return channel.reply({Principal::portal_user("ghost"), thread_id_, "boo"});
      },
      EHR_STATUS_FORBIDDEN, "");
  expect_refused(
      "unknown recipient",
      [&] {
        return channel.start_thread(
            {Principal::staff("drlee"), "p1", {Principal::portal_user("ghost")}, "", "hi"});
      },
      EHR_STATUS_FORBIDDEN, "");
  expect_refused(
      "unknown patient",
      [&] {
        return channel.start_thread({Principal::staff("drlee"), "p404", {}, "", "hi"});
      },
      EHR_STATUS_FORBIDDEN, "patient is not known");
  expect_refused(
      "inbox of nobody", [&] { return channel.list_threads({Principal::portal_user("ghost")}); },
      EHR_STATUS_FORBIDDEN, "");
}

TEST_F(BadInput, R_SET_6_SettingsFromUnknownActorsKeysAndLocationsAreRefused) {
  const host::SettingsPages settings = host_.settings();
  expect_refused(
      "unknown actor",
      [&] {
        return settings.save_page("ghost", "", {{"my_messages", "on"}});
      },
      EHR_STATUS_FORBIDDEN, "");
  expect_refused(
      "unknown key",
      [&] {
        return settings.save_page("admin", "", {{"colour", "blue"}});
      },
      EHR_STATUS_INVALID_ARGUMENT, "colour");
  expect_refused(
      "wrong type",
      [&] {
        return settings.save_page("admin", "", {{"my_messages", "maybe"}});
      },
      EHR_STATUS_INVALID_ARGUMENT, "my_messages");
  expect_refused(
      "unknown location",
      [&] {
        return settings.save_page("admin", "atlantis", {{"my_messages", "on"}});
      },
      EHR_STATUS_NOT_FOUND, "atlantis");
  expect_refused(
      "non-UTF-8 value",
      [&] {
        return settings.save_page("admin", "", {{"audience", "\xC3"}});
      },
      EHR_STATUS_INVALID_ARGUMENT, "audience");
}

TEST_F(BadInput, R_ROLE_4_RoleChangesForUnknownUsersRolesAndActorsAreRefused) {
  host::RoleStore& roles = host_.roles();
  expect_refused(
      "unknown user", [&] { return roles.set_role("admin", "ghost", "available_for_portal_messages", true); },
      EHR_STATUS_NOT_FOUND, "ghost");
  expect_refused(
      "unknown role", [&] { return roles.set_role("admin", "nurse", "root", true); }, EHR_STATUS_NOT_FOUND,
      "root");
  expect_refused(
      "unknown actor", [&] { return roles.set_role("ghost", "nurse", "manage_portal_settings", true); },
      EHR_STATUS_NOT_FOUND, "ghost");
  expect_refused(
      "bulk with one unknown user",
      [&] {
        return roles.assign_selected("admin", "manage_portal_settings", {"nurse", "ghost"});
      },
      EHR_STATUS_NOT_FOUND, "ghost");
}

// Manifests next to the real plugin: a huge one and a deeply nested one are refused naming the
// file; the real plugin still loads and works.
TEST(BadXml, OversizedAndDeeplyNestedManifestsAreRefusedAndTheHostGoesOn) {
  ehr::portal::test::TempDir dir;
  const fs::path plugins = dir / "plugins";
  fs::create_directories(plugins);
  for (const auto& entry : fs::directory_iterator(EHR_TEST_PLUGINS_DIR))
    fs::copy(entry.path(), plugins / entry.path().filename());
  {
    std::ofstream(plugins / "deep.plugin.xml") << nested(200'000, "<plugin>", "</plugin>");
    std::ofstream huge(plugins / "huge.plugin.xml");
    huge << "<plugin id=\"huge\" version=\"1\"><name>";
    huge << std::string(32 << 20, 'x');
    huge << "</name></plugin>";
  }
  ReliabilityHost::Options options = ReliabilityHost::in(dir / "host");
  options.plugins_directory = plugins;
  ReliabilityHost host(options);
  int refused = 0;
  for (const host::PluginInfo& plugin : host.plugins().list()) {
    const std::string file = plugin.manifest_path.filename().string();
    if (file == "deep.plugin.xml" || file == "huge.plugin.xml") {
      EXPECT_FALSE(plugin.failure) << file << " was accepted";
      EXPECT_NE(plugin.failure.message().find(file), std::string::npos) << plugin.failure;
      ++refused;
    }
  }
  EXPECT_EQ(refused, 2);
  const auto sent = host.channel().start_thread({Principal::staff("drlee"), "p1", {}, "", "still working"});
  EXPECT_TRUE(sent) << sent.status();
}

TEST(BadXml, DeeplyNestedOversizedAndNonUtf8PracticeFilesAreRefusedWithTheFileName) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"deeply nested", nested(200'000, "<practice>", "</practice>")},
      {"oversized", "<practice master=\"false\"><company name=\"" + std::string(32 << 20, 'x') +
                        "\" address=\"\" phone=\"\"/>" + nested(100'000, "<user>", "</user>") +
                        "</practice>"},
      {"not UTF-8",
       "<practice master=\"false\"><company name=\"Caf\xC3\" address=\"\" phone=\"\"/></practice>"},
  };
  for (const auto& [what, xml] : files) {
    SCOPED_TRACE(what);
    try {
      (void)ehr::sample::parse_practice(xml, "bad-practice.xml");
      ADD_FAILURE() << "accepted";
    } catch (const ehr::sample::PracticeFileError& e) {
      EXPECT_EQ(e.file(), "bad-practice.xml");
      EXPECT_FALSE(e.problem().empty());
    }
  }
}

}  // namespace
}  // namespace ehr::reliability
