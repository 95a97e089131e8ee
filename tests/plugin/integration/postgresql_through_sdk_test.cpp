// storage = postgresql as a host admin sets it (R-STORE-2): the real portal_messaging module loaded
// by the real host SDK with a portal-messaging.conf naming a database on the throw-away server of
// the ctest fixture `postgresql` (each test its own database), and two "hosts" (two
// PluginManagers with data directories of their own) sharing it (R-STORE-1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ehr/host/plugin_manager.hpp"
#include "support/pg_test_database.hpp"
#include "support/practice_host.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

namespace fs = std::filesystem;
using ehr::host::PluginManager;
using ehr::host::PluginState;
using ehr::host::Principal;

constexpr const char* kPlugin = "portal-messaging";
constexpr const char* kPassword = "Sw0rdfish-not-for-logs";

// One host: its own data directory, with plugins/portal-messaging.conf (0600) holding `config`.
class Host {
 public:
  Host(ehr::host::testing::PracticeHost& services, const std::string& config) {
    const fs::path conf = data_.path() / "plugins" / (std::string(kPlugin) + ".conf");
    fs::create_directories(conf.parent_path());
    std::ofstream(conf) << config;
    fs::permissions(conf, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    manager_ = std::make_unique<PluginManager>(
        ehr::host::PluginManagerOptions{EHR_PLUGINS_DIR, data_.path(), {}, false, true}, services);
    EXPECT_TRUE(manager_->discover().is_ok());
  }

  [[nodiscard]] ehr::host::PluginInfo info() const {
    auto info = manager_->info(kPlugin);
    EXPECT_TRUE(info.is_ok()) << info.status();
    return info.value_or(ehr::host::PluginInfo{});
  }
  [[nodiscard]] ehr::host::MessagingChannel channel() const {
    auto found = manager_->registry().channel(kPlugin);
    if (!found) ADD_FAILURE() << found.status();
    return *found;
  }
  [[nodiscard]] ehr::host::SettingsPages pages() const {
    auto found = manager_->registry().settings_pages(kPlugin);
    if (!found) ADD_FAILURE() << found.status();
    return *found;
  }
  [[nodiscard]] ehr::host::AuditLog audit() const {
    auto found = manager_->registry().audit_log(kPlugin);
    if (!found) ADD_FAILURE() << found.status();
    return *found;
  }
  // The General page's values as `user` sees them.
  [[nodiscard]] std::map<std::string, std::string> general_page(const std::string& user) const {
    std::map<std::string, std::string> values;
    auto page = pages().describe_page(user, "");
    EXPECT_TRUE(page.is_ok()) << page.status();
    if (page)
      for (const auto& field : page->fields) values[field.key] = field.value;
    return values;
  }
  [[nodiscard]] fs::path plugin_data() const { return data_.path() / "plugins" / kPlugin; }

 private:
  ehr::portal::test::TempDir data_;
  std::unique_ptr<PluginManager> manager_;
};

class PostgresqlThroughSdk : public ::testing::Test {
 protected:
  PostgresqlThroughSdk() {
    host_.add_user("admin", "Ada Admin", true, {"manage_portal_settings"});
    host_.add_user("drlee", "Dr Lee", true, {"available_for_portal_messages"});
    host_.add_location(
        {"north", "North Clinic", "", "2 North Rd", "555-0101", "https://portal.example", false});
    host_.add_patient({"p1", "Pat One", "north"}, {"drlee"});
    host_.add_portal_user({"pat1", "Pat One", "Pat", ehr::host::PortalUserKind::patient, true}, {"p1"});
  }

