// RoleStore in a scratch host data directory (R-ROLE-2, -3, -4), on each store the host admin may
// choose in host.conf (R-STORE-1, -2): each test on SQLite and on a throw-away PostgreSQL server
// (ctest fixture `postgresql`).
#include "ehr/host/role_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "support/scratch.hpp"

#include "support/pg_test_database.hpp"

namespace ehr::host {
namespace {

using testing::ScratchDir;

enum class Backend { sqlite, postgresql };

void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::sqlite ? "sqlite" : "postgresql");
}

std::vector<Backend> backends() {
  return {Backend::sqlite, Backend::postgresql};
}

// Writes `text` as the host admin's host.conf in `directory`, mode 0600 as the SDK requires.
void write_host_conf(const std::filesystem::path& directory, const std::string& text) {
  std::filesystem::create_directories(directory);
  const std::filesystem::path file = directory / "host.conf";
  std::ofstream(file) << text;
  ::chmod(file.c_str(), 0600);
}

// The data a test's RoleStores share: nothing to set up on SQLite (the file is in the host data
// directory), a database of the test's own on PostgreSQL, named in each host's host.conf.
class SharedStore {
 public:
  explicit SharedStore(Backend backend) {
    if (backend == Backend::postgresql) database_.emplace();
  }
  // Makes `host_data_directory` a host on this store.
  void configure(const std::filesystem::path& host_data_directory) const {
    if (database_)
      write_host_conf(host_data_directory,
                      "storage = postgresql\nstorage.postgresql.conninfo = " + database_->conninfo() + "\n");
  }

 private:
  std::optional<ehr::portal::pg::test::ScratchDatabase> database_;
};

class Staff : public UserDirectory {
 public:
  Result<std::vector<User>> list_users() override { return users; }
  std::vector<User> users = {{"admin", "Ada Admin", true},      {"drlee", "Dr. Lee", true},
                             {"nurse1", "Nurse One", true},     {"nurse2", "Nurse Two", true},
                             {"former", "Former Staff", false}, {"clerk", "Front Desk", true}};
};

constexpr const char* kRole = "available_for_portal_messages";

class RoleStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    shared_.emplace(GetParam());
    shared_->configure(scratch_.path());
    reopen();
  }

  void reopen() {
    store_.reset();
    auto opened = RoleStore::open(scratch_.path(), staff_, [this] { return ++now_; });
    ASSERT_TRUE(opened) << opened.status();
    store_ = std::move(*opened);
    ASSERT_TRUE(
        store_->declare_section(RolesSection{"portal-messaging",
                                             "portal",
                                             "Patient Portal roles",
                                             {{"manage_portal_settings", "Manage Portal Settings", ""},
                                              {kRole, "Available for portal messages", ""}},
                                             std::nullopt}));  // no plugin audit log: the store alone
    auto seeded = store_->seed_initial({{"admin", "manage_users"}});
    ASSERT_TRUE(seeded) << seeded.status();
  }

  std::vector<std::string> members(const char* role = kRole) {
    auto out = store_->members(role);
    EXPECT_TRUE(out) << out.status();
    return out ? *out : std::vector<std::string>{};
  }

  std::size_t change_count() { return store_->changes()->size(); }

  ScratchDir scratch_;
  std::optional<SharedStore> shared_;
  Staff staff_;
  std::int64_t now_ = 1000;
  std::unique_ptr<RoleStore> store_;
};

TEST_P(RoleStoreTest, R_STORE_1_CreatesItsFileInTheHostDataDirectoryOnlyOnSqlite) {
  EXPECT_EQ(std::filesystem::exists(scratch_ / RoleStore::kFileName), GetParam() == Backend::sqlite);
}

TEST_P(RoleStoreTest, DeclaresManageUsersAndThePluginsRoles) {
  std::vector<std::string> ids;
  for (const RoleDescriptor& role : store_->declared_roles()) ids.push_back(role.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"manage_users", "manage_portal_settings", kRole}));
  EXPECT_TRUE(store_->declare_role({kRole, "Available for portal messages", ""})) << "same text again: no-op";
  EXPECT_EQ(store_->declare_role({kRole, "Something else", ""}).code(), EHR_STATUS_CONFLICT);
}

