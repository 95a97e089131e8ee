#include "common/storage.hpp"
#include "storage/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "storage/transaction.hpp"
#include "support/temp_dir.hpp"

namespace ehr::portal {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Transaction tx(db_);
    tx.execute_script("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);");
    tx.commit();
  }

  int64_t count_notes() {
    Transaction tx(db_, TransactionMode::read);
    auto query = tx.prepare("SELECT COUNT(*) FROM note");
    EXPECT_TRUE(query.step());
    return query.int64(0);
  }

  test::TempDir dir_;
  SqliteStore db_{dir_ / "portal.db"};
};

TEST_F(DatabaseTest, OpensWithWalFullSyncForeignKeysAndBusyTimeout) {
  // Both the write connection and the read connections.
  for (const TransactionMode mode : {TransactionMode::write, TransactionMode::read}) {
    Transaction tx(db_, mode);
    auto journal = tx.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(journal.step());
    EXPECT_EQ(journal.text(0), "wal");
    auto sync = tx.prepare("PRAGMA synchronous");
    ASSERT_TRUE(sync.step());
    EXPECT_EQ(sync.int64(0), 2);  // FULL
    auto keys = tx.prepare("PRAGMA foreign_keys");
    ASSERT_TRUE(keys.step());
    EXPECT_EQ(keys.int64(0), 1);
    auto busy = tx.prepare("PRAGMA busy_timeout");
    ASSERT_TRUE(busy.step());
    EXPECT_GT(busy.int64(0), 0);
  }
}

TEST_F(DatabaseTest, TransactionsSpeakTheSqliteDialect) {
  EXPECT_EQ(db_.dialect(), Dialect::sqlite);
  EXPECT_EQ(db_.name(), "database portal.db");
  Transaction tx(db_, TransactionMode::read);
  EXPECT_EQ(tx.dialect(), Dialect::sqlite);
}

// R-CONV-5: queries never wait for the writer. A read runs on a read connection, on a snapshot
// of what was committed when it began, even on the thread holding the write transaction.
TEST_F(DatabaseTest, R_CONV_5_AReadDoesNotWaitForAnOpenWriteAndSeesOnlyWhatWasCommitted) {
  Transaction write(db_);
  write.prepare("INSERT INTO note(text) VALUES (?1)").bind_all("not yet").run();
  EXPECT_EQ(count_notes(), 0);
  write.commit();
  EXPECT_EQ(count_notes(), 1);
}

TEST_F(DatabaseTest, CommittedDataSurvivesReopening) {
  {
    Transaction tx(db_);
    tx.prepare("INSERT INTO note(text) VALUES (?)").bind_all("kept").run();
    tx.commit();
  }
  SqliteStore reopened(dir_ / "portal.db");
  Transaction tx(reopened, TransactionMode::read);
  auto query = tx.prepare("SELECT text FROM note");
  ASSERT_TRUE(query.step());
  EXPECT_EQ(query.text(0), "kept");
}

TEST_F(DatabaseTest, TransactionNotCommittedIsRolledBack) {
  {
    Transaction tx(db_);
    tx.prepare("INSERT INTO note(text) VALUES (?)").bind_all("lost").run();
  }
  EXPECT_EQ(count_notes(), 0);
}

TEST_F(DatabaseTest, ExceptionMidTransactionLeavesNothingHalfWritten) {
  try {
    Transaction tx(db_);
    tx.prepare("INSERT INTO note(text) VALUES (?)").bind_all("first").run();
    tx.prepare("INSERT INTO note(text) VALUES (?)").bind_null(1).run();  // NOT NULL violated
    tx.commit();
    FAIL() << "the NOT NULL violation must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(e.what()).find("NOT NULL"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count_notes(), 0);
}

TEST_F(DatabaseTest, BoundTextIsStoredVerbatimNeverAsSql) {
  const std::string hostile = "x'); DROP TABLE note; --";
  Transaction tx(db_);
  tx.prepare("INSERT INTO note(text) VALUES (?)").bind_all(hostile).run();
  auto query = tx.prepare("SELECT text FROM note WHERE text = ?");
  query.bind_all(hostile);
  ASSERT_TRUE(query.step());
  EXPECT_EQ(query.text(0), hostile);
  tx.commit();
}

TEST_F(DatabaseTest, NestedTransactionOnOneThreadIsRefused) {
  Transaction outer(db_);
  EXPECT_THROW(Transaction inner(db_), Error);
}

TEST_F(DatabaseTest, AfterCommitActionsRunOnlyOnCommit) {
  int ran = 0;
  {
    Transaction tx(db_);
    tx.after_commit([&] { ++ran; });
  }
  EXPECT_EQ(ran, 0);
  Transaction tx(db_);
  tx.after_commit([&] { ++ran; });
  tx.after_commit([] { throw std::runtime_error("contained"); });
  tx.after_commit([&] { ++ran; });
  tx.commit();
  EXPECT_EQ(ran, 2);
}

TEST_F(DatabaseTest, StatementUsedAfterItsTransactionEndedIsRefused) {
  Transaction tx(db_);
  auto query = tx.prepare("SELECT COUNT(*) FROM note");
  tx.commit();
  EXPECT_THROW((void)query.step(), std::logic_error);
}

TEST_F(DatabaseTest, SameStatementMayBeUsedNestedInOneTransaction) {
  Transaction tx(db_);
  for (const char* text : {"a", "b"}) tx.prepare("INSERT INTO note(text) VALUES (?)").bind_all(text).run();
  auto outer = tx.prepare("SELECT text FROM note ORDER BY id");
  std::vector<std::string> pairs;
  while (outer.step()) {
    auto inner = tx.prepare("SELECT text FROM note ORDER BY id");
    while (inner.step()) pairs.push_back(outer.text(0) + inner.text(0));
  }
  EXPECT_EQ(pairs, (std::vector<std::string>{"aa", "ab", "ba", "bb"}));
}

TEST_F(DatabaseTest, ManyThreadsWritingAtOnceLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        Transaction tx(db_);
        tx.prepare("INSERT INTO note(text) VALUES (?)").bind_all("n").run();
        tx.commit();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(count_notes(), kThreads * kEach);
}

TEST(DatabaseOpen, UnopenableFileIsReportedByName) {
  test::TempDir dir;
  try {
    SqliteStore db(dir / "missing-folder" / "portal.db");
    FAIL() << "opening in a missing folder must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EHR_STATUS_STORAGE);
    EXPECT_NE(std::string(e.what()).find("missing-folder"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ehr::portal
