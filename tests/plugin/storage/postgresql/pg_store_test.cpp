// PgStore, the Store contract on a real PostgreSQL 15 server (the ctest fixture `postgresql`):
// statements, the portable SQL's translation, snapshots, writes serialized across two stores
// (two hosts) on one database, durability settings, a server restart.
#include "storage/postgresql/pg_store.hpp"
#include "common/storage.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgresql/pg_sql.hpp"
#include "support/pg_test_database.hpp"

namespace ehr::storage::pg {

// The throw-away server and scratch databases (pg_test_database.hpp), shared with the plugin's tests.
namespace test = ehr::portal::pg::test;

namespace {

using namespace std::chrono_literals;

constexpr std::string_view kTableSql =
    "CREATE TABLE things (id BIGINT PRIMARY KEY, note TEXT, amount BIGINT, data BYTEA)";

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<PgStore>(database_.options());
    auto tx = store_->begin(TransactionMode::write);
    tx->execute_script(kTableSql);
    tx->commit();
  }

  // The number of rows in `things`, read in a transaction of its own.
  static std::int64_t count(Store& store) {
    auto tx = store.begin(TransactionMode::read);
    auto query = tx->prepare("SELECT count(*) FROM things");
    EXPECT_TRUE(query->step());
    return query->int64(0);
  }

  static void insert(TransactionBackend& tx, std::int64_t id, std::string_view note) {
    auto statement = tx.prepare("INSERT INTO things (id, note) VALUES (?1, ?2)");
    statement->bind_int64(1, id);
    statement->bind_text(2, note);
    EXPECT_FALSE(statement->step());
  }

  // Ends the session of `store`'s one connection 300 ms from now, as the server does at a restart;
  // the answer is pg_terminate_backend's ("t" once it did).
  std::future<std::string> terminate_soon(PgStore& store) {
    std::int64_t pid = 0;
    {
      auto tx = store.begin(TransactionMode::read);
      auto backend = tx->prepare("SELECT pg_backend_pid()");
      EXPECT_TRUE(backend->step());
      pid = backend->int64(0);
    }
    return std::async(std::launch::async, [this, pid] {
      std::this_thread::sleep_for(300ms);
      Connection admin(database_.connection());
      return admin.run(Query{"test_terminate", "SELECT pg_terminate_backend($1)"}, {pid}).text(0, 0);
    });
  }

  test::ScratchDatabase database_;
  std::unique_ptr<PgStore> store_;
};

TEST_F(PgStoreTest, R_STORE_1_EveryTypeRoundTripsAsBound) {
  const std::string quoted = "it's \"quoted\" -- not a comment ?1 \\ back\\slash, ünïcödé ✓ 𝄞";
  const std::string bytes("\0\x01\x7f\x80\xff\\x00'\0", 10);
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  auto tx = store_->begin(TransactionMode::write);
  auto insert = tx->prepare("INSERT INTO things (id, note, amount, data) VALUES (?1, ?2, ?3, ?4)");
  insert->bind_int64(1, 1);
  insert->bind_text(2, quoted);
  insert->bind_int64(3, kMin);
  insert->bind_blob(4, bytes);
  EXPECT_FALSE(insert->step());
  insert->reset();
  insert->bind_int64(1, 2);
  insert->bind_null(2);
  insert->bind_int64(3, kMax);
  // Text bound to a bytea column is stored as its bytes, backslashes and all, as SQLite stores it.
  insert->bind_text(4, "C:\\new\\x41");
  EXPECT_FALSE(insert->step());
  insert->reset();
  insert->bind_int64(1, 3);
  insert->bind_text(2, "");
  insert->bind_null(3);
  insert->bind_blob(4, "");
  EXPECT_FALSE(insert->step());
  tx->commit();

  auto read = store_->begin(TransactionMode::read);
  auto rows = read->prepare("SELECT id, note, amount, data FROM things ORDER BY id");
  ASSERT_TRUE(rows->step());
  EXPECT_EQ(rows->int64(0), 1);
  EXPECT_EQ(rows->text(1), quoted);
  EXPECT_EQ(rows->int64(2), kMin);
  EXPECT_EQ(rows->text(3), bytes);
  EXPECT_FALSE(rows->is_null(3));
  ASSERT_TRUE(rows->step());
  EXPECT_TRUE(rows->is_null(1));
  EXPECT_EQ(rows->text(1), "") << "NULL reads as empty text, as on SQLite";
  EXPECT_EQ(rows->int64(2), kMax);
  EXPECT_EQ(rows->text(3), "C:\\new\\x41");
  ASSERT_TRUE(rows->step());
  EXPECT_FALSE(rows->is_null(1));
  EXPECT_EQ(rows->text(1), "");
  EXPECT_TRUE(rows->is_null(2));
  EXPECT_EQ(rows->int64(2), 0) << "NULL reads as 0, as on SQLite";
  EXPECT_FALSE(rows->is_null(3)) << "an empty blob is not NULL";
  EXPECT_EQ(rows->text(3), "");
  EXPECT_FALSE(rows->step());
  EXPECT_FALSE(rows->step()) << "stays at the end";
}

