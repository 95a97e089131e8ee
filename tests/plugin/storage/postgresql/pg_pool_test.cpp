// The PostgreSQL backend's connection layer against a real PostgreSQL 15 server (the ctest
// fixture `postgresql` starts one with scripts/pg-cluster in EHR_TEST_PG_DIR).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "common/storage.hpp"
#include "storage/postgresql/pg_pool.hpp"
#include "storage/postgresql/pg_transaction.hpp"

namespace ehr::storage::pg {
namespace {

using namespace std::chrono_literals;

std::string cluster_conninfo() {
  return std::string("host=") + EHR_TEST_PG_DIR + " port=5432 user=ehr dbname=postgres";
}

void cluster(const std::string& command) {
  const std::string line = std::string(EHR_PG_CLUSTER_SCRIPT) + " " + command + " " + EHR_TEST_PG_DIR;
  ASSERT_EQ(std::system(line.c_str()), 0) << line;
}

constexpr Query kCreate{"test_create",
                        "CREATE TABLE IF NOT EXISTS pool_test (id bigint PRIMARY KEY, note text)"};
constexpr Query kClear{"test_clear", "DELETE FROM pool_test"};
constexpr Query kInsert{"test_insert", "INSERT INTO pool_test (id, note) VALUES ($1, $2)"};
constexpr Query kSelect{"test_select", "SELECT id, note FROM pool_test WHERE id = $1"};
constexpr Query kCount{"test_count", "SELECT count(*) FROM pool_test"};
constexpr Query kSleep{"test_sleep", "SELECT pg_sleep($1)"};
constexpr Query kBad{"test_bad", "SELECT no_such_column FROM pool_test"};

class PgPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = std::make_unique<Pool>(options());
    auto lease = pool_->acquire();
    lease->run(kCreate);
    lease->run(kClear);
  }

  static PoolOptions options(std::size_t size = 2, std::chrono::milliseconds timeout = 5000ms) {
    PoolOptions options;
    options.connection.conninfo = cluster_conninfo();
    options.connection.statement_timeout = timeout;
    options.size = size;
    options.acquire_timeout = 300ms;
    return options;
  }

  std::unique_ptr<Pool> pool_;
};

TEST_F(PgPoolTest, R_STORE_1_ValuesAreBoundNeverSplicedIntoSql) {
  const std::string hostile = "x'); DROP TABLE pool_test; --";
  auto lease = pool_->acquire();
  lease->run(kInsert, {std::int64_t{1}, hostile});
  lease->run(kInsert, {std::int64_t{2}, std::monostate{}});
  Rows one = lease->run(kSelect, {std::int64_t{1}});
  ASSERT_EQ(one.size(), 1);
  EXPECT_EQ(one.int64(0, 0), 1);
  EXPECT_EQ(one.text(0, 1), hostile);
  Rows two = lease->run(kSelect, {std::int64_t{2}});
  EXPECT_TRUE(two.is_null(0, 1));
  EXPECT_EQ(lease->run(kCount).int64(0, 0), 2) << "the table is still there";
}

TEST_F(PgPoolTest, R_STORE_1_ARefusedStatementNamesItsSqlstateButNotTheValues) {
  auto lease = pool_->acquire();
  lease->run(kInsert, {std::int64_t{7}, "first"});
  try {
    lease->run(kInsert, {std::int64_t{7}, "a patient's words"});
    FAIL() << "a duplicate key was accepted";
  } catch (const PgError& error) {
    EXPECT_EQ(error.sqlstate(), "23505");
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(error.what()).find("pool_test_pkey"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("7"), std::string::npos) << "no value in the message";
  }
  EXPECT_THROW(lease->run(kBad), PgError);
  EXPECT_EQ(lease->run(kCount).int64(0, 0), 1) << "the connection still works";
}