TEST_P(RoleStoreTest, R_ROLE_2_CheckingTheBoxAssignsAndUncheckingRemoves) {
  auto on = store_->set_role("admin", "drlee", kRole, true);
  ASSERT_TRUE(on) << on.status();
  EXPECT_EQ(on->changed, 1u);
  EXPECT_TRUE(*store_->has_role("drlee", kRole));
  EXPECT_EQ(*store_->roles_of("drlee"), std::vector<std::string>{kRole});

  auto again = store_->set_role("admin", "drlee", kRole, true);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->changed, 0u) << "checking a checked box changes nothing";

  auto off = store_->set_role("admin", "drlee", kRole, false);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->changed, 1u);
  EXPECT_FALSE(*store_->has_role("drlee", kRole));
}

TEST_P(RoleStoreTest, R_ROLE_2_AssignmentsSurviveReopening) {
  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  reopen();
  EXPECT_TRUE(*store_->has_role("drlee", kRole));
}

TEST_P(RoleStoreTest, R_ROLE_3_AssignSelectedReportsHowManyChanged) {
  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  auto update = store_->assign_selected("admin", kRole, {"drlee", "nurse1", "nurse2", "nurse1"});
  ASSERT_TRUE(update) << update.status();
  EXPECT_EQ(update->changed, 2u) << "drlee had it already; nurse1 counted once";
  EXPECT_EQ(update->changed_user_ids, (std::vector<std::string>{"nurse1", "nurse2"}));
  EXPECT_EQ(members(), (std::vector<std::string>{"drlee", "nurse1", "nurse2"}));
}

TEST_P(RoleStoreTest, R_ROLE_3_AssignAllIgnoresInactiveUsers) {
  auto update = store_->assign_all("admin", kRole);
  ASSERT_TRUE(update) << update.status();
  EXPECT_EQ(update->changed, 5u);
  EXPECT_EQ(members(), (std::vector<std::string>{"admin", "clerk", "drlee", "nurse1", "nurse2"}));
  EXPECT_FALSE(*store_->has_role("former", kRole));
}

TEST_P(RoleStoreTest, R_ROLE_3_UnassignSelectedAndUnassignAll) {
  ASSERT_TRUE(store_->assign_all("admin", kRole));
  auto some = store_->unassign_selected("admin", kRole, {"nurse1", "nurse2"});
  ASSERT_TRUE(some);
  EXPECT_EQ(some->changed, 2u);
  EXPECT_EQ(members(), (std::vector<std::string>{"admin", "clerk", "drlee"}));
  auto rest = store_->unassign_all("admin", kRole);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->changed, 3u);
  EXPECT_TRUE(members().empty());
}

TEST_P(RoleStoreTest, R_ROLE_3_UnassignAllLeavesInactiveUsersAlone) {
  // "former" got the role while active, then left.
  ASSERT_TRUE(store_->set_role("admin", "former", kRole, true));
  staff_.users[4].active = false;
  ASSERT_TRUE(store_->assign_all("admin", kRole));
  auto removed = store_->unassign_all("admin", kRole);
  ASSERT_TRUE(removed);
  EXPECT_EQ(members(), std::vector<std::string>{"former"});
}

TEST_P(RoleStoreTest, R_ROLE_3_BulkOperationsAreIdempotent) {
  ASSERT_EQ(store_->assign_all("admin", kRole)->changed, 5u);
  const std::size_t recorded = change_count();
  EXPECT_EQ(store_->assign_all("admin", kRole)->changed, 0u);
  EXPECT_EQ(store_->assign_selected("admin", kRole, {"drlee"})->changed, 0u);
  EXPECT_EQ(change_count(), recorded) << "nothing changed, nothing recorded";
  EXPECT_EQ(store_->unassign_all("admin", kRole)->changed, 5u);
  EXPECT_EQ(store_->unassign_all("admin", kRole)->changed, 0u);
}