TEST_F(PgStoreTest, R_STORE_1_TextHoldingANulIsRefusedRatherThanCut) {
  auto tx = store_->begin(TransactionMode::write);
  auto insert = tx->prepare("INSERT INTO things (id, note) VALUES (?1, ?2)");
  insert->bind_int64(1, 1);
  insert->bind_text(2, std::string_view("before\0after", 12));
  try {
    (void)insert->step();
    FAIL() << "text with a NUL was sent";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), EHR_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(std::string(error.what()).find("NUL"), std::string::npos) << error.what();
  }
}

TEST_F(PgStoreTest, R_STORE_1_NumberedParametersAreTranslatedOutsideLiteralsAndComments) {
  auto tx = store_->begin(TransactionMode::read);
  auto query = tx->prepare(
      "SELECT CAST(?2 AS TEXT) || '?1 it''s -- ?3', CAST(?1 AS BIGINT) + 1 AS \"a?b\" -- ?4 in a comment\n"
      "/* ?5 /* nested ?6 */ */");
  query->bind_int64(1, 41);
  query->bind_text(2, "x");
  ASSERT_TRUE(query->step());
  EXPECT_EQ(query->text(0), "x?1 it's -- ?3");
  EXPECT_EQ(query->int64(1), 42);
  // The same parameter twice, and a reset that keeps the bindings.
  auto twice = tx->prepare("SELECT CAST(?1 AS BIGINT) * CAST(?1 AS BIGINT)");
  twice->bind_int64(1, 3);
  ASSERT_TRUE(twice->step());
  EXPECT_EQ(twice->int64(0), 9);
  twice->reset();
  ASSERT_TRUE(twice->step());
  EXPECT_EQ(twice->int64(0), 9) << "bindings stay after reset()";
}

TEST(PgSqlTest, R_STORE_1_TranslationIsOncePerTextAndRefusesUnnumberedParameters) {
  const TranslatedSql& first =
      translate("SELECT a FROM t WHERE b = ?1 AND c = ?12 AND d = '?' AND \"?\" = $$?$$");
  EXPECT_EQ(first.sql, "SELECT a FROM t WHERE b = $1 AND c = $12 AND d = '?' AND \"?\" = $$?$$");
  EXPECT_EQ(first.parameters, 12);
  EXPECT_EQ(&translate("SELECT a FROM t WHERE b = ?1 AND c = ?12 AND d = '?' AND \"?\" = $$?$$"), &first)
      << "cached for the process";
  const TranslatedSql& other = translate("SELECT a FROM t WHERE b = ?1");
  EXPECT_NE(other.name, first.name) << "each text its own prepared statement";
  EXPECT_EQ(translate("SELECT $tag$ it's ?1 $tag$, a$b FROM t").sql,
            "SELECT $tag$ it's ?1 $tag$, a$b FROM t");
  for (const char* bad : {"SELECT a FROM t WHERE b = ?", "SELECT ?0", "SELECT 'open", "SELECT 1 /* open"}) {
    try {
      (void)translate(bad);
      FAIL() << "translated: " << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), EHR_STATUS_INTERNAL) << bad;
      EXPECT_NE(std::string(error.what()).find(bad), std::string::npos) << error.what();
    }
  }
  try {
    (void)translate("SELECT a FROM t WHERE b = ? AND c = ?");
    FAIL() << "an unnumbered parameter was translated";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("has no number (write ?1, ?2, ...)"), std::string::npos)
        << error.what();
  }
}

