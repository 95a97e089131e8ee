// Schema migrations on a real PostgreSQL 15 server (the ctest fixture `postgresql`).
#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "common/storage.hpp"
#include "storage/postgresql/pg_connection.hpp"
#include "storage/postgresql/pg_migrations.hpp"

namespace ehr::storage::pg {
namespace {

ConnectionOptions database(const std::string& name) {
  ConnectionOptions options;
  options.conninfo = std::string("host=") + EHR_TEST_PG_DIR + " port=5432 user=ehr dbname=" + name;
  return options;
}

constexpr Migration kSteps[] = {
    {1, "marks: the table", "CREATE TABLE marks (id integer PRIMARY KEY, note text NOT NULL)"},
    // Slow and not repeatable: a second run would fail on the primary key, and the sleep keeps
    // the first host inside its transaction while the others arrive.
    {2, "marks: the first row", "SELECT pg_sleep(0.3); INSERT INTO marks (id, note) VALUES (1, 'once')"},
    {3, "marks: an index", "CREATE INDEX marks_by_note ON marks (note)"},
};

constexpr Query kCountMarks{"test_count_marks", "SELECT count(*) FROM marks"};
constexpr Query kCountSteps{"test_count_steps", "SELECT count(*) FROM schema_migrations"};

class PgMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Connection admin(database("postgres"));
    admin.run_command("DROP DATABASE IF EXISTS migrations_test WITH (FORCE)");
    admin.run_command("CREATE DATABASE migrations_test");
  }
};

TEST_F(PgMigrationsTest, R_STORE_1_HostsStartingTogetherApplyEachStepOnce) {
  constexpr int kHosts = 4;
  std::latch start(kHosts);
  std::vector<int> reached(kHosts, -1);
  std::vector<std::string> errors(kHosts);
  std::vector<std::thread> hosts;
  for (int i = 0; i < kHosts; ++i) {
    hosts.emplace_back([&, i] {
      try {
        Connection connection(database("migrations_test"));
        start.arrive_and_wait();
        reached[i] = migrate(connection, kSteps);
      } catch (const Error& e) {
        errors[i] = e.what();
      }
    });
  }
  for (std::thread& host : hosts) host.join();
  for (int i = 0; i < kHosts; ++i) {
    EXPECT_EQ(errors[i], "") << "host " << i;
    EXPECT_EQ(reached[i], 3) << "host " << i;
  }
  Connection check(database("migrations_test"));
  EXPECT_EQ(check.run(kCountMarks).int64(0, 0), 1) << "step 2 ran once";
  EXPECT_EQ(check.run(kCountSteps).int64(0, 0), 3);
  EXPECT_EQ(schema_version(check), 3);
}

TEST_F(PgMigrationsTest, R_STORE_1_AFailingStepIsNamedAndTheStepsBeforeItStay) {
  const Migration broken[] = {
      kSteps[0],
      {2, "marks: a column that cannot be", "ALTER TABLE marks ADD COLUMN nope no_such_type"},
  };
  Connection connection(database("migrations_test"));
  EXPECT_EQ(schema_version(connection), 0);
  try {
    migrate(connection, broken);
    FAIL() << "a step with an unknown type was applied";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("migration 2 (marks: a column that cannot be) failed and was rolled back"),
        std::string::npos)
        << e.what();
  }
  EXPECT_EQ(schema_version(connection), 1);
  EXPECT_EQ(connection.run(kCountMarks).int64(0, 0), 0) << "step 1's table is there";
  EXPECT_EQ(migrate(connection, kSteps), 3) << "the fixed list continues from step 1";
}

TEST_F(PgMigrationsTest, R_STORE_1_ADatabaseNewerThanThePluginIsRefused) {
  Connection connection(database("migrations_test"));
  ASSERT_EQ(migrate(connection, kSteps), 3);
  try {
    migrate(connection, std::span(kSteps).first(2));
    FAIL() << "an older plugin migrated a newer database";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 3, newer than this plugin knows (2)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ehr::storage::pg
