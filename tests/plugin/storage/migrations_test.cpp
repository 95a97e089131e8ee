#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"

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
  for (const Migration& step : migrations()) EXPECT_EQ(step.version, expected++) << step.name;
}

TEST(Migrations, FreshDatabaseReachesTheNewestVersion) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  EXPECT_EQ(db.schema_version(), 0);
  EXPECT_EQ(db.migrate(migrations()), migrations().back().version);
  EXPECT_EQ(db.schema_version(), migrations().back().version);
  EXPECT_TRUE(table_exists(db, "audit_log"));
  EXPECT_TRUE(table_exists(db, "settings_value"));
}

TEST(Migrations, RunningAgainChangesNothing) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  const int version = db.migrate(migrations());
  EXPECT_EQ(db.migrate(migrations()), version);
  SqliteStore reopened(dir / "portal.db");
  EXPECT_EQ(reopened.migrate(migrations()), version);
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
  EXPECT_EQ(create_database_if_missing(file, migrations()), file);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"portal.db"}) << "no scratch file, WAL or journal was left";
  SqliteStore db(file);
  EXPECT_EQ(db.schema_version(), migrations().back().version);
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
  create_database_if_missing(file, migrations());
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