TEST_P(RoleStoreTest, R_ROLE_3_BulkIsAtomicAnUnknownUserChangesNothing) {
  const std::size_t recorded = change_count();
  auto update = store_->assign_selected("admin", kRole, {"drlee", "ghost", "nurse1"});
  ASSERT_FALSE(update);
  EXPECT_EQ(update.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(update.status().message().find("ghost"), std::string::npos) << update.status();
  EXPECT_EQ(update.status().field(), "user_id");
  EXPECT_TRUE(members().empty());
  EXPECT_EQ(change_count(), recorded);
}

TEST_P(RoleStoreTest, UnknownRoleIsAnErrorNamingIt) {
  auto update = store_->assign_all("admin", "make_coffee");
  ASSERT_FALSE(update);
  EXPECT_EQ(update.status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_NE(update.status().message().find("make_coffee"), std::string::npos);
  EXPECT_EQ(update.status().field(), "role_id");
  EXPECT_EQ(store_->members("make_coffee").status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(store_->has_role("drlee", "make_coffee").status().code(), EHR_STATUS_NOT_FOUND);
}

TEST_P(RoleStoreTest, UnknownUserIsAnErrorNamingIt) {
  EXPECT_EQ(store_->has_role("ghost", kRole).status().code(), EHR_STATUS_NOT_FOUND);
  EXPECT_EQ(store_->roles_of("ghost").status().code(), EHR_STATUS_NOT_FOUND);
  auto update = store_->set_role("admin", "ghost", kRole, true);
  EXPECT_NE(update.status().message().find("ghost"), std::string::npos);
}

TEST_P(RoleStoreTest, R_ROLE_4_OnlyManageUsersHoldersMayChangeAssignments) {
  const std::size_t recorded = change_count();
  auto refused = store_->set_role("drlee", "nurse1", kRole, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_NE(refused.status().message().find("manage_users"), std::string::npos) << refused.status();
  EXPECT_EQ(store_->assign_all("drlee", kRole).status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_EQ(store_->unassign_all("drlee", kRole).status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_TRUE(members().empty());
  EXPECT_EQ(change_count(), recorded);

  ASSERT_TRUE(store_->set_role("admin", "drlee", "manage_users", true));
  EXPECT_TRUE(store_->set_role("drlee", "nurse1", kRole, true)) << "now drlee may";
}

TEST_P(RoleStoreTest, R_ROLE_4_AnUnknownOrInactiveActorIsRefused) {
  EXPECT_EQ(store_->assign_all("ghost", kRole).status().code(), EHR_STATUS_NOT_FOUND);
  ASSERT_TRUE(store_->set_role("admin", "former", "manage_users", true));
  EXPECT_EQ(store_->assign_all("former", kRole).status().code(), EHR_STATUS_FORBIDDEN);
  EXPECT_TRUE(members().empty());
}

// A host that only lists its users (the default find_user scans that list): a bulk operation must
// read the list once, not once per selected user, or assigning a role to N users costs N^2.
class CountingStaff : public UserDirectory {
 public:
  explicit CountingStaff(int count) {
    users.push_back({"admin", "Ada Admin", true});
    for (int i = 0; i < count; ++i) users.push_back({"u" + std::to_string(i), "User", true});
  }
  Result<std::vector<User>> list_users() override {
    ++lists;
    return users;
  }
  std::vector<User> users;
  int lists = 0;
};

TEST(RoleStoreBulk, R_ROLE_3_AssignSelectedReadsTheDirectoryOncePerOperationNotPerUser) {
  ScratchDir scratch;
  CountingStaff staff(500);
  auto opened = RoleStore::open(scratch.path(), staff);
  ASSERT_TRUE(opened) << opened.status();
  RoleStore& store = **opened;
  ASSERT_TRUE(store.declare_role({kRole, "Available for portal messages", ""}));
  ASSERT_TRUE(store.seed_initial({{"admin", "manage_users"}}));
  std::vector<std::string> selected;
  for (int i = 0; i < 500; ++i) selected.push_back("u" + std::to_string(i));
  selected.push_back("u7");  // named twice: changed once
  staff.lists = 0;
  auto update = store.assign_selected("admin", kRole, selected);
  ASSERT_TRUE(update) << update.status();
  EXPECT_EQ(update->changed, 500u);
  EXPECT_LE(staff.lists, 2) << "one read for the selection, one for the actor";
  EXPECT_EQ(store.members(kRole)->size(), 500u);
  EXPECT_EQ(store.changes()->size(), 501u);

  selected.push_back("ghost");
  auto refused = store.unassign_selected("admin", kRole, selected);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("ghost"), std::string::npos) << refused.status();
  EXPECT_EQ(refused.status().field(), "user_id");
  EXPECT_EQ(store.members(kRole)->size(), 500u) << "an unknown user in a bulk selection changes nothing";

  selected.pop_back();
  selected.erase(selected.begin() + 100, selected.end());
  auto unassigned = store.unassign_selected("admin", kRole, selected);
  ASSERT_TRUE(unassigned) << unassigned.status();
  EXPECT_EQ(unassigned->changed, 100u);
  EXPECT_EQ(store.members(kRole)->size(), 400u);
  EXPECT_FALSE(*store.has_role("u0", kRole));
  EXPECT_TRUE(*store.has_role("u100", kRole));
}

TEST_P(RoleStoreTest, R_ROLE_4_EveryChangeIsRecordedWhoWhomRoleOldNewWhen) {
  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  ASSERT_TRUE(store_->unassign_selected("admin", kRole, {"drlee"}));
  auto changes = store_->changes();
  ASSERT_TRUE(changes) << changes.status();
  ASSERT_EQ(changes->size(), 3u);
  const RoleChange& seed = (*changes)[0];
  EXPECT_EQ(seed.actor_user_id, "(initial)");
  EXPECT_EQ(seed.user_id, "admin");
  EXPECT_EQ(seed.role_id, "manage_users");
  const RoleChange& assign = (*changes)[1];
  EXPECT_EQ(assign.actor_user_id, "admin");
  EXPECT_EQ(assign.user_id, "drlee");
  EXPECT_EQ(assign.role_id, kRole);
  EXPECT_FALSE(assign.old_assigned);
  EXPECT_TRUE(assign.new_assigned);
  const RoleChange& unassign = (*changes)[2];
  EXPECT_TRUE(unassign.old_assigned);
  EXPECT_FALSE(unassign.new_assigned);
  EXPECT_LT(seed.sequence, assign.sequence);
  EXPECT_LT(assign.at_unix_ms, unassign.at_unix_ms);
}

// Many users in one operation: on PostgreSQL their writes go in pipelined chunks (256 users a
// round trip); every user is changed once and recorded once, in the operation's order, across the
// chunks' edges.
TEST_P(RoleStoreTest, R_ROLE_3_AnOperationOnHundredsOfUsersChangesAndRecordsEachOnceInOrder) {
  for (int i = 0; i < 600; ++i) staff_.users.push_back({"user" + std::to_string(1000 + i), "Staff", true});
  const std::size_t before = change_count();
  auto assigned = store_->assign_all("admin", kRole);
  ASSERT_TRUE(assigned) << assigned.status();
  const std::size_t active = staff_.users.size() - 1;  // "former" is inactive
  EXPECT_EQ(assigned->changed, active);
  EXPECT_EQ(members().size(), active);
  auto changes = store_->changes();
  ASSERT_TRUE(changes) << changes.status();
  ASSERT_EQ(changes->size(), before + active);
  std::vector<std::string> recorded;
  for (std::size_t i = before; i < changes->size(); ++i) {
    const RoleChange& change = (*changes)[i];
    EXPECT_TRUE(change.new_assigned && !change.old_assigned && change.role_id == kRole) << change.user_id;
    recorded.push_back(change.user_id);
  }
  EXPECT_EQ(recorded, assigned->changed_user_ids) << "recorded once each, in the operation's order";

  auto unassigned = store_->unassign_all("admin", kRole);
  ASSERT_TRUE(unassigned) << unassigned.status();
  EXPECT_EQ(unassigned->changed, active);
  EXPECT_TRUE(members().empty());
  EXPECT_EQ(change_count(), before + 2 * active);
  EXPECT_EQ(store_->unassign_all("admin", kRole)->changed, 0u);
}

TEST_P(RoleStoreTest, InitialAssignmentsAreSeededOnlyOnce) {
  // The admin may remove its own role; seeding on the next start must not bring it back.
  ASSERT_TRUE(store_->set_role("admin", "admin", "manage_users", false));
  reopen();
  EXPECT_FALSE(*store_->has_role("admin", "manage_users"));
  auto seeded = store_->seed_initial({{"admin", "manage_users"}});
  ASSERT_TRUE(seeded);
  EXPECT_FALSE(*seeded);
}

TEST_P(RoleStoreTest, SeedingWithAnUnknownRoleChangesNothing) {
  ScratchDir other;
  const SharedStore fresh(GetParam());
  fresh.configure(other.path());
  auto opened = RoleStore::open(other.path(), staff_);
  ASSERT_TRUE(opened);
  auto seeded = (*opened)->seed_initial({{"admin", "manage_users"}, {"drlee", "not_declared"}});
  ASSERT_FALSE(seeded);
  EXPECT_NE(seeded.status().message().find("not_declared"), std::string::npos);
  EXPECT_FALSE(*(*opened)->has_role("admin", "manage_users"));
}

// Two hosts, one store: a change made through one RoleStore is what the other reads at once (no
// cache between them). On SQLite the two share the file, as two processes of one server would.
TEST_P(RoleStoreTest, R_STORE_1_TwoHostsOnOneStoreSeeEachOthersRoleChangesAtOnce) {
  ScratchDir second_host;
  if (GetParam() == Backend::postgresql) {
    shared_->configure(second_host.path());
  }
  const std::filesystem::path second_dir =
      GetParam() == Backend::sqlite ? scratch_.path() : second_host.path();
  auto opened = RoleStore::open(second_dir, staff_);
  ASSERT_TRUE(opened) << opened.status();
  RoleStore& other = **opened;
  ASSERT_TRUE(other.declare_role({kRole, "Available for portal messages", ""}));
  auto seeded = other.seed_initial({{"admin", "manage_users"}});
  ASSERT_TRUE(seeded) << seeded.status();
  EXPECT_FALSE(*seeded) << "the first host seeded the shared store already";

  ASSERT_TRUE(store_->set_role("admin", "drlee", kRole, true));
  EXPECT_TRUE(*other.has_role("drlee", kRole));
  ASSERT_TRUE(other.assign_selected("admin", kRole, {"nurse1", "nurse2"}));
  EXPECT_EQ(members(), (std::vector<std::string>{"drlee", "nurse1", "nurse2"}));
  ASSERT_TRUE(other.unassign_all("admin", kRole));
  EXPECT_TRUE(members().empty());
  EXPECT_EQ(store_->changes()->size(), other.changes()->size());
}

INSTANTIATE_TEST_SUITE_P(Backends, RoleStoreTest, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::sqlite ? "sqlite" : "postgresql";
                         });

// One host's role store on a database of the test's own, `extra` added to its host.conf, with the
// portal roles declared and admin seeded as a manager of users.
class RoleStoreOnPostgresql : public ::testing::Test {
 protected:
  RoleStore& open(const std::string& extra = "") {
    write_host_conf(scratch_.path(), "storage = postgresql\nstorage.postgresql.conninfo = " +
                                         database_.conninfo() + "\n" + extra);
    auto opened = RoleStore::open(scratch_.path(), staff_);
    EXPECT_TRUE(opened) << opened.status();
    if (!opened) throw std::runtime_error("the role store did not open");
    store_ = std::move(*opened);
    EXPECT_TRUE(store_->declare_section(RolesSection{
        "portal-messaging", "portal", "Patient Portal roles", {{kRole, "Available", ""}}, std::nullopt}));
    EXPECT_TRUE(store_->seed_initial({{"admin", "manage_users"}}));
    return *store_;
  }

  ehr::portal::pg::test::ScratchDatabase database_;
  ScratchDir scratch_;
  Staff staff_;
  std::unique_ptr<RoleStore> store_;
};

// The role store's writes take a lock of their own on the server, not the plugin's write lock: a
// role change on a database the plugin shares is not held up by a plugin write in progress (a
// send, another host's long transaction), however long that lasts.
TEST_F(RoleStoreOnPostgresql, R_STORE_1_ARoleChangeIsNotHeldUpByAPluginWriteInProgress) {
  // A short statement timeout: a role change that waited for the plugin's write would fail fast.
  RoleStore& roles = open("storage.postgresql.statement_timeout_ms = 300\n");

  // The plugin's store on the same database, one of its write transactions open.
  ehr::storage::pg::PgStore plugin(database_.options());
  const auto plugin_write = plugin.begin(ehr::storage::TransactionMode::write);
  // The lock travels with the write's first statement.
  auto holding = plugin_write->prepare("SELECT 1");
  ASSERT_TRUE(holding->step());

  auto changed = roles.set_role("admin", "drlee", kRole, true);
  ASSERT_TRUE(changed) << changed.status();
  EXPECT_EQ(roles.members(kRole).value_or(std::vector<std::string>{}), std::vector<std::string>{"drlee"});
}

// Two hosts making the same role change at once: the one whose write comes second finds it done
// and changes nothing, where its insert used to fail on the first one's row (a storage error shown
// to an admin for a change that had happened).
TEST_F(RoleStoreOnPostgresql, R_STORE_1_AnAssignmentAnotherHostMadeMeanwhileIsNoError) {
  RoleStore& roles = open();
  // The other host: it holds the role store's write lock (7070350013, host_storage.cpp) so that
  // this host's change, read already, waits to write; it then assigns the role itself and lets go.
  ehr::storage::pg::Connection other_host(database_.connection());
  other_host.run_command("SELECT pg_advisory_lock(7070350013)");
  auto assigning =
      std::async(std::launch::async, [&] { return roles.set_role("admin", "drlee", kRole, true); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (other_host
             .run({"waiting",
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                   "wait_event_type = 'Lock' AND pid <> pg_backend_pid()"})
             .int64(0, 0) == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "this host's change never waited to write";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  other_host.run_command(std::string("INSERT INTO role_assignments (user_id, role_id) VALUES ('drlee', '") +
                         kRole + "')");
  other_host.run_command("SELECT pg_advisory_unlock(7070350013)");

  auto assigned = assigning.get();
  ASSERT_TRUE(assigned) << assigned.status();
  EXPECT_EQ(assigned->changed, 0u) << "the other host made the change";
  EXPECT_EQ(roles.members(kRole).value_or(std::vector<std::string>{}), std::vector<std::string>{"drlee"});
}

// A role store a newer SDK migrated further is refused, saying that the host SDK is what to upgrade.
TEST_F(RoleStoreOnPostgresql, R_STORE_1_AStoreNewerThanTheSdkSaysToUpgradeTheSdk) {
  open();
  store_.reset();
  ehr::storage::pg::Connection(database_.connection())
      .run_command("INSERT INTO role_schema_migrations (version, name) VALUES (99, 'from a newer SDK')");
  auto opened = RoleStore::open(scratch_.path(), staff_);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.status().message().find("newer than this host SDK knows"), std::string::npos)
      << opened.status();
  EXPECT_EQ(opened.status().message().find("plugin"), std::string::npos) << opened.status();
}

// Writes `file` as every SDK before the storage library did (its schema under PRAGMA user_version
// 1, no schema_migrations table), holding `rows`, owner-only as the SDK requires.
void write_earlier_format(const std::filesystem::path& file, const std::string& rows) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  const std::string earlier = R"sql(
CREATE TABLE role_assignments (user_id TEXT NOT NULL, role_id TEXT NOT NULL,
  PRIMARY KEY (user_id, role_id)) WITHOUT ROWID;
CREATE INDEX role_assignments_by_role ON role_assignments (role_id, user_id);
CREATE TABLE role_changes (sequence INTEGER PRIMARY KEY AUTOINCREMENT, at_unix_ms INTEGER NOT NULL,
  actor_user_id TEXT NOT NULL, user_id TEXT NOT NULL, role_id TEXT NOT NULL,
  old_assigned INTEGER NOT NULL CHECK (old_assigned IN (0, 1)),
  new_assigned INTEGER NOT NULL CHECK (new_assigned IN (0, 1)));
CREATE TRIGGER role_changes_no_update BEFORE UPDATE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TRIGGER role_changes_no_delete BEFORE DELETE ON role_changes
  BEGIN SELECT RAISE(ABORT, 'role_changes is append-only'); END;
CREATE TABLE store_facts (fact TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)sql" + rows + "PRAGMA user_version = 1;";
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(raw, earlier.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
  sqlite3_free(message);
  sqlite3_close(raw);
  ::chmod(file.c_str(), 0600);
}

// A roles.sqlite3 as every SDK before the storage library wrote it (its schema under PRAGMA
// user_version 1, no schema_migrations table) opens with its assignments and records, unchanged.
TEST(RoleStoreFile, R_ROLE_2_AFileOfTheEarlierFormatOpensWithItsAssignments) {
  ScratchDir scratch;
  write_earlier_format(scratch / RoleStore::kFileName, R"sql(
INSERT INTO role_assignments VALUES ('admin', 'manage_users'), ('drlee', 'available_for_portal_messages');
INSERT INTO role_changes (at_unix_ms, actor_user_id, user_id, role_id, old_assigned, new_assigned)
  VALUES (1, '(initial)', 'admin', 'manage_users', 0, 1);
INSERT INTO store_facts VALUES ('seeded', '1');
)sql");

  Staff staff;
  auto opened = RoleStore::open(scratch.path(), staff);
  ASSERT_TRUE(opened) << opened.status();
  RoleStore& store = **opened;
  ASSERT_TRUE(store.declare_role({kRole, "Available for portal messages", ""}));
  EXPECT_TRUE(*store.has_role("drlee", kRole));
  EXPECT_TRUE(*store.has_role("admin", "manage_users"));
  EXPECT_FALSE(*store.seed_initial({{"nurse1", "manage_users"}})) << "seeded before: not again";
  EXPECT_EQ(store.changes()->size(), 1u);
  ASSERT_TRUE(store.set_role("admin", "nurse1", kRole, true));
  EXPECT_EQ(store.changes()->size(), 2u);

  // The schema version an earlier SDK reads is still 1, so it still opens the file.
  opened->reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((scratch / RoleStore::kFileName).c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* version = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &version, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(version), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(version, 0), 1);
  sqlite3_finalize(version);
  sqlite3_close(raw);
}

// Step 2 rebuilds the change record without AUTOINCREMENT (one write of sqlite_sequence per
// INSERT, per user in a bulk operation): a file of the earlier format keeps every record under its
// number, new records number on past the highest, and the record stays append-only.
TEST(RoleStoreFile, R_ROLE_4_TheChangeRecordKeepsItsNumbersWhenRebuiltWithoutAutoincrement) {
  ScratchDir scratch;
  write_earlier_format(scratch / RoleStore::kFileName, R"sql(
INSERT INTO role_assignments VALUES ('admin', 'manage_users');
INSERT INTO role_changes VALUES (1, 10, '(initial)', 'admin', 'manage_users', 0, 1);
INSERT INTO role_changes VALUES (7, 20, 'admin', 'drlee', 'manage_users', 0, 1);
INSERT INTO role_changes VALUES (8, 30, 'admin', 'drlee', 'manage_users', 1, 0);
INSERT INTO store_facts VALUES ('seeded', '1');
)sql");

  Staff staff;
  auto opened = RoleStore::open(scratch.path(), staff);
  ASSERT_TRUE(opened) << opened.status();
  RoleStore& store = **opened;
  ASSERT_TRUE(store.declare_role({kRole, "Available for portal messages", ""}));
  ASSERT_TRUE(store.set_role("admin", "nurse1", kRole, true));
  const auto changes = store.changes();
  ASSERT_TRUE(changes) << changes.status();
  std::vector<std::int64_t> numbers;
  for (const RoleChange& change : *changes) numbers.push_back(change.sequence);
  EXPECT_EQ(numbers, (std::vector<std::int64_t>{1, 7, 8, 9}));
  EXPECT_EQ(changes->back().user_id, "nurse1");
  EXPECT_EQ((*changes)[1].at_unix_ms, 20);
  opened->reset();

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((scratch / RoleStore::kFileName).c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* table = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT sql FROM sqlite_master WHERE name = 'role_changes'", -1, &table,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(table), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(table, 0))).find("AUTOINCREMENT"),
            std::string::npos);
  sqlite3_finalize(table);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM role_changes WHERE sequence = 8", nullptr, nullptr, nullptr),
            SQLITE_OK)
      << "still append-only";
  EXPECT_NE(sqlite3_exec(raw, "UPDATE role_changes SET role_id = 'x'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
}

// A roles.sqlite3 a newer SDK migrated further is refused, saying that the host SDK is what to
// upgrade (not "the plugin": no plugin owns this file).
TEST(RoleStoreFile, R_ROLE_2_AFileNewerThanTheSdkSaysToUpgradeTheSdk) {
  Staff staff;
  ScratchDir scratch;
  ASSERT_TRUE(RoleStore::open(scratch.path(), staff));
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((scratch / RoleStore::kFileName).c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "INSERT INTO schema_migrations (version, name) VALUES (99, 'from a newer SDK')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto opened = RoleStore::open(scratch.path(), staff);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.status().message().find("newer than this host SDK knows"), std::string::npos)
      << opened.status();
  EXPECT_EQ(opened.status().message().find("plugin"), std::string::npos) << opened.status();
}

// host.conf's mistakes stop the role store from opening, naming the key, never echoing a value.
TEST(RoleStoreHostConf, R_STORE_2_ABadValueIsRefusedNamingTheKey) {
  Staff staff;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"storage = mysql\n", "'storage'"},
      {"storage = postgresql\n", "'storage.postgresql.conninfo'"},
      {"storage = postgresql\nstorage.postgresql.conninfo = dbname=x\nstorage.postgresql.pool_size = 0\n",
       "'storage.postgresql.pool_size'"},
      {"storage = postgresql\nstorage.postgresql.conninfo = dbname=x\n"
       "storage.postgresql.statement_timeout_ms = soon\n",
       "'storage.postgresql.statement_timeout_ms'"},
      {"storage = postgresql\nstorage.postgresql.conninfo = dbname=x\n"
       "storage.postgresql.acquire_timeout_ms = 0\n",
       "'storage.postgresql.acquire_timeout_ms'"},
      {"storage.postgresql.pool_size = 4\n", "'storage.postgresql.pool_size'"},
      {"storage = sqlite\nstorgae.postgresql.conninfo = dbname=x\n", "'storgae.postgresql.conninfo'"},
  };
  for (const auto& [text, key] : cases) {
    ScratchDir scratch;
    write_host_conf(scratch.path(), text);
    auto opened = RoleStore::open(scratch.path(), staff);
    ASSERT_FALSE(opened) << text;
    EXPECT_EQ(opened.status().code(), EHR_STATUS_INVALID_ARGUMENT) << text;
    EXPECT_NE(opened.status().message().find(key), std::string::npos) << opened.status();
    EXPECT_NE(opened.status().message().find((scratch / "host.conf").string()), std::string::npos)
        << "the admin is told which file: " << opened.status();
    EXPECT_FALSE(std::filesystem::exists(scratch / RoleStore::kFileName)) << "nothing opened: " << text;
  }
  ScratchDir open_to_all;
  write_host_conf(open_to_all.path(), "storage = sqlite\n");
  ::chmod((open_to_all / "host.conf").c_str(), 0644);
  auto opened = RoleStore::open(open_to_all.path(), staff);
  ASSERT_FALSE(opened) << "a host.conf others may read is refused, as plugin configurations are";
  const std::string& message = opened.status().message();
  EXPECT_NE(message.find("host.conf"), std::string::npos) << opened.status();
  // host.conf is the host's file, not a plugin's: the admin is not sent looking for a plugin.
  EXPECT_NE(message.find("the host configuration"), std::string::npos) << opened.status();
  EXPECT_EQ(message.find("plugin configuration"), std::string::npos) << opened.status();
}

// The connection string holds the database password: neither libpq's parse error nor a failed
// connection brings it into the error.
TEST(RoleStoreHostConf, R_STORE_2_ThePasswordOfAWrongConninfoIsInNoError) {
  Staff staff;
  for (const char* conninfo : {"host=/nonexistent/socket/dir port=1 dbname=roles user=ehr password=s3cr3t-pw",
                               "dbname=roles password='s3cr3t-pw"}) {
    ScratchDir scratch;
    write_host_conf(scratch.path(),
                    std::string("storage = postgresql\nstorage.postgresql.conninfo = ") + conninfo + "\n");
    auto opened = RoleStore::open(scratch.path(), staff);
    ASSERT_FALSE(opened) << conninfo;
    EXPECT_EQ(opened.status().message().find("s3cr3t"), std::string::npos) << opened.status();
    EXPECT_EQ(opened.status().field().find("s3cr3t"), std::string::npos);
  }
}

}  // namespace
}  // namespace ehr::host
