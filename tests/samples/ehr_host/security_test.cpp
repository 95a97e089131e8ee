// ehr-host as another local account would see it: files (R-SEC-2) and text (R-SEC-1).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "ehr_host_process.hpp"
#include "temp_directory.hpp"

namespace ehr::sample::cli_test {
namespace {

namespace fs = std::filesystem;

// Sets the process umask (inherited by the ehr-host the test runs) and restores it.
class Umask {
 public:
  explicit Umask(mode_t mask) : previous_(::umask(mask)) {}
  ~Umask() { ::umask(previous_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t previous_;
};

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(FilesArePrivate, R_SEC_2_AnotherLocalAccountCanReadNothingWhateverTheUmask) {
  EhrHost host;
  const Umask wide_open(000);
  // An admin with a lax umask made the data directory beforehand: the host narrows it.
  host.data_directory = host.temp.path() / "data";
  fs::create_directory(host.data_directory);
  ASSERT_EQ(mode_of(host.data_directory), 0777);

  host.enable_messaging();
  host.ok({"portal", "invite", "portal:maria", "--as", "admin"});
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--subject",
           "Your lab results", "--body", "Your results are normal."});
  host.ok({"audit", "verify"});

  std::size_t files = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(host.data_directory)) {
    const mode_t mode = mode_of(entry.path());
    if (entry.is_directory()) {
      EXPECT_EQ(mode, 0700) << entry.path() << " is mode " << std::oct << mode;
    } else {
      ++files;
      EXPECT_EQ(mode, 0600) << entry.path() << " is mode " << std::oct << mode;
    }
  }
  EXPECT_EQ(mode_of(host.data_directory), 0700);
  // The plugin's database with its -wal and -shm (kept between runs), the notification store,
  // plugins.state, the role store, the host audit copy and the key file at least.
  EXPECT_GE(files, 8u);
  // "keys": the reference host creates its key file on first start (R-SEC-2), private like the rest.
  for (const char* expected :
       {"plugins.state", "host-audit.jsonl", "notifications.sqlite3", "roles.sqlite3", "keys"})
    EXPECT_TRUE(fs::exists(host.data_directory / expected)) << expected;
  for (const char* database : {"portal.db", "portal.db-wal", "portal.db-shm"})
    EXPECT_TRUE(fs::exists(host.data_directory / "plugins" / "portal-messaging" / database)) << database;
}

// `keys rotate`: a new current data key in the 0600 key file (the old one kept), everything
// re-encrypted under it, nothing unreadable afterwards, and the rotation audited.
TEST(KeyRotation, R_SEC_2_KeysRotateReencryptsEverythingUnderANewKeyAndKeepsTheOldOne) {
  EhrHost host;
  host.enable_messaging();
  host.ok({"portal", "invite", "portal:maria", "--as", "admin"});
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--subject",
           "Your lab results", "--body", "Your results are normal."});
  ASSERT_EQ(mode_of(host.data_directory / "keys"), 0600);
  const nlohmann::json rotated = host.ok_json({"keys", "rotate", "--as", "admin", "--batch", "1"});
  EXPECT_EQ(rotated["new_key"], true);
  EXPECT_EQ(rotated["key_id"], 3) << "keys 1 (data) and 2 (audit) were made on first start";
  EXPECT_EQ(rotated["reencrypted"], 2) << "the subject and the body";
  const nlohmann::json listed = host.ok_json({"keys", "list", "--as", "admin"});
  ASSERT_EQ(listed["keys"].size(), 3u);
  EXPECT_EQ(listed["keys"][2]["current"], true);
  EXPECT_EQ(listed.dump().find("\"bytes\""), std::string::npos);
  const nlohmann::json read = host.ok_json({"messages", "read", "1", "--as", "portal:maria"});
  EXPECT_NE(read.dump().find("Your results are normal."), std::string::npos) << read.dump();
  EXPECT_NE(host.ok({"audit", "list", "--as", "admin"}).out.find("keys.rotate"), std::string::npos);
  EXPECT_EQ(host.run({"keys", "rotate", "--as", "admin", "--batch", "0"}).exit_code, 2);
}