  [[nodiscard]] std::string config(const std::string& extra = "") const {
    return "storage = postgresql\nstorage.postgresql.conninfo = " + database_.conninfo() +
           " sslmode=disable\nstorage.postgresql.pool_size = 3\n" + extra;
  }
  std::unique_ptr<Host> start(const std::string& text) {
    auto host = std::make_unique<Host>(host_, text);
    const ehr::host::PluginInfo info = host->info();
    EXPECT_EQ(info.state, PluginState::enabled) << info.failure;
    return host;
  }
  // My Messages is off until an admin turns it on (R-SET): stored, so every host sees it.
  static void turn_on(const Host& host) {
    ASSERT_TRUE(
        host.pages().save_page("admin", "", {{"my_messages", "on"}, {"audience", "care_team_only"}}).is_ok());
  }
  // The plugin does not start, and says why naming `key`.
  void expect_refused(const std::string& text, const std::string& key) {
    SCOPED_TRACE(key);
    Host host(host_, text);
    const ehr::host::PluginInfo info = host.info();
    EXPECT_EQ(info.state, PluginState::failed);
    EXPECT_NE(info.failure.message().find("'" + key + "'"), std::string::npos) << info.failure;
  }

  pg::test::ScratchDatabase database_;
  ehr::host::testing::PracticeHost host_;
};

TEST_F(PostgresqlThroughSdk, R_STORE_2_APortalUserReadsWhatStaffSentAndTheAuditVerifies) {
  auto host = start(config());
  turn_on(*host);
  auto sent = host->channel().start_thread({Principal::staff("drlee"), "p1", {}, "Results", "All normal."});
  ASSERT_TRUE(sent) << sent.status();

  auto inbox = host->channel().list_threads({Principal::portal_user("pat1"), false, 0, 0});
  ASSERT_TRUE(inbox) << inbox.status();
  ASSERT_EQ(inbox->threads.size(), 1u);
  EXPECT_EQ(inbox->threads[0].unread_count, 1u);
  auto messages = host->channel().read_thread(Principal::portal_user("pat1"), sent->thread_id);
  ASSERT_TRUE(messages) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].body, "All normal.");

  auto verified = host->audit().verify();
  ASSERT_TRUE(verified) << verified.status();
  EXPECT_TRUE(verified->ok);
  EXPECT_FALSE(fs::exists(host->plugin_data() / "portal.db")) << "the store is the server, not a file";
}

TEST_F(PostgresqlThroughSdk, R_STORE_1_ASecondHostOnTheDatabaseSeesTheFirstsMessageAndSettingsAtOnce) {
  auto first = start(config());
  auto second = start(config());
  turn_on(*first);

  auto sent = first->channel().start_thread({Principal::staff("drlee"), "p1", {}, "Hello", "From host one."});
  ASSERT_TRUE(sent) << sent.status();
  auto messages = second->channel().read_thread(Principal::portal_user("pat1"), sent->thread_id);
  ASSERT_TRUE(messages) << messages.status();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].body, "From host one.");
  auto reply = second->channel().reply({Principal::portal_user("pat1"), sent->thread_id, "Thanks"});
  ASSERT_TRUE(reply) << reply.status();
  EXPECT_EQ(first->channel().unread_total(Principal::staff("drlee")).value_or(99), 1u);

  // A settings change on one host governs the other's next call: no cache outlives it.
  ASSERT_TRUE(first->pages().save_page("admin", "", {{"my_messages", "off"}}).is_ok());
  EXPECT_EQ(second->general_page("admin").at("my_messages"), "off");
  auto refused = second->channel().reply({Principal::staff("drlee"), sent->thread_id, "One more"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN) << refused.status();

  auto verified = second->audit().verify();
  ASSERT_TRUE(verified) << verified.status();
  EXPECT_TRUE(verified->ok) << "one chain, written by both hosts";
}