TEST_F(PgStoreTest, R_STORE_1_ChangesCountsTheRowsOfTheLastRun) {
  auto tx = store_->begin(TransactionMode::write);
  for (std::int64_t id = 1; id <= 3; ++id) insert(*tx, id, "n");
  auto update = tx->prepare("UPDATE things SET note = ?2 WHERE id >= ?1");
  update->bind_int64(1, 2);
  update->bind_text(2, "changed");
  EXPECT_FALSE(update->step());
  EXPECT_EQ(update->changes(), 2);
  auto remove = tx->prepare("DELETE FROM things WHERE id = ?1");
  remove->bind_int64(1, 99);
  EXPECT_FALSE(remove->step());
  EXPECT_EQ(remove->changes(), 0);
  remove->reset();
  remove->bind_int64(1, 1);
  EXPECT_FALSE(remove->step());
  EXPECT_EQ(remove->changes(), 1);
  auto returning = tx->prepare("INSERT INTO things (id, note) VALUES (?1, 'r') RETURNING id * 10");
  returning->bind_int64(1, 7);
  ASSERT_TRUE(returning->step());
  EXPECT_EQ(returning->int64(0), 70);
  EXPECT_EQ(returning->changes(), 1);
  tx->commit();
  EXPECT_EQ(count(*store_), 3);
}

TEST_F(PgStoreTest, R_STORE_1_ReadingAColumnAsANumberParsesOrSaysWhichColumn) {
  auto tx = store_->begin(TransactionMode::read);
  auto query = tx->prepare("SELECT 'abc', 1 = 1, 1 = 2, count(*) FROM things");
  ASSERT_TRUE(query->step());
  try {
    (void)query->int64(0);
    FAIL() << "'abc' read as a number";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(error.what()).find("column 0"), std::string::npos) << error.what();
  }
  EXPECT_EQ(query->int64(1), 1) << "a condition reads 1, as on SQLite";
  EXPECT_EQ(query->int64(2), 0);
  EXPECT_EQ(query->int64(3), 0);
  EXPECT_THROW((void)query->int64(4), Error) << "no such column";
  EXPECT_FALSE(query->step());
  EXPECT_THROW((void)query->int64(0), Error) << "no row ready";
  auto unbound = tx->prepare("SELECT CAST(?1 AS TEXT)");
  EXPECT_THROW(unbound->bind_int64(2, 1), Error) << "the statement has one parameter";
}

// The snapshot is taken by the read's first statement, which its BEGIN travels with (one round
// trip): from then on the read sees nothing committed by anyone else.
TEST_F(PgStoreTest, R_STORE_1_AReadSeesNothingCommittedAfterItsFirstStatement) {
  PgStore other_host(database_.options());
  auto read = store_->begin(TransactionMode::read);
  auto first = read->prepare("SELECT count(*) FROM things");
  ASSERT_TRUE(first->step());
  EXPECT_EQ(first->int64(0), 0);
  {
    auto write = other_host.begin(TransactionMode::write);
    insert(*write, 1, "committed after the read's first statement");
    write->commit();
  }
  auto query = read->prepare("SELECT count(*) FROM things");
  ASSERT_TRUE(query->step());
  EXPECT_EQ(query->int64(0), 0) << "the snapshot was taken by the read's first statement";
  // A read only reads.
  try {
    insert(*read, 2, "written in a read");
    FAIL() << "a read transaction wrote";
  } catch (const PgError& error) {
    EXPECT_EQ(error.sqlstate(), "25006") << error.what();
  }
  EXPECT_EQ(count(*store_), 1) << "a read begun after the commit sees it";
}

