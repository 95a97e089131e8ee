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
  EXPECT_EQ(versions(audit_sqlite_steps()), (std::vector<int>{1, 8, 11}));
  EXPECT_EQ(versions(settings_sqlite_steps()), (std::vector<int>{2, 5}));
  EXPECT_EQ(versions(conversations_sqlite_steps()), (std::vector<int>{3, 4, 6, 9, 10}));
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

int64_t single_number(Store& db, const std::string& sql) {
  Transaction tx(db, TransactionMode::read);
  auto query = tx.prepare(sql);
  EXPECT_TRUE(query.step()) << sql;
  return query.int64(0);
}

void write(Store& db, const std::string& sql) {
  Transaction tx(db);
  tx.execute_script(sql);
  tx.commit();
}

// Step 10's totals on a database that already holds participants: counted by the step, then kept
// by the triggers whatever statement changes the participants (rows added, unread counts moved, a
// row archived with unread messages and back, a row moved to another reader, rows deleted).
// Without a chart filter the badge and the inbox's count read them (R-CONV-2, R-CONV-4).
TEST(Migrations, R_CONV_2_AnExistingDatabaseGetsItsInboxTotalsCountedThenKept) {
  test::TempDir dir;
  SqliteStore db(dir / "portal.db");
  const std::span<const Migration> steps = portal_sqlite_steps();
  ASSERT_EQ(steps[8].version, 9);
  ASSERT_EQ(db.migrate(steps.first(9)), 9);
  write(db,
        "INSERT INTO message_threads (id, patient_id, subject, started_by_kind, started_by_id, created_at, "
        "last_sender_kind, last_sender_id, last_message_at) VALUES "
        "(1, 'p1', 's', 1, 'u1', 5, 1, 'u1', 5), (2, 'p1', 's', 1, 'u1', 5, 1, 'u1', 5), "
        "(3, 'p2', 's', 1, 'u1', 5, 1, 'u1', 5), (4, 'p2', 's', 1, 'u1', 5, 1, 'u1', 5);"
        "INSERT INTO thread_participants (thread_id, principal_kind, principal_id, patient_id, "
        "last_message_at, unread_count, archived) VALUES "
        "(1, 1, 'u1', 'p1', 5, 2, 0), (2, 1, 'u1', 'p1', 5, 0, 0), (3, 1, 'u1', 'p2', 5, 4, 1), "
        "(1, 2, 'u1', 'p1', 5, 1, 0), (2, 2, 'g1', 'p1', 5, 7, 0);");
  ASSERT_EQ(db.migrate(steps), steps.back().version);

  // Every (reader, box) as counted and as kept; a kept row may stay at zero.
  const auto disagreements = [&] {
    return single_number(
        db,
        "SELECT COUNT(*) FROM (SELECT principal_kind, principal_id, archived, COUNT(*) AS threads, "
        "SUM(unread_count) AS unread FROM thread_participants GROUP BY 1, 2, 3) counted FULL JOIN "
        "(SELECT * FROM inbox_totals WHERE threads <> 0 OR unread <> 0) kept "
        "USING (principal_kind, principal_id, archived) "
        "WHERE counted.threads IS NOT kept.threads OR counted.unread IS NOT kept.unread");
  };
  // "threads/unread" as kept for one reader's box.
  const auto kept = [&](int64_t kind, const std::string& who, int64_t archived) {
    Transaction tx(db, TransactionMode::read);
    auto query = tx.prepare(
        "SELECT COALESCE((SELECT threads || '/' || unread FROM inbox_totals WHERE principal_kind = ?1 "
        "AND principal_id = ?2 AND archived = ?3), '0/0')");
    query.bind_all(kind, who, archived);
    EXPECT_TRUE(query.step());
    return query.text(0);
  };
  EXPECT_EQ(kept(1, "u1", 0), "2/2") << "counted by the migration";
  EXPECT_EQ(kept(1, "u1", 1), "1/4");
  EXPECT_EQ(kept(2, "u1", 0), "1/1") << "a portal user and a staff user of the same id are two readers";
  EXPECT_EQ(kept(2, "g1", 0), "1/7");
  EXPECT_EQ(disagreements(), 0);

  write(db,
        "INSERT INTO thread_participants (thread_id, principal_kind, principal_id, patient_id, "
        "last_message_at, unread_count) VALUES (4, 1, 'u1', 'p2', 5, 1), (4, 1, 'u9', 'p2', 5, 3)");
  EXPECT_EQ(kept(1, "u1", 0), "3/3");
  EXPECT_EQ(kept(1, "u9", 0), "1/3") << "a reader's first row";
  // A message as add_message writes it: every row of the thread unarchived, the readers' counts up.
  write(db,
        "UPDATE thread_participants SET archived = 0, unread_count = unread_count + "
        "(principal_id <> 'u9') WHERE thread_id IN (3, 4)");
  EXPECT_EQ(kept(1, "u1", 0), "4/9");
  EXPECT_EQ(kept(1, "u1", 1), "0/0");
  EXPECT_EQ(disagreements(), 0);
  write(db, "UPDATE thread_participants SET unread_count = 0 WHERE principal_id = 'u1' AND thread_id = 3");
  EXPECT_EQ(kept(1, "u1", 0), "4/4");
  write(db, "UPDATE thread_participants SET archived = 1 WHERE principal_id = 'u1' AND thread_id = 1");
  EXPECT_EQ(kept(1, "u1", 0), "3/2");
  EXPECT_EQ(kept(1, "u1", 1), "1/2");
  write(db, "UPDATE thread_participants SET principal_id = 'u8' WHERE principal_id = 'u9'");
  EXPECT_EQ(kept(1, "u9", 0), "0/0");
  EXPECT_EQ(kept(1, "u8", 0), "1/3");
  EXPECT_EQ(disagreements(), 0);
  write(db, "DELETE FROM thread_participants WHERE thread_id = 4");
  EXPECT_EQ(kept(1, "u1", 0), "2/0");
  EXPECT_EQ(kept(1, "u8", 0), "0/0");
  write(db, "DELETE FROM thread_participants");
  EXPECT_EQ(single_number(db, "SELECT COUNT(*) FROM inbox_totals WHERE threads <> 0 OR unread <> 0"), 0);
  EXPECT_EQ(disagreements(), 0);
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