TEST_F(PostgresqlThroughSdk, R_SEC_3_AuditVerifyPassesFromEachHostOfASharedChain) {
  auto first = start(config());
  auto second = start(config());
  turn_on(*first);
  // Each host appends and checkpoints (a good verify anchors the head in that host's own
  // plugins/portal-messaging.checkpoints): each then meets the other's checkpoint records.
  for (int round = 0; round < 2; ++round) {
    for (Host* host : {first.get(), second.get()}) {
      SCOPED_TRACE(round);
      auto sent = host->channel().start_thread({Principal::staff("drlee"), "p1", {}, "Hi", "Round."});
      ASSERT_TRUE(sent) << sent.status();
      auto verified = host->audit().verify();
      ASSERT_TRUE(verified) << verified.status();
      EXPECT_TRUE(verified->ok) << "finding " << verified->finding << " at " << verified->first_bad_sequence;
    }
  }
  // Each host is named by an id of its own, kept in its own data directory, owner-only.
  for (Host* host : {first.get(), second.get()}) {
    const fs::path id = host->plugin_data() / "audit-host-id";
    ASSERT_TRUE(fs::exists(id));
    EXPECT_EQ(fs::status(id).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  }
  std::string first_id;
  std::string second_id;
  std::ifstream(first->plugin_data() / "audit-host-id") >> first_id;
  std::ifstream(second->plugin_data() / "audit-host-id") >> second_id;
  EXPECT_NE(first_id, second_id);
}

TEST_F(PostgresqlThroughSdk, R_STORE_2_EachWrongStorageKeyStopsThePluginNamingTheKey) {
  expect_refused("storage = postgres\n", "storage");
  expect_refused("storage = postgresql\n", "storage.postgresql.conninfo");
  expect_refused("storage = postgresql\nstorage.postgresql.conninfo =\n", "storage.postgresql.conninfo");
  expect_refused(config("storage.postgresql.pool_size"
                        " = 0\n"),
                 "storage.postgresql.pool_size");
  expect_refused(config("storage.postgresql.pool_size"
                        " = 65\n"),
                 "storage.postgresql.pool_size");
  expect_refused(config("storage.postgresql.statement_timeout_ms = -1\n"),
                 "storage.postgresql.statement_timeout_ms");
  expect_refused(config("storage.postgresql.acquire_timeout_ms = soon\n"),
                 "storage.postgresql.acquire_timeout_ms");
  expect_refused("storage.postgresql.conninfo = " + database_.conninfo() + "\n",
                 "storage.postgresql.conninfo");
  expect_refused("storage = sqlite\nstorage.postgresql.pool_size = 4\n", "storage.postgresql.pool_size");
  expect_refused(config("storage.postgresql.password = x\n"), "storage.postgresql.password");
}

TEST_F(PostgresqlThroughSdk, R_STORE_2_TheConnectionStringsPasswordIsNeverInAnErrorOrALogLine) {
  // A role the server does not know, with a password: the server refuses the connection.
  const std::string wrong =
      "storage = postgresql\nstorage.postgresql.conninfo = host=" + std::string(EHR_TEST_PG_DIR) +
      " port=5432 user=nobody_here password=" + kPassword + " dbname=" + database_.name() + "\n";
  // libpq's parser quotes the text after a fault: here a password with a space, left unquoted, and a
  // URI whose password has a bad %-escape.
  const std::string unquoted =
      "storage = postgresql\nstorage.postgresql.conninfo = user=ehr password=" + std::string("open ") +
      kPassword + "\n";
  const std::string uri =
      "storage = postgresql\nstorage.postgresql.conninfo = postgresql://ehr:" + std::string(kPassword) +
      "%zz@localhost/db\n";
  for (const std::string& text : {wrong, unquoted, uri}) {
    Host host(host_, text);
    const ehr::host::PluginInfo info = host.info();
    EXPECT_EQ(info.state, PluginState::failed);
    EXPECT_FALSE(info.failure.message().empty());
    EXPECT_EQ(info.failure.message().find(kPassword), std::string::npos) << info.failure;
  }
  for (const std::string& line : host_.log_lines())
    EXPECT_EQ(line.find(kPassword), std::string::npos) << line;
  for (const auto& event : host_.audit_events())
    EXPECT_EQ(event.detail.find(kPassword), std::string::npos) << event.detail;
}

// docs/admins.md, "Running on PostgreSQL": the owner role runs the migrations (the first start),
// then the plugin runs as a role that may only INSERT and SELECT the audit table. This is the
// guide's SQL, with the guide's role names made unique to the test server; before it, what a
// locked-down database does, which PostgreSQL does not by default: no function runs for PUBLIC.
constexpr const char* kAppRole = "portal_app_least_privilege";
constexpr const char* kLockedDown = "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC";
constexpr const char* kGrants = R"(
GRANT CONNECT ON DATABASE {db} TO portal_app_least_privilege;
GRANT USAGE ON SCHEMA public TO portal_app_least_privilege;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app_least_privilege;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM portal_app_least_privilege;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM portal_app_least_privilege;
GRANT EXECUTE ON FUNCTION portal_guess_held(boolean) TO portal_app_least_privilege;
)";