TEST_F(PgPoolTest, R_STORE_1_AStatementOverTheTimeoutIsCancelledAndSaysSo) {
  Pool pool(options(1, 200ms));
  auto lease = pool.acquire();
  try {
    lease->run(kSleep, {"2"});
    FAIL() << "pg_sleep(2) outlived a 200 ms statement timeout";
  } catch (const PgError& error) {
    EXPECT_EQ(error.sqlstate(), "57014");
    EXPECT_NE(std::string(error.what()).find("statement timeout of 200 ms"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(lease->run(kCount).int64(0, 0), 0);
}

TEST_F(PgPoolTest, R_STORE_1_OnlyCommittedWorkIsVisibleToOtherConnections) {
  auto writer = pool_->acquire();
  auto reader = pool_->acquire();
  {
    Transaction tx(*writer);
    writer->run(kInsert, {std::int64_t{1}, "kept"});
    EXPECT_EQ(reader->run(kCount).int64(0, 0), 0) << "not visible before COMMIT";
    tx.commit();
  }
  EXPECT_EQ(reader->run(kCount).int64(0, 0), 1);
  {
    Transaction tx(*writer);
    writer->run(kInsert, {std::int64_t{2}, "dropped"});
  }  // no commit: rolled back
  EXPECT_EQ(reader->run(kCount).int64(0, 0), 1);
  EXPECT_EQ(writer->run(kCount).int64(0, 0), 1) << "the writer's connection is usable again";
}

// PostgreSQL answers COMMIT in a transaction an earlier statement aborted with ROLLBACK, not an
// error: a caller that went on after a failed statement must not be told its work was stored.
TEST_F(PgPoolTest, R_STORE_1_ACommitAfterAFailedStatementSaysNothingWasStored) {
  auto lease = pool_->acquire();
  lease->run(kInsert, {std::int64_t{1}, "committed before"});
  {
    Transaction tx(*lease);
    lease->run(kInsert, {std::int64_t{2}, "lost with the transaction"});
    EXPECT_THROW(lease->run(kInsert, {std::int64_t{1}, "a duplicate"}), PgError);
    try {
      tx.commit();
      FAIL() << "an aborted transaction was reported committed";
    } catch (const PgError& error) {
      EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
      EXPECT_NE(std::string(error.what()).find("was rolled back"), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(lease->run(kCount).int64(0, 0), 1) << "the insert before the failure is gone too";
  lease->run(kInsert, {std::int64_t{3}, "the connection works"});
}

TEST_F(PgPoolTest, R_STORE_1_ThePoolLendsNoMoreThanItsSizeAndSaysWhenAllStayBusy) {
  auto first = pool_->acquire();
  auto second = pool_->acquire();
  try {
    auto third = pool_->acquire();
    FAIL() << "a third connection was lent by a pool of two";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(error.what()).find("all 2 connections"), std::string::npos) << error.what();
  }
  auto waiting = std::async(std::launch::async, [&] { return pool_->acquire()->run(kCount).int64(0, 0); });
  std::this_thread::sleep_for(50ms);
  { auto released = std::move(second); }
  EXPECT_EQ(waiting.get(), 0) << "a waiting caller gets the connection given back";
}

TEST_F(PgPoolTest, R_STORE_1_AfterAServerRestartTheCallInFlightFailsClearlyAndTheNextWorks) {
  Pool pool(options(1));
  auto in_flight = std::async(std::launch::async, [&] {
    auto lease = pool.acquire();
    lease->run(kSleep, {"5"});
  });
  std::this_thread::sleep_for(300ms);
  cluster("restart");
  try {
    in_flight.get();
    FAIL() << "a statement survived the server's restart";
  } catch (const PgError& error) {
    EXPECT_TRUE(error.sqlstate().empty() || error.sqlstate() == "57P01") << error.sqlstate();
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
  }
  // The next call reconnects and works, statements prepared again.
  auto lease = pool.acquire();
  lease->run(kInsert, {std::int64_t{3}, "after restart"});
  EXPECT_EQ(lease->run(kCount).int64(0, 0), 1);
}

TEST_F(PgPoolTest, R_STORE_1_AnIdleConnectionDroppedByARestartIsReconnectedWhenLent) {
  Pool pool(options(1));
  pool.acquire()->run(kInsert, {std::int64_t{1}, "before restart"});
  cluster("restart");
  // No call was in flight, so none fails: the pool sees the session ended and connects again.
  auto lease = pool.acquire();
  EXPECT_EQ(lease->run(kSelect, {std::int64_t{1}}).text(0, 1), "before restart");
}

TEST(PgConnectionTest, R_STORE_2_AServerThatCannotBeReachedIsNamedWithoutTheConnectionSecret) {
  ConnectionOptions options;
  options.conninfo = "host=/nonexistent-socket-dir port=5999 user=ehr dbname=portal password=s3cr3t-pw";
  try {
    Connection connection(options);
    FAIL() << "connected to a server that does not exist";
  } catch (const PgError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(message.find("host /nonexistent-socket-dir port 5999 database portal"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("s3cr3t-pw"), std::string::npos) << message;
  }
}

TEST(PgConnectionTest, R_STORE_2_AConnectionStringThatDoesNotParseIsRefusedWithoutQuotingIt) {
  // libpq's parser would say: missing "=" after "s3cr3t-pw"; invalid percent-encoded token.
  for (const std::string conninfo :
       {"host=/tmp user=ehr password=open s3cr3t-pw", "postgresql://ehr:s3cr3t-pw%zz@localhost/portal"}) {
    ConnectionOptions options;
    options.conninfo = conninfo;
    try {
      Connection connection(options);
      FAIL() << "connected with a connection string that does not parse";
    } catch (const PgError& error) {
      const std::string message = error.what();
      EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
      EXPECT_NE(message.find("neither key=value pairs nor a postgresql:// URI"), std::string::npos)
          << message;
      EXPECT_EQ(message.find("s3cr3t-pw"), std::string::npos) << message;
    }
  }
}
}  // namespace
}  // namespace ehr::storage::pg
