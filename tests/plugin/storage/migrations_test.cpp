#include "storage/migrations.hpp"
#include "common/storage.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "audit/audit_schema.hpp"
#include "common/error.hpp"
#include "messaging/conversation_schema.hpp"
#include "portal_schema.hpp"
#include "settings/settings_schema.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"
#include "webhook/webhook_schema.hpp"

namespace ehr::portal {
namespace {

bool table_exists(Store& db, const std::string& name) {
  Transaction tx(db, TransactionMode::read);
  auto query = tx.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  query.bind_all(name);
  return query.step();
}

TEST(Migrations, VersionsAreConsecutiveFromOne) {
  int expected = 1;
  for (const Migration& step : portal_sqlite_steps()) EXPECT_EQ(step.version, expected++) << step.name;
}

std::vector<int> versions(std::span<const Migration> steps) {
  std::vector<int> found;
  for (const Migration& step : steps) found.push_back(step.version);
  return found;
}

// Existing databases record these versions: each feature keeps the places it was released with.
TEST(Migrations, EachFeatureOwnsTheVersionsItWasReleasedWith) {
  EXPECT_EQ(versions(audit_sqlite_steps()), (std::vector<int>{1, 8}));
  EXPECT_EQ(versions(settings_sqlite_steps()), (std::vector<int>{2, 5}));
  EXPECT_EQ(versions(conversations_sqlite_steps()), (std::vector<int>{3, 4, 6, 9}));
  EXPECT_EQ(versions(webhook_sqlite_steps()), (std::vector<int>{7}));
}

TEST(Migrations, AssemblyOrdersTheFeaturesStepsByVersion) {
  const Migration a[] = {{1, "a1", ""}, {3, "a3", ""}};
  const Migration b[] = {{2, "b2", ""}};
  EXPECT_EQ(versions(assemble_steps({a, b})), (std::vector<int>{1, 2, 3}));
}

TEST(Migrations, TwoStepsClaimingOneVersionAreRefusedNotSkipped) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  const Migration one[] = {{1, "audit", "CREATE TABLE a (id INTEGER);"}};
  const Migration other[] = {{1, "settings", "CREATE TABLE b (id INTEGER);"}};
  try {
    db.migrate(assemble_steps({one, other}));
    FAIL() << "two steps claiming version 1 must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_INTERNAL);
    EXPECT_NE(std::string(e.what()).find("repeats or reorders version 1"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(table_exists(db, "b"));
}

TEST(Migrations, FreshDatabaseReachesTheNewestVersion) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  EXPECT_EQ(db.schema_version(), 0);
  EXPECT_EQ(db.migrate(portal_sqlite_steps()), portal_sqlite_steps().back().version);
  EXPECT_EQ(db.schema_version(), portal_sqlite_steps().back().version);
  EXPECT_TRUE(table_exists(db, "audit_log"));
  EXPECT_TRUE(table_exists(db, "settings_value"));
}

TEST(Migrations, RunningAgainChangesNothing) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  const int version = db.migrate(portal_sqlite_steps());
  EXPECT_EQ(db.migrate(portal_sqlite_steps()), version);
  SqliteStore reopened(dir / "portal.db");
  EXPECT_EQ(reopened.migrate(portal_sqlite_steps()), version);
}

TEST(Migrations, FailingStepIsRolledBackWholeAndNamed) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  const Migration steps[] = {
      {1, "first", "CREATE TABLE one (id INTEGER);"},
      {2, "broken step", "CREATE TABLE two (id INTEGER); INSERT INTO no_such_table VALUES (1);"},
  };
  try {
    db.migrate(steps);
    FAIL() << "a broken migration must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken step"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.schema_version(), 1);
  EXPECT_TRUE(table_exists(db, "one"));
  EXPECT_FALSE(table_exists(db, "two"));  // the half of step 2 that worked was rolled back
}

TEST(Migrations, AMissingDatabaseIsCreatedMigratedInWalModeWithNothingLeftBeside) {
  test::TempDir dir;
  const std::filesystem::path file = dir / "portal.db";
  EXPECT_EQ(create_database_if_missing(file, portal_sqlite_steps()), file);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"portal.db"}) << "no scratch file, WAL or journal was left";
  SqliteStore db(file);
  EXPECT_EQ(db.schema_version(), portal_sqlite_steps().back().version);
  EXPECT_TRUE(table_exists(db, "settings_version"));
  Transaction tx(db, TransactionMode::read);
  auto mode = tx.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

TEST(Migrations, AnExistingDatabaseIsLeftAloneByCreation) {
  test::TempDir dir;
  const std::filesystem::path file = dir / "portal.db";
  const Migration first[] = {{1, "first", "CREATE TABLE one (id INTEGER);"}};
  {
    SqliteStore db(file);
    db.migrate(first);
  }
  create_database_if_missing(file, portal_sqlite_steps());
  SqliteStore db(file);
  EXPECT_EQ(db.schema_version(), 1) << "an existing file is migrated by migrate(), not replaced";
  EXPECT_TRUE(table_exists(db, "one"));
}

TEST(Migrations, DatabaseNewerThanThePluginIsRefused) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  const Migration newer[] = {{1, "a", "CREATE TABLE a (id INTEGER);"},
                             {2, "b", "CREATE TABLE b (id INTEGER);"}};
  db.migrate(newer);
  const Migration older[] = {{1, "a", "CREATE TABLE a (id INTEGER);"}};
  try {
    db.migrate(older);
    FAIL() << "a newer database must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ehr::portal