// Each wait for the server is a round trip: a read's BEGIN goes with its first statement, and
// statements sent together are answered together. Counted once every statement is prepared on the
// connection (pool size 1), which happens once per session.
TEST_F(PgStoreTest, R_STORE_1_AReadsBeginAndItsSentStatementsCostOneRoundTrip) {
  PgStore store(database_.options(1));
  auto page = [&] {
    auto tx = store.begin(TransactionMode::read);
    auto rows = tx->prepare("SELECT id FROM things ORDER BY id");
    auto total = tx->prepare("SELECT count(*) FROM things");
    auto newest = tx->prepare("SELECT coalesce(max(id), 0) FROM things");
    rows->send();
    total->send();
    newest->send();
    std::int64_t seen = 0;
    while (rows->step()) ++seen;
    EXPECT_TRUE(total->step());
    EXPECT_EQ(total->int64(0), seen);
    EXPECT_TRUE(newest->step());
    return newest->int64(0);
  };
  (void)page();  // prepares the three statements on the connection
  {
    auto tx = store.begin(TransactionMode::write);
    insert(*tx, 5, "five");
    tx->commit();
  }
  std::uint64_t before = store.round_trips();
  EXPECT_EQ(page(), 5);
  EXPECT_EQ(store.round_trips() - before, 1u) << "BEGIN and the three queries in one round trip";
  before = store.round_trips();
  EXPECT_EQ(count(store), 1);
  EXPECT_EQ(store.round_trips() - before, 1u) << "BEGIN and one query in one round trip";
  before = store.round_trips();
  { auto unused = store.begin(TransactionMode::read); }
  EXPECT_EQ(store.round_trips() - before, 0u) << "a read that ran nothing sent nothing";
  EXPECT_EQ(count(store), 1) << "and left the connection as it was";
}

// A statement that fails in a batch fails the ones sent after it with its own error (the server
// ran none of them), and leaves the connection fit for the next transaction.
TEST_F(PgStoreTest, R_STORE_1_AFailedStatementInABatchFailsTheRestWithItsErrorAndTheConnectionWorksAfter) {
  PgStore store(database_.options(1));
  {
    auto tx = store.begin(TransactionMode::read);
    auto before = tx->prepare("SELECT count(*) FROM things");
    auto bad = tx->prepare("SELECT 1 / (count(*) - count(*)) FROM things");
    auto after = tx->prepare("SELECT 1");
    before->send();
    bad->send();
    after->send();
    ASSERT_TRUE(before->step()) << "the statement before the failure ran";
    EXPECT_EQ(before->int64(0), 0);
    for (auto* statement : {bad.get(), after.get()}) {
      try {
        (void)statement->step();
        FAIL() << "a statement after a failure in its batch ran";
      } catch (const PgError& error) {
        EXPECT_EQ(error.sqlstate(), "22012") << error.what();
        EXPECT_NE(std::string(error.what()).find("SELECT 1 / (count(*) - count(*))"), std::string::npos)
            << error.what();
      }
    }
  }
  EXPECT_EQ(count(store), 0) << "the same (only) connection serves the next transaction";
}

// A write whose COMMIT goes behind its statements waits once for all of them, and is stored.
TEST_F(PgStoreTest, R_STORE_1_ACommitSentBehindItsStatementsWaitsOnceWithThem) {
  PgStore store(database_.options(1));
  {
    auto tx = store.begin(TransactionMode::write);
    insert(*tx, 1, "prepares the statement on the connection");
    tx->commit();
  }
  const std::uint64_t before = store.round_trips();
  {
    auto tx = store.begin(TransactionMode::write);
    std::vector<std::unique_ptr<StatementBackend>> inserts;
    for (std::int64_t id : {2, 3}) {
      inserts.push_back(tx->prepare("INSERT INTO things (id, note) VALUES (?1, ?2)"));
      inserts.back()->bind_int64(1, id);
      inserts.back()->bind_text(2, "sent");
      inserts.back()->send();
    }
    tx->send_commit();
    EXPECT_TRUE(tx->commit_sent());
  }
  EXPECT_EQ(store.round_trips() - before, 1u) << "BEGIN, the lock, both inserts and COMMIT";
  EXPECT_EQ(count(store), 3);
}