TEST_F(PostgresqlThroughSdk, R_STORE_1_ThePluginsRoleMayOnlyInsertAndSelectTheAuditLog) {
  start(config()).reset();  // the owner's first start: the schema is migrated
  pg::ConnectionOptions admin = database_.connection();
  pg::Connection owner(admin);
  owner.run_command(std::string("DROP ROLE IF EXISTS ") + kAppRole);
  owner.run_command(std::string("CREATE ROLE ") + kAppRole + " LOGIN");
  // Roles belong to the server, not the database: this one goes however the test ends.
  struct DropRole {
    pg::Connection& owner;
    ~DropRole() {
      try {
        owner.run_command(std::string("DROP OWNED BY ") + kAppRole);
        pg::ConnectionOptions postgres;
        postgres.conninfo = pg::test::conninfo("postgres");
        pg::Connection(postgres).run_command(std::string("DROP ROLE ") + kAppRole);
      } catch (const Error& e) {
        ADD_FAILURE() << e.what();
      }
    }
  } drop_role{owner};
  owner.run_command(kLockedDown);
  std::string grants = kGrants;
  grants.replace(grants.find("{db}"), 4, database_.name());
  owner.run_command(grants);

  const std::string as_app =
      "storage = postgresql\nstorage.postgresql.conninfo = host=" + std::string(EHR_TEST_PG_DIR) +
      " port=5432 user=" + kAppRole + " dbname=" + database_.name() + "\n";
  {
    auto host = start(as_app);
    turn_on(*host);
    auto sent = host->channel().start_thread({Principal::staff("drlee"), "p1", {}, "Hi", "Least privilege."});
    ASSERT_TRUE(sent) << sent.status();
    // Replies after the first write go on this host's guesses, each under its guard.
    for (const char* body : {"A reply.", "Another."}) {
      auto reply = host->channel().reply({Principal::staff("drlee"), sent->thread_id, body});
      ASSERT_TRUE(reply) << reply.status();
    }
    auto verified = host->audit().verify();
    ASSERT_TRUE(verified) << verified.status();
    EXPECT_TRUE(verified->ok);
  }

  pg::ConnectionOptions app_options;
  app_options.conninfo =
      "host=" + std::string(EHR_TEST_PG_DIR) + " port=5432 user=" + kAppRole + " dbname=" + database_.name();
  pg::Connection app(app_options);
  for (const char* refused :
       {"UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
    SCOPED_TRACE(refused);
    try {
      app.run_command(refused);
      ADD_FAILURE() << "the plugin's role changed the audit log";
    } catch (const pg::PgError& e) {
      EXPECT_EQ(e.sqlstate(), "42501") << "refused by privileges, before any trigger: " << e.what();
    }
  }
  app.run_command("SELECT count(*) FROM audit_log");
  // A write whose guard were refused would run again checking as it goes, and succeed: only
  // slower. So the guide's grant is checked here, not through a write.
  EXPECT_EQ(app.run_command("SELECT portal_guess_held(true)"), "SELECT 1");
}

}  // namespace
}  // namespace ehr::portal