// The reference host's notification store keeps the portal users' addresses sealed under the
// data key: not in notifications.sqlite3 (or its -wal), re-encrypted by `keys rotate`, shown in
// clear by `notifications list` to a holder of manage_portal_settings.
TEST(KeyRotation, R_SEC_2_NotificationAddressesAreSealedAndKeysRotateReencryptsThem) {
  EhrHost host;
  host.enable_messaging();
  host.ok({"portal", "invite", "portal:maria", "--as", "admin"});
  const auto raw = [&host] {
    std::string bytes;
    for (const char* name : {"notifications.sqlite3", "notifications.sqlite3-wal"}) {
      std::ifstream in(host.data_directory / name, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  };
  ASSERT_NE(raw().find("portal:maria"), std::string::npos) << "the invitation was delivered";
  EXPECT_EQ(raw().find("maria.alvarez@mail.example"), std::string::npos);

  const nlohmann::json rotated = host.ok_json({"keys", "rotate", "--as", "admin", "--batch", "1"});
  EXPECT_GE(rotated["notification_addresses_reencrypted"].get<int>(), 1) << rotated.dump();
  EXPECT_NE(host.ok({"keys", "rotate", "--as", "admin"}).out.find("notification address"), std::string::npos);
  EXPECT_EQ(raw().find("maria.alvarez@mail.example"), std::string::npos);
  const nlohmann::json listed = host.ok_json({"notifications", "list", "--as", "admin"});
  EXPECT_NE(listed.dump().find("\"address\":\"maria.alvarez@mail.example\""), std::string::npos)
      << listed.dump();
}

// The payloads an attacker tried (issue 13): each is refused where it enters, naming the field
// and the character, and nothing is stored.
TEST(InertText, R_SEC_1_ACarriageReturnInASubjectCannotForgeAnInboxLine) {
  EhrHost host;
  host.enable_messaging();
  const Outcome run =
      host.json({"messages", "send", "--as", "portal:maria", "--patient", "p01", "--to", "drlee", "--subject",
                 "Refill\r  12  2026-01-01  drlee  URGENT: call 555-0100", "--body", "Hello"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.json()["error"]["field"], "subject");
  EXPECT_NE(run.err.find("U+000D"), std::string::npos) << run.err;
  EXPECT_EQ(host.ok_json({"messages", "inbox", "--as", "drlee"})["thread_count"], 0);
}

TEST(InertText, R_SEC_1_C1AndBidiControlsAreRefusedInSubjectsAndBodies) {
  EhrHost host;
  host.enable_messaging();
  const std::vector<std::pair<std::string, std::string>> payloads = {
      {"--body",
       "Results \xc2\x9b"
       "31m ready"},  // U+009B CSI
      {"--subject",
       "Invoice \xe2\x80\xae"
       "fdp.exe"},  // U+202E RIGHT-TO-LEFT OVERRIDE
      {"--body",
       "a \xe2\x81\xa6"
       "isolated"},  // U+2066 LEFT-TO-RIGHT ISOLATE
      {"--body", "bell \x07 and escape \x1b[2J"},
  };
  for (const auto& [option, text] : payloads) {
    std::vector<std::string> args = {"messages",  "send", "--as", "drlee",
                                     "--patient", "p01",  "--to", "portal:maria"};
    args.insert(args.end(), {option, text});
    if (option == "--subject") args.insert(args.end(), {"--body", "Hello"});
    const Outcome run = host.json(args);
    EXPECT_EQ(run.exit_code, 3) << option << ": " << run.err;
    EXPECT_EQ(run.json()["error"]["field"], option.substr(2)) << run.out;
    EXPECT_NE(run.err.find("control character U+"), std::string::npos) << run.err;
  }
  // Line breaks and tabs are what a body may hold besides printable text.
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body",
           "Dear Maria,\n\tyour results are normal."});
  EXPECT_EQ(host.ok_json({"messages", "inbox", "--as", "portal:maria"})["thread_count"], 1);
}

TEST(InertText, R_SEC_1_AnEscapeInANotificationTemplateIsRefused) {
  EhrHost host;
  host.enable_messaging();
  const Outcome run = host.json(
      {"settings", "set", "--as", "admin", "--general", "new_message_subject=New message \x1b[8m hidden"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("U+001B"), std::string::npos) << run.err;
}

TEST(InertText, R_SEC_1_ControlsInAPracticeNameAreRefusedAsReferencesToo) {
  for (const char* reference : {"&#27;[2J", "&#0;", "&#x9b;", "&#x202E;"}) {
    EhrHost host;
    host.practice_file = host.temp.path() / "practice.xml";
    std::ofstream(host.practice_file)
        << "<practice><company name=\"Riverbend" << reference << " Health\"/></practice>\n";
    const Outcome run = host.run({"plugins", "list"});
    EXPECT_EQ(run.exit_code, 1) << reference;
    EXPECT_NE(run.err.find("is a control character"), std::string::npos) << reference << ": " << run.err;
    EXPECT_EQ(run.err.find('\x1b'), std::string::npos);
  }
}

TEST(InertText, R_SEC_1_AnUnknownPatientIdIsShownWithItsControlsVisible) {
  EhrHost host;
  host.enable_plugin();
  const Outcome run =
      host.run({"audit", "list", "--as", "admin", "--patient", "p99\x1b]0;owned\x07\r\xc2\x9b"});
  EXPECT_EQ(run.exit_code, 4);
  for (const char raw : {'\x1b', '\x07', '\r'}) EXPECT_EQ(run.err.find(raw), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(run.err.find("p99\\x1b]0;owned\\x07\\r\\u009b"), std::string::npos) << run.err;
  const Outcome json = host.json({"audit", "list", "--as", "admin", "--patient", "x\xe2\x80\xae"});
  EXPECT_EQ(json.out.find("\xe2\x80\xae"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\\u202e"), std::string::npos) << json.out;
}

TEST(LooseEnds, CommandsShowingPhiOrConfigurationNeedAnActingUserWithTheRole) {
  EhrHost host;
  host.enable_messaging();
  const std::vector<std::vector<std::string>> commands = {{"settings", "effective"},
                                                          {"audit", "list"},
                                                          {"notifications", "list"},
                                                          {"roles", "members", "manage_users"}};
  for (std::vector<std::string> command : commands) {
    EXPECT_EQ(host.run(command).exit_code, 2) << command[0] << " " << command[1] << " without --as";
    command.insert(command.end(), {"--as", "drlee"});
    const Outcome refused = host.run(command);
    EXPECT_EQ(refused.exit_code, 3) << command[0] << " " << command[1] << ": " << refused.err;
    EXPECT_NE(refused.err.find("drlee may not"), std::string::npos) << refused.err;
    EXPECT_TRUE(refused.out.empty()) << refused.out;
    command.back() = "admin";
    host.ok(command);
  }
}

TEST(LooseEnds, AHugeBodyOnStdinIsRefusedWithoutBeingReadWhole) {
  EhrHost host;
  host.enable_messaging();
  const Outcome run =
      host.run({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria"},
               std::string(8u << 20, 'x'));
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("the body on stdin is longer than 1048576 bytes"), std::string::npos) << run.err;
  EXPECT_EQ(host.ok_json({"messages", "inbox", "--as", "portal:maria"})["thread_count"], 0);
}

std::string run_ehr_sign(const std::string& args) {
  std::string out;
  FILE* pipe = ::popen((std::string(EHR_SIGN_BINARY) + " " + args).c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << args;
  return out;
}

std::string plugin_failure_cause(const EhrHost& host, const std::vector<std::string>& globals) {
  std::vector<std::string> args = globals;
  args.insert(args.end(), {"plugins", "list"});
  const nlohmann::json listed = host.ok_json(args);
  for (const auto& plugin : listed["plugins"])
    if (plugin["id"] == "portal-messaging")
      return plugin["state"] == "failed" ? plugin["failure"]["cause"].get<std::string>() : "loaded";
  return "absent";
}

// The SDK checks signatures; the reference host lets its admin use that (issue 13).
TEST(PluginSignatures, TrustedKeysAndRequireSignaturesDecideWhatLoads) {
  EhrHost host;
  const fs::path copy = host.temp.path() / "signed-plugins";
  fs::copy(host.plugins_directory, copy, fs::copy_options::recursive);
  host.plugins_directory = copy;
  host.enable_plugin();
  EXPECT_EQ(plugin_failure_cause(host, {}), "loaded");
  EXPECT_EQ(plugin_failure_cause(host, {"--require-signatures"}), "signature missing");

  const fs::path vendor_key = host.temp.path() / "vendor.key";
  const fs::path keys = host.temp.path() / "trusted-keys";
  std::ofstream(keys) << "# keys of the vendors this host trusts\n\n"
                      << run_ehr_sign("keygen vendor-2026 " + vendor_key.string());
  run_ehr_sign("sign " + vendor_key.string() + " " + (copy / "portal-messaging.plugin.xml").string());
  EXPECT_EQ(plugin_failure_cause(host, {"--trusted-keys", keys.string(), "--require-signatures"}), "loaded");
  // Signed, but by a key this host does not trust.
  const fs::path other_keys = host.temp.path() / "other-keys";
  std::ofstream(other_keys) << run_ehr_sign("keygen other " + (host.temp.path() / "other.key").string());
  EXPECT_EQ(plugin_failure_cause(host, {"--trusted-keys", other_keys.string(), "--require-signatures"}),
            "signature invalid");

  std::ofstream(host.temp.path() / "bad-keys") << "vendor-2026\n";
  const Outcome bad =
      host.run({"--trusted-keys", (host.temp.path() / "bad-keys").string(), "plugins", "list"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad-keys:1: expected \"KEY_ID PUBLIC_KEY_BASE64\""), std::string::npos) << bad.err;
}

// A small file system of its own, filled to the last block (needs root to mount; CI runs as root).
class FullDisk {
 public:
  explicit FullDisk(const fs::path& mount_point) : mount_point_(mount_point) {
    fs::create_directory(mount_point_);
    mounted_ = std::system(("mount -t tmpfs -o size=4m tmpfs '" + mount_point_.string() + "'").c_str()) == 0;
  }
  ~FullDisk() {
    if (mounted_) (void)std::system(("umount '" + mount_point_.string() + "'").c_str());
  }
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;
  [[nodiscard]] bool mounted() const { return mounted_; }
  // Writes until the file system refuses another byte.
  void fill() const {
    (void)std::system(
        ("dd if=/dev/zero of='" + (mount_point_ / "filler").string() + "' bs=4096 2>/dev/null").c_str());
    (void)std::system(
        ("dd if=/dev/zero of='" + (mount_point_ / "filler2").string() + "' bs=1 2>/dev/null").c_str());
  }

 private:
  fs::path mount_point_;
  bool mounted_ = false;
};

// At 100% disk what is stored stays readable: starting the host and the commands that only read
// must not need new space (no table created, no write transaction on start).
TEST(LooseEnds, ReadOnlyCommandsWorkOnAFullDisk) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small file system needs root";
  EhrHost host;
  const FullDisk disk(host.temp.path() / "disk");
  ASSERT_TRUE(disk.mounted());
  host.data_directory = host.temp.path() / "disk" / "data";
  host.enable_messaging();
  host.ok(
      {"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hello"});
  disk.fill();
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"plugins", "list"},
                                             {"settings", "show", "--as", "admin"},
                                             {"settings", "effective", "--as", "admin"},
                                             {"audit", "verify"},
                                             {"audit", "list", "--as", "admin"},
                                             {"notifications", "list", "--as", "admin"},
                                             {"roles", "members", "manage_users", "--as", "admin"}})
    host.ok(command);
  // A write is refused with a clear error, and nothing is half-stored.
  const Outcome refused = host.run(
      {"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hi"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_FALSE(refused.err.empty());
  fs::remove(host.temp.path() / "disk" / "filler");
  host.ok({"audit", "verify"});
  EXPECT_EQ(host.ok_json({"messages", "inbox", "--as", "portal:maria"})["thread_count"], 1);
}

// docs/admins.md, Security: the backup procedure (stop the host, archive the whole data directory
// with its modes, restore it whole) gives back every message and an audit chain that verifies,
// and the restored files are as private as the originals.
TEST(BackupRestore, AWholeDataDirectoryArchiveRestoresMessagesAuditAndModes) {
  EhrHost host;
  host.enable_messaging();
  host.ok(
      {"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Results"});
  host.ok({"messages", "reply", "1", "--as", "portal:maria", "--body", "Thanks"});
  const fs::path archive = host.temp.path() / "backup.tar";
  ASSERT_EQ(std::system(
                ("tar -C '" + host.data_directory.string() + "' -cpf '" + archive.string() + "' .").c_str()),
            0);

  EhrHost restored;
  restored.data_directory = restored.temp.path() / "restored";
  fs::create_directory(restored.data_directory);
  ASSERT_EQ(
      std::system(
          ("tar -C '" + restored.data_directory.string() + "' -xpf '" + archive.string() + "'").c_str()),
      0);
  EXPECT_EQ(restored.ok_json({"audit", "verify"})["ok"], true);
  const nlohmann::json read = restored.ok_json({"messages", "read", "1", "--as", "drlee"});
  ASSERT_EQ(read["messages"].size(), 2u);
  EXPECT_EQ(read["messages"][1]["body"], "Thanks");
  EXPECT_EQ(mode_of(restored.data_directory / "plugins" / "portal-messaging"), 0700);
  EXPECT_EQ(mode_of(restored.data_directory / "plugins" / "portal-messaging" / "portal.db"), 0600);
  EXPECT_EQ(mode_of(restored.data_directory / "notifications.sqlite3"), 0600);
}

// ---- R-SEC-3: the audit trail through the reference host ---------------------------------------

fs::path portal_db(const EhrHost& host) {
  return host.data_directory / "plugins" / "portal-messaging" / "portal.db";
}

fs::path checkpoint_file(const EhrHost& host) {
  return host.data_directory / "plugins" / "portal-messaging.checkpoints";
}

// What someone with the database file but not the audit key can do: drop the append-only
// triggers, then change the table at will.
void tamper_database(const EhrHost& host, const std::string& sql) {
  const std::string db = "'" + portal_db(host).string() + "'";
  const std::string command = "sqlite3 " + db +
                              " \"SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = "
                              "'trigger' AND tbl_name = 'audit_log';\" | sqlite3 " +
                              db + " && sqlite3 " + db + " \"" + sql + "\"";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// `audit verify` fails with exit 1 naming `finding`; returns its message.
std::string expect_audit_finding(const EhrHost& host, const std::string& finding) {
  const Outcome run = host.json({"audit", "verify"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("(" + finding + ")"), std::string::npos) << run.err;
  return run.err;
}

void some_activity(const EhrHost& host) {
  host.ok({"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Hi"});
  host.ok(
      {"messages", "send", "--as", "drlee", "--patient", "p01", "--to", "portal:maria", "--body", "Again"});
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(SecurityAudit, R_SEC_3_RecordsAreKeyedAndCheckpointedOutsideTheDatabase) {
  EhrHost host;
  host.enable_messaging();
  some_activity(host);
  const nlohmann::json verified = host.ok_json({"audit", "verify"});
  EXPECT_EQ(verified["finding"], "intact");
  EXPECT_GE(verified["checkpoints_checked"].get<int>(), 1);
  EXPECT_EQ(mode_of(checkpoint_file(host)), 0600);
  EXPECT_FALSE(lines_of(checkpoint_file(host)).empty());
}

TEST(SecurityAudit, R_SEC_3_ACutTailIsNamedTruncated) {
  EhrHost host;
  host.enable_messaging();
  some_activity(host);
  host.ok({"audit", "verify"});
  tamper_database(host, "DELETE FROM audit_log WHERE sequence > 3;");
  expect_audit_finding(host, "truncated");
}

TEST(SecurityAudit, R_SEC_3_ARecordAppendedByForgeryIsNamed) {
  EhrHost host;
  host.enable_messaging();
  some_activity(host);
  tamper_database(
      host,
      "INSERT INTO audit_log(sequence, at_unix_ms, actor_kind, actor_id, action, patient_id, target, "
      "outcome, detail, previous_hash, hash, key_id) SELECT sequence + 1, at_unix_ms, 1, 'mallory', "
      "'role.assign', '', 'user:mallory', 'ok', '', hash, hash, key_id FROM audit_log ORDER BY "
      "sequence DESC LIMIT 1;");
  expect_audit_finding(host, "forged");
}

TEST(SecurityAudit, R_SEC_3_ACheckpointDeletedFromTheHostsFileIsNamed) {
  EhrHost host;
  host.enable_messaging();
  some_activity(host);
  std::vector<std::string> lines = lines_of(checkpoint_file(host));
  ASSERT_GE(lines.size(), 2u);
  lines.erase(lines.begin());  // the first one: the chain still names it
  std::ofstream(checkpoint_file(host), std::ios::trunc) << [&] {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    return text;
  }();
  expect_audit_finding(host, "checkpoint_missing");
}

TEST(SecurityAudit, R_SEC_3_RoleChangesSingleAndBulkAreInThePluginsChain) {
  EhrHost host;
  host.enable_plugin();
  host.ok({"roles", "assign", "available_for_portal_messages", "--as", "admin", "nurse2", "nurse3"});
  host.ok({"users", "edit", "drlee", "--as", "admin", "--set", "available_for_portal_messages=off"});
  std::vector<std::pair<std::string, std::string>> changes;
  const nlohmann::json listed = host.ok_json({"audit", "list", "--as", "admin"});
  for (const auto& record : listed["records"]) {
    if (!record["action"].get<std::string>().starts_with("role.")) continue;
    if (record["actor"] != "admin") continue;  // the practice file's initial roles are "(initial)"
    changes.emplace_back(record["action"], record["target"]);
    EXPECT_NE(record["detail"].get<std::string>().find("available_for_portal_messages"), std::string::npos);
  }
  const std::vector<std::pair<std::string, std::string>> expected{
      {"role.assign", "user:nurse2"}, {"role.assign", "user:nurse3"}, {"role.unassign", "user:drlee"}};
  EXPECT_EQ(changes, expected);
  host.ok({"audit", "verify"});
}

// docs/admins.md, Security: back up the data directory whole, restore it whole, and the chain
// verifies; restore only an older database under newer checkpoints and the cut shows.
TEST(SecurityAudit, R_SEC_3_ABackupRestoredWholeVerifiesAndAnOlderDatabaseAloneReadsAsTruncated) {
  EhrHost host;
  host.enable_messaging();
  some_activity(host);
  const TempDirectory scratch("ehr-host-backup");
  const fs::path backup = scratch.path() / "backup";
  fs::copy(host.data_directory, backup, fs::copy_options::recursive);
  some_activity(host);
  host.ok({"audit", "verify"});
  const fs::path current = host.data_directory;

  // Whole: the backup restored into an empty directory.
  host.data_directory = scratch.path() / "restored";
  fs::copy(backup, host.data_directory, fs::copy_options::recursive);
  EXPECT_EQ(host.ok_json({"audit", "verify"})["finding"], "intact");

  // Only the database from the backup, under the later checkpoints.
  host.data_directory = current;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const fs::path from = backup / "plugins" / "portal-messaging" / (std::string("portal.db") + suffix);
    const fs::path to = portal_db(host).string() + suffix;
    fs::remove(to);
    if (fs::exists(from)) fs::copy_file(from, to);
  }
  expect_audit_finding(host, "truncated");
}

}  // namespace
}  // namespace ehr::sample::cli_test