// A statement that fails keeps the COMMIT sent behind it from running: commit_sent() says so,
// nothing of the transaction is stored, not even what ran before the failure, and the same
// connection serves the next transaction.
TEST_F(PgStoreTest, R_STORE_1_ACommitSentBehindAFailedStatementIsSkippedAndNothingIsStored) {
  PgStore store(database_.options(1));
  {
    auto tx = store.begin(TransactionMode::write);
    auto first = tx->prepare("INSERT INTO things (id, note) VALUES (1, 'stored')");
    auto taken = tx->prepare("INSERT INTO things (id, note) VALUES (1, 'the same id')");
    auto after = tx->prepare("INSERT INTO things (id, note) VALUES (2, 'after the failure')");
    first->send();
    taken->send();
    after->send();
    tx->send_commit();
    EXPECT_FALSE(tx->commit_sent());
    try {
      (void)taken->step();
      FAIL() << "a duplicate key was stored";
    } catch (const PgError& error) {
      EXPECT_EQ(error.sqlstate(), "23505") << error.what();
    }
  }
  EXPECT_EQ(count(store), 0) << "nothing of the transaction, and the connection works";
  {
    auto tx = store.begin(TransactionMode::write);
    insert(*tx, 1, "stored");
    tx->send_commit();  // nothing waits to be sent: commit_sent() commits on its own
    EXPECT_TRUE(tx->commit_sent());
  }
  EXPECT_EQ(count(store), 1);
}

TEST_F(PgStoreTest, R_STORE_1_AStatementTimeoutInABatchSaysSoAndTheConnectionWorksAfter) {
  PgStoreOptions impatient = database_.options(1);
  impatient.statement_timeout = 200ms;
  PgStore store(impatient);
  {
    auto tx = store.begin(TransactionMode::read);
    auto slow = tx->prepare("SELECT pg_sleep(2)");
    auto total = tx->prepare("SELECT count(*) FROM things");
    slow->send();
    total->send();
    try {
      (void)slow->step();
      FAIL() << "pg_sleep(2) outlived a 200 ms statement timeout";
    } catch (const PgError& error) {
      EXPECT_EQ(error.sqlstate(), "57014");
      EXPECT_NE(std::string(error.what()).find("statement timeout of 200 ms"), std::string::npos)
          << error.what();
    }
    EXPECT_THROW((void)total->step(), PgError) << "not run after the timeout";
  }
  EXPECT_EQ(count(store), 0);
}

// The session ended by the server while a batch is in flight: every statement of it says the
// connection was lost, naming the server, and the pool connects again for the next transaction.
TEST_F(PgStoreTest, R_STORE_1_ASessionEndedMidBatchFailsItClearlyAndTheNextTransactionWorks) {
  PgStore store(database_.options(1));
  auto terminate = terminate_soon(store);
  {
    auto tx = store.begin(TransactionMode::read);
    auto slow = tx->prepare("SELECT pg_sleep(3)");
    auto total = tx->prepare("SELECT count(*) FROM things");
    slow->send();
    total->send();
    for (auto* statement : {slow.get(), total.get()}) {
      try {
        (void)statement->step();
        FAIL() << "a statement of a batch whose session ended succeeded";
      } catch (const PgError& error) {
        EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
        EXPECT_NE(std::string(error.what()).find("was lost"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find(store.name().substr(std::string("PostgreSQL ").size())),
                  std::string::npos)
            << error.what();
      }
    }
  }
  EXPECT_EQ(terminate.get(), "t");
  EXPECT_EQ(count(store), 0) << "the next transaction works";
}

// The session ended by the server while a write waits with its COMMIT already sent: the server
// said where it stopped, before COMMIT (it runs a pipeline in order), so the write is known not to
// be stored, and says so rather than "may or may not" (docs/admins.md, "When the server restarts").
TEST_F(PgStoreTest, R_STORE_1_ASessionEndedBeforeASentCommitSaysTheWriteWasNotCompleted) {
  PgStore store(database_.options(1));
  auto terminate = terminate_soon(store);
  {
    auto tx = store.begin(TransactionMode::write);
    auto slow = tx->prepare("SELECT pg_sleep(3)");
    auto insert = tx->prepare("INSERT INTO things (id, note) VALUES (1, 'never stored')");
    slow->send();
    insert->send();
    tx->send_commit();
    try {
      (void)tx->commit_sent();
      FAIL() << "a write whose session ended before its COMMIT was committed";
    } catch (const PgError& error) {
      EXPECT_NE(std::string(error.what()).find("it was not completed"), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(terminate.get(), "t");
  EXPECT_EQ(count(store), 0) << "nothing stored, and the next transaction works";
}

TEST_F(PgStoreTest, R_STORE_1_TwoHostsWritesAreSerializedAndTheSecondSeesTheFirst) {
  PgStore other_host(database_.options());
  auto first = store_->begin(TransactionMode::write);
  insert(*first, 1, "first host");
  std::atomic<bool> second_read{false};
  auto second = std::async(std::launch::async, [&] {
    auto tx = other_host.begin(TransactionMode::write);
    // Read, then write what was read: the audit chain's head works this way. The lock is taken
    // on the server before this first statement runs (BEGIN and the lock travel with it).
    auto last = tx->prepare("SELECT coalesce(max(id), 0) FROM things");
    EXPECT_TRUE(last->step());
    second_read = true;
    const std::int64_t next = last->int64(0) + 1;
    insert(*tx, next, "second host");
    tx->commit();
    return next;
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(second_read) << "the second host's write ran a statement while the first's was open";
  // Reads are not held up by a write.
  EXPECT_EQ(count(other_host), 0);
  first->commit();
  EXPECT_EQ(second.get(), 2) << "the second write saw the first's row";
  EXPECT_EQ(count(*store_), 2);
}

TEST_F(PgStoreTest, R_STORE_1_AWriteWaitingPastTheStatementTimeoutSaysWhatItWaitedFor) {
  PgStoreOptions impatient = database_.options(1);  // the write after uses the same connection
  impatient.statement_timeout = 200ms;
  PgStore other_host(impatient);
  {
    auto first = store_->begin(TransactionMode::write);
    insert(*first, 1, "holds the lock");
    try {
      auto second = other_host.begin(TransactionMode::write);
      // Its BEGIN and lock go with its first statement, which waits for the lock.
      insert(*second, 2, "waits");
      FAIL() << "two writes ran at once";
    } catch (const PgError& error) {
      EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
      EXPECT_NE(std::string(error.what())
                    .find("a write on " + other_host.name() +
                          " waited longer than the statement timeout of 200 ms for another write to finish"),
                std::string::npos)
          << error.what();
    }
  }
  auto after = other_host.begin(TransactionMode::write);
  insert(*after, 1, "once the first write ended");
  after->commit();
  EXPECT_EQ(count(*store_), 1) << "the first write was rolled back, the second never ran";
}

// A write's BEGIN and its lock go with its first statement: one round trip for the three, one for
// COMMIT. A write that ran nothing sent nothing.
TEST_F(PgStoreTest, R_STORE_1_AWritesBeginAndLockTravelWithItsFirstStatement) {
  PgStore store(database_.options(1));
  auto write = [&](std::int64_t id) {
    auto tx = store.begin(TransactionMode::write);
    insert(*tx, id, "written");
    tx->commit();
  };
  write(1);  // prepares the insert on the connection
  std::uint64_t before = store.round_trips();
  write(2);
  EXPECT_EQ(store.round_trips() - before, 2u) << "BEGIN, the lock and the insert; then COMMIT";
  before = store.round_trips();
  {
    auto tx = store.begin(TransactionMode::write);
    tx->commit();
  }
  EXPECT_EQ(store.round_trips() - before, 0u);
  EXPECT_EQ(count(store), 2);
}

// A read-then-write in every write transaction, from two hosts with two threads each: no update is
// lost, even where the database's default isolation is REPEATABLE READ (a snapshot taken before
// the lock's wait would miss the write it waited for).
TEST_F(PgStoreTest, R_STORE_1_ReadThenWriteAcrossHostsLosesNoUpdate) {
  {
    Connection admin(database_.connection());
    admin.run_command("ALTER DATABASE " + database_.name() +
                      " SET default_transaction_isolation = 'repeatable read'");
  }
  PgStore host_a(database_.options());
  PgStore host_b(database_.options());
  {
    auto tx = host_a.begin(TransactionMode::write);
    insert(*tx, 1, "0");
    tx->commit();
  }
  constexpr int kIncrements = 25;
  auto add = [&](Store& store) {
    for (int i = 0; i < kIncrements; ++i) {
      auto tx = store.begin(TransactionMode::write);
      auto read = tx->prepare("SELECT note FROM things WHERE id = 1");
      EXPECT_TRUE(read->step());
      const std::string next = std::to_string(std::stoi(read->text(0)) + 1);
      auto write = tx->prepare("UPDATE things SET note = ?1 WHERE id = 1");
      write->bind_text(1, next);
      EXPECT_FALSE(write->step());
      tx->commit();
    }
  };
  std::vector<std::thread> writers;
  writers.emplace_back(add, std::ref(host_a));
  writers.emplace_back(add, std::ref(host_a));
  writers.emplace_back(add, std::ref(host_b));
  writers.emplace_back(add, std::ref(host_b));
  for (std::thread& writer : writers) writer.join();
  auto tx = host_b.begin(TransactionMode::read);
  auto total = tx->prepare("SELECT note FROM things WHERE id = 1");
  ASSERT_TRUE(total->step());
  EXPECT_EQ(total->text(0), std::to_string(4 * kIncrements));
}

TEST_F(PgStoreTest, R_STORE_1_CommitsAreDurableWhateverTheServersDefault) {
  {
    Connection admin(database_.connection());
    admin.run_command("ALTER DATABASE " + database_.name() + " SET synchronous_commit = off");
  }
  PgStore store(database_.options());
  auto tx = store.begin(TransactionMode::write);
  auto setting = tx->prepare("SELECT current_setting('synchronous_commit')");
  ASSERT_TRUE(setting->step());
  EXPECT_EQ(setting->text(0), "on");
}

TEST_F(PgStoreTest, R_STORE_1_AnAbortedTransactionIsNeverReportedCommitted) {
  auto tx = store_->begin(TransactionMode::write);
  insert(*tx, 1, "first");
  try {
    insert(*tx, 1, "a duplicate");
    FAIL() << "a duplicate key was stored";
  } catch (const PgError& error) {
    // Names the statement by the start of its SQL (which holds no values), not the values.
    const std::string message = error.what();
    EXPECT_NE(message.find("(INSERT INTO things (id, note) VALUES ($1, $2))"), std::string::npos) << message;
    EXPECT_EQ(message.find("a duplicate"), std::string::npos) << message;
  }
  EXPECT_THROW(tx->commit(), PgError);
  tx.reset();
  EXPECT_EQ(count(*store_), 0);
}

TEST_F(PgStoreTest, R_STORE_2_TheStoreIsNamedByServerNeverByItsConnectionString) {
  PgStoreOptions options = database_.options();
  options.conninfo += " password=s3cr3t-pw sslmode=prefer";  // trust authentication ignores it
  PgStore store(options);
  EXPECT_EQ(store.dialect(), Dialect::postgresql);
  EXPECT_EQ(store.name(),
            std::string("PostgreSQL host ") + EHR_TEST_PG_DIR + " port 5432 database " + database_.name());
  options.conninfo = test::conninfo(database_.name()) + " password=s3cr3t-pw sslmode=no-such-mode";
  try {
    PgStore refused(options);
    FAIL() << "an invalid sslmode was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(error.what()).find("sslmode"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("s3cr3t-pw"), std::string::npos) << error.what();
  }
}

// A commit that waits (here a deferred trigger sleeps in it) while its session is ended: the server
// may or may not have made it durable, and the caller must not take it for either.
TEST_F(PgStoreTest, R_STORE_1_AConnectionLostDuringCommitSaysTheOutcomeIsUnknown) {
  {
    auto tx = store_->begin(TransactionMode::write);
    tx->execute_script(
        "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); "
        "RETURN NULL; END $$; CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON things DEFERRABLE "
        "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()");
    tx->commit();
  }
  PgStore store(database_.options(1));
  std::promise<std::int64_t> backend;
  auto committing = std::async(std::launch::async, [&] {
    auto tx = store.begin(TransactionMode::write);
    auto pid = tx->prepare("SELECT pg_backend_pid()");
    EXPECT_TRUE(pid->step());
    backend.set_value(pid->int64(0));
    insert(*tx, 1, "committed or not");
    tx->commit();
  });
  const std::int64_t pid = backend.get_future().get();
  std::this_thread::sleep_for(500ms);  // inside COMMIT, in the deferred trigger
  Connection admin(database_.connection());
  ASSERT_EQ(admin.run(Query{"test_terminate", "SELECT pg_terminate_backend($1)"}, {pid}).text(0, 0), "t");
  try {
    committing.get();
    FAIL() << "a commit whose session was ended reported success";
  } catch (const PgError& error) {
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(error.what()).find("while committing: the change may or may not have been stored"),
              std::string::npos)
        << error.what();
  }
  auto tx = store.begin(TransactionMode::read);
  auto rows = tx->prepare("SELECT count(*) FROM things");
  ASSERT_TRUE(rows->step()) << "the next transaction works";
  EXPECT_EQ(rows->int64(0), 0);
}

// An admin's own startup options (a schema on the search path, say) in the connection string are
// kept; the store's (timeout, durability) are added after them and so win where both set one.
TEST_F(PgStoreTest, R_STORE_2_TheAdminsStartupOptionsAreKeptBesideTheStores) {
  PgStoreOptions options = database_.options();
  options.conninfo += " options='-c search_path=clinic,public -c synchronous_commit=off'";
  options.statement_timeout = 4000ms;
  PgStore store(options);
  auto tx = store.begin(TransactionMode::read);
  auto settings = tx->prepare(
      "SELECT current_setting('search_path'), current_setting('statement_timeout'), "
      "current_setting('synchronous_commit')");
  ASSERT_TRUE(settings->step());
  EXPECT_EQ(settings->text(0), "clinic,public");
  EXPECT_EQ(settings->text(1), "4s");
  EXPECT_EQ(settings->text(2), "on");
}

TEST_F(PgStoreTest, R_STORE_1_AServerRestartFailsTheCallInFlightClearlyAndTheNextTransactionWorks) {
  PgStore store(database_.options(1));
  auto in_flight = std::async(std::launch::async, [&] {
    auto tx = store.begin(TransactionMode::write);
    insert(*tx, 1, "lost with the restart");
    auto sleep = tx->prepare("SELECT pg_sleep(5)");
    (void)sleep->step();
    tx->commit();
  });
  std::this_thread::sleep_for(300ms);
  test::cluster("restart");
  try {
    in_flight.get();
    FAIL() << "a transaction survived the server's restart";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), EHR_STATUS_STORAGE);
    // Names the store by its server, as store.name() does.
    EXPECT_NE(std::string(error.what()).find(store.name().substr(std::string("PostgreSQL ").size())),
              std::string::npos)
        << error.what();
  }
  {
    auto tx = store.begin(TransactionMode::write);
    insert(*tx, 2, "after the restart");
    tx->commit();
  }
  EXPECT_EQ(count(store), 1) << "the lost transaction stored nothing";
}

}  // namespace
}  // namespace ehr::storage::pg
